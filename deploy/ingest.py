"""The ingestion Lambda, its 15-minute schedule and its DynamoDB state table (PITR on)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from botocore.exceptions import ClientError

from deploy import iam
from deploy import tags as t
from deploy.build import Release
from deploy.context import UNKNOWN, Context
from deploy.errors import DeployError, is_not_found
from deploy.events import EventRule
from deploy.resource import Resource, State
from deploy.retry import retry_while_role_propagates
from lakehouse.ingest import config as env_names
from lakehouse.ingest.dynamodb_state import STATE_KEY_ATTRIBUTE

RUNTIME = "python3.11"
HANDLER = "handler.lambda_handler"
SCHEDULE_SID = "lakehouse-schedule"


class StateTable(Resource):
    kind = "dynamodb-table"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.settings.ingest_state_table)
        self.ddb = ctx.clients("dynamodb")
        self.arn = ctx.arn("dynamodb", f"table/{self.name}")

    def desired(self) -> State:
        return {
            "KeySchema": [{"AttributeName": STATE_KEY_ATTRIBUTE, "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
            "SSE": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": self.ctx.key_arn},
            "PointInTimeRecovery": "ENABLED",
            "DeletionProtection": self.ctx.config.production,
            "Tags": self.ctx.tags,
        }

    def read(self) -> State | None:
        try:
            table = self.ddb.describe_table(TableName=self.name)["Table"]
        except ClientError as e:
            if is_not_found(e, "ResourceNotFoundException"):
                return None
            raise
        backups = self.ddb.describe_continuous_backups(TableName=self.name)["ContinuousBackupsDescription"]
        pitr = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
        sse = table.get("SSEDescription", {})
        tags = self.ddb.list_tags_of_resource(ResourceArn=self.arn).get("Tags", [])
        return {
            "KeySchema": table["KeySchema"],
            "BillingMode": table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
            "SSE": {k: sse.get(k) for k in ("Status", "SSEType", "KMSMasterKeyArn")},
            "PointInTimeRecovery": pitr,
            "DeletionProtection": bool(table.get("DeletionProtectionEnabled", False)),
            "Tags": t.from_list(tags),
        }

    def create(self, desired: State) -> None:
        self.ddb.create_table(
            TableName=self.name,
            AttributeDefinitions=[{"AttributeName": STATE_KEY_ATTRIBUTE, "AttributeType": "S"}],
            KeySchema=desired["KeySchema"],
            BillingMode=desired["BillingMode"],
            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": self.ctx.key_arn},
            DeletionProtectionEnabled=desired["DeletionProtection"],
            Tags=t.to_list(desired["Tags"]),
        )
        self.ddb.get_waiter("table_exists").wait(TableName=self.name, WaiterConfig={"Delay": 2})
        self._pitr()

    def _pitr(self) -> None:
        spec = {"PointInTimeRecoveryEnabled": True}
        self.ddb.update_continuous_backups(TableName=self.name, PointInTimeRecoverySpecification=spec)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if "PointInTimeRecovery" in fields:
            self._pitr()
        if "SSE" in fields or "BillingMode" in fields:
            sse = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": self.ctx.key_arn}
            self.ddb.update_table(TableName=self.name, BillingMode="PAY_PER_REQUEST", SSESpecification=sse)
        if "DeletionProtection" in fields:
            self.ddb.update_table(TableName=self.name, DeletionProtectionEnabled=desired["DeletionProtection"])
        if "Tags" in fields:
            self.ddb.tag_resource(ResourceArn=self.arn, Tags=t.to_list(desired["Tags"]))

    def check_destroy(self, current: State, delete_data: bool) -> None:
        if current["DeletionProtection"] and not delete_data:
            raise DeployError(f"table {self.name} is protected from deletion: destroy deletes it with --delete-data")

    def delete(self, current: State) -> None:
        """A protected table (production) loses its protection first: destroy was told --delete-data."""
        if current["DeletionProtection"]:
            self.ddb.update_table(TableName=self.name, DeletionProtectionEnabled=False)
        self.ddb.delete_table(TableName=self.name)


def _code_sha256(body: bytes) -> str:
    """What Lambda reports as CodeSha256: the base64 of the zip's SHA-256."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def lambda_environment(ctx: Context) -> dict[str, str]:
    s = ctx.settings
    return {
        env_names.ENV: s.env,
        env_names.BUCKET_SUFFIX: s.bucket_suffix,
        env_names.GITHUB_TOKEN_SECRET: s.github_token_secret,
        env_names.KMS_KEY_ID: ctx.key_arn,
        env_names.POWERTOOLS_SERVICE_NAME: env_names.SERVICE,
        env_names.POWERTOOLS_METRICS_NAMESPACE: env_names.METRICS_NAMESPACE,
    }


