"""Least-privilege IAM policy documents: each role gets only the actions and resources it needs.

`*` as a resource appears only where AWS offers nothing narrower: lakeformation:GetDataAccess and
cloudwatch:PutMetricData (the latter limited by its namespace condition).
"""

from __future__ import annotations

from typing import Any

from deploy.context import DATA_BUCKETS, Context
from lakehouse.tables import BRONZE, GOLD_TABLES

Statement = dict[str, Any]
Document = dict[str, Any]
DRIFT_WRITE = ["glue:BatchCreatePartition", "glue:CreateTable", "glue:GetDatabase", "glue:GetPartitions",
               "glue:GetTable", "glue:UpdateTable"]  # fmt: skip
# A job in a Glue NETWORK connection: Glue makes its workers' interfaces in our subnets, as the job role
# (https://docs.aws.amazon.com/glue/latest/dg/create-service-policy.html); EC2's Describe* take only `*`.
GLUE_NETWORK = ["ec2:CreateNetworkInterface", "ec2:CreateTags", "ec2:DeleteNetworkInterface",
                "ec2:DescribeNetworkInterfaces", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets", "ec2:DescribeVpcAttribute", "ec2:DescribeVpcEndpoints"]  # fmt: skip
# A Lambda in our subnets: Lambda manages its interfaces as the execution role; EC2 takes only `*` for these
# (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions).
LAMBDA_NETWORK = ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                  "ec2:DescribeNetworkInterfaces", "ec2:UnassignPrivateIpAddresses"]  # fmt: skip
PARTITIONS = ["glue:GetTable", "glue:GetPartition", "glue:GetPartitions", "glue:BatchCreatePartition"]
KMS_USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]


def key_use(ctx: Context) -> Document:
    """What any role may do with the project key, within the boundary; the key policy says which role, how."""
    return document(allow("KeyUse", KMS_USE, [ctx.key_arn]))


def document(*statements: Statement) -> Document:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(sid: str, actions: list[str], resources: list[str], **condition: Any) -> Statement:
    statement: Statement = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def source_conditions(ctx: Context, source_arns: list[str]) -> dict[str, Any]:
    """Confused-deputy conditions for a service principal: our account, and only these source resources.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention
    """
    return {"StringEquals": {"aws:SourceAccount": ctx.account_id}, "ArnLike": {"aws:SourceArn": source_arns}}


def service_trust(ctx: Context, service: str, source_arns: list[str]) -> Document:
    """The trust policy of a service role: that service, acting for these resources of our account."""
    principal = {"Service": service}
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return document({**statement, "Condition": source_conditions(ctx, source_arns)})


def glue_trust(ctx: Context) -> Document:
    """Glue, for this account's Glue resources (https://docs.aws.amazon.com/glue/latest/dg/cross-service-confused-deputy-prevention.html)."""
    return service_trust(ctx, "glue.amazonaws.com", [ctx.arn("glue", "*")])


def ingest_trust(ctx: Context) -> Document:
    """Lambda, for our function only (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html)."""
    return service_trust(ctx, "lambda.amazonaws.com", [ctx.ingest_function_arn])


def lakeformation_trust(ctx: Context) -> Document:
    """Lake Formation, for this account's data lake (https://docs.aws.amazon.com/lake-formation/latest/dg/registration-role.html)."""
    return service_trust(ctx, "lakeformation.amazonaws.com", [ctx.arn("lakeformation", "*")])


def analyst_trust(ctx: Context) -> Document:
    """The analyst role: assumable only by the principals named in DeployConfig.analyst_principals.

    With none named, nobody may assume it (a trust policy needs a statement; this one denies all).
    """
    named = sorted(ctx.config.analyst_principals)
    assume = {"Action": "sts:AssumeRole"}
    if not named:
        return document({"Sid": "NoAnalystNamed", "Effect": "Deny", "Principal": {"AWS": "*"}, **assume})
    return document({"Sid": "NamedAnalysts", "Effect": "Allow", "Principal": {"AWS": named}, **assume})


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


def _gold_catalog(ctx: Context, database: str) -> list[str]:
    """The catalog, the database and each gold table."""
    catalog_and_database = _catalog(ctx, database)[:2]
    return [*catalog_and_database, *(_catalog(ctx, database, t.name)[2] for t in GOLD_TABLES)]


def _logs(ctx: Context, *groups: str, associate_key: bool = True) -> Statement:
    """Write to log groups deploy owns (it creates them, with retention and the key): no CreateLogGroup.

    A Glue security configuration with CloudWatch encryption needs logs:AssociateKmsKey on the groups
    (https://docs.aws.amazon.com/glue/latest/dg/console-security-configurations.html).
    """
    arns = [ctx.arn("logs", f"log-group:{g}{streams}") for g in groups for streams in ("", ":log-stream:*")]
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"] + (["logs:AssociateKmsKey"] if associate_key else [])
    return allow("Logs", actions, arns)


def glue_log_groups(ctx: Context, kind: str) -> tuple[str, ...]:
    """The groups a Glue job or crawler of this env writes: ours, and the names a security configuration makes."""
    prefix = f"lakehouse-{ctx.settings.env}"
    if kind == "jobs":
        return (f"/aws-glue/{prefix}*", f"/aws-glue/jobs-{prefix}*")
    return (f"/aws-glue/crawlers-{prefix}*",)


