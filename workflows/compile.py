"""Compile a workflow declaration into the exact Glue CreateWorkflow and CreateTrigger requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflows.model import Step, Workflow

Namer = Callable[[str], str]
Request = dict[str, Any]


@dataclass(frozen=True)
class CompiledWorkflow:
    """What Glue needs: one CreateWorkflow request and the CreateTrigger requests that wire it."""

    workflow: Request
    triggers: tuple[Request, ...]


def _action(step: Step, namer: Namer) -> Request:
    key = "JobName" if step.kind == "job" else "CrawlerName"
    action: Request = {key: namer(step.name)}
    if step.arguments:
        action["Arguments"] = dict(step.arguments)
    return action


def _condition(step: Step, namer: Namer) -> Request:
    if step.kind == "job":
        return {"LogicalOperator": "EQUALS", "JobName": namer(step.name), "State": "SUCCEEDED"}
    return {"LogicalOperator": "EQUALS", "CrawlerName": namer(step.name), "CrawlState": "SUCCEEDED"}


def _groups(workflow: Workflow) -> dict[tuple[str, ...], list[Step]]:
    """Steps that wait for the same set of predecessors share one CONDITIONAL trigger."""
    groups: dict[tuple[str, ...], list[Step]] = {}
    for step in workflow.steps:
        if step.depends_on:
            groups.setdefault(tuple(sorted(step.depends_on)), []).append(step)
    return groups


def compile_workflow(workflow: Workflow, namer: Namer, tags: dict[str, str]) -> CompiledWorkflow:
    """The requests for one workflow; `namer` turns a logical name into the AWS resource name."""
    wf_name = namer(workflow.name)
    start: Request = {
        "Name": f"{wf_name}-start",
        "WorkflowName": wf_name,
        "Type": "SCHEDULED",
        "Schedule": workflow.schedule,
        "Actions": [_action(s, namer) for s in workflow.start_steps],
        "Description": f"Starts {workflow.name}: {workflow.schedule} (UTC)",
        "StartOnCreation": True,
        "Tags": dict(tags),
    }
    if workflow.schedule is None:  # started by hand (StartWorkflowRun); StartOnCreation true is refused for
        # ON_DEMAND triggers (docs: glue/latest/webapi/API_CreateTrigger.html, "StartOnCreation")
        del start["Schedule"], start["StartOnCreation"]
        start.update(Type="ON_DEMAND", Description=f"Starts {workflow.name} when started by hand")
    triggers = [start]
    for deps, steps in _groups(workflow).items():
        triggers.append(
            {
                "Name": f"{wf_name}-after-{'-'.join(deps)}",
                "WorkflowName": wf_name,
                "Type": "CONDITIONAL",
                "Predicate": {
                    "Logical": "AND",
                    "Conditions": [_condition(workflow.step(d), namer) for d in deps],
                },
                "Actions": [_action(s, namer) for s in steps],
                "Description": f"Runs {', '.join(s.name for s in steps)} when {', '.join(deps)} succeeded",
                "StartOnCreation": True,
                "Tags": dict(tags),
            }
        )
    request: Request = {
        "Name": wf_name,
        "Description": workflow.description,
        "DefaultRunProperties": dict(workflow.run_properties),
        "MaxConcurrentRuns": 1,
        "Tags": dict(tags),
    }
    return CompiledWorkflow(workflow=request, triggers=tuple(triggers))
