"""A second apply changes nothing, a changed knob changes exactly its resource, plan changes nothing."""

from __future__ import annotations

import dataclasses

import boto3
import pytest

from deploy.context import DeployConfig
from deploy.errors import DeployError
from lakehouse.settings import GlueJobSettings, Settings
from tests.deploy.conftest import Deployer
from workflows import CRAWLERS, DAILY, HOURLY, REBUILD


def test_second_apply_reports_everything_unchanged_and_makes_no_change_call(deploy: Deployer) -> None:
    first = deploy("apply")
    second = deploy("apply")
    assert first.change_calls and {c.action for c in first.changes} == {"create"}
    assert {c.action for c in second.changes} == {"unchanged"}
    assert len(second.changes) == len(first.changes)
    assert second.change_calls == []


def test_plan_on_an_empty_account_shows_creates_and_changes_nothing(deploy: Deployer, session: boto3.Session) -> None:
    plan = deploy("plan")
    assert {c.action for c in plan.changes} == {"create"}
    assert plan.change_calls == []
    assert session.client("s3").list_buckets()["Buckets"] == []


def _more_workers(settings: Settings) -> Settings:
    return dataclasses.replace(settings, silver_job=GlueJobSettings(number_of_workers=5))


def test_more_workers_updates_only_that_job_and_keeps_its_whole_definition(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    plan = deploy("plan", tune=_more_workers)
    assert plan.change_calls == []
    applied = deploy("apply", tune=_more_workers)
    changed = [(c.kind, c.name, c.fields) for c in applied.changes if c.action != "unchanged"]
    assert changed == [("glue-job", "lakehouse-dev-bronze_to_silver", ("NumberOfWorkers",))]
    assert applied.change_calls == ["glue:UpdateJob"]
    job = session.client("glue").get_job(JobName="lakehouse-dev-bronze_to_silver")["Job"]
    assert (job["NumberOfWorkers"], job["GlueVersion"], job["JobRunQueuingEnabled"]) == (5, "5.1", True)
    assert job["DefaultArguments"]["--job-bookmark-option"] == "job-bookmark-enable"


def test_a_new_scan_cutoff_updates_only_the_workgroup(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    applied = deploy("apply", config=DeployConfig(athena_bytes_scanned_cutoff=1024**3))
    assert applied.change_calls == ["athena:UpdateWorkGroup"]
    group = session.client("athena").get_work_group(WorkGroup="lakehouse-dev-workgroup")["WorkGroup"]
    assert group["Configuration"]["BytesScannedCutoffPerQuery"] == 1024**3
    assert group["Configuration"]["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"] == "SSE_KMS"


def test_a_new_schedule_updates_only_its_trigger(
    deploy: Deployer, session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy("apply")
    moved = dataclasses.replace(HOURLY, schedule="cron(20 * * * ? *)")
    monkeypatch.setattr("deploy.glue_workflows.WORKFLOWS", (moved, DAILY, REBUILD))
    applied = deploy("apply")
    assert applied.change_calls == ["glue:UpdateTrigger"]
    trigger = session.client("glue").get_trigger(Name="lakehouse-dev-hourly-start")["Trigger"]
    assert trigger["Schedule"] == "cron(20 * * * ? *)"
    assert trigger["Actions"] == [{"JobName": "lakehouse-dev-bronze_to_silver"}]


def test_a_new_crawler_description_updates_only_that_crawler(
    deploy: Deployer, session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy("apply")
    renamed = (dataclasses.replace(CRAWLERS[0], description="new words"), *CRAWLERS[1:])
    monkeypatch.setattr("deploy.glue_jobs.CRAWLERS", renamed)
    applied = deploy("apply")
    assert applied.change_calls == ["glue:UpdateCrawler"]
    crawler = session.client("glue").get_crawler(Name="lakehouse-dev-drift-raw")["Crawler"]
    assert crawler["Description"] == "new words"
    assert crawler["SchemaChangePolicy"] == {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"}


def test_apply_adopts_nothing_it_did_not_create(deploy: Deployer, session: boto3.Session) -> None:
    session.client("sns").create_topic(Name="lakehouse-dev-alerts")
    with pytest.raises(DeployError, match="sns-topic lakehouse-dev-alerts: exists but was not created by deploy"):
        deploy("apply")
    buckets = session.client("s3").list_buckets()["Buckets"]
    assert buckets == []
