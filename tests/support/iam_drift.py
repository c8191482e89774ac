"""Change each deployed resource behind deploy's back, so that the next apply calls every update API.

The IAM check needs deploy's update paths recorded too (UpdateJob, UpdateAssumeRolePolicy, a new boundary
version...): a first apply only creates, a second changes nothing. These edits go through the tests' own
clients, so they are not recorded as deploy's calls.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3

DRIFTED = "drifted by the test"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return None\n")
    return buffer.getvalue()


def _catalog(glue: Any, database: str, table: str) -> None:
    found = glue.get_database(Name=database)["Database"]
    glue.update_database(Name=database, DatabaseInput={"Name": database, "Description": DRIFTED,
                                                       "Parameters": found.get("Parameters", {})})  # fmt: skip
    current = glue.get_table(DatabaseName=database, Name=table)["Table"]
    keys = ("Name", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor")
    glue.update_table(DatabaseName=database, TableInput={**{k: current[k] for k in keys if k in current},
                                                         "Description": DRIFTED})  # fmt: skip


def _glue(glue: Any, prefix: str) -> None:
    glue.update_crawler(Name=f"{prefix}drift-raw", Description=DRIFTED)
    glue.update_workflow(Name=f"{prefix}hourly", Description=DRIFTED)
    glue.update_trigger(Name=f"{prefix}hourly-start", TriggerUpdate={"Schedule": "cron(0 0 * * ? *)"})


def _iam(iam: Any, prefix: str, account: str) -> None:
    other = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}]}
    iam.update_assume_role_policy(RoleName=f"{prefix}ingest", PolicyDocument=json.dumps(other))
    iam.delete_role_permissions_boundary(RoleName=f"{prefix}analyst")
    boundary = f"arn:aws:iam::{account}:policy/{prefix}boundary"
    for n in range(4):  # five versions in all: deploy must delete an old one before it adds its own
        document = {"Version": "2012-10-17", "Statement": [{"Sid": f"V{n}", "Effect": "Deny", "Action": "s3:*",
                                                             "Resource": "*"}]}  # fmt: skip
        iam.create_policy_version(PolicyArn=boundary, PolicyDocument=json.dumps(document), SetAsDefault=True)


def _ingestion(session: boto3.Session, prefix: str, region: str, account: str) -> None:
    function = f"{prefix}ingest"
    aws_lambda = session.client("lambda")
    aws_lambda.update_function_code(FunctionName=function, ZipFile=_zip())
    aws_lambda.update_function_configuration(FunctionName=function, MemorySize=128)
    aws_lambda.remove_permission(FunctionName=function, StatementId="lakehouse-schedule")
    aws_lambda.add_permission(FunctionName=function, StatementId="lakehouse-schedule", Action="lambda:InvokeFunction",
                              Principal="events.amazonaws.com",
                              SourceArn=f"arn:aws:events:{region}:{account}:rule/elsewhere")  # fmt: skip
    session.client("dynamodb").update_table(
        TableName=f"{prefix}ingest-state", BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )  # fmt: skip


def drift_everything(session: boto3.Session, env: str, database: str, gold_bucket_arn: str) -> None:
    """Edit one resource of each kind that has an update path, as someone might by hand."""
    sts = session.client("sts").get_caller_identity()
    account, region, prefix = sts["Account"], str(session.region_name), f"lakehouse-{env}-"
    _catalog(session.client("glue"), database, "github_events_gold_daily")
    _glue(session.client("glue"), prefix)
    _iam(session.client("iam"), prefix, account)
    _ingestion(session, prefix, region, account)
    topic = f"arn:aws:sns:{region}:{account}:{prefix}alerts"
    session.client("sns").set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(
        {"Version": "2012-10-17", "Statement": []}))  # fmt: skip
    session.client("athena").update_work_group(WorkGroup=f"{prefix}workgroup",
                                               ConfigurationUpdates={"BytesScannedCutoffPerQuery": 10_000_001})
    athena = session.client("athena")
    query = athena.get_named_query(NamedQueryId=athena.list_named_queries(WorkGroup=f"{prefix}workgroup")
                                   ["NamedQueryIds"][0])["NamedQuery"]  # fmt: skip
    athena.update_named_query(NamedQueryId=query["NamedQueryId"], Name=query["Name"],
                              Description=query["Description"], QueryString="SELECT 1")  # fmt: skip
    lf_role = f"arn:aws:iam::{account}:role/{prefix}lakeformation"
    session.client("lakeformation").update_resource(ResourceArn=gold_bucket_arn, RoleArn=lf_role,
                                                    HybridAccessEnabled=False)  # fmt: skip
    session.client("cloudtrail").update_trail(Name=f"{prefix}trail", IncludeGlobalServiceEvents=False)
