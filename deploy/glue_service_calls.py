"""The calls Glue makes as the job and crawler roles, written down as data for the IAM check.

From the jobs' code (what each job reads, writes, overwrites and relocates, `lakehouse.jobs`) and AWS's
documentation of what a Glue role needs:
- the role's S3, catalog, logs and metrics permissions:
  https://docs.aws.amazon.com/glue/latest/dg/create-an-iam-role.html (AWSGlueServiceRole);
- every catalog call needs the catalog, the database and the table:
  https://docs.aws.amazon.com/glue/latest/dg/glue-specifying-resource-arns.html;
- Spark on the Glue Data Catalog (databases, functions at start; partitions as Hive adds them):
  https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-glue-data-catalog-hive.html;
- a security configuration's job bookmarks (CSE-KMS, the job calls KMS itself) and encrypted logs
  (logs:AssociateKmsKey): https://docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html;
- crawler log groups named after role and security configuration, job metrics in namespace Glue:
  https://docs.aws.amazon.com/glue/latest/dg/monitoring-awsglue-with-cloudwatch-metrics.html;
- a job in a NETWORK connection: https://docs.aws.amazon.com/glue/latest/dg/create-service-policy.html.
"""

from __future__ import annotations

from dataclasses import dataclass

from deploy import iam
from deploy.context import Context
from deploy.service_calls import ServiceCall, log_writes
from lakehouse.tables import (
    BRONZE,
    GOLD_JOB,
    GOLD_TABLES,
    QUARANTINE,
    REPO_DAILY,
    RUNS,
    SILVER,
    SILVER_INDEX,
    SILVER_JOB,
    TABLES_BY_NAME,
    Table,
)
from workflows import CRAWLERS


@dataclass(frozen=True)
class JobIo:
    """What one job does to which tables: reads, writes (Spark's committer also deletes its temporary files)."""

    job: str
    reads: tuple[Table, ...]
    writes: tuple[Table, ...]
    relocates: tuple[Table, ...] = ()  # compaction, rebuild, replay move partitions (ALTER TABLE ... SET LOCATION)


JOB_IO = (
    JobIo(SILVER_JOB, reads=(BRONZE, SILVER, SILVER_INDEX), writes=(SILVER, QUARANTINE, RUNS, SILVER_INDEX),
          relocates=(SILVER, QUARANTINE)),  # bronze_to_silver, and --mode compact|rebuild|replay
    JobIo(GOLD_JOB, reads=(SILVER, SILVER_INDEX, REPO_DAILY), writes=(*GOLD_TABLES, RUNS)),  # trending reads repo_daily
)  # fmt: skip


def _via_s3(ctx: Context, why: str, action: str, bucket: str) -> ServiceCall:
    context = {"kms:ViaService": f"s3.{ctx.region}.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": bucket}
    return ServiceCall(why, action, (ctx.key_arn,), context)


def _objects(ctx: Context, why: str, table: Table, write: bool) -> list[ServiceCall]:
    bucket = ctx.bucket_arn(ctx.settings.bucket(table.bucket))
    objects = (f"{bucket}/{table.prefix}/part-00000.parquet",)
    found = [ServiceCall(why, "s3:ListBucket", (bucket,), {"s3:prefix": f"{table.prefix}/"})]
    if write:
        found += [ServiceCall(why, "s3:PutObject", objects), ServiceCall(why, "s3:DeleteObject", objects),
                  _via_s3(ctx, why, "kms:GenerateDataKey", bucket)]  # fmt: skip
    else:
        found += [ServiceCall(why, "s3:GetObject", objects), _via_s3(ctx, why, "kms:Decrypt", bucket)]
    return found


def _catalog(ctx: Context, database: str, table: str | None = None) -> tuple[str, ...]:
    found = [ctx.arn("glue", "catalog"), ctx.arn("glue", f"database/{database}")]
    return tuple(found + ([ctx.arn("glue", f"table/{database}/{table}")] if table else []))


def _tables(ctx: Context, io: JobIo) -> list[ServiceCall]:
    db, found = ctx.settings.database, []
    for table in io.reads:
        why = f"{io.job} reads {table.name}"
        found += _objects(ctx, why, table, write=False)
        found += [ServiceCall(why, a, _catalog(ctx, db, table.name)) for a in ("glue:GetTable", "glue:GetPartitions")]
    for table in io.writes:
        why = f"{io.job} writes {table.name}"
        found += _objects(ctx, why, table, write=True)
        found += [ServiceCall(why, a, _catalog(ctx, db, table.name))
                  for a in ("glue:GetTable", "glue:GetPartition", "glue:BatchCreatePartition")]  # fmt: skip
    for table in io.relocates:
        found.append(ServiceCall(f"{io.job} moves {table.name} partitions", "glue:UpdatePartition",
                                 _catalog(ctx, db, table.name)))  # fmt: skip
    return found


