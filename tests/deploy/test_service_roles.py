"""The roles services use allow every call the services make with them, and no more.

The calls are data: deploy/glue_service_calls.py for the Glue jobs and crawlers, deploy/service_calls.py
for an analyst's Athena query and Lake Formation's credential vending.
"""

from __future__ import annotations

import pytest

from deploy import iam
from deploy.glue_service_calls import glue_crawler_calls, glue_job_calls
from deploy.service_calls import ServiceCall, analyst_calls, lakeformation_calls
from lakehouse.settings import Settings
from tests.support.aws import ACCOUNT_ID, REGION
from tests.support.iam_check import Verdict, check
from tests.support.iam_roles import env_context, listed, resource_policies, role, where

CALLS = {iam.GLUE_JOBS: glue_job_calls, iam.GLUE_CRAWLERS: glue_crawler_calls, iam.ANALYST: analyst_calls,
         iam.LAKEFORMATION: lakeformation_calls}  # fmt: skip


def verdict(purpose: str, without: str = "") -> Verdict:
    ctx = env_context(Settings.aws("dev", ACCOUNT_ID, REGION), ACCOUNT_ID)
    principal = role(ctx, purpose)
    [document] = principal.identity.values()
    document["Statement"] = [s for s in document["Statement"] if s["Sid"] != without]
    calls: list[ServiceCall] = CALLS[purpose](ctx)
    return check(principal, [], where(ctx), resource_policies(ctx), listed(calls))


@pytest.mark.parametrize("purpose", sorted(CALLS))
def test_the_role_allows_every_call_glue_makes_for_it_and_needs_every_grant(purpose: str) -> None:
    found = verdict(purpose)
    assert found.denied() == [], "\n".join(found.denied())
    assert found.unneeded() == [], "\n".join(found.unneeded())


def test_without_its_metrics_grant_the_job_role_is_denied_publishing_metrics() -> None:
    assert verdict(iam.GLUE_JOBS, without="GlueMetrics").denied() == [
        "(Glue publishes the job's metrics) needs cloudwatch:PutMetricData on *: no identity policy statement allows it"
    ]
