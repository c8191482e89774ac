"""IAM roles, each with one inline policy and the env's boundary: Glue jobs, crawlers, Lambda, analysts, LF."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from botocore.exceptions import ClientError

from deploy import policies
from deploy import tags as t
from deploy.boundary import PermissionsBoundary, boundary_arn
from deploy.context import Context
from deploy.errors import is_not_found
from deploy.resource import Resource, State

POLICY_NAME = "lakehouse"
Policy = Callable[[Context], policies.Document]

GLUE_JOBS = "glue-jobs"
GLUE_CRAWLERS = "glue-crawlers"
INGEST = "ingest"
ANALYST = "analyst"
LAKEFORMATION = "lakeformation"


class Role(Resource):
    kind = "iam-role"

    def __init__(self, ctx: Context, purpose: str, trust: policies.Document, policy: Policy) -> None:
        super().__init__(ctx, ctx.name(purpose))
        self.iam = ctx.clients("iam")
        self.trust = trust
        self.policy = policy

    def desired(self) -> State:
        return {
            "Tags": self.ctx.tags,
            "AssumeRolePolicyDocument": self.trust,
            "Policy": self.policy(self.ctx),
            "PermissionsBoundary": boundary_arn(self.ctx),
        }

    def read(self) -> State | None:
        try:
            role = self.iam.get_role(RoleName=self.name)["Role"]
        except ClientError as e:
            if is_not_found(e, "NoSuchEntity"):
                return None
            raise
        try:
            policy = self.iam.get_role_policy(RoleName=self.name, PolicyName=POLICY_NAME)["PolicyDocument"]
        except ClientError as e:
            if not is_not_found(e, "NoSuchEntity"):
                raise
            policy = None
        tags = self.iam.list_role_tags(RoleName=self.name)["Tags"]
        return {
            "Tags": t.from_list(tags),
            "AssumeRolePolicyDocument": role["AssumeRolePolicyDocument"],
            "Policy": policy,
            "PermissionsBoundary": role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"),
        }

    def create(self, desired: State) -> None:
        self.iam.create_role(
            RoleName=self.name,
            AssumeRolePolicyDocument=json.dumps(desired["AssumeRolePolicyDocument"]),
            Description=f"lakehouse {self.ctx.settings.env}: {self.name}",
            Tags=t.to_list(desired["Tags"]),
            PermissionsBoundary=desired["PermissionsBoundary"],
        )
        self._put_policy(desired)

    def _put_policy(self, desired: State) -> None:
        self.iam.put_role_policy(
            RoleName=self.name, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(desired["Policy"])
        )

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if "AssumeRolePolicyDocument" in fields:
            self.iam.update_assume_role_policy(
                RoleName=self.name, PolicyDocument=json.dumps(desired["AssumeRolePolicyDocument"])
            )
        if "Policy" in fields:
            self._put_policy(desired)
        if "PermissionsBoundary" in fields:
            self.iam.put_role_permissions_boundary(
                RoleName=self.name, PermissionsBoundary=desired["PermissionsBoundary"]
            )
        if "Tags" in fields:
            self.iam.tag_role(RoleName=self.name, Tags=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        if current.get("Policy") is not None:
            self.iam.delete_role_policy(RoleName=self.name, PolicyName=POLICY_NAME)
        self.iam.delete_role(RoleName=self.name)


POLICIES: dict[str, Policy] = {
    GLUE_JOBS: policies.glue_jobs,
    GLUE_CRAWLERS: policies.glue_crawlers,
    INGEST: policies.ingest,
    ANALYST: policies.analyst,
    LAKEFORMATION: policies.lakeformation,
}
TRUSTS: dict[str, Callable[[Context], policies.Document]] = {
    GLUE_JOBS: policies.glue_trust,
    GLUE_CRAWLERS: policies.glue_trust,
    INGEST: policies.ingest_trust,
    ANALYST: policies.analyst_trust,
    LAKEFORMATION: policies.lakeformation_trust,
}


def roles(ctx: Context, extra: Sequence[Role] = ()) -> list[Resource]:
    """The boundary first (every role names it), then our roles and any extra ones, all under it."""
    found = [Role(ctx, purpose, TRUSTS[purpose](ctx), policy) for purpose, policy in POLICIES.items()]
    found += extra
    return [PermissionsBoundary(ctx, [policies.key_use, *(role.policy for role in found)]), *found]
