"""EventBridge rules with one target: a schedule for the Lambda, a pattern for failure alerts."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from deploy import tags as t
from deploy.context import Context
from deploy.errors import is_not_found
from deploy.resource import Resource, State

TARGET_ID = "lakehouse"


class EventRule(Resource):
    kind = "events-rule"

    def __init__(self, ctx: Context, name: str, target_arn: str, rule: dict[str, Any]) -> None:
        """`rule` holds ScheduleExpression or EventPattern (a dict), and Description."""
        super().__init__(ctx, name)
        self.events = ctx.clients("events")
        self.arn = ctx.arn("events", f"rule/{name}")
        self.target_arn = target_arn
        self.rule = rule

    def desired(self) -> State:
        return {**self.rule, "State": "ENABLED", "Targets": [self.target_arn], "Tags": self.ctx.tags}

    def read(self) -> State | None:
        try:
            found = self.events.describe_rule(Name=self.name)
        except ClientError as e:
            if is_not_found(e, "ResourceNotFoundException"):
                return None
            raise
        state = {k: found.get(k) for k in self.rule}
        if "EventPattern" in state:
            state["EventPattern"] = json.loads(state["EventPattern"])
        targets = self.events.list_targets_by_rule(Rule=self.name)["Targets"]
        tags = self.events.list_tags_for_resource(ResourceARN=self.arn)["Tags"]
        return {**state, "State": found.get("State"), "Targets": [x["Arn"] for x in targets],
                "Tags": t.from_list(tags)}  # fmt: skip

    def _put_rule(self, desired: State) -> None:
        rule = {k: desired[k] for k in (*self.rule, "State")}
        if "EventPattern" in rule:
            rule["EventPattern"] = json.dumps(rule["EventPattern"])
        self.events.put_rule(Name=self.name, **rule)

    def create(self, desired: State) -> None:
        self._put_rule(desired)
        self.events.tag_resource(ResourceARN=self.arn, Tags=t.to_list(desired["Tags"]))
        self.events.put_targets(Rule=self.name, Targets=[{"Id": TARGET_ID, "Arn": self.target_arn}])

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if set(fields) & {*self.rule, "State"}:
            self._put_rule(desired)
        if "Tags" in fields:
            self.events.tag_resource(ResourceARN=self.arn, Tags=t.to_list(desired["Tags"]))
        if "Targets" in fields:
            stale = [x for x in current["Targets"] if x != self.target_arn]
            if stale:
                found = self.events.list_targets_by_rule(Rule=self.name)["Targets"]
                ids = [x["Id"] for x in found if x["Arn"] in stale]
                self.events.remove_targets(Rule=self.name, Ids=ids)
            self.events.put_targets(Rule=self.name, Targets=[{"Id": TARGET_ID, "Arn": self.target_arn}])

    def delete(self, current: State) -> None:
        targets = self.events.list_targets_by_rule(Rule=self.name)["Targets"]
        if targets:
            self.events.remove_targets(Rule=self.name, Ids=[x["Id"] for x in targets])
        self.events.delete_rule(Name=self.name)
