"""The dashboard's charts: plotly figures drawn from the answers (no I/O; weekdays in Python).

The answers hold only the ingest days the page shows (the questions' window), so the charts draw them whole.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import plotly.graph_objects as go

from lakehouse.dashboard.answers import Answers, Row

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS = tuple(range(24))
LAYOUT = {"margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "height": 380, "template": "plotly_white"}


def heat(rows: list[Row]) -> list[list[int]]:
    """Events per weekday (rows, Monday first) and UTC hour (columns), summed over the days given."""
    grid = [[0 for _ in HOURS] for _ in WEEKDAYS]
    for r in rows:
        grid[date.fromisoformat(str(r["event_date"])).weekday()][int(r["hour"] or 0)] += int(r["events"] or 0)
    return grid


def event_mix(answers: Answers) -> go.Figure:
    """Stacked bars: events of the days shown per day of creation, one colour per event type."""
    by_type: dict[str, dict[str, int]] = defaultdict(dict)
    for r in answers["event_mix"]:
        by_type[str(r["event_type"])][str(r["event_date"])] = int(r["events"] or 0)
    fig = go.Figure([go.Bar(name=t, x=list(v), y=list(v.values())) for t, v in sorted(by_type.items())])
    fig.update_layout(barmode="stack", title="Event mix over time (UTC day of creation)", **LAYOUT)
    return fig.update_xaxes(type="category")


def heat_map(answers: Answers) -> go.Figure:
    grid = heat(answers["hourly_activity"])
    hover = "%{y} %{x}:00 UTC: %{z}<extra></extra>"
    fig = go.Figure(go.Heatmap(z=grid, x=list(HOURS), y=list(WEEKDAYS), colorscale="Blues", hovertemplate=hover))
    fig.update_layout(title="Events by hour (UTC) and weekday", **LAYOUT)
    return fig.update_yaxes(autorange="reversed").update_xaxes(dtick=1)


def _top_bars(rows: list[Row], value: str, title: str) -> go.Figure:
    names = [str(r["repo_name"]) for r in rows]
    fig = go.Figure(go.Bar(x=[r[value] for r in rows], y=names, orientation="h"))
    fig.update_layout(title=title, **{**LAYOUT, "margin": {"l": 260, "r": 20, "t": 50, "b": 40}})
    return fig.update_yaxes(autorange="reversed")


def most_starred(answers: Answers) -> go.Figure:
    return _top_bars(answers["most_starred"], "stars", "Most-starred repositories (newest day)")


def trending(answers: Answers) -> go.Figure:
    return _top_bars(answers["trending"], "stars_7d", "Trending repositories (stars over 7 days)")


def runs_lines(answers: Answers) -> go.Figure:
    """Recent runs, oldest first: each run's lines read, split into silver rows, quarantined and duplicates."""
    runs = list(reversed(answers["recent_runs"]))
    labels = [f"{r['job']} {r['started_at']}" for r in runs]
    parts = ("silver_rows", "quarantined", "duplicates")
    fig = go.Figure([go.Bar(name=p, x=labels, y=[r[p] for r in runs]) for p in parts])
    fig.update_layout(barmode="stack", title="Recent runs: lines read", **LAYOUT)
    return fig.update_xaxes(type="category")


def quarantine(answers: Answers) -> go.Figure:
    rows = answers["quarantine_reasons"]
    fig = go.Figure(go.Bar(x=[r["reason"] for r in rows], y=[r["quarantined"] for r in rows]))
    fig.update_layout(title="Quarantined lines by reason", **LAYOUT)
    return fig.update_xaxes(type="category")


def charts(answers: Answers) -> dict[str, go.Figure]:
    """Every chart of the page, by the id of the element that holds it."""
    return {
        "chart-event-mix": event_mix(answers),
        "chart-heat-map": heat_map(answers),
        "chart-most-starred": most_starred(answers),
        "chart-trending": trending(answers),
        "chart-runs": runs_lines(answers),
        "chart-quarantine": quarantine(answers),
    }
