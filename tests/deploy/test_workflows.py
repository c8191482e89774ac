"""Workflow declarations compile into valid Glue requests and match the picture in docs/workflows.md."""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest
from botocore.validate import ParamValidator

from lakehouse.settings import Settings
from lakehouse.tables import DASHBOARD_JOB, GOLD_JOB, SILVER_JOB
from workflows import (
    DAILY,
    HOURLY,
    REBUILD,
    WORKFLOWS,
    Step,
    Workflow,
    compile_workflow,
    render_docs,
)
from workflows.model import WorkflowError

DOCS = Path(__file__).parents[2] / "docs" / "workflows.md"
SETTINGS = Settings(env="dev")
TAGS = {"lakehouse:env": "dev"}


def _validate(operation: str, request: dict[str, object]) -> None:
    model = botocore.session.get_session().get_service_model("glue")
    shape = model.operation_model(operation).input_shape
    assert shape is not None
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_compiled_requests_are_valid_for_the_glue_service_model(workflow: Workflow) -> None:
    compiled = compile_workflow(workflow, SETTINGS.resource_name, TAGS)
    _validate("CreateWorkflow", compiled.workflow)
    for trigger in compiled.triggers:
        _validate("CreateTrigger", trigger)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda w: w.name)
def test_one_scheduled_start_and_conditional_triggers_always_logical(workflow: Workflow) -> None:
    triggers = compile_workflow(workflow, SETTINGS.resource_name, TAGS).triggers
    start = "SCHEDULED" if workflow.schedule else "ON_DEMAND"
    assert [t["Type"] for t in triggers].count(start) == 1 and triggers[0]["Type"] == start
    assert all(t["Predicate"]["Logical"] == "AND" for t in triggers if t["Type"] == "CONDITIONAL")


def test_daily_runs_gold_then_the_dashboard_and_compaction_then_both_crawlers() -> None:
    start, after_gold, after_compaction = compile_workflow(DAILY, SETTINGS.resource_name, TAGS).triggers
    assert start["Actions"] == [{"JobName": "lakehouse-dev-silver_to_gold"}]
    assert start["Schedule"] == "cron(40 2 * * ? *)"
    assert after_gold["Predicate"] == {
        "Logical": "AND",
        "Conditions": [
            {"LogicalOperator": "EQUALS", "JobName": "lakehouse-dev-silver_to_gold", "State": "SUCCEEDED"}
        ],
    }
    assert after_gold["Actions"] == [
        {"JobName": "lakehouse-dev-publish_dashboard"},
        {
            "JobName": "lakehouse-dev-bronze_to_silver",
            "Arguments": {"--mode": "compact", "--job-bookmark-option": "job-bookmark-disable"},
        }
    ]
    assert after_compaction["Predicate"]["Conditions"] == [
        {"LogicalOperator": "EQUALS", "JobName": "lakehouse-dev-bronze_to_silver", "State": "SUCCEEDED"}
    ]
    assert after_compaction["Actions"] == [
        {"CrawlerName": "lakehouse-dev-drift-raw"},
        {"CrawlerName": "lakehouse-dev-drift-curated"},
    ]


def test_a_step_after_a_crawler_waits_on_crawl_state() -> None:
    wf = Workflow("w", "d", "cron(0 1 * * ? *)", (Step("c", "crawler"), Step("j", "job", depends_on=("c",))))
    after = compile_workflow(wf, SETTINGS.resource_name, TAGS).triggers[1]
    assert after["Predicate"]["Conditions"] == [
        {"LogicalOperator": "EQUALS", "CrawlerName": "lakehouse-dev-c", "CrawlState": "SUCCEEDED"}
    ]
    _validate("CreateTrigger", after)


def test_the_workflows_never_start_at_the_same_minute() -> None:
    minute = {wf.name: wf.schedule.split("(")[1].split()[0] for wf in WORKFLOWS if wf.schedule}
    assert minute["hourly"] != minute["daily"]
    assert [s.name for s in HOURLY.steps if s.kind == "job"] == [SILVER_JOB]
    assert [s.name for s in DAILY.steps if s.kind == "job"] == [GOLD_JOB, DASHBOARD_JOB, SILVER_JOB]  # compaction


def test_a_dependency_on_an_unknown_step_is_refused() -> None:
    with pytest.raises(WorkflowError, match="depends on \\['nope'\\]"):
        Workflow("w", "d", "cron(0 1 * * ? *)", (Step("a", "job"), Step("b", "job", depends_on=("nope",))))


def test_docs_workflows_md_is_the_generated_picture() -> None:
    assert DOCS.read_text() == render_docs(), "regenerate: python -m workflows > docs/workflows.md"


def test_the_rebuild_workflow_starts_on_demand_with_the_silver_job_in_rebuild_mode_then_gold() -> None:
    start, after_rebuild = compile_workflow(REBUILD, SETTINGS.resource_name, TAGS).triggers
    assert (start["Type"], "Schedule" in start, "StartOnCreation" in start) == ("ON_DEMAND", False, False)
    assert start["Actions"] == [
        {"JobName": "lakehouse-dev-bronze_to_silver",
         "Arguments": {"--mode": "rebuild", "--job-bookmark-option": "job-bookmark-disable"}}
    ]
    assert after_rebuild["Actions"] == [{"JobName": "lakehouse-dev-silver_to_gold"}]
    _validate("CreateTrigger", start)
