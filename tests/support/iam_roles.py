"""The documents deploy writes for one env, computed from deploy's own code, for the IAM check of a role."""

from __future__ import annotations

import boto3

from deploy import iam, policies
from deploy.boundary import boundary_document
from deploy.context import Clients, Context, DeployConfig
from deploy.key_policy import key_policy, key_users
from deploy.s3 import buckets
from deploy.service_calls import ServiceCall
from lakehouse.settings import Settings
from tests.support.iam_eval import Document, Principal
from tests.support.iam_requests import Request, Where

DEPLOYER = "arn:aws:iam::{account}:role/lakehouse-deployer"


def env_context(settings: Settings, account: str, key_id: str = "0000aaaa-bbbb-cccc-dddd-eeeeffff0000") -> Context:
    """The deploy Context of the settings' env, with its key as deploy would have created it."""
    region = str(settings.region)
    ctx = Context(settings, account, region, Clients(boto3.Session(region_name=region)), DeployConfig())
    ctx.key_arn = ctx.arn("kms", f"key/{key_id}")
    return ctx


def where(ctx: Context) -> Where:
    return Where(ctx.account_id, ctx.region, ctx.key_arn, ctx.partition)


def role(ctx: Context, purpose: str) -> Principal:
    """One of our roles: its inline policy, under the env's boundary (built from all our roles' policies)."""
    boundary = boundary_document([policies.key_use(ctx), *(policy(ctx) for policy in iam.POLICIES.values())])
    return Principal(ctx.role_arn(purpose), {purpose: iam.POLICIES[purpose](ctx)}, boundary)


def resource_policies(ctx: Context) -> dict[str, Document]:
    """Every bucket's policy and the key policy, by the ARN each governs."""
    found: dict[str, Document] = {ctx.bucket_arn(b.name): b.policy() for b in buckets(ctx)}
    deployer = DEPLOYER.format(account=ctx.account_id)
    found[ctx.key_arn] = key_policy(ctx, [deployer], key_users(ctx))
    return found


def listed(calls: list[ServiceCall]) -> list[Request]:
    """The requests of calls a service makes as the role (written down in deploy/service_calls.py)."""
    return [Request(f"({c.why})", c.action, resource, c.context) for c in calls for resource in c.resources]
