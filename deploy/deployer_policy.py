"""The deployer's IAM policy, built from one table of what deploy calls, on which of the env's resources.

Each Grant names the API actions deploy's resources call (reads for `plan`, changes for `apply` and
`destroy`) and the ARNs they act on; `policy` prints the document built from it. The tests record every
call deploy makes against moto and check both ways that this table is exact: every call is allowed,
and every action of every statement is needed by a call. Not yet narrower than `*`: the EC2 actions of
a private network (EC2 scopes them by resource tags, which the check cannot see in the requests).
Action names and resource types:
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deploy import iam
from deploy.boundary import boundary_arn
from deploy.context import Context
from deploy.policies import Document, Statement, allow, document
from deploy.replication import REPLICATED, REPLICATION, replica_bucket
from lakehouse.settings import BUCKET_KINDS

Arns = Callable[[Context], list[str]]
Condition = Callable[[Context], dict[str, Any]]


@dataclass(frozen=True)
class Grant:
    """Actions on one family of the env's resources: reads (plan needs them) and changes."""

    sid: str
    resources: Arns
    read: tuple[str, ...] = ()
    change: tuple[str, ...] = ()
    condition: Condition | None = None
    needs: str = ""  # the DeployConfig switch without which deploy makes none of these calls


def _prefix(ctx: Context) -> str:
    return f"lakehouse-{ctx.settings.env}-"


def _buckets(ctx: Context) -> list[str]:
    audit = ctx.name("audit") + ctx.settings.bucket_suffix
    names = [ctx.settings.bucket(kind) for kind in BUCKET_KINDS] + [ctx.log_bucket, audit]
    if ctx.config.production:
        names += [replica_bucket(ctx, kind) for kind in REPLICATED]
    return sorted(ctx.bucket_arn(name) for name in names)


def _replica_key(ctx: Context) -> list[str]:
    there = ctx.config.replica_region
    return [f"arn:{ctx.partition}:kms:{there}:{ctx.account_id}:{r}" for r in (f"alias/{_prefix(ctx)}replica", "key/*")]


def _log_groups(ctx: Context) -> list[str]:
    """The log groups deploy owns: the Glue jobs' and crawlers' (and their streams), and the Lambda's."""
    prefix = _prefix(ctx)
    glue = [f"/aws-glue/{kind}{prefix}*" for kind in ("", "jobs-", "crawlers-")]
    return [*glue, f"/aws/lambda/{prefix}*"]


def _named(service: str, template: str, region: bool = True) -> Arns:
    return lambda ctx: [ctx.arn(service, template.format(p=_prefix(ctx), db=ctx.settings.database), region=region)]


def _passed_to(service: str) -> Condition:
    return lambda ctx: {"StringEquals": {"iam:PassedToService": f"{service}.amazonaws.com"}}


def _roles(*purposes: str) -> Arns:
    return lambda ctx: [ctx.role_arn(p) for p in purposes]


def _with_boundary(ctx: Context) -> dict[str, Any]:
    return {"ArnEquals": {"iam:PermissionsBoundary": boundary_arn(ctx)}}


def _env_tag(ctx: Context) -> dict[str, Any]:
    return {"StringEquals": {"aws:RequestTag/lakehouse:env": ctx.settings.env}}


