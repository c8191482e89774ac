"""The env's permissions boundary: a managed policy that caps every role deploy creates.

The boundary allows, service by service, the union of what the env's roles' own policies allow, so a
role of this env can never be widened (by hand, or by a later edit of its inline policy) beyond what
some role of the env was written to do, on this env's resources.
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence

from botocore.exceptions import ClientError

from deploy import tags as t
from deploy.context import Context
from deploy.errors import is_not_found
from deploy.policies import Document, Statement, allow, document
from deploy.resource import Resource, State

MAX_VERSIONS = 5  # IAM keeps at most five versions of a managed policy


def boundary_name(ctx: Context) -> str:
    return ctx.name("boundary")


def boundary_arn(ctx: Context) -> str:
    return ctx.arn("iam", f"policy/{boundary_name(ctx)}", region=False)


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def boundary_document(documents: Iterable[Document]) -> Document:
    """One Allow per service and condition: the union of the actions and resources the roles allow."""
    merged: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    conditions: dict[str, dict[str, object]] = {}
    for doc in documents:
        for statement in doc["Statement"]:
            condition = json.dumps(statement.get("Condition", {}), sort_keys=True)
            conditions[condition] = statement.get("Condition", {})
            for action in _as_list(statement["Action"]):
                actions, resources = merged.setdefault((action.split(":")[0], condition), (set(), set()))
                actions.add(action)
                resources.update(_as_list(statement["Resource"]))
    statements: list[Statement] = []
    for n, ((service, condition), (actions, resources)) in enumerate(sorted(merged.items())):
        sid = service.title().replace("-", "") + (f"Conditional{n}" if conditions[condition] else "")
        statements.append(allow(sid, sorted(actions), sorted(resources), **conditions[condition]))
    return document(*statements)


class PermissionsBoundary(Resource):
    """A customer managed policy whose default version is the boundary document."""

    kind = "iam-policy"

    def __init__(self, ctx: Context, policies: Sequence[Callable[[Context], Document]]) -> None:
        super().__init__(ctx, boundary_name(ctx))
        self.iam = ctx.clients("iam")
        self.arn = boundary_arn(ctx)
        self.policies = policies

    def desired(self) -> State:
        documents = [policy(self.ctx) for policy in self.policies]
        return {"Tags": self.ctx.tags, "Document": boundary_document(documents)}

    def read(self) -> State | None:
        try:
            policy = self.iam.get_policy(PolicyArn=self.arn)["Policy"]
        except ClientError as e:
            if is_not_found(e, "NoSuchEntity"):
                return None
            raise
        version = self.iam.get_policy_version(PolicyArn=self.arn, VersionId=policy["DefaultVersionId"])
        document = version["PolicyVersion"]["Document"]
        tags = self.iam.list_policy_tags(PolicyArn=self.arn)["Tags"]
        return {"Tags": t.from_list(tags), "Document": json.loads(document) if isinstance(document, str) else document}

    def create(self, desired: State) -> None:
        self.iam.create_policy(
            PolicyName=self.name,
            PolicyDocument=json.dumps(desired["Document"]),
            Description=f"lakehouse {self.ctx.settings.env}: permissions boundary of every role deploy creates",
            Tags=t.to_list(desired["Tags"]),
        )

    def _old_versions(self) -> list[str]:
        versions = self.iam.list_policy_versions(PolicyArn=self.arn)["Versions"]
        old = [v for v in versions if not v["IsDefaultVersion"]]
        return [v["VersionId"] for v in sorted(old, key=lambda v: v["CreateDate"])]

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if "Document" in fields:
            old = self._old_versions()
            for version in old[: max(0, len(old) - (MAX_VERSIONS - 2))]:
                self.iam.delete_policy_version(PolicyArn=self.arn, VersionId=version)
            self.iam.create_policy_version(
                PolicyArn=self.arn, PolicyDocument=json.dumps(desired["Document"]), SetAsDefault=True
            )
        if "Tags" in fields:
            self.iam.tag_policy(PolicyArn=self.arn, Tags=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        for version in self._old_versions():
            self.iam.delete_policy_version(PolicyArn=self.arn, VersionId=version)
        self.iam.delete_policy(PolicyArn=self.arn)
