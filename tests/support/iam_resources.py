"""The resource ARNs a call acts on, from its parameters (the Service Authorization Reference's resource types).

Glue's Data Catalog checks the resource and every ancestor (catalog, database, table):
https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html. Lake Formation's
actions take no resource-level permissions, so they are `*`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.support.iam_calls import Call
    from tests.support.iam_requests import Where

Resolver = Callable[["Call", "Where"], list[str]]
SECRET_SUFFIX = "-AbC123"  # Secrets Manager appends six random characters to a secret's ARN


def _s3(call: Call, w: Where) -> list[str]:
    p = call.params
    if "Bucket" not in p:
        return ["*"]
    bucket = w.arn("s3", p["Bucket"], region=False, account=False)
    if call.operation == "DeleteObjects":
        return [f"{bucket}/{o['Key']}" for o in p["Delete"]["Objects"]]
    return [f"{bucket}/{p['Key']}"] if "Key" in p else [bucket]


def _catalog(w: Where, database: str | None, table: str | None = None) -> list[str]:
    found = [w.arn("glue", "catalog")]
    if database:
        found.append(w.arn("glue", f"database/{database}"))
    if database and table:
        found.append(w.arn("glue", f"table/{database}/{table}"))
    return found


GLUE_NAMED = {"Job": "job", "Crawler": "crawler", "Workflow": "workflow", "Trigger": "trigger"}


def _glue(call: Call, w: Where) -> list[str]:
    p, op = call.params, call.operation
    if "ResourceArn" in p:
        return [p["ResourceArn"]]
    for word, kind in GLUE_NAMED.items():
        if op.endswith((word, word + "s")) or op in (f"Start{word}Run", f"Get{word}Runs"):
            name = p.get("Name") or p.get("JobName") or p.get("CrawlerName") or p.get("WorkflowName")
            return [w.arn("glue", f"{kind}/{name}")]
    if "SecurityConfiguration" in op:
        return ["*"]
    if op.endswith("Connection"):  # a connection lives in the catalog: both are checked
        name = p.get("Name") or p.get("ConnectionName") or p.get("ConnectionInput", {}).get("Name")
        return [w.arn("glue", "catalog"), w.arn("glue", f"connection/{name}")]
    database = p.get("DatabaseName") or (p.get("Name") if op.endswith("Database") else None)
    database = database or p.get("DatabaseInput", {}).get("Name")
    table = p.get("TableName") or (p.get("Name") if op.endswith("Table") else None)
    table = table or p.get("TableInput", {}).get("Name")
    if op in ("GetDatabases", "GetUserDefinedFunctions"):
        return _catalog(w, None)
    return _catalog(w, database, table)


def _iam(call: Call, w: Where) -> list[str]:
    p = call.params
    if "PolicyArn" in p:
        return [p["PolicyArn"]]
    if "RoleName" in p:
        return [w.arn("iam", f"role/{p['RoleName']}", region=False)]
    if "PolicyName" in p:
        return [w.arn("iam", f"policy/{p['PolicyName']}", region=False)]
    return ["*"]


def _kms(call: Call, w: Where) -> list[str]:
    p, op = call.params, call.operation
    key = p.get("KeyId") or p.get("TargetKeyId")
    key_arn = w.key_arn if key is None or key.startswith("alias/") else (
        key if key.startswith("arn:") else w.arn("kms", f"key/{key}"))  # fmt: skip
    if op in ("CreateAlias", "DeleteAlias", "UpdateAlias"):
        return [w.arn("kms", p["AliasName"]), key_arn]
    if op in ("CreateKey", "ListAliases", "ListKeys"):
        return ["*"]
    return [key_arn]


def _named(service: str, **templates: str) -> Resolver:
    """The first parameter present among templates' keys, as ARNs: `{}` takes the name; "" means it is an ARN."""

    def resolve(call: Call, w: Where) -> list[str]:
        for key, template in templates.items():
            value = call.params.get(key)
            if value:
                values = value if isinstance(value, list) else [value]
                is_arn = [not template or v.startswith("arn:") for v in values]
                return [v if arn else w.arn(service, template.format(v)) for v, arn in zip(values, is_arn, strict=True)]
        return ["*"]

    return resolve


_athena_named = _named("athena", ResourceARN="", WorkGroup="workgroup/{}", Name="workgroup/{}")


def _athena(call: Call, w: Where) -> list[str]:
    """A call on a named query (by id) is authorised on the workgroup the query was saved in."""
    from tests.support.moto_athena import NAMED_QUERY_WORKGROUPS

    ids = call.params.get("NamedQueryIds") or [call.params.get("NamedQueryId")]
    if ids[0]:
        return [w.arn("athena", f"workgroup/{NAMED_QUERY_WORKGROUPS.get(i, '?')}") for i in ids]
    return _athena_named(call, w)


RESOURCES: dict[str, Resolver] = {
    "s3": _s3,
    "glue": _glue,
    "iam": _iam,
    "kms": _kms,
    "lambda": _named("lambda", Resource="", FunctionName="function:{}"),
    "events": _named("events", ResourceARN="", Name="rule/{}", Rule="rule/{}"),
    "sns": _named("sns", TopicArn="", ResourceArn="", Name="{}"),
    "cloudwatch": _named("cloudwatch", ResourceARN="", AlarmName="alarm:{}", AlarmNames="alarm:{}"),
    "dynamodb": _named("dynamodb", ResourceArn="", TableName="table/{}"),
    "athena": _athena,
    "logs": _named("logs", resourceArn="", logGroupName="log-group:{}", logGroupNamePrefix="*"),
    "cloudtrail": _named("cloudtrail", ResourceIdList="", Name="trail/{}", TrailName="trail/{}"),
    "secretsmanager": _named("secretsmanager", SecretId="secret:{}" + SECRET_SUFFIX),
}
