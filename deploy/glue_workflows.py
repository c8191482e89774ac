"""The Glue workflows and their triggers, from the declarations in workflows/."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deploy.context import Context
from deploy.errors import is_not_found
from deploy.glue_jobs import GlueTagged
from deploy.resource import Resource, State
from workflows import WORKFLOWS, compile_workflow

TRIGGER_FIXED = ("WorkflowName", "Type")  # UpdateTrigger cannot change these: replace the trigger


class GlueWorkflow(GlueTagged):
    kind = "glue-workflow"
    arn_kind = "workflow"

    def __init__(self, ctx: Context, request: dict[str, Any]) -> None:
        super().__init__(ctx, request["Name"])
        self.request = request

    def desired(self) -> State:
        return {k: v for k, v in self.request.items() if k != "Name"}

    def read(self) -> State | None:
        try:
            found = self.glue.get_workflow(Name=self.name)["Workflow"]
        except ClientError as e:
            if is_not_found(e, "EntityNotFoundException"):
                return None
            raise
        keys = ("Description", "DefaultRunProperties", "MaxConcurrentRuns")
        return {**{k: found.get(k) for k in keys}, "Tags": self._tags()}

    def create(self, desired: State) -> None:
        self.glue.create_workflow(Name=self.name, **desired)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if set(fields) - {"Tags"}:
            body = {k: v for k, v in desired.items() if k != "Tags"}
            self.glue.update_workflow(Name=self.name, **body)
        self._retag(desired, fields)

    def delete(self, current: State) -> None:
        self.glue.delete_workflow(Name=self.name)


class GlueTrigger(GlueTagged):
    kind = "glue-trigger"
    arn_kind = "trigger"

    def __init__(self, ctx: Context, request: dict[str, Any]) -> None:
        super().__init__(ctx, request["Name"])
        self.request = request

    def desired(self) -> State:
        return {k: v for k, v in self.request.items() if k not in ("Name", "StartOnCreation")}

    def read(self) -> State | None:
        try:
            found = self.glue.get_trigger(Name=self.name)["Trigger"]
        except ClientError as e:
            if is_not_found(e, "EntityNotFoundException"):
                return None
            raise
        state = {k: found.get(k) for k in self.desired() if k not in ("Tags", "Actions")}
        wanted = {key for action in self.request["Actions"] for key in action}
        state["Actions"] = [{k: v for k, v in a.items() if k in wanted} for a in found.get("Actions", [])]
        return {**state, "Tags": self._tags()}

    def create(self, desired: State) -> None:
        # StartOnCreation true is refused for ON_DEMAND triggers (docs: glue/latest/webapi/API_CreateTrigger.html)
        start = {"StartOnCreation": True} if desired.get("Type") != "ON_DEMAND" else {}
        self.glue.create_trigger(Name=self.name, **start, **desired)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if set(fields) & set(TRIGGER_FIXED):
            self.delete(current)
            self.create(desired)
            return
        if set(fields) - {"Tags"}:
            keys = ("Description", "Schedule", "Actions", "Predicate")
            update = {k: desired[k] for k in keys if k in desired}
            self.glue.update_trigger(Name=self.name, TriggerUpdate={"Name": self.name, **update})
        self._retag(desired, fields)

    def delete(self, current: State) -> None:
        self.glue.delete_trigger(Name=self.name)


def workflows(ctx: Context) -> list[Resource]:
    found: list[Resource] = []
    for declaration in WORKFLOWS:
        compiled = compile_workflow(declaration, ctx.name, ctx.tags)
        found.append(GlueWorkflow(ctx, compiled.workflow))
        found += [GlueTrigger(ctx, trigger) for trigger in compiled.triggers]
    return found
