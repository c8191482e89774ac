"""Deploy's own calls, recorded on moto, are all allowed by the deployer policy deploy prints, and need all of it.

Each call is decided against the bucket and key policies in force when it was made (a new key has its
default policy until deploy puts the explicit one), as the calls themselves wrote them.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import boto3
import pytest

from deploy.build import Release
from deploy.cli import Options, context, main, run
from deploy.context import DeployConfig
from deploy.deployer_policy import GRANTS, deployer_policy
from lakehouse.settings import Settings
from tests.support.aws import ACCOUNT_ID, REGION
from tests.support.iam_calls import Call, recording
from tests.support.iam_check import Verdict, check
from tests.support.iam_drift import drift_everything
from tests.support.iam_eval import Document, Principal
from tests.support.iam_requests import Where

ENV = "dev"
REPLICA_REGION = "eu-central-1"
# An env with a switch on is applied twice and destroyed, not drifted: the update calls of what only the
# switch creates are not recorded, so their grants are expected unneeded here (each is an update path).
UPDATE_PATHS_NOT_DRIFTED: dict[str, list[str]] = {"production": [], "private_network": [
    "deployer NetworkConnection glue:TagResource", "deployer NetworkConnection glue:UpdateConnection",
    "deployer Network ec2:ModifyVpcEndpoint", "deployer Network ec2:RevokeSecurityGroupIngress"]}
Lifecycle = dict[str, list[Call]]


def _caller(session: boto3.Session) -> str:
    """The IAM principal behind the session (moto's `sts::...:user/moto` is the IAM user moto)."""
    return str(session.client("sts").get_caller_identity()["Arn"]).replace(":sts::", ":iam::")


def _key_arn(session: boto3.Session) -> str:
    [key] = session.client("kms").list_keys()["Keys"]
    return str(key["KeyArn"])


def verdict(session: boto3.Session, calls: list[Call], document: Document) -> Verdict:
    principal = Principal(_caller(session), {"deployer": document})
    return check(principal, calls, Where(ACCOUNT_ID, REGION, _key_arn(session)))


@pytest.fixture
def lifecycle(aws: str, release: Release) -> tuple[boto3.Session, Lifecycle]:
    """Every call, by step, of: plan, apply, apply again, plan, apply over drift, destroy with the data."""
    session = boto3.Session()
    found: Lifecycle = {}
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("plan", "plan", {}), ("apply", "apply", {}), ("again", "apply", {}), ("replan", "plan", {}),
        ("drifted", "apply", {}), ("destroy", "destroy", {"delete_data": True}),
    ]  # fmt: skip
    for step, command, options in steps:
        tune = None
        if step == "drifted":
            settings = context(Options("plan", ENV), session).settings
            drift_everything(session, ENV, settings.database, f"arn:aws:s3:::{settings.bucket('gold')}")
            tune = more_workers
        with recording(session) as recorder:
            run(Options(command, ENV, **options), session, lambda line: None, release, tune=tune)
        found[step] = recorder.calls
    return session, found


def more_workers(settings: Settings) -> Settings:
    return replace(settings, silver_job=replace(settings.silver_job, number_of_workers=3))


def test_the_deployer_policy_allows_every_call_deploy_makes_and_no_more(
    lifecycle: tuple[boto3.Session, Lifecycle],
) -> None:
    session, steps = lifecycle
    document = deployer_policy(context(Options("plan", ENV), session))
    found = verdict(session, [c for calls in steps.values() for c in calls], document)
    assert found.denied() == [], "\n".join(found.denied())
    assert found.unneeded() == []
    plan_only = deployer_policy(context(Options("plan", ENV), session), plan_only=True)
    assert verdict(session, steps["plan"] + steps["replan"], plan_only).denied() == []


@pytest.mark.parametrize("switch", ["production", "private_network"])
def test_the_deployer_policy_allows_every_call_of_an_env_with_a_switch_on(
    aws: str, release: Release, switch: str
) -> None:
    """production: replicas and their key in a second region; private_network: the VPC, endpoints, connection."""
    session = boto3.Session()
    production = switch == "production"
    config = DeployConfig.for_production(REPLICA_REGION) if production else DeployConfig(private_network=True)
    with recording(session) as recorder:
        for command in ("apply", "apply", "destroy"):
            options = Options(command, ENV, delete_data=command == "destroy")
            run(options, session, lambda line: None, release, config)
    document = deployer_policy(context(Options("plan", ENV), session, config))
    found = verdict(session, recorder.calls, document)
    assert found.denied() == [], "\n".join(found.denied())
    switched = {g.sid for g in GRANTS if g.needs == switch}
    unneeded = [line for line in found.unneeded() if line.split()[1] in switched]
    assert unneeded == UPDATE_PATHS_NOT_DRIFTED[switch], "\n".join(unneeded)


def test_the_check_fails_naming_the_call_when_a_needed_statement_is_removed(aws: str, release: Release) -> None:
    session = boto3.Session()
    with recording(session) as recorder:
        run(Options("apply", ENV), session, lambda line: None, release)
    document = deployer_policy(context(Options("plan", ENV), session))
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "PassRolesToGlue"]
    assert verdict(session, recorder.calls, document).denied() == [
        f"glue:{op} needs iam:PassRole on arn:aws:iam::{ACCOUNT_ID}:role/lakehouse-dev-{role}: "
        "no identity policy statement allows it"
        for op, role in (("CreateCrawler", "glue-crawlers"), ("CreateJob", "glue-jobs"))
    ]


def test_policy_prints_the_deployer_policy_as_json(aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "--env", ENV]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == deployer_policy(context(Options("policy", ENV), boto3.Session()))
    assert main(["policy", "--env", ENV, "--plan-only"]) == 0
    reads = {a for s in json.loads(capsys.readouterr().out)["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    changes = [a for a in reads if a.split(":")[1].startswith(("Create", "Put", "Delete"))]
    assert "s3:ListBucket" in reads and changes == []