class IngestFunction(Resource):
    """Outside the VPC by default; inside it, in `lambda_subnet_ids` (routed to the user's NAT), on request."""

    kind = "lambda-function"
    SETTINGS = ("Runtime", "Handler", "Role", "Timeout", "MemorySize", "Environment")

    def __init__(self, ctx: Context, release: Release) -> None:
        super().__init__(ctx, ctx.settings.ingest_function)
        self.aws_lambda = ctx.clients("lambda")
        self.release = release
        self.config_keys = (*self.SETTINGS, "VpcConfig") if ctx.config.lambda_subnet_ids else self.SETTINGS

    def vpc_config(self) -> State:
        group = self.ctx.network.get("sg:ingest", UNKNOWN)
        return {"SubnetIds": sorted(self.ctx.config.lambda_subnet_ids), "SecurityGroupIds": [group]}

    def desired(self) -> State:
        cfg = self.ctx.config
        return {
            "Runtime": RUNTIME,
            "Handler": HANDLER,
            "Role": self.ctx.role_arn(iam.INGEST),
            "Timeout": cfg.lambda_timeout_seconds,
            "MemorySize": cfg.lambda_memory_mb,
            "Environment": {"Variables": lambda_environment(self.ctx)},
            **({"VpcConfig": self.vpc_config()} if self.ctx.config.lambda_subnet_ids else {}),
            "CodeSha256": _code_sha256(self.release.files[self.release.lambda_zip]),
            "ReservedConcurrency": 1,
            "Tags": self.ctx.tags,
        }

    def read(self) -> State | None:
        try:
            found = self.aws_lambda.get_function(FunctionName=self.name)
        except ClientError as e:
            if is_not_found(e, "ResourceNotFoundException"):
                return None
            raise
        conf = found["Configuration"]
        state = {k: conf.get(k) for k in (*self.config_keys, "CodeSha256")}
        if "VpcConfig" in state:
            vpc = state["VpcConfig"] or {}
            state["VpcConfig"] = {k: sorted(vpc.get(k, [])) for k in ("SubnetIds", "SecurityGroupIds")}
        state["ReservedConcurrency"] = found.get("Concurrency", {}).get("ReservedConcurrentExecutions")
        return {**state, "Tags": found.get("Tags", {})}

    def _code(self) -> dict[str, str]:
        return {"S3Bucket": self.ctx.settings.bucket("artifacts"), "S3Key": self.release.key(self.release.lambda_zip)}

    def create(self, desired: State) -> None:
        config = {k: desired[k] for k in self.config_keys}
        retry_while_role_propagates(
            lambda: self.aws_lambda.create_function(
                FunctionName=self.name, Code=self._code(), Tags=desired["Tags"], **config
            )
        )
        self._wait()
        self.aws_lambda.put_function_concurrency(FunctionName=self.name, ReservedConcurrentExecutions=1)

    def _wait(self) -> None:
        self.aws_lambda.get_waiter("function_updated_v2").wait(
            FunctionName=self.name, WaiterConfig={"Delay": 2}
        )

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if "CodeSha256" in fields:
            self.aws_lambda.update_function_code(FunctionName=self.name, **self._code())
            self._wait()
        if set(fields) & set(self.config_keys):
            config = {k: desired[k] for k in self.config_keys}
            self.aws_lambda.update_function_configuration(FunctionName=self.name, **config)
            self._wait()
        if "ReservedConcurrency" in fields:
            self.aws_lambda.put_function_concurrency(FunctionName=self.name, ReservedConcurrentExecutions=1)
        if "Tags" in fields:
            self.aws_lambda.tag_resource(Resource=self.ctx.ingest_function_arn, Tags=desired["Tags"])

    def delete(self, current: State) -> None:
        self.aws_lambda.delete_function(FunctionName=self.name)


class IngestSchedule(EventRule):
    """The schedule rule, plus the Lambda permission that lets EventBridge invoke the function."""

    def __init__(self, ctx: Context) -> None:
        rule: dict[str, Any] = {
            "ScheduleExpression": ctx.config.ingest_schedule,
            "Description": f"lakehouse {ctx.settings.env}: poll the GitHub events API",
        }
        super().__init__(ctx, ctx.name("ingest-schedule"), ctx.ingest_function_arn, rule)
        self.aws_lambda = ctx.clients("lambda")

    def desired(self) -> State:
        return {**super().desired(), "InvokePermission": self.arn}

    def read(self) -> State | None:
        current = super().read()
        if current is None:
            return None
        return {**current, "InvokePermission": self._permitted_source()}

    def _permitted_source(self) -> str | None:
        try:
            policy = json.loads(self.aws_lambda.get_policy(FunctionName=self.ctx.settings.ingest_function)["Policy"])
        except ClientError as e:
            if is_not_found(e, "ResourceNotFoundException"):
                return None
            raise
        for statement in policy.get("Statement", []):
            if statement.get("Sid") == SCHEDULE_SID:
                return str(statement.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn"))
        return None

    def _permit(self) -> None:
        self.aws_lambda.add_permission(
            FunctionName=self.ctx.settings.ingest_function,
            StatementId=SCHEDULE_SID,
            Action="lambda:InvokeFunction",
            Principal="events.amazonaws.com",
            SourceArn=self.arn,
        )

    def create(self, desired: State) -> None:
        super().create(desired)
        self._permit()

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        super().update(desired, current, tuple(f for f in fields if f != "InvokePermission"))
        if "InvokePermission" in fields:
            if current["InvokePermission"] is not None:
                function = self.ctx.settings.ingest_function
                self.aws_lambda.remove_permission(FunctionName=function, StatementId=SCHEDULE_SID)
            self._permit()


def ingestion(ctx: Context, release: Release) -> list[Resource]:
    return [StateTable(ctx), IngestFunction(ctx, release), IngestSchedule(ctx)]
