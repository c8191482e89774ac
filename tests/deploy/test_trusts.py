"""Who may assume our roles: named analysts only, and each service only for our account's resources."""

from __future__ import annotations

from dataclasses import replace

import pytest

from deploy import iam
from lakehouse.settings import Settings
from tests.support.aws import ACCOUNT_ID, REGION
from tests.support.iam_eval import Principal, decide, sim
from tests.support.iam_requests import Request
from tests.support.iam_roles import env_context

ALICE = f"arn:aws:iam::{ACCOUNT_ID}:role/alice"
MALLORY = f"arn:aws:iam::{ACCOUNT_ID}:role/mallory"
SERVICES = {iam.GLUE_JOBS: "glue", iam.GLUE_CRAWLERS: "glue", iam.INGEST: "lambda", iam.LAKEFORMATION: "lakeformation"}


def _may_assume(caller: str, analysts: tuple[str, ...]) -> bool:
    ctx = env_context(Settings.aws("dev", ACCOUNT_ID, REGION), ACCOUNT_ID)
    ctx.config = replace(ctx.config, analyst_principals=analysts)
    role = ctx.role_arn(iam.ANALYST)
    trust = {role: iam.TRUSTS[iam.ANALYST](ctx)}
    caller_can = {"Version": "2012-10-17",
                  "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}  # fmt: skip
    return decide(Principal(caller, {"own": caller_can}), Request("sts:AssumeRole", "sts:AssumeRole", role), trust,
                  REGION).allowed  # fmt: skip


def test_only_the_named_principals_may_assume_the_analyst_role() -> None:
    assert _may_assume(ALICE, (ALICE,))
    assert not _may_assume(MALLORY, (ALICE,))  # same account, allowed by its own policy: still no


def test_with_no_analyst_named_nobody_may_assume_it() -> None:
    assert not _may_assume(ALICE, ())


def _service_may_assume(purpose: str, source_account: str, source_arn: str) -> bool:
    ctx = env_context(Settings.aws("dev", ACCOUNT_ID, REGION), ACCOUNT_ID)
    service = f"{SERVICES[purpose]}.amazonaws.com"
    keys = {"aws:SourceAccount": source_account, "aws:SourceArn": source_arn}
    result = sim.resource_policy_authorization(service, ACCOUNT_ID, iam.TRUSTS[purpose](ctx), "sts:AssumeRole",
                                               ctx.role_arn(purpose), keys)  # fmt: skip
    return bool(result == sim.ResourcePolicyEvalResult.SERVICE_MATCH)


@pytest.mark.parametrize("purpose", sorted(SERVICES))
def test_a_service_may_assume_our_role_only_for_our_resources(purpose: str) -> None:
    service = SERVICES[purpose]
    resource = "function:lakehouse-dev-ingest" if service == "lambda" else "x"
    ours = f"arn:aws:{service}:{REGION}:{ACCOUNT_ID}:{resource}"
    theirs = ours.replace(ACCOUNT_ID, "210987654321")
    assert _service_may_assume(purpose, ACCOUNT_ID, ours)
    assert not _service_may_assume(purpose, "210987654321", theirs)  # the confused deputy
    assert not _service_may_assume(purpose, ACCOUNT_ID, theirs)
