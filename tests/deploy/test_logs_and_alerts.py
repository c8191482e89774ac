"""Log groups deploy owns, the Glue security configuration, the encrypted topic and the alerts that fire."""

from __future__ import annotations

import json

import boto3

from deploy.context import DeployConfig
from lakehouse.settings import Settings
from tests.deploy.conftest import Deployer
from tests.support.aws import ACCOUNT_ID, REGION

S = Settings.aws("dev", ACCOUNT_ID, REGION)
JOBS_LOGS = "/aws-glue/lakehouse-dev-jobs"
GROUPS = [f"{JOBS_LOGS}/error", f"{JOBS_LOGS}/output", "/aws/lambda/lakehouse-dev-ingest"]


def _key_arn(session: boto3.Session) -> str:
    return str(session.client("kms").describe_key(KeyId="alias/lakehouse-dev-data")["KeyMetadata"]["Arn"])


def test_log_groups_are_ours_kept_731_days_and_encrypted(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    logs = session.client("logs")
    found = {g["logGroupName"]: g for g in logs.describe_log_groups(logGroupNamePrefix="/aws")["logGroups"]}
    assert sorted(found) == GROUPS
    for name in GROUPS:
        assert (found[name]["retentionInDays"], found[name]["kmsKeyId"]) == (731, _key_arn(session))
        arn = f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}"
        assert logs.list_tags_for_resource(resourceArn=arn)["tags"]["lakehouse:env"] == "dev"
    job = session.client("glue").get_job(JobName="lakehouse-dev-silver_to_gold")["Job"]
    assert job["DefaultArguments"]["--custom-logGroup-prefix"] == "/aws-glue/lakehouse-dev-jobs"


def test_a_shorter_log_retention_updates_only_the_log_groups(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    applied = deploy("apply", config=DeployConfig(log_retention_days=365))
    assert applied.change_calls == ["logs:PutRetentionPolicy"] * 3
    groups = session.client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    assert [g["retentionInDays"] for g in groups] == [365]


def test_jobs_and_crawlers_run_under_the_security_configuration(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    glue, key = session.client("glue"), _key_arn(session)
    found = glue.get_security_configuration(Name="lakehouse-dev-security")["SecurityConfiguration"]
    assert found["EncryptionConfiguration"] == {
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}],
        "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": key},
        "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": key},
    }
    for job in ("lakehouse-dev-bronze_to_silver", "lakehouse-dev-silver_to_gold"):
        assert glue.get_job(JobName=job)["Job"]["SecurityConfiguration"] == "lakehouse-dev-security"
    for crawler in ("lakehouse-dev-drift-raw", "lakehouse-dev-drift-curated"):
        assert glue.get_crawler(Name=crawler)["Crawler"]["CrawlerSecurityConfiguration"] == "lakehouse-dev-security"


def test_alert_topic_is_encrypted_and_crawler_failures_and_a_silent_lambda_alert(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:lakehouse-dev-alerts"
    attributes = session.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["KmsMasterKeyId"] == _key_arn(session)
    sources = [s["Condition"]["ArnEquals"]["aws:SourceArn"] for s in json.loads(attributes["Policy"])["Statement"]]
    rule_arn = f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/lakehouse-dev-crawler-failures"
    alarm_arn = f"arn:aws:cloudwatch:{REGION}:{ACCOUNT_ID}:alarm:lakehouse-dev-ingest-not-invoked"
    assert rule_arn in sources[0] and alarm_arn in sources[1]
    events = session.client("events")
    pattern = json.loads(events.describe_rule(Name="lakehouse-dev-crawler-failures")["EventPattern"])
    assert pattern == {
        "source": ["aws.glue"],
        "detail-type": ["Glue Crawler State Change"],
        "detail": {"crawlerName": ["lakehouse-dev-drift-raw", "lakehouse-dev-drift-curated"], "state": ["Failed"]},
    }
    assert [t["Arn"] for t in events.list_targets_by_rule(Rule="lakehouse-dev-crawler-failures")["Targets"]] == [topic]
    cloudwatch = session.client("cloudwatch")
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=["lakehouse-dev-ingest-not-invoked"])["MetricAlarms"]
    assert (alarm["MetricName"], alarm["ComparisonOperator"], alarm["Threshold"]) == (
        "Invocations", "LessThanThreshold", 1.0
    )  # fmt: skip
    assert (alarm["TreatMissingData"], alarm["Period"], alarm["AlarmActions"]) == ("breaching", 3600, [topic])
