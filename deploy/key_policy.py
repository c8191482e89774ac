"""The project key's policy: administrators apart from users, use only through the services that need it.

Statements follow AWS's key policy guides:
- administrators and the account root: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
  (the root only for recovery: it may read and replace the policy and cancel a deletion, never use the key);
- kms:ViaService: https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service;
- CloudWatch Logs: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html;
- CloudTrail: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html;
- SNS topics that EventBridge and CloudWatch publish to:
  https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services.
"""

from __future__ import annotations

from typing import Any

from deploy import iam
from deploy.context import Context

Statement = dict[str, Any]
USE = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"]
ADMINISTER = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RevokeGrant",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
]
RECOVER = ["kms:CancelKeyDeletion", "kms:DescribeKey", "kms:EnableKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy"]
USER_ROLES = (iam.GLUE_JOBS, iam.GLUE_CRAWLERS, iam.INGEST, iam.ANALYST, iam.LAKEFORMATION)
VIA = ("s3", "glue", "dynamodb", "athena")


def principal_arn(caller_arn: str) -> str:
    """The IAM principal behind a caller ARN: an assumed-role session becomes its role.

    An `arn:aws:sts::<account>:user/<name>` (what moto answers for its user) becomes the IAM user.
    """
    parts = caller_arn.split(":", 5)
    if len(parts) == 6 and parts[2] == "sts" and parts[5].startswith(("assumed-role/", "user/")):
        kind, name = parts[5].split("/")[:2]
        return f"{parts[0]}:{parts[1]}:iam::{parts[4]}:{'role' if kind == 'assumed-role' else 'user'}/{name}"
    return caller_arn


def administrators(ctx: Context) -> list[str]:
    """Who administers the key (and may reach the data from outside the network): settings', else the deployer."""
    if ctx.config.key_administrators:
        return list(ctx.config.key_administrators)
    return [principal_arn(ctx.clients("sts").get_caller_identity()["Arn"])]


def _statement(sid: str, principal: dict[str, Any], actions: list[str], **condition: Any) -> Statement:
    found: Statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal,
        "Action": sorted(actions),
        "Resource": "*",
    }
    if condition:
        found["Condition"] = condition
    return found


def _log_groups(ctx: Context) -> list[str]:
    """Our log groups, and those Glue names after our security configuration."""
    return [
        ctx.arn("logs", f"log-group:{ctx.glue_log_group}*"),
        ctx.arn("logs", f"log-group:{ctx.lambda_log_group}"),
        ctx.arn("logs", f"log-group:/aws-glue/*{ctx.security_configuration}*"),
    ]


def key_policy(ctx: Context, administrators: list[str], users: list[str]) -> dict[str, Any]:
    """`Resource: *` in a key policy means this key (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html)."""
    region, account = ctx.region, ctx.account_id
    via = [f"{service}.{region}.amazonaws.com" for service in VIA]
    trail = ctx.arn("cloudtrail", f"trail/{ctx.name('trail')}")
    trails = f"arn:{ctx.partition}:cloudtrail:*:{account}:trail/*"
    statements = [
        _statement("RootRecoveryOnly", {"AWS": ctx.arn("iam", "root", region=False)}, RECOVER),
        _statement("KeyAdministrators", {"AWS": sorted(administrators)}, ADMINISTER),
        _statement("KeyUsersThroughServices", {"AWS": sorted(users)}, USE, StringEquals={"kms:ViaService": via}),
        _statement(
            "DeployerUploadsReleases",
            {"AWS": sorted(administrators)},
            ["kms:Decrypt", "kms:GenerateDataKey"],
            StringEquals={
                "kms:ViaService": f"s3.{region}.amazonaws.com",
                "kms:EncryptionContext:aws:s3:arn": ctx.bucket_arn(ctx.settings.bucket("artifacts")),
            },
        ),
        _statement(
            "AdministratorsReadTheTrail",
            {"AWS": sorted(administrators)},
            ["kms:Decrypt"],
            StringLike={"kms:EncryptionContext:aws:cloudtrail:arn": trails},
        ),
        _statement(
            "CloudWatchLogsForOurGroups",
            {"Service": f"logs.{region}.amazonaws.com"},
            ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
            StringLike={"kms:EncryptionContext:aws:logs:arn": _log_groups(ctx)},  # a string key: StringLike
        ),
        _statement(
            "CloudTrailEncryptsItsLogs",
            {"Service": "cloudtrail.amazonaws.com"},
            ["kms:GenerateDataKey"],
            StringEquals={"aws:SourceArn": trail},
            StringLike={"kms:EncryptionContext:aws:cloudtrail:arn": trails},
        ),
        _statement(
            "CloudTrailDescribesTheKey",
            {"Service": "cloudtrail.amazonaws.com"},
            ["kms:DescribeKey"],
            StringEquals={"aws:SourceArn": trail},
        ),
        _statement(
            "GlueJobBookmarksClientSide", {"AWS": ctx.role_arn(iam.GLUE_JOBS)}, ["kms:Decrypt", "kms:GenerateDataKey"]
        ),  # CSE-KMS: the job itself calls KMS
        _statement(
            "AlertSourcesPublishToTheTopic",
            {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]},
            ["kms:Decrypt", "kms:GenerateDataKey"],
        ),
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def key_users(ctx: Context, extra: tuple[str, ...] = ()) -> list[str]:
    """Our roles that read or write data encrypted with the key, through a service."""
    return [ctx.role_arn(role) for role in USER_ROLES] + list(extra)