GRANTS: tuple[Grant, ...] = (
    Grant("KmsCreateKey", lambda ctx: ["*"], change=("kms:CreateKey",), condition=_env_tag),
    Grant("KmsListAliases", lambda ctx: ["*"], read=("kms:ListAliases",)),
    Grant("KmsAlias", lambda ctx: [*_named("kms", "alias/{p}data")(ctx), *_named("kms", "key/*")(ctx)],
          change=("kms:CreateAlias", "kms:DeleteAlias")),  # an alias's calls need both the alias and its key
    Grant("KmsKeys", _named("kms", "key/*"),  # the key's id is known only once it exists
          read=("kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
          change=("kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:TagResource")),
    # the rest (uploads, DeleteAlias, ScheduleKeyDeletion) the key policy grants its administrators itself
    Grant("S3Buckets", _buckets,
          read=("s3:GetBucketLogging", "s3:GetBucketPolicy", "s3:GetBucketTagging", "s3:GetBucketVersioning",
                "s3:GetBucketPublicAccessBlock", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
                "s3:GetBucketObjectLockConfiguration", "s3:ListBucket", "s3:ListBucketVersions"),
          change=("s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucketLogging", "s3:PutBucketOwnershipControls",
                  "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging",
                  "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
                  "s3:PutLifecycleConfiguration")),
    Grant("S3Objects", lambda ctx: [f"{arn}/*" for arn in _buckets(ctx)],
          read=("s3:GetObject",), change=("s3:DeleteObjectVersion", "s3:PutObject")),  # versioned: only versions
    Grant("IamRoles", _named("iam", "role/{p}*", region=False),
          read=("iam:GetRole", "iam:GetRolePolicy", "iam:ListRoleTags"),
          change=("iam:DeleteRole", "iam:DeleteRolePolicy", "iam:PutRolePolicy", "iam:TagRole",
                  "iam:UpdateAssumeRolePolicy")),
    Grant("IamRolesUnderTheBoundary", _named("iam", "role/{p}*", region=False),
          change=("iam:CreateRole", "iam:PutRolePermissionsBoundary"), condition=_with_boundary),
    Grant("IamBoundary", lambda ctx: [boundary_arn(ctx)],
          read=("iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyTags", "iam:ListPolicyVersions"),
          change=("iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                  "iam:TagPolicy")),
    Grant("PassRolesToGlue", _roles(iam.GLUE_JOBS, iam.GLUE_CRAWLERS), change=("iam:PassRole",),
          condition=_passed_to("glue")),
    Grant("PassRoleToLambda", _roles(iam.INGEST), change=("iam:PassRole",), condition=_passed_to("lambda")),
    Grant("PassRoleToLakeFormation", _roles(iam.LAKEFORMATION), change=("iam:PassRole",),
          condition=_passed_to("lakeformation")),
    Grant("GlueCatalog", lambda ctx: [ctx.arn("glue", "catalog"), *_named("glue", "database/{db}*")(ctx),
                                      *_named("glue", "table/{db}*/*")(ctx),
                                      *_named("glue", "userDefinedFunction/{db}*/*")(ctx)],  # DeleteDatabase
          read=("glue:GetDatabase", "glue:GetTable"),
          change=("glue:CreateDatabase", "glue:CreateTable", "glue:DeleteDatabase", "glue:DeleteTable",
                  "glue:UpdateDatabase", "glue:UpdateTable")),
    Grant("GlueJobsAndCrawlers", lambda ctx: [ctx.arn("glue", f"{kind}/{_prefix(ctx)}*") for kind in
                                              ("crawler", "job", "trigger", "workflow")],
          read=("glue:GetCrawler", "glue:GetJob", "glue:GetTags", "glue:GetTrigger", "glue:GetWorkflow"),
          change=("glue:CreateJob", "glue:CreateTrigger", "glue:CreateWorkflow",
                  "glue:DeleteCrawler", "glue:DeleteJob", "glue:DeleteTrigger", "glue:DeleteWorkflow",
                  "glue:TagResource", "glue:UpdateCrawler", "glue:UpdateJob", "glue:UpdateTrigger",
                  "glue:UpdateWorkflow")),
    Grant("GlueCreateCrawler", lambda ctx: ["*"], change=("glue:CreateCrawler",), condition=_env_tag),
    Grant("StateTable", _named("dynamodb", "table/{p}*"),
          read=("dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable", "dynamodb:ListTagsOfResource"),
          change=("dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:TagResource",
                  "dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTable")),
    Grant("IngestFunction", _named("lambda", "function:{p}*"),
          read=("lambda:GetFunction", "lambda:GetPolicy"),
          change=("lambda:AddPermission", "lambda:CreateFunction", "lambda:DeleteFunction",
                  "lambda:PutFunctionConcurrency", "lambda:RemovePermission", "lambda:TagResource",
                  "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration")),
    Grant("EventRules", _named("events", "rule/{p}*"),
          read=("events:DescribeRule", "events:ListTagsForResource", "events:ListTargetsByRule"),
          change=("events:DeleteRule", "events:PutRule", "events:PutTargets", "events:RemoveTargets",
                  "events:TagResource")),
    Grant("AlertTopic", _named("sns", "{p}*"), read=("sns:GetTopicAttributes", "sns:ListTagsForResource"),
          change=("sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes", "sns:TagResource")),
    Grant("Alarms", _named("cloudwatch", "alarm:{p}*"),
          read=("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
          change=("cloudwatch:DeleteAlarms", "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource")),
    Grant("AthenaWorkGroup", _named("athena", "workgroup/{p}*"), read=("athena:GetWorkGroup",),
          change=("athena:CreateWorkGroup", "athena:DeleteWorkGroup", "athena:UpdateWorkGroup")),
    Grant("AthenaNamedQueries", _named("athena", "workgroup/{p}*"),  # the dashboard's questions, in our workgroup
          read=("athena:GetNamedQuery", "athena:ListNamedQueries"),
          change=("athena:CreateNamedQuery", "athena:DeleteNamedQuery", "athena:UpdateNamedQuery")),
    Grant("AthenaTags", lambda ctx: [ctx.arn("athena", f"{kind}/{_prefix(ctx)}*") for kind in
                                     ("capacity-reservation", "datacatalog", "workgroup")],  # all three, or no match
          read=("athena:ListTagsForResource",), change=("athena:TagResource",)),
    Grant("LogGroups", lambda ctx: [ctx.arn("logs", f"log-group:{g}") for g in _log_groups(ctx)],
          read=("logs:ListTagsForResource",),
          change=("logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:TagResource")),
    Grant("LogGroupsList", lambda ctx: ["*"], read=("logs:DescribeLogGroups",)),  # takes no resource-level permissions
    Grant("GlueSecurityConfiguration", lambda ctx: ["*"],  # security configurations take no resource-level permissions
          read=("glue:GetSecurityConfiguration",),
          change=("glue:CreateSecurityConfiguration", "glue:DeleteSecurityConfiguration")),
    Grant("AuditTrail", _named("cloudtrail", "trail/{p}*"),
          read=("cloudtrail:GetEventSelectors", "cloudtrail:GetTrail", "cloudtrail:GetTrailStatus",
                "cloudtrail:ListTags"),
          change=("cloudtrail:AddTags", "cloudtrail:CreateTrail", "cloudtrail:DeleteTrail",
                  "cloudtrail:PutEventSelectors", "cloudtrail:StartLogging", "cloudtrail:UpdateTrail")),
    Grant("Replication", lambda ctx: [ctx.bucket_arn(ctx.settings.bucket(k)) for k in REPLICATED],  # type: ignore[arg-type]
          read=("s3:GetReplicationConfiguration",), change=("s3:PutReplicationConfiguration",),
          needs="production"),
    Grant("PassRoleToS3", _roles(REPLICATION), change=("iam:PassRole",), condition=_passed_to("s3"),
          needs="production"),
    Grant("ReplicaKey", _replica_key,  # until its policy is put, the replica key's default policy lets IAM decide
          read=("kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"),
          change=("kms:CreateAlias", "kms:DeleteAlias", "kms:EnableKeyRotation", "kms:PutKeyPolicy",
                  "kms:ScheduleKeyDeletion"),
          needs="production"),
    Grant("NetworkConnection", lambda ctx: [ctx.arn("glue", "catalog"), ctx.arn("glue", f"connection/{_prefix(ctx)}*")],
          read=("glue:GetConnection", "glue:GetTags"),
          change=("glue:CreateConnection", "glue:DeleteConnection", "glue:TagResource", "glue:UpdateConnection"),
          needs="private_network"),
    Grant("Network", lambda ctx: ["*"],  # not scoped to our VPC's resources yet: see the module's docstring
          read=("ec2:DescribeManagedPrefixLists", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets", "ec2:DescribeVpcAttribute", "ec2:DescribeVpcEndpoints", "ec2:DescribeVpcs"),
          change=("ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateSecurityGroup",
                  "ec2:CreateSubnet", "ec2:CreateTags", "ec2:CreateVpc", "ec2:CreateVpcEndpoint",
                  "ec2:DeleteSecurityGroup", "ec2:DeleteSubnet", "ec2:DeleteVpc", "ec2:DeleteVpcEndpoints",
                  "ec2:ModifyVpcAttribute", "ec2:ModifyVpcEndpoint", "ec2:RevokeSecurityGroupEgress",
                  "ec2:RevokeSecurityGroupIngress"),
          needs="private_network"),
    Grant("LakeFormation", lambda ctx: ["*"],  # Lake Formation's actions take no resource-level permissions
          read=("lakeformation:DescribeResource", "lakeformation:ListLakeFormationOptIns",
                "lakeformation:ListPermissions"),
          change=("lakeformation:CreateLakeFormationOptIn", "lakeformation:DeleteLakeFormationOptIn",
                  "lakeformation:DeregisterResource", "lakeformation:GrantPermissions",
                  "lakeformation:RegisterResource", "lakeformation:RevokePermissions",
                  "lakeformation:UpdateResource")),
)  # fmt: skip


def statement(ctx: Context, grant: Grant, plan_only: bool = False) -> Statement | None:
    actions = list(grant.read) if plan_only else [*grant.read, *grant.change]
    if not actions:
        return None
    condition = grant.condition(ctx) if grant.condition else {}
    return allow(grant.sid, sorted(set(actions)), grant.resources(ctx), **condition)


def deployer_policy(ctx: Context, plan_only: bool = False) -> Document:
    """What the identity that runs deploy needs: `plan_only` for one that only runs `plan`."""
    grants = [g for g in GRANTS if not g.needs or getattr(ctx.config, g.needs)]
    found = [s for grant in grants if (s := statement(ctx, grant, plan_only)) is not None]
    deny = {"Sid": "KeepTheBoundary", "Effect": "Deny", "Action": "iam:DeleteRolePermissionsBoundary",
            "Resource": ctx.arn("iam", f"role/{_prefix(ctx)}*", region=False)}  # fmt: skip
    return document(*found, deny)