def _lf_data_access() -> Statement:
    return allow("LakeFormationCredentialVending", ["lakeformation:GetDataAccess"], ["*"])


def glue_jobs(ctx: Context) -> Document:
    """The jobs read raw and the release, write silver, gold and their temp dir, and register partitions.

    No KMS or Lake Formation statement: the key policy grants the jobs the key (through S3, and for
    the bookmarks' client-side encryption), and the jobs are not opted in to Lake Formation (hybrid mode).
    Checked against deploy/glue_service_calls.py, both ways, by tests/deploy/test_glue_roles.py.
    """
    db = ctx.settings.database
    return document(
        allow("ListBuckets", ["s3:ListBucket"], _buckets(ctx, "raw", "silver", "gold", "artifacts")),
        allow("ReadInputs", ["s3:GetObject"], [_objects(ctx, "raw"), _objects(ctx, "artifacts", "releases/")]),
        allow(
            "WriteOutputs",
            ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            [_objects(ctx, "silver"), _objects(ctx, "gold"), _objects(ctx, "artifacts", "glue-temp/")],
        ),
        allow("Partitions", [*PARTITIONS, "glue:UpdatePartition"], _catalog(ctx, db)),
        allow(
            "SparkCatalogStartup",  # Spark on the Glue catalog lists databases and functions, reads `default`
            ["glue:GetDatabase", "glue:GetDatabases", "glue:GetUserDefinedFunctions"],
            [
                ctx.arn("glue", "catalog"),
                *(ctx.arn("glue", f"database/{name}") for name in ("default", db)),
                *(ctx.arn("glue", f"userDefinedFunction/{name}/*") for name in ("default", db)),
            ],
        ),
        _logs(ctx, *glue_log_groups(ctx, "jobs")),
        allow(
            "GlueMetrics",
            ["cloudwatch:PutMetricData"],
            ["*"],
            StringEquals={"cloudwatch:namespace": "Glue"},
        ),
        *([allow("GlueNetwork", GLUE_NETWORK, ["*"])] if ctx.config.private_network else []),
    )


def glue_crawlers(ctx: Context) -> Document:
    """Crawlers read the table locations and write only the drift database (and create their log group)."""
    db = ctx.drift_database
    logs = _logs(ctx, *glue_log_groups(ctx, "crawlers"))
    logs["Action"] = sorted([*logs["Action"], "logs:CreateLogGroup"])  # Glue names it: role, security configuration
    return document(
        allow("ListBuckets", ["s3:ListBucket"], _buckets(ctx, *DATA_BUCKETS)),
        allow("ReadData", ["s3:GetObject"], [_objects(ctx, kind) for kind in DATA_BUCKETS]),
        allow("DriftCatalog", DRIFT_WRITE, _catalog(ctx, db)),
        logs,
    )


def ingest(ctx: Context) -> Document:
    """The Lambda writes bronze objects, registers their partitions and keeps its state.

    No KMS statement: the key policy lets our roles use the key through S3 and DynamoDB (deploy/key_policy.py).
    """
    s = ctx.settings
    secret = ctx.arn("secretsmanager", f"secret:{s.github_token_secret}-??????")
    return document(
        allow("WriteBronze", ["s3:PutObject"], [_objects(ctx, BRONZE.bucket, BRONZE.prefix + "/")]),
        allow(
            "RegisterBronzePartitions",
            ["glue:GetTable", "glue:BatchCreatePartition"],
            _catalog(ctx, s.database, BRONZE.name),
        ),
        allow(
            "State",
            ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            [ctx.arn("dynamodb", f"table/{s.ingest_state_table}")],
        ),
        allow("GitHubToken", ["secretsmanager:GetSecretValue"], [secret]),
        _logs(ctx, f"/aws/lambda/{s.ingest_function}", associate_key=False),
        *([allow("LambdaNetwork", LAMBDA_NETWORK, ["*"])] if ctx.config.lambda_subnet_ids else []),
    )


def analyst(ctx: Context) -> Document:
    """Analysts query gold through the workgroup; Lake Formation vends the data credentials.

    No KMS statement: the key policy grants our roles the key through Athena and S3.
    """
    s = ctx.settings
    athena = ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
              "athena:StopQueryExecution", "athena:GetWorkGroup",
              "athena:ListNamedQueries", "athena:BatchGetNamedQuery", "athena:GetNamedQuery"]  # fmt: skip
    catalog = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions", "glue:BatchGetPartition"]
    results = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    return document(
        allow("Athena", athena, [ctx.arn("athena", f"workgroup/{ctx.workgroup}")]),
        allow("GoldCatalog", catalog, _gold_catalog(ctx, s.database)),
        allow("ResultsBucket", ["s3:ListBucket", "s3:GetBucketLocation"], _buckets(ctx, "athena")),
        allow("Results", results, [_objects(ctx, "athena", "results/")]),
        _lf_data_access(),
    )


def lakeformation(ctx: Context) -> Document:
    """The role Lake Formation assumes to vend credentials: only gold, the tables an opted-in principal reads."""
    return document(
        allow("ListGold", ["s3:ListBucket"], _buckets(ctx, "gold")),
        allow("ReadGold", ["s3:GetObject"], [_objects(ctx, t.bucket, t.prefix + "/") for t in GOLD_TABLES]),
    )
