"""The IAM check both ways: no recorded call denied, and no granted action that no call needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tests.support.iam_calls import Call
from tests.support.iam_eval import Decision, Document, Principal, decide
from tests.support.iam_requests import Request, Where, requests_for


@dataclass
class Verdict:
    """Every decision for one principal's calls."""

    principal: Principal
    decisions: list[Decision]

    def denied(self) -> list[str]:
        """One line per denied request: the call, the grant it needs, and why it is missing."""
        grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for d in self.decisions:
            if not d.allowed:
                grouped[(d.request.call, d.request.action, d.reason)].append(d.request.resource)
        more = {key: f" (and {len(found) - 1} more)" if len(found) > 1 else "" for key, found in grouped.items()}
        return sorted(
            f"{call} needs {action} on {resources[0]}{more[(call, action, reason)]}: {reason}"
            for (call, action, reason), resources in grouped.items()
        )

    def unused(self) -> list[str]:
        """Each (policy, statement, action) granted that no allowed request matched."""
        used: dict[tuple[str, str], set[str]] = defaultdict(set)
        for decision in self.decisions:
            for key in decision.used:
                used[key].add(decision.request.action.lower())
        found = []
        for name, document in self.principal.identity.items():
            for n, statement in enumerate(document["Statement"]):
                if statement["Effect"] != "Allow":
                    continue
                sid = str(statement.get("Sid", n))
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                found += [f"{name} {sid} {a}" for a in actions if a.lower() not in used[(name, sid)]]
        return found


def check(
    principal: Principal,
    calls: Iterable[Call],
    where: Where,
    resource_policies: Mapping[str, Document] | None = None,
    extra: Iterable[Request] = (),
) -> Verdict:
    """Decide every request of the calls (and of any listed requests) for the principal."""
    requests = [r for call in calls for r in requests_for(call, where)] + list(extra)
    unique = {(r.call, r.action, r.resource, repr(sorted(r.context.items()))): r for r in requests}
    policies = resource_policies or {}
    return Verdict(principal, [decide(principal, r, policies, where.region) for r in unique.values()])
