"""Alerts to one encrypted SNS topic: Glue job and crawler failures, Lambda errors, a Lambda gone quiet."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from deploy import tags as t
from deploy.build import GLUE_JOBS
from deploy.context import Context
from deploy.errors import is_not_found
from deploy.events import EventRule
from deploy.resource import Resource, State
from workflows import CRAWLERS

GLUE_FAILURES = "glue-failures"
CRAWLER_FAILURES = "crawler-failures"
INGEST_ERRORS = "ingest-errors"
INGEST_SILENT = "ingest-not-invoked"


def topic_policy(ctx: Context) -> State:
    """EventBridge may publish for our failure rule, CloudWatch for our alarm; nobody else."""
    topic = ctx.alerts_topic_arn

    def publish(sid: str, service: str, source: list[str]) -> dict[str, Any]:
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sns:Publish",
            "Resource": topic,
            "Condition": {"ArnEquals": {"aws:SourceArn": source}},
        }

    rules = [ctx.arn("events", f"rule/{ctx.name(rule)}") for rule in (GLUE_FAILURES, CRAWLER_FAILURES)]
    alarms = [ctx.arn("cloudwatch", f"alarm:{ctx.name(alarm)}") for alarm in (INGEST_ERRORS, INGEST_SILENT)]
    statements = [
        publish("GlueFailures", "events.amazonaws.com", rules),
        publish("IngestAlarms", "cloudwatch.amazonaws.com", alarms),
    ]
    return {"Version": "2012-10-17", "Statement": statements}


class AlertTopic(Resource):
    """Encrypted with the project key, which the key policy lets EventBridge and CloudWatch use
    (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services)."""

    kind = "sns-topic"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.name("alerts"))
        self.sns = ctx.clients("sns")
        self.arn = ctx.alerts_topic_arn

    def desired(self) -> State:
        return {"Policy": topic_policy(self.ctx), "KmsMasterKeyId": self.ctx.key_arn, "Tags": self.ctx.tags}

    def read(self) -> State | None:
        try:
            attributes = self.sns.get_topic_attributes(TopicArn=self.arn)["Attributes"]
        except ClientError as e:
            if is_not_found(e, "NotFound", "NotFoundException"):
                return None
            raise
        tags = self.sns.list_tags_for_resource(ResourceArn=self.arn)["Tags"]
        policy = json.loads(attributes.get("Policy", "{}"))
        return {"Policy": policy, "KmsMasterKeyId": attributes.get("KmsMasterKeyId"), "Tags": t.from_list(tags)}

    def _attributes(self, desired: State) -> dict[str, str]:
        return {"Policy": json.dumps(desired["Policy"]), "KmsMasterKeyId": desired["KmsMasterKeyId"]}

    def create(self, desired: State) -> None:
        self.sns.create_topic(Name=self.name, Attributes=self._attributes(desired), Tags=t.to_list(desired["Tags"]))

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        for name, value in self._attributes(desired).items():
            if name in fields:
                self.sns.set_topic_attributes(TopicArn=self.arn, AttributeName=name, AttributeValue=value)
        if "Tags" in fields:
            self.sns.tag_resource(ResourceArn=self.arn, Tags=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        self.sns.delete_topic(TopicArn=self.arn)


def glue_failure_rule(ctx: Context) -> EventRule:
    pattern = {
        "source": ["aws.glue"],
        "detail-type": ["Glue Job State Change"],
        "detail": {"jobName": [ctx.name(job) for job in GLUE_JOBS], "state": ["FAILED", "TIMEOUT", "ERROR"]},
    }
    rule = {"EventPattern": pattern, "Description": f"lakehouse {ctx.settings.env}: a Glue job failed"}
    return EventRule(ctx, ctx.name(GLUE_FAILURES), ctx.alerts_topic_arn, rule)


def crawler_failure_rule(ctx: Context) -> EventRule:
    """https://docs.aws.amazon.com/glue/latest/dg/automating-awsglue-with-cloudwatch-events.html"""
    pattern = {
        "source": ["aws.glue"],
        "detail-type": ["Glue Crawler State Change"],
        "detail": {"crawlerName": [ctx.name(c.name) for c in CRAWLERS], "state": ["Failed"]},
    }
    rule = {"EventPattern": pattern, "Description": f"lakehouse {ctx.settings.env}: a crawler failed"}
    return EventRule(ctx, ctx.name(CRAWLER_FAILURES), ctx.alerts_topic_arn, rule)


class LambdaAlarm(Resource):
    """An alarm on one metric of the ingestion Lambda, to the alert topic."""

    kind = "cloudwatch-alarm"

    def __init__(self, ctx: Context, purpose: str, metric: str, comparison: str, missing: str) -> None:
        super().__init__(ctx, ctx.name(purpose))
        self.cloudwatch = ctx.clients("cloudwatch")
        self.arn = ctx.arn("cloudwatch", f"alarm:{self.name}")
        self.metric, self.comparison, self.missing = metric, comparison, missing

    def definition(self) -> State:
        """Errors above 0, or Invocations below 1, in an hour (the schedule invokes every 15 minutes)."""
        return {
            "Namespace": "AWS/Lambda",
            "MetricName": self.metric,
            "Dimensions": [{"Name": "FunctionName", "Value": self.ctx.settings.ingest_function}],
            "Statistic": "Sum",
            "Period": 900 if self.metric == "Errors" else 3600,
            "EvaluationPeriods": 1,
            "Threshold": 0.0 if self.metric == "Errors" else 1.0,
            "ComparisonOperator": self.comparison,
            "TreatMissingData": self.missing,
            "AlarmActions": [self.ctx.alerts_topic_arn],
        }

    def desired(self) -> State:
        return {**self.definition(), "Tags": self.ctx.tags}

    def read(self) -> State | None:
        alarms = self.cloudwatch.describe_alarms(AlarmNames=[self.name])["MetricAlarms"]
        if not alarms:
            return None
        state = {k: alarms[0].get(k) for k in self.definition()}
        tags = self.cloudwatch.list_tags_for_resource(ResourceARN=self.arn)["Tags"]
        return {**state, "Tags": t.from_list(tags)}

    def create(self, desired: State) -> None:
        self.cloudwatch.put_metric_alarm(AlarmName=self.name, Tags=t.to_list(desired["Tags"]), **self.definition())

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if set(fields) - {"Tags"}:
            self.cloudwatch.put_metric_alarm(AlarmName=self.name, **self.definition())
        if "Tags" in fields:
            self.cloudwatch.tag_resource(ResourceARN=self.arn, Tags=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        self.cloudwatch.delete_alarms(AlarmNames=[self.name])


def alerts(ctx: Context) -> list[Resource]:
    """No data points from Invocations means no invocation: missing data breaches."""
    return [
        AlertTopic(ctx),
        glue_failure_rule(ctx),
        crawler_failure_rule(ctx),
        LambdaAlarm(ctx, INGEST_ERRORS, "Errors", "GreaterThanThreshold", "notBreaching"),
        LambdaAlarm(ctx, INGEST_SILENT, "Invocations", "LessThanThreshold", "breaching"),
    ]
