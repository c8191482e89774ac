"""Failure alerts to one SNS topic: Glue job FAILED/TIMEOUT/ERROR events and Lambda errors."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from deploy import tags as t
from deploy.context import Context
from deploy.errors import is_not_found
from deploy.events import EventRule
from deploy.resource import Resource, State
from lakehouse.tables import JOBS

GLUE_FAILURES = "glue-failures"
INGEST_ERRORS = "ingest-errors"


def topic_policy(ctx: Context) -> State:
    """EventBridge may publish for our failure rule, CloudWatch for our alarm; nobody else."""
    topic = ctx.alerts_topic_arn

    def publish(sid: str, service: str, source: str) -> dict[str, Any]:
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sns:Publish",
            "Resource": topic,
            "Condition": {"ArnEquals": {"aws:SourceArn": source}},
        }

    rule = ctx.arn("events", f"rule/{ctx.name(GLUE_FAILURES)}")
    alarm = ctx.arn("cloudwatch", f"alarm:{ctx.name(INGEST_ERRORS)}")
    statements = [
        publish("GlueFailures", "events.amazonaws.com", rule),
        publish("IngestErrors", "cloudwatch.amazonaws.com", alarm),
    ]
    return {"Version": "2012-10-17", "Statement": statements}


class AlertTopic(Resource):
    kind = "sns-topic"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.name("alerts"))
        self.sns = ctx.clients("sns")
        self.arn = ctx.alerts_topic_arn

    def desired(self) -> State:
        return {"Policy": topic_policy(self.ctx), "Tags": self.ctx.tags}

    def read(self) -> State | None:
        try:
            attributes = self.sns.get_topic_attributes(TopicArn=self.arn)["Attributes"]
        except ClientError as e:
            if is_not_found(e, "NotFound", "NotFoundException"):
                return None
            raise
        tags = self.sns.list_tags_for_resource(ResourceArn=self.arn)["Tags"]
        return {"Policy": json.loads(attributes.get("Policy", "{}")), "Tags": t.from_list(tags)}

    def create(self, desired: State) -> None:
        self.sns.create_topic(
            Name=self.name, Attributes={"Policy": json.dumps(desired["Policy"])}, Tags=t.to_list(desired["Tags"])
        )

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if "Policy" in fields:
            self.sns.set_topic_attributes(
                TopicArn=self.arn, AttributeName="Policy", AttributeValue=json.dumps(desired["Policy"])
            )
        if "Tags" in fields:
            self.sns.tag_resource(ResourceArn=self.arn, Tags=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        self.sns.delete_topic(TopicArn=self.arn)


def glue_failure_rule(ctx: Context) -> EventRule:
    pattern = {
        "source": ["aws.glue"],
        "detail-type": ["Glue Job State Change"],
        "detail": {"jobName": [ctx.name(job) for job in JOBS], "state": ["FAILED", "TIMEOUT", "ERROR"]},
    }
    rule = {"EventPattern": pattern, "Description": f"lakehouse {ctx.settings.env}: a Glue job failed"}
    return EventRule(ctx, ctx.name(GLUE_FAILURES), ctx.alerts_topic_arn, rule)


class IngestErrorsAlarm(Resource):
    kind = "cloudwatch-alarm"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.name(INGEST_ERRORS))
        self.cloudwatch = ctx.clients("cloudwatch")
        self.arn = ctx.arn("cloudwatch", f"alarm:{self.name}")

    def definition(self) -> State:
        return {
            "Namespace": "AWS/Lambda",
            "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": self.ctx.settings.ingest_function}],
            "Statistic": "Sum",
            "Period": 900,
            "EvaluationPeriods": 1,
            "Threshold": 0.0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
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
    return [AlertTopic(ctx), glue_failure_rule(ctx), IngestErrorsAlarm(ctx)]
