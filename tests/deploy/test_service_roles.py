"""The roles services use allow every call the services make with them, and no more.

The calls are data: deploy/glue_service_calls.py for the Glue jobs and crawlers, deploy/service_calls.py
for an analyst's Athena query and Lake Formation's credential vending.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from deploy import iam
from deploy.glue_service_calls import glue_crawler_calls, glue_job_calls
from deploy.service_calls import ServiceCall, analyst_calls, lakeformation_calls, lambda_calls
from lakehouse.settings import Settings
from tests.support.aws import ACCOUNT_ID, REGION
from tests.support.iam_check import Verdict, check
from tests.support.iam_roles import env_context, listed, resource_policies, role, where

CALLS = {iam.GLUE_JOBS: glue_job_calls, iam.GLUE_CRAWLERS: glue_crawler_calls, iam.ANALYST: analyst_calls,
         iam.LAKEFORMATION: lakeformation_calls}  # fmt: skip


def verdict(purpose: str, without: str = "", private_network: bool = False) -> Verdict:
    ctx = env_context(Settings.aws("dev", ACCOUNT_ID, REGION), ACCOUNT_ID)
    policies = resource_policies(ctx)  # without the private network's perimeter: requests carry no aws:SourceVpce
    ctx.config = replace(ctx.config, private_network=private_network)
    principal = role(ctx, purpose)
    [document] = principal.identity.values()
    document["Statement"] = [s for s in document["Statement"] if s["Sid"] != without]
    calls: list[ServiceCall] = CALLS[purpose](ctx)
    return check(principal, [], where(ctx), policies, listed(calls))


@pytest.mark.parametrize("private_network", [False, True])
@pytest.mark.parametrize("purpose", sorted(CALLS))
def test_the_role_allows_every_call_the_service_makes_with_it_and_needs_every_grant(
    purpose: str, private_network: bool
) -> None:
    found = verdict(purpose, private_network=private_network)
    assert found.denied() == [], "\n".join(found.denied())
    assert found.unneeded() == [], "\n".join(found.unneeded())


def test_without_its_metrics_grant_the_job_role_is_denied_publishing_metrics() -> None:
    assert verdict(iam.GLUE_JOBS, without="GlueMetrics").denied() == [
        "(Glue publishes the job's metrics) needs cloudwatch:PutMetricData on *: no identity policy statement allows it"
    ]


def test_a_lambda_in_our_subnets_may_manage_its_interfaces_and_nothing_more_of_ec2() -> None:
    ctx = env_context(Settings.aws("dev", ACCOUNT_ID, REGION), ACCOUNT_ID)
    policies = resource_policies(ctx)
    ctx.config = replace(ctx.config, private_network=True, lambda_subnet_ids=("subnet-0123456789abcdef0",))
    found = check(role(ctx, iam.INGEST), [], where(ctx), policies, listed(lambda_calls(ctx)))
    assert found.denied() == []
    assert [line for line in found.unneeded() if "LambdaNetwork" in line] == []
