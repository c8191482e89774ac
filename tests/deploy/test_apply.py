"""A first apply creates everything with the settings asked for, read back from the server."""

from __future__ import annotations

import json
from typing import Any

import boto3

from lakehouse.ingest import config as env_names
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE, GOLD_TABLES, SILVER, TABLES
from tests.deploy.conftest import Deployer
from tests.support.aws import ACCOUNT_ID, REGION

S = Settings.aws("dev", ACCOUNT_ID, REGION)
RAW = S.bucket("raw")


def _key_arn(session: boto3.Session) -> str:
    kms = session.client("kms")
    alias = next(a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/lakehouse-dev-data")
    return str(kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"])


def test_buckets_are_encrypted_versioned_tiered_private_tls_only_and_logged(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    s3 = session.client("s3")
    rule = s3.get_bucket_encryption(Bucket=RAW)["ServerSideEncryptionConfiguration"]["Rules"][0]
    sse = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": _key_arn(session)}
    assert rule["ApplyServerSideEncryptionByDefault"] == sse
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_bucket_versioning(Bucket=RAW)["Status"] == "Enabled"
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=RAW)["Rules"]
    assert lifecycle["Expiration"] == {"Days": 730}
    assert lifecycle["Transitions"] == [{"Days": 0, "StorageClass": "INTELLIGENT_TIERING"}]
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert set(s3.get_public_access_block(Bucket=RAW)["PublicAccessBlockConfiguration"].values()) == {True}
    statements = {s["Sid"]: s for s in json.loads(s3.get_bucket_policy(Bucket=RAW)["Policy"])["Statement"]}
    deny = statements["DenyInsecureTransport"]
    assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    logging = s3.get_bucket_logging(Bucket=RAW)["LoggingEnabled"]
    assert logging == {"TargetBucket": f"lakehouse-dev-logs{S.bucket_suffix}", "TargetPrefix": f"s3/{RAW}/"}
    kms = session.client("kms")
    assert kms.get_key_rotation_status(KeyId=_key_arn(session))["KeyRotationEnabled"] is True


def test_catalog_tables_are_athena_readable_with_projection_on_bronze(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    glue = session.client("glue")
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName=S.database)["TableList"]}
    assert set(tables) == {t.name for t in TABLES}
    bronze = tables[BRONZE.name]
    assert bronze["StorageDescriptor"]["SerdeInfo"] == {
        "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
        "Parameters": {"ignore.malformed.json": "true"},
    }
    assert {"Name": "payload", "Type": "string", "Comment": "the event payload, as JSON text"} in bronze[
        "StorageDescriptor"
    ]["Columns"]
    params = bronze["Parameters"]
    assert params["projection.ingest_dt.range"] == "2011-02-12,NOW"
    assert params["storage.location.template"] == f"s3://{RAW}/github/events/ingest_dt=${{ingest_dt}}/"
    silver = tables[SILVER.name]
    assert silver["StorageDescriptor"]["InputFormat"].endswith("MapredParquetInputFormat")
    assert silver["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert silver["PartitionKeys"] == [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"}]
    assert [c["Name"] for c in silver["StorageDescriptor"]["Columns"]] == [c.name for c in SILVER.columns]


def test_jobs_run_glue_5_1_with_the_release_and_one_run_at_a_time(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    job = session.client("glue").get_job(JobName="lakehouse-dev-bronze_to_silver")["Job"]
    assert (job["GlueVersion"], job["WorkerType"], job["NumberOfWorkers"], job["Timeout"]) == ("5.1", "G.1X", 2, 60)
    assert job["Command"]["Name"] == "glueetl" and job["Command"]["PythonVersion"] == "3"
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1} and job["JobRunQueuingEnabled"] is True
    args = job["DefaultArguments"]
    assert (args["--env"], args["--bucket_suffix"]) == ("dev", S.bucket_suffix)
    assert args["--job-bookmark-option"] == "job-bookmark-enable" and args["--enable-glue-datacatalog"] == "true"
    assert args["--TempDir"] == f"s3://{S.bucket('artifacts')}/glue-temp/bronze_to_silver/"
    for uri in (args["--additional-python-modules"], job["Command"]["ScriptLocation"]):
        bucket, key = uri.removeprefix("s3://").split("/", 1)
        assert session.client("s3").head_object(Bucket=bucket, Key=key)["ContentLength"] > 0
    assert args["--additional-python-modules"].endswith("/lakehouse-0.1.0-py3-none-any.whl")


