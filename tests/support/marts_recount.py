"""The gold marts recounted from bronze lines with the json module alone (the contracts' rules, DESIGN.md).

Kept apart from the pipeline on purpose: a mart test compares the job's tables with these rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.support.expected import event_of

Event = dict[str, Any]
COMMENTS = ("IssueCommentEvent", "CommitCommentEvent", "PullRequestReviewCommentEvent")
REPO_COUNTS = (
    "events",
    "stars",
    "forks",
    "pushes",
    "prs_opened",
    "prs_merged",
    "prs_closed_unmerged",
    "issues_opened",
    "issues_closed",
    "comments",
    "releases",
)


def action_of(event: Event) -> str | None:
    payload = event.get("payload")
    action = payload.get("action") if isinstance(payload, dict) else None
    return action if isinstance(action, str) else None


def merged_of(event: Event) -> bool | None:
    """payload.pull_request.merged of a PullRequestEvent when the payload says, else None."""
    payload = event.get("payload")
    pull = payload.get("pull_request") if isinstance(payload, dict) else None
    merged = pull.get("merged") if isinstance(pull, dict) and event["type"] == "PullRequestEvent" else None
    return merged if isinstance(merged, bool) else None


def silver_events(objects: Iterable[tuple[str, list[bytes]]]) -> list[tuple[str, Event]]:
    """(ingest_dt, event) of each event that reaches silver: valid, first copy by (ingest_dt, object order)."""
    seen: set[str] = set()
    found = []
    for day, lines in sorted(objects, key=lambda o: o[0]):  # stable: objects of a day in the order given
        for line in lines:
            event = event_of(line)
            if event is not None and event["id"] not in seen:
                seen.add(event["id"])
                found.append((day, event))
    return found


def _counts(event: Event) -> dict[str, bool]:
    kind, action, merged = event["type"], action_of(event), merged_of(event)
    closed = kind == "PullRequestEvent" and action == "closed"
    return {
        "events": True,
        "stars": kind == "WatchEvent" and action == "started",
        "forks": kind == "ForkEvent",
        "pushes": kind == "PushEvent",
        "prs_opened": kind == "PullRequestEvent" and action == "opened",
        "prs_merged": closed and merged is True,
        "prs_closed_unmerged": closed and merged is False,
        "issues_opened": kind == "IssuesEvent" and action == "opened",
        "issues_closed": kind == "IssuesEvent" and action == "closed",
        "comments": kind in COMMENTS,
        "releases": kind == "ReleaseEvent",
    }


def repo_daily_rows(events: list[tuple[str, Event]]) -> list[tuple[Any, ...]]:
    """Rows of github_repo_daily in table order (ingest_dt last)."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    actors: dict[tuple[str, str], set[str]] = defaultdict(set)
    for day, event in events:
        key = (day, event["repo"]["name"])
        counts[key].update(name for name, hit in _counts(event).items() if hit)
        actors[key].add(event["actor"]["login"])
    return [
        (repo, *(counts[(day, repo)][name] for name in REPO_COUNTS), len(actors[(day, repo)]), day)
        for day, repo in counts
    ]


def activity_hourly_rows(events: list[tuple[str, Event]]) -> list[tuple[Any, ...]]:
    """Rows of github_activity_hourly in table order."""
    counts: Counter[tuple[date, int, str, str]] = Counter()
    for day, event in events:
        created = datetime.fromisoformat(event["created_at"]).astimezone(UTC)
        counts[(created.date(), created.hour, event["type"], day)] += 1
    return [(d, hour, kind, n, day) for (d, hour, kind, day), n in counts.items()]


def _rank(totals: dict[str, int]) -> dict[str, int]:
    starred = sorted((repo for repo, n in totals.items() if n > 0), key=lambda repo: (-totals[repo], repo))
    return {repo: position for position, repo in enumerate(starred, start=1)}


def trending_rows(events: list[tuple[str, Event]], top: int = 100) -> list[tuple[Any, ...]]:
    """Rows of github_trending_daily for every ingest day, in table order, from the contract's definition."""
    stars: Counter[tuple[date, str]] = Counter()
    for day, event in events:
        if _counts(event)["stars"]:
            stars[(date.fromisoformat(day), event["repo"]["name"])] += 1
    rows = []
    for target in sorted({date.fromisoformat(day) for day, _ in events}):

        def total(first: int, last: int, target: date = target) -> dict[str, int]:
            window = {target - timedelta(back) for back in range(first, last + 1)}
            sums: Counter[str] = Counter()
            for (day, repo), n in stars.items():
                sums[repo] += n if day in window else 0
            return sums

        s7, p7, s28, p28 = total(0, 6), total(7, 13), total(0, 27), total(28, 55)
        r7, r28 = _rank(s7), _rank(s28)
        for repo in s28.keys() | p28.keys():
            if r7.get(repo, top + 1) <= top or r28.get(repo, top + 1) <= top:
                g7 = s7[repo] / p7[repo] - 1 if p7[repo] else None
                g28 = s28[repo] / p28[repo] - 1 if p28[repo] else None
                rows.append(
                    (
                        repo,
                        s7[repo],
                        p7[repo],
                        g7,
                        r7.get(repo),
                        s28[repo],
                        p28[repo],
                        g28,
                        r28.get(repo),
                        target.isoformat(),
                    )
                )
    return rows
