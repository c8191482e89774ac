"""The IAM check both ways: no recorded call denied, and no granted action that no call needs.

Resource policies change as the calls run: a key has its default policy until a PutKeyPolicy, a bucket
none until a PutBucketPolicy, so each call is decided against the policies in force when it was made.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tests.support.iam_calls import Call
from tests.support.iam_eval import Decision, Document, Principal, decide
from tests.support.iam_requests import Request, Where, requests_for
from tests.support.iam_resources import RESOURCES


@dataclass
class Verdict:
    """Every decision for one principal's calls."""

    principal: Principal
    decisions: list[Decision]

    def denied(self) -> list[str]:
        """One line per denied request: the call, the grant it needs, and why it is missing."""
        grouped: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for d in self.decisions:
            if d.allowed:
                continue
            resources = grouped[(d.request.call, d.request.action, d.reason)]
            if not d.allowed and d.request.resource not in resources:
                resources.append(d.request.resource)
        more = {key: f" (and {len(found) - 1} more)" if len(found) > 1 else "" for key, found in grouped.items()}
        return sorted(
            f"{call} needs {action} on {resources[0]}{more[(call, action, reason)]}: {reason}"
            for (call, action, reason), resources in grouped.items()
        )

    def unneeded(self) -> list[str]:
        """Each (policy, statement, action) granted that no request needs: none relies on it alone."""
        needed: dict[tuple[str, str], set[str]] = defaultdict(set)
        for decision in self.decisions:
            if len(decision.used) == 1:
                needed[decision.used[0]].add(decision.request.action.lower())
        found = []
        for name, document in self.principal.identity.items():
            for n, statement in enumerate(document["Statement"]):
                if statement["Effect"] != "Allow":
                    continue
                sid = str(statement.get("Sid", n))
                actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                found += [f"{name} {sid} {a}" for a in actions if a.lower() not in needed[(name, sid)]]
        return found


def _written(call: Call, where: Where) -> tuple[str, Document] | None:
    """The resource policy a call puts in force, if it puts one."""
    if f"{call.service}:{call.operation}" in ("s3:PutBucketPolicy", "kms:PutKeyPolicy"):
        return RESOURCES[call.service](call, where)[0], json.loads(call.params["Policy"])
    return None


def check(
    principal: Principal,
    calls: Iterable[Call],
    where: Where,
    resource_policies: Mapping[str, Document] | None = None,
    extra: Iterable[Request] = (),
) -> Verdict:
    """Decide, in order, every request of the calls (then any listed requests) for the principal."""
    policies = dict(resource_policies or {})
    decisions: list[Decision] = []
    for call in calls:
        decisions += [decide(principal, r, policies, where.region) for r in requests_for(call, where)]
        written = _written(call, where)
        if written:
            policies[written[0]] = written[1]
    decisions += [decide(principal, r, policies, where.region) for r in extra]
    return Verdict(principal, decisions)
