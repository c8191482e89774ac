"""The log groups deploy owns, per env: the jobs' and the Lambda's, kept 731 days, encrypted with the key.

Created before what writes to them, so no role needs logs:CreateLogGroup. KMS encryption of a group
needs the key policy's grant to logs.<region>.amazonaws.com (deploy/key_policy.py):
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html.
"""

from __future__ import annotations

from deploy.context import Context
from deploy.resource import Resource, State

# Glue 5.x writes to <prefix>/error and <prefix>/output with `--custom-logGroup-prefix`
# (https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging.html).
GLUE_STREAMS = ("error", "output")


class LogGroup(Resource):
    kind = "log-group"

    def __init__(self, ctx: Context, name: str) -> None:
        super().__init__(ctx, name)
        self.logs = ctx.clients("logs")
        self.arn = ctx.arn("logs", f"log-group:{name}")

    def desired(self) -> State:
        return {"RetentionInDays": self.ctx.config.log_retention_days, "KmsKeyId": self.ctx.key_arn,
                "Tags": self.ctx.tags}  # fmt: skip

    def read(self) -> State | None:
        groups = self.logs.describe_log_groups(logGroupNamePrefix=self.name)["logGroups"]
        found = next((g for g in groups if g["logGroupName"] == self.name), None)
        if found is None:
            return None
        tags = self.logs.list_tags_for_resource(resourceArn=self.arn).get("tags", {})
        return {"RetentionInDays": found.get("retentionInDays"), "KmsKeyId": found.get("kmsKeyId"), "Tags": tags}

    def create(self, desired: State) -> None:
        self.logs.create_log_group(logGroupName=self.name, kmsKeyId=desired["KmsKeyId"], tags=desired["Tags"])
        self.logs.put_retention_policy(logGroupName=self.name, retentionInDays=desired["RetentionInDays"])

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if "RetentionInDays" in fields:
            self.logs.put_retention_policy(logGroupName=self.name, retentionInDays=desired["RetentionInDays"])
        if "KmsKeyId" in fields:
            self.logs.associate_kms_key(logGroupName=self.name, kmsKeyId=desired["KmsKeyId"])
        if "Tags" in fields:
            self.logs.tag_resource(resourceArn=self.arn, tags=desired["Tags"])

    def delete(self, current: State) -> None:
        self.logs.delete_log_group(logGroupName=self.name)


def log_groups(ctx: Context) -> list[Resource]:
    glue = [LogGroup(ctx, f"{ctx.glue_log_group}/{stream}") for stream in GLUE_STREAMS]
    return [*glue, LogGroup(ctx, ctx.lambda_log_group)]
