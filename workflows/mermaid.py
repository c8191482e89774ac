"""Draw workflows as Mermaid flowcharts; docs/workflows.md is this module's output."""

from __future__ import annotations

from workflows.declarations import WORKFLOWS
from workflows.model import Step, Workflow

DOC_HEADER = """# Workflows

What runs after what, per environment. Generated from `workflows/declarations.py` by
`python -m workflows > docs/workflows.md`; a test fails when this page and the declarations differ.
AWS names are `lakehouse-<env>-<name>`; schedules are UTC (Glue cron). Rounded boxes are Glue jobs,
cylinders are crawlers; every edge waits for SUCCEEDED.
"""


def _node_id(workflow: Workflow, step: Step) -> str:
    return f"{workflow.name}_{step.name}".replace("-", "_")


def _node(workflow: Workflow, step: Step) -> str:
    shape = f'(["{step.label}"])' if step.kind == "job" else f"[({step.name})]"
    return f"    {_node_id(workflow, step)}{shape}"


def to_mermaid(workflow: Workflow) -> str:
    """A Mermaid flowchart: the schedule, then each step after the steps it depends on."""
    start = f"{workflow.name}_start"
    lines = ["flowchart LR", f'    {start}{{{{"{workflow.name}: {workflow.when}"}}}}']
    lines += [_node(workflow, s) for s in workflow.steps]
    lines += [f"    {start} --> {_node_id(workflow, s)}" for s in workflow.start_steps]
    for step in workflow.steps:
        for dep in step.depends_on:
            edge = f"{_node_id(workflow, workflow.step(dep))} --> {_node_id(workflow, step)}"
            lines.append(f"    {edge}")
    return "\n".join(lines) + "\n"


def render_docs(workflows: tuple[Workflow, ...] = WORKFLOWS) -> str:
    """The whole of docs/workflows.md."""
    parts = [DOC_HEADER]
    for wf in workflows:
        props = ", ".join(f"`{k}={v}`" for k, v in wf.run_properties.items())
        parts.append(f"\n## {wf.name}\n\n{wf.description} Run properties: {props}.\n")
        parts.append(f"\n```mermaid\n{to_mermaid(wf)}```\n")
    return "".join(parts)
