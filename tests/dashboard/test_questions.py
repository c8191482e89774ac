"""Each question is one SQL text that both engines read: Athena engine v3 (Trino) and Spark SQL parse it alike,
and every question over a partitioned table reads only the days of the page's window, given as `?` parameters."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot.errors import ParseError

from lakehouse.dashboard.questions import QUESTIONS, Question, Window, newest_partition
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


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.name)
def test_a_partitioned_table_is_read_only_for_the_days_its_parameters_give(question: Question) -> None:
    for dialect in ("trino", "spark"):
        tree = sqlglot.parse_one(question.sql, read=dialect)
        placeholders = list(tree.find_all(sqlglot.exp.Placeholder))
        assert len(placeholders) == len(question.parameters) == question.sql.count("?")
        # each `?` is compared with the partition key, in the WHERE of the one SELECT (no subquery)
        assert all(isinstance(p.parent, sqlglot.exp.EQ | sqlglot.exp.GTE | sqlglot.exp.LTE) for p in placeholders)
        assert all(p.parent.this == sqlglot.exp.column("ingest_dt") for p in placeholders)
        assert all(p.find_ancestor(sqlglot.exp.Where) is not None for p in placeholders)
        assert len(list(tree.find_all(sqlglot.exp.Select))) == 1
    partitioned = {t for t in _tables(question.sql, "trino") if TABLES_BY_NAME[t].partition_keys}
    assert set(question.parameters) >= ({"newest"} if partitioned else set())
    assert bool(question.parameters) == bool(partitioned)


def test_the_window_is_the_newest_days_back_from_the_newest_and_the_day_before_them() -> None:
    window = Window("2015-03-01", 28)
    assert (window.first, window.before) == ("2015-02-02", "2015-02-01")
    assert (Window("2015-01-02", 1).first, Window("2015-01-02", 1).before) == ("2015-01-02", "2015-01-01")
    by_name = {q.name: q.arguments(window) for q in QUESTIONS}
    assert by_name["daily_totals"] == ["2015-02-01", "2015-03-01"]  # the day before the first: its change
    assert by_name["event_mix"] == by_name["quarantine_reasons"] == ["2015-02-02", "2015-03-01"]
    assert by_name["most_starred"] == by_name["trending"] == ["2015-03-01"]
    assert by_name["freshness"] == by_name["recent_runs"] == []


def test_the_newest_partition_is_the_greatest_day_of_show_partitions() -> None:
    lines = ["partition", "ingest_dt=2015-01-02", "ingest_dt=2015-01-10", "ingest_dt=2014-12-31"]
    assert newest_partition(lines) == "2015-01-10"
    assert newest_partition([]) is None


def test_the_parse_does_fail_on_a_dialect_only_form() -> None:
    with pytest.raises(ParseError):
        sqlglot.parse_one("SELECT `repo_name` FROM github_repo_daily", read="trino")  # Spark's backticks
