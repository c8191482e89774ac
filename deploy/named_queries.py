"""The dashboard's questions saved as Athena named queries in the env's workgroup, for analysts' console.

Named queries take no tags (Athena tags workgroups, data catalogs and capacity reservations:
https://docs.aws.amazon.com/athena/latest/ug/tags.html); one is ours when it lives in our workgroup and
its description ends with our marker. They are found by name among the workgroup's (ListNamedQueries,
then GetNamedQuery), and go with the workgroup, which destroy deletes with RecursiveDeleteOption.
Every named-query action is authorised on the workgroup the query is saved in
(https://docs.aws.amazon.com/athena/latest/APIReference/API_DeleteNamedQuery.html).
A question's text is saved as it is, `?` and all: run in the console, Athena asks for the execution
parameters' values, in order (https://docs.aws.amazon.com/athena/latest/ug/
querying-with-prepared-statements-querying-using-execution-parameters.html); the description says which.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deploy.context import MANAGED_BY, Context
from deploy.errors import error_code
from deploy.resource import Resource, State
from lakehouse.dashboard.questions import QUESTIONS, Question

MARKER = f" [{MANAGED_BY}]"
PREFIX = "dashboard-"


DAYS = {"first": "the first day", "before": "the day before the first", "newest": "the newest day"}


def prompts(question: Question) -> str:
    """What to answer the console's parameter prompts with, in order (nothing for a question without `?`)."""
    if not question.parameters:
        return ""
    return f" Parameters: {', '.join(DAYS[name] for name in question.parameters)}, each as 'YYYY-MM-DD'."


class NamedQuery(Resource):
    kind = "athena-named-query"

    def __init__(self, ctx: Context, question: Question) -> None:
        super().__init__(ctx, PREFIX + question.name)
        self.question = question
        self.athena = ctx.clients("athena")
        self.query_id: str | None = None

    def desired(self) -> State:
        return {
            "Description": self.question.description + prompts(self.question) + MARKER,
            "Database": self.ctx.settings.database,
            "QueryString": self.question.sql,
        }

    def _saved(self) -> list[dict[str, Any]]:
        """The named queries of our workgroup (none while it does not exist)."""
        ids: list[str] = []
        try:
            for page in self.athena.get_paginator("list_named_queries").paginate(WorkGroup=self.ctx.workgroup):
                ids += page["NamedQueryIds"]
        except ClientError as e:
            if error_code(e) == "InvalidRequestException":  # no such workgroup yet
                return []
            raise
        return [self.athena.get_named_query(NamedQueryId=i)["NamedQuery"] for i in ids]

    def read(self) -> State | None:
        found = [q for q in self._saved() if q["Name"] == self.name]
        if not found:
            return None
        self.query_id = found[0]["NamedQueryId"]
        return {key: found[0].get(key) for key in ("Description", "Database", "QueryString")}

    def owned(self, current: State) -> bool:
        return str(current.get("Description") or "").endswith(MARKER)

    def create(self, desired: State) -> None:
        self.athena.create_named_query(Name=self.name, WorkGroup=self.ctx.workgroup, **desired)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if desired["Database"] != current["Database"]:  # UpdateNamedQuery cannot move a query to another database
            self.delete(current)
            self.create(desired)
            return
        text = {"Description": desired["Description"], "QueryString": desired["QueryString"]}
        self.athena.update_named_query(NamedQueryId=self.query_id, Name=self.name, **text)

    def delete(self, current: State) -> None:
        self.athena.delete_named_query(NamedQueryId=self.query_id)


def named_queries(ctx: Context) -> list[Resource]:
    """One named query per dashboard question, after the workgroup that holds them."""
    return [NamedQuery(ctx, q) for q in QUESTIONS]
