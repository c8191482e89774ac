"""Calls AWS services make with our roles' credentials, written down as data, for the IAM check of each role.

Deploy's and the Lambda code's own calls are recorded in the tests; these are the calls the services make
on a role's behalf, which no test can record: each cites the AWS documentation it follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deploy.context import Context


@dataclass(frozen=True)
class ServiceCall:
    """One request a service makes as one of our roles: why, the action, the resources, the condition keys."""

    why: str
    action: str
    resources: tuple[str, ...]
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def log_writes(ctx: Context, who: str, group: str, stream: str) -> list[ServiceCall]:
    """A service writing a run's log stream into a group deploy created (so no CreateLogGroup)."""
    streams = (ctx.arn("logs", f"log-group:{group}:log-stream:{stream}"),)
    return [
        ServiceCall(f"{who} opens its log stream", "logs:CreateLogStream", streams),
        ServiceCall(f"{who} writes its logs", "logs:PutLogEvents", streams),
    ]


def lambda_calls(ctx: Context) -> list[ServiceCall]:
    """Lambda writes the function's logs with the execution role.

    https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html#monitoring-cloudwatchlogs-prereqs
    """
    group = f"/aws/lambda/{ctx.settings.ingest_function}"
    return log_writes(ctx, "Lambda", group, "2026/01/01/[$LATEST]0123456789abcdef")
