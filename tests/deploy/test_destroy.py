"""Destroy removes what deploy created, keeps data unless told, and never touches what is not ours."""

from __future__ import annotations

import boto3
import pytest

from deploy.errors import DeployError
from lakehouse.settings import Settings
from tests.deploy.conftest import Deployer
from tests.support.aws import ACCOUNT_ID, REGION

S = Settings.aws("dev", ACCOUNT_ID, REGION)


def _ours(names: list[str]) -> list[str]:
    return [n for n in names if n.startswith(("lakehouse-dev", "lakehouse_dev", "dev-"))]


def _leftovers(session: boto3.Session) -> dict[str, list[str]]:
    c = session.client
    lf_principals = [
        p["Principal"]["DataLakePrincipalIdentifier"]
        for p in c("lakeformation").list_permissions()["PrincipalResourcePermissions"]
    ]
    return {
        "buckets": _ours([b["Name"] for b in c("s3").list_buckets()["Buckets"]]),
        "roles": _ours([r["RoleName"] for r in c("iam").list_roles()["Roles"]]),
        "aliases": _ours([a["AliasName"].removeprefix("alias/") for a in c("kms").list_aliases()["Aliases"]]),
        "databases": _ours([d["Name"] for d in c("glue").get_databases()["DatabaseList"]]),
        "jobs": _ours(c("glue").list_jobs()["JobNames"]),
        "crawlers": _ours(c("glue").list_crawlers()["CrawlerNames"]),
        "workflows": _ours(c("glue").list_workflows()["Workflows"]),
        "triggers": _ours(c("glue").list_triggers()["TriggerNames"]),
        "functions": _ours([f["FunctionName"] for f in c("lambda").list_functions()["Functions"]]),
        "tables": _ours(c("dynamodb").list_tables()["TableNames"]),
        "rules": _ours([r["Name"] for r in c("events").list_rules()["Rules"]]),
        "alarms": _ours([a["AlarmName"] for a in c("cloudwatch").describe_alarms()["MetricAlarms"]]),
        "topics": _ours([t["TopicArn"].rsplit(":", 1)[1] for t in c("sns").list_topics()["Topics"]]),
        "workgroups": _ours([w["Name"] for w in c("athena").list_work_groups()["WorkGroups"]]),
        "locations": [r["ResourceArn"] for r in c("lakeformation").list_resources()["ResourceInfoList"]],
        "grants": [p for p in lf_principals if "lakehouse-dev" in p],
        "opt_ins": [str(o) for o in c("lakeformation").list_lake_formation_opt_ins()["LakeFormationOptInsInfoList"]],
        "trails": [t["Name"] for t in c("cloudtrail").describe_trails()["trailList"]],
        "log_groups": [g["logGroupName"] for g in c("logs").describe_log_groups()["logGroups"]],
        "security_configs": [s["Name"] for s in c("glue").get_security_configurations()["SecurityConfigurations"]],
    }


def test_destroy_leaves_nothing_of_ours_and_keeps_a_foreign_bucket(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    before = _leftovers(session)
    assert all(before.values()), before  # every category holds something of ours
    session.client("s3").create_bucket(
        Bucket="someone-elses-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    destroyed = deploy("destroy")
    assert {c.action for c in destroyed.changes} == {"delete"}
    assert all(not names for names in _leftovers(session).values()), _leftovers(session)
    assert [b["Name"] for b in session.client("s3").list_buckets()["Buckets"]] == ["someone-elses-bucket"]
    again = deploy("destroy")
    assert {c.action for c in again.changes} == {"absent"} and again.change_calls == []


def test_destroy_keeps_a_resource_with_our_name_that_lacks_our_tags(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    sns = session.client("sns")
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:lakehouse-dev-alerts"
    sns.untag_resource(ResourceArn=topic, TagKeys=["lakehouse:managed-by", "lakehouse:env"])
    destroyed = deploy("destroy")
    assert destroyed.actions("sns-topic") == {"lakehouse-dev-alerts": "keep"}
    assert [t["TopicArn"] for t in sns.list_topics()["Topics"]] == [topic]
    assert not _leftovers(session)["roles"]


def test_destroy_refuses_to_empty_a_data_bucket_without_delete_data(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    s3 = session.client("s3")
    s3.put_object(Bucket=S.bucket("raw"), Key="github/events/ingest_dt=2024-01-01/x.json.gz", Body=b"{}")
    with pytest.raises(DeployError, match=f"bucket {S.bucket('raw')} holds data.*--delete-data"):
        deploy("destroy")
    assert s3.head_bucket(Bucket=S.bucket("raw"))
    assert session.client("glue").get_job(JobName="lakehouse-dev-bronze_to_silver")
    deploy("destroy", delete_data=True)
    assert _leftovers(session)["buckets"] == []


def test_destroy_dry_run_changes_nothing(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    dry = deploy("destroy", dry_run=True)
    assert {c.action for c in dry.changes} == {"delete"} and dry.change_calls == []
