"""The dashboard page: answers in, one self-contained HTML document out (plotly.js and the data inline)."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

import plotly.io as pio
from plotly.offline import get_plotlyjs

from lakehouse.dashboard.answers import Answers, Row
from lakehouse.dashboard.figures import charts

# The newest day's figures (column of daily_totals, label), each shown with its change against the day before.
HEADLINE = (
    ("events", "events"), ("repos", "active repositories"), ("stars", "new stars"), ("forks", "forks"),
    ("pushes", "pushes"), ("prs_opened", "pull requests opened"), ("prs_merged", "pull requests merged"),
    ("issues_opened", "issues opened"), ("comments", "comments"), ("releases", "releases"),
)  # fmt: skip
# The page's tables: heading, element id, question, columns.
TABLES = (
    ("Freshness", "table-freshness", "freshness", ("job", "last_success", "runs", "failed")),
    ("Recent runs", "table-runs", "recent_runs",
     ("job", "status", "started_at", "lines_read", "silver_rows", "quarantined", "duplicates")),
    ("Trending (7 days)", "table-trending", "trending",
     ("rank_7d", "repo_name", "stars_7d", "stars_prev_7d", "growth_7d", "rank_28d")),
    ("Most-starred", "table-most-starred", "most_starred", ("repo_name", "stars", "forks", "events")),
)  # fmt: skip
# Each chart is drawn while the page is still being read; once it is laid out, fit each to its panel.
RESIZE = (
    "window.addEventListener('load', () => "
    "document.querySelectorAll('.js-plotly-plot').forEach(d => Plotly.Plots.resize(d)))"
)
PLOT_CONFIG = {"displaylogo": False, "responsive": True}
STYLE = """
body{font-family:system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fafbfc}
h1{margin:0 0 4px}.sub{color:#57606a;margin:0 0 20px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px;margin-bottom:24px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px}
.card .value{font-size:26px;font-weight:600}.card .label{color:#57606a;font-size:13px}
.up{color:#1a7f37}.down{color:#cf222e}.flat{color:#57606a}.change{font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
.panel{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:8px;min-width:0;overflow-x:auto}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #eaeef2;
text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
"""


def _change(today: int, before: int | None) -> tuple[str, str]:
    """The change's text and CSS class: '+12 (+3.4%) vs 2015-01-01'-style, or why there is none."""
    if before is None:
        return "no day before to compare", "flat"
    delta = today - before
    percent = f" ({delta / before:+.1%})" if before else ""
    return f"{delta:+,}{percent}", "up" if delta > 0 else "down" if delta < 0 else "flat"


def headline(totals: list[Row]) -> str:
    """Cards of the newest day's figures, each with its change against the day before (data-* for tests)."""
    if not totals:
        return '<p class="sub" id="headline">No day in the marts yet: run the jobs first.</p>'
    today, before = totals[-1], totals[-2] if len(totals) > 1 else None
    cards = []
    for column, label in HEADLINE:
        value = int(today[column] or 0)
        previous = int(before[column] or 0) if before else None
        text, css = _change(value, previous)
        cards.append(
            f'<div class="card" data-figure="{column}" data-value="{value}">'
            f'<div class="value">{value:,}</div><div class="label">{html.escape(label)}</div>'
            f'<div class="change {css}">{html.escape(text)}</div></div>'
        )
    compared = f" against {before['ingest_dt']}" if before else ""
    title = f"<h2>{html.escape(str(today['ingest_dt']))}{html.escape(compared)}</h2>"
    return f'{title}<div class="cards" id="headline" data-day="{today["ingest_dt"]}">{"".join(cards)}</div>'


def table(table_id: str, rows: list[Row], columns: Sequence[str]) -> str:
    """A plain HTML table of the rows (numbers right-aligned)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(_cell(r.get(c)) for c in columns) + "</tr>" for r in rows)
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="n">{value:,}</td>' if isinstance(value, int) else f'<td class="n">{value:.3f}</td>'
    return f"<td>{'' if value is None else html.escape(str(value))}</td>"


def _panel(body: str) -> str:
    return f'<div class="panel">{body}</div>'


def _data_script(answers: Answers) -> str:
    """The answers themselves, for readers and tests; `</` escaped so no value can end the script."""
    text = json.dumps(answers, sort_keys=True).replace("</", "<\\/")
    return f'<script type="application/json" id="dashboard-answers">{text}</script>'


def render(answers: Answers, days: int, generated_at: str, source: str) -> str:
    """The whole page: headline, charts, health tables, plotly.js once and the data, with no external reference."""
    plots = [
        _panel(pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div, config=PLOT_CONFIG))
        for div, fig in charts(answers).items()
    ]
    health = [_panel(f"<h3>{title}</h3>" + table(tid, answers[name], cols)) for title, tid, name, cols in TABLES]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>lakehouse dashboard</title>"
        f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
        f'<h1>GitHub events</h1><p class="sub">From {html.escape(source)}, written {html.escape(generated_at)}; '
        f"charts over the newest {days} ingest days.</p>"
        f"{headline(answers['daily_totals'])}"
        f'<div class="grid">{"".join(plots)}</div><h2>The lake</h2><div class="grid">{"".join(health)}</div>'
        f"{_data_script(answers)}<script>{RESIZE}</script></body></html>"
    )
