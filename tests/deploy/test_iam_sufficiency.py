"""Deploy's own calls, recorded on moto, are all allowed by the deployer policy deploy prints, and need all of it."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from deploy.build import Release
from deploy.cli import Options, context, run
from deploy.deployer_policy import deployer_policy
from tests.support.aws import ACCOUNT_ID, REGION
from tests.support.iam_calls import Call, recording
from tests.support.iam_check import Verdict, check
from tests.support.iam_eval import Document, Principal
from tests.support.iam_requests import Where

ENV = "dev"


def _caller(session: boto3.Session) -> str:
    """The IAM principal behind the session (moto's `sts::...:user/moto` is the IAM user moto)."""
    arn = session.client("sts").get_caller_identity()["Arn"]
    return arn.replace(":sts::", ":iam::")


def _resource_policies(session: boto3.Session) -> dict[str, Document]:
    """The bucket policies and the key policy deploy wrote, by the ARN each governs."""
    s3, kms = session.client("s3"), session.client("kms")
    found: dict[str, Document] = {}
    for bucket in s3.list_buckets()["Buckets"]:
        found[f"arn:aws:s3:::{bucket['Name']}"] = json.loads(s3.get_bucket_policy(Bucket=bucket["Name"])["Policy"])
    for key in kms.list_keys()["Keys"]:
        found[key["KeyArn"]] = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    return found


def _key_arn(session: boto3.Session) -> str:
    [key] = session.client("kms").list_keys()["Keys"]
    return str(key["KeyArn"])


def _deploy(session: boto3.Session, release: Release, command: str, **options: Any) -> None:
    run(Options(command, ENV, **options), session, lambda line: None, release)


def verdict(calls: list[Call], session: boto3.Session, policies: dict[str, Document], document: Document) -> Verdict:
    principal = Principal(_caller(session), {"deployer": document})
    return check(principal, calls, Where(ACCOUNT_ID, REGION, _key_arn(session)), policies)


@pytest.fixture
def lifecycle(aws: str, release: Release) -> tuple[list[Call], dict[str, Document], boto3.Session]:
    """plan, apply, apply again, plan, destroy with data: every call deploy made, and the policies it wrote."""
    session = boto3.Session()
    with recording(session) as recorder:
        _deploy(session, release, "plan")
        _deploy(session, release, "apply")
        _deploy(session, release, "apply")
    policies = _resource_policies(session)
    with recording(session) as later:
        _deploy(session, release, "destroy", delete_data=True)
    return recorder.calls + later.calls, policies, session


def test_the_deployer_policy_allows_every_call_deploy_makes(lifecycle: Any) -> None:
    calls, policies, session = lifecycle
    document = deployer_policy(context(Options("plan", ENV), session))
    denied = verdict(calls, session, policies, document).denied()
    assert denied == [], "\n".join(denied)



def test_policy_prints_the_deployer_policy_as_json(aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    from deploy.cli import main

    assert main(["policy", "--env", ENV]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == deployer_policy(context(Options("policy", ENV), boto3.Session()))
    assert main(["policy", "--env", ENV, "--plan-only"]) == 0
    reads = {a for s in json.loads(capsys.readouterr().out)["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    changes = [a for a in reads if a.split(":")[1].startswith(("Create", "Put", "Delete"))]
    assert "s3:ListBucket" in reads and changes == []
