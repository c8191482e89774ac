"""Least-privilege IAM policy documents: each role gets only the actions and resources it needs.

`*` as a resource appears only where AWS offers nothing narrower: lakeformation:GetDataAccess and
cloudwatch:PutMetricData (the latter limited by its namespace condition).
"""

from __future__ import annotations

from typing import Any

from deploy.context import DATA_BUCKETS, Context
from lakehouse.tables import BRONZE, GOLD_DAILY, TABLES

Statement = dict[str, Any]
Document = dict[str, Any]
CATALOG_READ = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition",
                "glue:GetPartitions", "glue:BatchGetPartition"]  # fmt: skip
PARTITION_WRITE = ["glue:CreatePartition", "glue:BatchCreatePartition", "glue:UpdatePartition",
                   "glue:BatchUpdatePartition"]  # fmt: skip
KMS_USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]


def document(*statements: Statement) -> Document:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(sid: str, actions: list[str], resources: list[str], **condition: Any) -> Statement:
    statement: Statement = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def trust(service: str) -> Document:
    principal = {"Service": service}
    return document({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def account_trust(ctx: Context) -> Document:
    """The analyst role: assumable by principals of this account whose own policy allows it."""
    root = ctx.arn("iam", "root", region=False)
    return document({"Effect": "Allow", "Principal": {"AWS": root}, "Action": "sts:AssumeRole"})


def _objects(ctx: Context, kind: str, prefix: str = "") -> str:
    return f"{ctx.bucket_arn(ctx.settings.bucket(kind))}/{prefix}*"  # type: ignore[arg-type]


def _buckets(ctx: Context, *kinds: str) -> list[str]:
    return [ctx.bucket_arn(ctx.settings.bucket(k)) for k in kinds]  # type: ignore[arg-type]


def _catalog(ctx: Context, database: str, tables: str = "*") -> list[str]:
    return [
        ctx.arn("glue", "catalog"),
        ctx.arn("glue", f"database/{database}"),
        ctx.arn("glue", f"table/{database}/{tables}"),
    ]


def _logs(ctx: Context, group: str) -> Statement:
    groups = [ctx.arn("logs", f"log-group:{group}"), ctx.arn("logs", f"log-group:{group}:log-stream:*")]
    return allow("Logs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], groups)


def _lf_data_access() -> Statement:
    return allow("LakeFormationCredentialVending", ["lakeformation:GetDataAccess"], ["*"])


def glue_jobs(ctx: Context) -> Document:
    """The jobs read raw and artifacts, write silver, gold and their temp dir, and keep the catalog."""
    db = ctx.settings.database
    return document(
        allow("ListBuckets", ["s3:ListBucket"], _buckets(ctx, "raw", "silver", "gold", "artifacts")),
        allow("ReadInputs", ["s3:GetObject"], [_objects(ctx, "raw"), _objects(ctx, "artifacts")]),
        allow(
            "WriteOutputs",
            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            [_objects(ctx, "silver"), _objects(ctx, "gold"), _objects(ctx, "artifacts", "glue-temp/")],
        ),
        allow(
            "Catalog",
            [*CATALOG_READ, *PARTITION_WRITE, "glue:UpdateTable", "glue:DeletePartition", "glue:BatchDeletePartition"],
            _catalog(ctx, db),
        ),
        allow(
            "SparkCatalogStartup",  # Spark on the Glue catalog lists databases and functions, reads `default`
            ["glue:GetDatabase", "glue:GetDatabases", "glue:GetUserDefinedFunctions"],
            [
                ctx.arn("glue", "catalog"),
                *(ctx.arn("glue", f"database/{name}") for name in ("default", db)),
                *(ctx.arn("glue", f"userDefinedFunction/{name}/*") for name in ("default", db)),
            ],
        ),
        allow("Kms", KMS_USE, [ctx.key_arn]),
        _logs(ctx, "/aws-glue/*"),
        allow(
            "GlueMetrics",
            ["cloudwatch:PutMetricData"],
            ["*"],
            StringEquals={"cloudwatch:namespace": "Glue"},
        ),
        _lf_data_access(),
    )


def glue_crawlers(ctx: Context) -> Document:
    """Crawlers read the table locations and write only the drift database."""
    db = ctx.drift_database
    return document(
        allow("ListBuckets", ["s3:ListBucket"], _buckets(ctx, *DATA_BUCKETS)),
        allow("ReadData", ["s3:GetObject"], [_objects(ctx, kind) for kind in DATA_BUCKETS]),
        allow(
            "DriftCatalog",
            [*CATALOG_READ, *PARTITION_WRITE, "glue:CreateTable", "glue:UpdateTable"],
            _catalog(ctx, db),
        ),
        allow("Kms", ["kms:Decrypt"], [ctx.key_arn]),
        _logs(ctx, "/aws-glue/crawlers"),
        _lf_data_access(),
    )


def ingest(ctx: Context) -> Document:
    """The Lambda writes bronze objects, registers their partitions and keeps its state."""
    s = ctx.settings
    secret = ctx.arn("secretsmanager", f"secret:{s.github_token_secret}-??????")
    return document(
        allow(
            "WriteBronze",
            ["s3:PutObject", "s3:AbortMultipartUpload"],
            [_objects(ctx, BRONZE.bucket, BRONZE.prefix + "/")],
        ),
        allow(
            "RegisterBronzePartitions",
            ["glue:GetDatabase", "glue:GetTable", "glue:BatchCreatePartition"],
            _catalog(ctx, s.database, BRONZE.name),
        ),
        allow(
            "State",
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            [ctx.arn("dynamodb", f"table/{s.ingest_state_table}")],
        ),
        allow("GitHubToken", ["secretsmanager:GetSecretValue"], [secret]),
        allow("Kms", KMS_USE, [ctx.key_arn]),
        _logs(ctx, f"/aws/lambda/{s.ingest_function}"),
    )


def analyst(ctx: Context) -> Document:
    """Analysts query gold through the workgroup; Lake Formation vends the data credentials."""
    s = ctx.settings
    athena = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
              "athena:StopQueryExecution", "athena:GetWorkGroup"]  # fmt: skip
    results = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    return document(
        allow("Athena", athena, [ctx.arn("athena", f"workgroup/{ctx.workgroup}")]),
        allow("GoldCatalog", CATALOG_READ, _catalog(ctx, s.database, GOLD_DAILY.name)),
        allow("ResultsBucket", ["s3:ListBucket", "s3:GetBucketLocation"], _buckets(ctx, "athena")),
        allow("Results", results, [_objects(ctx, "athena", "results/")]),
        allow("Kms", ["kms:Decrypt", "kms:GenerateDataKey"], [ctx.key_arn]),
        _lf_data_access(),
    )


def lakeformation(ctx: Context) -> Document:
    """The role Lake Formation assumes to vend credentials for the registered data locations."""
    locations = {t.bucket for t in TABLES}
    return document(
        allow("ListBuckets", ["s3:ListBucket"], _buckets(ctx, *sorted(locations))),
        allow(
            "Data",
            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            [_objects(ctx, kind) for kind in sorted(locations)],
        ),
        allow("Kms", KMS_USE, [ctx.key_arn]),
    )
