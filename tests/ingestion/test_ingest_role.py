"""The ingest role is exactly enough for one Lambda invocation: every call allowed, every grant needed."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from deploy.service_calls import lambda_calls
from lakehouse.ingest import config as names
from lakehouse.ingest.lambda_app import build_poller
from lakehouse.ingest.timing import SystemClock
from lakehouse.settings import Settings
from tests.ingestion import test_lambda
from tests.ingestion.helpers import LambdaContext
from tests.support.aws import ACCOUNT_ID
from tests.support.iam_calls import Call, recording
from tests.support.iam_check import Verdict, check
from tests.support.iam_roles import env_context, listed, resource_policies, role, where

lambda_env = test_lambda.lambda_env  # the Lambda's environment as deploy sets it (a fixture)


@pytest.fixture
def invocation(lambda_env: dict[str, str], aws_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    """Every call of what the handler runs, with the key deploy names in the Lambda's environment.

    The poller is built as the handler builds it; the handler itself is left out, since importing it
    binds Powertools' logger to this test's output (test_lambda reads that output).
    """
    monkeypatch.setenv(names.KMS_KEY_ID, env_context(aws_settings, ACCOUNT_ID).key_arn)
    context = LambdaContext(deadline=datetime.now(UTC) + timedelta(seconds=30))
    with recording() as recorder:
        build_poller(os.environ, context, boto3.Session(), SystemClock()).run()
    return recorder.calls


def verdict(settings: Settings, calls: list[Call], without: str = "") -> Verdict:
    ctx = env_context(settings, ACCOUNT_ID)
    principal = role(ctx, "ingest")
    [document] = principal.identity.values()
    document["Statement"] = [s for s in document["Statement"] if s["Sid"] != without]
    return check(principal, calls, where(ctx), resource_policies(ctx), listed(lambda_calls(ctx)))


def test_the_ingest_role_allows_every_call_of_an_invocation_and_needs_every_grant(
    invocation: list[Call], aws_settings: Settings
) -> None:
    found = verdict(aws_settings, invocation)
    assert {str(c) for c in invocation} >= {"s3:PutObject", "glue:BatchCreatePartition", "dynamodb:UpdateItem"}
    assert found.denied() == []
    assert found.unneeded() == [], "\n".join(found.unneeded())


def test_without_its_bronze_grant_the_check_names_the_denied_put(
    invocation: list[Call], aws_settings: Settings
) -> None:
    bucket = aws_settings.bucket("raw")
    [denied] = verdict(aws_settings, invocation, without="WriteBronze").denied()
    assert denied.startswith(f"s3:PutObject needs s3:PutObject on arn:aws:s3:::{bucket}/github/events/ingest_dt=")
    assert denied.endswith(": no identity policy statement allows it")
