"""Deploy saves the dashboard's questions as named queries in the workgroup and runs the publishing job daily."""

from __future__ import annotations

import boto3

from deploy.named_queries import MARKER, PREFIX
from lakehouse.dashboard.publish import Page, publish_to_gold
from lakehouse.dashboard.questions import QUESTIONS
from lakehouse.settings import Settings
from tests.deploy.conftest import Deployer
from tests.support.aws import ACCOUNT_ID, REGION

S = Settings.aws("dev", ACCOUNT_ID, REGION)
WORKGROUP = "lakehouse-dev-workgroup"


def _saved(session: boto3.Session) -> dict[str, dict[str, str]]:
    athena = session.client("athena")
    ids = athena.list_named_queries(WorkGroup=WORKGROUP)["NamedQueryIds"]
    found = [athena.get_named_query(NamedQueryId=i)["NamedQuery"] for i in ids]
    return {q["Name"]: q for q in found}


def test_apply_saves_each_question_once_mends_an_edited_one_and_destroy_removes_them(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    saved = _saved(session)
    assert sorted(saved) == sorted(PREFIX + q.name for q in QUESTIONS)
    for q in QUESTIONS:
        query = saved[PREFIX + q.name]
        assert (query["QueryString"], query["Database"], query["WorkGroup"]) == (q.sql, S.database, WORKGROUP)
        asked = {"daily_totals": " Parameters: the day before the first, the newest day, each as 'YYYY-MM-DD'.",
                 "most_starred": " Parameters: the newest day, each as 'YYYY-MM-DD'."}  # fmt: skip
        if q.name in asked:
            assert query["Description"] == q.description + asked[q.name] + MARKER
        assert query["Description"].startswith(q.description) and query["Description"].endswith(MARKER)
        assert ("Parameters: " in query["Description"]) == ("?" in q.sql)  # the console asks for them
    assert set(deploy("apply").actions("athena-named-query").values()) == {"unchanged"}
    edited = saved[PREFIX + QUESTIONS[0].name]
    session.client("athena").update_named_query(NamedQueryId=edited["NamedQueryId"], Name=edited["Name"],
                                                Description=edited["Description"], QueryString="SELECT 1")  # fmt: skip
    again = deploy("apply")
    assert again.actions("athena-named-query")[PREFIX + QUESTIONS[0].name] == "update"
    assert "athena:UpdateNamedQuery" in again.change_calls and len(_saved(session)) == len(QUESTIONS)
    assert _saved(session)[PREFIX + QUESTIONS[0].name]["QueryString"] == QUESTIONS[0].sql
    deploy("destroy", delete_data=True)
    assert set(deploy("plan").actions("athena-named-query").values()) == {"create"}


def test_the_daily_workflow_publishes_the_page_into_gold_under_the_project_key(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    glue = session.client("glue")
    job = glue.get_job(JobName="lakehouse-dev-publish_dashboard")["Job"]
    assert (job["GlueVersion"], job["WorkerType"], job["NumberOfWorkers"], job["Timeout"]) == ("5.1", "G.1X", 2, 15)
    assert job["DefaultArguments"]["--job-bookmark-option"] == "job-bookmark-disable"
    assert job["Command"]["ScriptLocation"].endswith("/glue_jobs/publish_dashboard.py")
    after_gold = glue.get_trigger(Name="lakehouse-dev-daily-after-silver_to_gold")["Trigger"]
    assert {"JobName": "lakehouse-dev-publish_dashboard"} in after_gold["Actions"]
    page = Page("<!DOCTYPE html><html></html>", "2015-01-01", {})
    uri = publish_to_gold(page, S, session.client("s3"))
    assert uri == f"s3://{S.bucket('gold')}/dashboards/2015-01-01.html"
    head = session.client("s3").head_object(Bucket=S.bucket("gold"), Key="dashboards/2015-01-01.html")
    kms = session.client("kms")
    alias = next(a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/lakehouse-dev-data")
    key_arn = kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"]
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"], head["ContentType"]) == ("aws:kms", key_arn, "text/html")