def test_crawlers_only_log_schema_changes_and_triggers_chain_the_daily_run(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    glue = session.client("glue")
    crawler = glue.get_crawler(Name="lakehouse-dev-drift-raw")["Crawler"]
    assert crawler["SchemaChangePolicy"] == {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"}
    assert crawler["RecrawlPolicy"] == {"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"}
    assert crawler["DatabaseName"] == "lakehouse_dev_drift"
    after = glue.get_trigger(Name="lakehouse-dev-daily-after-silver_to_gold")["Trigger"]
    assert after["Type"] == "CONDITIONAL" and after["Predicate"]["Logical"] == "AND"
    assert after["Predicate"]["Conditions"][0]["JobName"] == "lakehouse-dev-silver_to_gold"
    start = glue.get_trigger(Name="lakehouse-dev-hourly-start")["Trigger"]
    assert (start["Type"], start["Schedule"], start["WorkflowName"]) == (
        "SCHEDULED", "cron(10 * * * ? *)", "lakehouse-dev-hourly"
    )  # fmt: skip


def test_ingestion_lambda_schedule_and_state_table(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    fn = session.client("lambda").get_function(FunctionName="lakehouse-dev-ingest")
    conf = fn["Configuration"]
    assert (conf["Runtime"], conf["Handler"], conf["Timeout"]) == ("python3.11", "handler.lambda_handler", 840)
    assert fn["Concurrency"]["ReservedConcurrentExecutions"] == 1
    variables = conf["Environment"]["Variables"]
    assert variables[env_names.ENV] == "dev" and variables[env_names.BUCKET_SUFFIX] == S.bucket_suffix
    assert variables[env_names.GITHUB_TOKEN_SECRET] == "lakehouse/dev/github-token"
    events = session.client("events")
    assert events.describe_rule(Name="lakehouse-dev-ingest-schedule")["ScheduleExpression"] == "rate(15 minutes)"
    (target,) = events.list_targets_by_rule(Rule="lakehouse-dev-ingest-schedule")["Targets"]
    assert target["Arn"] == conf["FunctionArn"]
    ddb = session.client("dynamodb")
    backups = ddb.describe_continuous_backups(TableName=S.ingest_state_table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def test_athena_workgroup_and_failure_alerts(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    group = session.client("athena").get_work_group(WorkGroup="lakehouse-dev-workgroup")["WorkGroup"]
    conf = group["Configuration"]
    assert conf["ResultConfiguration"] == {
        "OutputLocation": f"s3://{S.bucket('athena')}/results/",
        "EncryptionConfiguration": {"EncryptionOption": "SSE_KMS", "KmsKey": _key_arn(session)},
    }
    assert conf["EnforceWorkGroupConfiguration"] is True and conf["BytesScannedCutoffPerQuery"] == 10 * 1024**3
    rule = session.client("events").describe_rule(Name="lakehouse-dev-glue-failures")
    pattern = json.loads(rule["EventPattern"])
    assert pattern["detail"]["state"] == ["FAILED", "TIMEOUT", "ERROR"]
    jobs = ["lakehouse-dev-bronze_to_silver", "lakehouse-dev-silver_to_gold", "lakehouse-dev-publish_dashboard"]
    assert pattern["detail"]["jobName"] == jobs
    (alarm,) = session.client("cloudwatch").describe_alarms(AlarmNames=["lakehouse-dev-ingest-errors"])["MetricAlarms"]
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:lakehouse-dev-alerts"
    assert (alarm["MetricName"], alarm["AlarmActions"]) == ("Errors", [topic])
    assert session.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def _permissions(lf: Any, role: str, resource: dict[str, Any]) -> list[str]:
    principal = {"DataLakePrincipalIdentifier": f"arn:aws:iam::{ACCOUNT_ID}:role/{role}"}
    found = lf.list_permissions(Principal=principal, Resource=resource)["PrincipalResourcePermissions"]
    return sorted(p for entry in found for p in entry["Permissions"])


def test_lake_formation_hybrid_locations_and_least_grants(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    lf = session.client("lakeformation")
    info = lf.describe_resource(ResourceArn=f"arn:aws:s3:::{RAW}")["ResourceInfo"]
    assert info["HybridAccessEnabled"] is True
    assert info["RoleArn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/lakehouse-dev-lakeformation"
    gold = [{"Table": {"DatabaseName": S.database, "Name": t.name}} for t in GOLD_TABLES]
    silver = {"Table": {"DatabaseName": S.database, "Name": SILVER.name}}
    assert [_permissions(lf, "lakehouse-dev-analyst", t) for t in gold] == [["SELECT"]] * len(GOLD_TABLES)
    assert _permissions(lf, "lakehouse-dev-analyst", {"Database": {"Name": S.database}}) == ["DESCRIBE"]
    assert _permissions(lf, "lakehouse-dev-analyst", silver) == []
    assert _permissions(lf, "lakehouse-dev-glue-jobs", silver) == ["ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"]
    principal = {"DataLakePrincipalIdentifier": f"arn:aws:iam::{ACCOUNT_ID}:role/lakehouse-dev-analyst"}
    opt_ins = lf.list_lake_formation_opt_ins(Principal=principal)["LakeFormationOptInsInfoList"]
    assert sorted([o["Resource"] for o in opt_ins], key=str) == sorted(gold, key=str)


def test_roles_name_actions_and_resources_with_star_only_where_aws_has_nothing_narrower(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    iam = session.client("iam")
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("lakehouse-dev-")]
    purposes = ("analyst", "glue-crawlers", "glue-jobs", "ingest", "lakeformation")
    assert sorted(roles) == [f"lakehouse-dev-{p}" for p in purposes]
    star_ok = {"lakeformation:GetDataAccess", "cloudwatch:PutMetricData"}
    for role in roles:
        document = iam.get_role_policy(RoleName=role, PolicyName="lakehouse")["PolicyDocument"]
        for statement in document["Statement"]:
            assert "*" not in statement["Action"] and all(a.count("*") == 0 for a in statement["Action"])
            if "*" in statement["Resource"]:
                assert set(statement["Action"]) <= star_ok, (role, statement)
    ingest = iam.get_role_policy(RoleName="lakehouse-dev-ingest", PolicyName="lakehouse")["PolicyDocument"]
    (write,) = [s for s in ingest["Statement"] if s["Sid"] == "WriteBronze"]
    assert write["Resource"] == [f"arn:aws:s3:::{RAW}/github/events/*"]
