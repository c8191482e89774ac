"""Calls AWS services make with our roles' credentials, written down as data, for the IAM check of each role.

Deploy's and the Lambda code's own calls are recorded in the tests; these are the calls the services make
on a role's behalf, which no test can record: each cites the AWS documentation it follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deploy.context import Context
from lakehouse.tables import GOLD_TABLES


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
    found = log_writes(ctx, "Lambda", group, "2026/01/01/[$LATEST]0123456789abcdef")
    if ctx.config.lambda_subnet_ids:  # https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
        found += [ServiceCall("Lambda manages the function's interfaces in our subnets", action, ("*",)) for action in
                  ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
                   "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")]  # fmt: skip
    return found


def analyst_calls(ctx: Context) -> list[ServiceCall]:
    """An analyst's Athena query of gold: the workgroup, the catalog, Lake Formation's credentials, the results.

    https://docs.aws.amazon.com/athena/latest/ug/lf-athena-user-permissions.html and
    https://docs.aws.amazon.com/athena/latest/ug/workgroups-iam-policy.html
    """
    workgroup = (ctx.arn("athena", f"workgroup/{ctx.workgroup}"),)
    db = ctx.settings.database
    tables = tuple(ctx.arn("glue", f"table/{db}/{t.name}") for t in GOLD_TABLES)
    catalog = (ctx.arn("glue", "catalog"), ctx.arn("glue", f"database/{db}"), *tables)
    results = ctx.bucket_arn(ctx.settings.bucket("athena"))
    query = [ServiceCall("an analyst runs a query", a, workgroup) for a in
             ("athena:GetWorkGroup", "athena:StartQueryExecution", "athena:GetQueryExecution",
              "athena:GetQueryResults", "athena:StopQueryExecution")]  # fmt: skip
    saved = [ServiceCall("an analyst opens the saved queries (the dashboard's questions)", a, workgroup)
             for a in ("athena:ListNamedQueries", "athena:BatchGetNamedQuery", "athena:GetNamedQuery")]
    planning = [ServiceCall("Athena plans the query as the analyst", a, catalog)
                for a in ("glue:GetDatabase", "glue:GetTable", "glue:GetPartitions", "glue:BatchGetPartition")]
    vending = ServiceCall("Athena asks Lake Formation for gold's credentials", "lakeformation:GetDataAccess", ("*",))
    why = "Athena writes and reads the query's results as the analyst"
    objects = (f"{results}/results/0123-abcd.csv",)
    output = [ServiceCall(why, a, (results,)) for a in ("s3:GetBucketLocation", "s3:ListBucket")]
    output += [ServiceCall(why, a, objects) for a in ("s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload")]
    return [*query, *saved, *planning, vending, *output]


def lakeformation_calls(ctx: Context) -> list[ServiceCall]:
    """Lake Formation reads gold with its registration role for the opted-in analysts' queries.

    Only the analyst role is opted in (hybrid access mode): every other principal reads through IAM.
    https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html
    """
    gold = ctx.bucket_arn(ctx.settings.bucket("gold"))
    why = "Lake Formation's vended credentials read gold"
    calls = []
    for t in GOLD_TABLES:
        calls.append(ServiceCall(why, "s3:ListBucket", (gold,), {"s3:prefix": f"{t.prefix}/"}))
        calls.append(ServiceCall(why, "s3:GetObject", (f"{gold}/{t.prefix}/ingest_dt=2015-01-01/part-0.parquet",)))
    return calls