def _release_and_temp(ctx: Context) -> list[ServiceCall]:
    """Glue reads the script and the wheel from the release; the job uses its temp dir."""
    artifacts = ctx.bucket_arn(ctx.settings.bucket("artifacts"))
    temp = f"glue-temp/{SILVER_JOB}/"
    why = "Glue reads the script and the wheel"
    return [
        ServiceCall(why, "s3:GetObject", (f"{artifacts}/releases/0.1.0-x/lakehouse.whl",)),
        _via_s3(ctx, why, "kms:Decrypt", artifacts),
        ServiceCall("the job lists its temp dir", "s3:ListBucket", (artifacts,), {"s3:prefix": temp}),
        *(ServiceCall("the job uses its temp dir", action, (f"{artifacts}/{temp}part-0",))
          for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")),
    ]  # fmt: skip


def _spark_catalog(ctx: Context) -> list[ServiceCall]:
    """Spark on the Glue Data Catalog reads the databases and their functions as it starts."""
    why, found = "Spark starts on the Glue catalog", []
    for name in ("default", ctx.settings.database):
        functions = (*_catalog(ctx, name), ctx.arn("glue", f"userDefinedFunction/{name}/*"))
        found += [ServiceCall(why, "glue:GetDatabase", _catalog(ctx, name)),
                  ServiceCall(why, "glue:GetUserDefinedFunctions", functions)]  # fmt: skip
    return [*found, ServiceCall(why, "glue:GetDatabases", (ctx.arn("glue", "catalog"),))]


def _job_runtime(ctx: Context) -> list[ServiceCall]:
    """What every job run does apart from its tables: release, temp dir, catalog, bookmarks, metrics, logs."""
    bookmarks = "job bookmarks, encrypted client-side (CSE-KMS)"
    found = [
        *_release_and_temp(ctx),
        *_spark_catalog(ctx),
        *(ServiceCall(bookmarks, action, (ctx.key_arn,)) for action in ("kms:Decrypt", "kms:GenerateDataKey")),
        ServiceCall("Glue publishes the job's metrics", "cloudwatch:PutMetricData", ("*",),
                    {"cloudwatch:namespace": "Glue"}),
    ]  # fmt: skip
    for stream in ("output", "error"):
        group = f"/aws-glue/lakehouse-{ctx.settings.env}-jobs/{stream}"
        found += log_writes(ctx, "a job", group, "jr_0123456789abcdef")
        groups = (ctx.arn("logs", f"log-group:{group}"),)
        found.append(ServiceCall("Glue encrypts the job's logs", "logs:AssociateKmsKey", groups))
    return found


def _network(ctx: Context) -> list[ServiceCall]:
    """With a private network, Glue puts each run's workers in our subnets through the NETWORK connection."""
    if not ctx.config.private_network:
        return []
    interface = (ctx.arn("ec2", "network-interface/eni-0123456789abcdef0"),)
    why = "Glue attaches the job's workers to our subnets"
    found = [ServiceCall(why, action, ("*",)) for action in (
        "ec2:DescribeVpcEndpoints", "ec2:DescribeRouteTables", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
        "ec2:DescribeVpcAttribute", "ec2:DescribeNetworkInterfaces")]  # fmt: skip
    return found + [ServiceCall(why, a, interface) for a in
                    ("ec2:CreateNetworkInterface", "ec2:CreateTags", "ec2:DeleteNetworkInterface")]  # fmt: skip


def glue_job_calls(ctx: Context) -> list[ServiceCall]:
    """Every call Glue makes as the job role, for both jobs."""
    return [call for io in JOB_IO for call in _tables(ctx, io)] + _job_runtime(ctx) + _network(ctx)


def glue_crawler_calls(ctx: Context) -> list[ServiceCall]:
    """Every call Glue makes as the crawler role: read the targets, write what it finds to the drift database."""
    found = []
    for crawler in CRAWLERS:
        for name in crawler.tables:
            found += _objects(ctx, f"crawler {crawler.name} reads {name}", TABLES_BY_NAME[name], write=False)
    drift = _catalog(ctx, ctx.drift_database, "github_events_bronze")
    writes = ("glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable", "glue:GetPartitions",
              "glue:BatchCreatePartition")  # fmt: skip
    found += [ServiceCall("a crawler records what it found", a, drift) for a in writes]
    group = f"/aws-glue/crawlers-{ctx.name(iam.GLUE_CRAWLERS)}-{ctx.name('security')}"
    groups = (ctx.arn("logs", f"log-group:{group}"),)
    found += [ServiceCall("the crawler creates its log group", "logs:CreateLogGroup", groups),
              ServiceCall("Glue encrypts the crawler's logs", "logs:AssociateKmsKey", groups)]  # fmt: skip
    return found + log_writes(ctx, "a crawler", group, "lakehouse-crawler")
