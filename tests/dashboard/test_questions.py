"""Each question is one SQL text that both engines read: Athena engine v3 (Trino) and Spark SQL parse it alike."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.errors import ParseError

from lakehouse.dashboard.questions import QUESTIONS, Question
from lakehouse.tables import TABLES_BY_NAME


def _tables(sql: str, dialect: str) -> set[str]:
    return {t.name for t in sqlglot.parse_one(sql, read=dialect).find_all(sqlglot.exp.Table)}


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_trino_and_spark_read_the_same_query_over_contract_tables(question: Question) -> None:
    trino = sqlglot.parse_one(question.sql, read="trino")
    spark = sqlglot.parse_one(question.sql, read="spark")
    assert trino == spark  # the same tree: nothing in the text means one thing to one engine and another to the other
    assert _tables(question.sql, "trino") <= set(TABLES_BY_NAME)
    assert question.description and len(question.sql) < 262_144  # CreateNamedQuery's limit on QueryString


def test_the_parse_does_fail_on_a_dialect_only_form() -> None:
    with pytest.raises(ParseError):
        sqlglot.parse_one("SELECT `repo_name` FROM github_repo_daily", read="trino")  # Spark's backticks
