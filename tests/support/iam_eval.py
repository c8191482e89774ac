"""Decide authorization requests locally against the policies deploy writes, with principalmapper.

The evaluator is Principal Mapper's local policy simulation (`principalmapper.querying.
local_policy_simulation`, NCC Group, on PyPI as principalmapper). It was chosen because it decides a
request (action, resource, condition keys) against identity and resource policies the way IAM does:
Action/NotAction and Resource/NotResource with wildcards and policy variables, every condition
operator family (String*, Arn*, Numeric*, Date*, Bool, Null, IpAddress, the IfExists forms and
ForAnyValue/ForAllValues), and resource-policy principals (a role, its account root, `*`, services).
The others listed on PyPI do less of that: policyuniverse parses and expands policies but evaluates
no conditions; parliament, cloudsplaining and iam-policy-validator lint documents, they do not decide
requests; policy-sentry writes policies. principalmapper 1.1.5 imports Mapping from `collections`,
which Python 3.10 removed: the names are put back from collections.abc before it is imported.

The combination follows IAM's evaluation logic for one account
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html): an
explicit Deny anywhere wins; otherwise the identity policies or a resource policy naming the
principal must allow, and the permissions boundary must allow too. For a KMS key only the key policy
counts, unless it lets the account's IAM policies decide (an `arn:...:root` statement allowing the
action): https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html; so for a role's
trust policy and sts:AssumeRole (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html).
"""

from __future__ import annotations

import collections
import collections.abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))

from principalmapper.common import Node  # noqa: E402
from principalmapper.querying import local_policy_simulation as sim  # noqa: E402
from principalmapper.querying.local_policy_simulation import ResourcePolicyEvalResult as Result  # noqa: E402
from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict  # noqa: E402

from tests.support.iam_requests import Request  # noqa: E402

Document = dict[str, Any]


@dataclass(frozen=True)
class Principal:
    """Who makes the calls: its ARN, its identity policies by name, and its permissions boundary."""

    arn: str
    identity: Mapping[str, Document]
    boundary: Document | None = None

    def node(self) -> Node:
        trust = {"Version": "2012-10-17", "Statement": []} if ":role/" in self.arn else None
        return Node(self.arn, "AIDAEXAMPLE", [], [], trust, None, 0, False, False, None, False, {})


@dataclass
class Decision:
    """Allowed or not, why not, and which identity statements (policy name, Sid) allowed it."""

    request: Request
    allowed: bool
    reason: str = ""
    used: list[tuple[str, str]] = field(default_factory=list)


def base_context(principal: Principal, region: str) -> dict[str, Any]:
    """The keys every signed HTTPS request of this principal carries."""
    account = principal.arn.split(":")[4]
    return {"aws:PrincipalArn": principal.arn, "aws:PrincipalAccount": account, "aws:SecureTransport": "true",
            "aws:RequestedRegion": region, "s3:TlsVersion": "1.2", "kms:CallerAccount": account}  # fmt: skip


def matching(document: Document, effect: str, request: Request, keys: CaseInsensitiveDict) -> list[str]:
    """The Sids (or positions) of the document's statements of that effect that match the request."""
    found = []
    for n, statement in enumerate(document.get("Statement", [])):
        single = {"Statement": [statement]}
        if sim.policy_has_matching_statement(single, effect, request.action, request.resource, keys):
            found.append(str(statement.get("Sid", n)))
    return found


def default_key_policy(account: str, partition: str = "aws") -> Document:
    """The policy a key gets when none is given: the account's IAM policies decide (key-policy-default.html)."""
    root = {"AWS": f"arn:{partition}:iam::{account}:root"}
    statement = {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": root, "Action": "kms:*"}
    return {"Version": "2012-10-17", "Statement": [{**statement, "Resource": "*"}]}


def governing(resource: str, policies: Mapping[str, Document]) -> tuple[str, Document] | None:
    """The resource policy that applies: the bucket's for a bucket or object, the key's for a key."""
    for prefix, document in policies.items():
        if resource == prefix or resource.startswith(prefix + "/"):
            return prefix, document
    if resource.split(":")[2:3] == ["kms"] and ":key/" in resource:
        return resource, default_key_policy(resource.split(":")[4], resource.split(":")[1])
    return None


def _denied(principal: Principal, request: Request, keys: CaseInsensitiveDict,
            policy: tuple[str, Document] | None) -> str:  # fmt: skip
    documents = {**principal.identity, **({"boundary": principal.boundary} if principal.boundary else {})}
    for name, document in [*documents.items(), *([policy] if policy else [])]:
        found = matching(document, "Deny", request, keys)
        if found:
            return f"explicitly denied by {name} statement {found[0]}"
    return ""


def _must_allow(governed: str, request: Request) -> bool:
    """A key policy, and a role's trust policy, must allow the request themselves (or defer to IAM via root)."""
    return governed.split(":")[2] == "kms" or request.action == "sts:AssumeRole"


def decide(principal: Principal, request: Request, resource_policies: Mapping[str, Document], region: str) -> Decision:
    """IAM's decision for one request of this principal; `used` holds the identity statements it relied on."""
    keys = CaseInsensitiveDict({**base_context(principal, region), **request.context})
    policy = governing(request.resource, resource_policies)
    denied = _denied(principal, request, keys, policy)
    if denied:
        return Decision(request, False, denied)
    if principal.boundary is not None and not matching(principal.boundary, "Allow", request, keys):
        return Decision(request, False, "not allowed by the permissions boundary")
    result = Result.NO_MATCH
    if policy:
        account = principal.arn.split(":")[4]
        result = sim.resource_policy_authorization(principal.node(), account, policy[1], request.action,
                                                   request.resource, keys)  # fmt: skip
    if result == Result.NODE_MATCH:
        return Decision(request, True)  # the resource policy names the principal: no identity statement needed
    if policy and _must_allow(policy[0], request) and result != Result.ROOT_MATCH:
        return Decision(request, False, f"the resource policy of {policy[0]} does not allow it")
    used = [(name, sid) for name, doc in principal.identity.items() for sid in matching(doc, "Allow", request, keys)]
    if not used:
        return Decision(request, False, "no identity policy statement allows it")
    return Decision(request, True, used=used)
