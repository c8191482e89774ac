"""Buckets: versioning, SSE-KMS, lifecycle, public access block, TLS-only policy, access logs."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from deploy import tags as t
from deploy.bucket_policies import perimeter, project_key_only, tls_only_policy
from deploy.context import DATA_BUCKETS, Context
from deploy.errors import DeployError, is_not_found
from deploy.policies import source_conditions
from deploy.resource import Resource, State
from lakehouse.settings import BUCKET_KINDS

BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def lifecycle_rule(ctx: Context, expire_days: int) -> State:
    """Tier at once, expire at retention, drop noncurrent versions (gold is rewritten daily)."""
    cfg = ctx.config
    return {
        "ID": "lakehouse-retention",
        "Filter": {"Prefix": ""},
        "Status": "Enabled",
        "Transitions": [{"Days": cfg.tiering_after_days, "StorageClass": "INTELLIGENT_TIERING"}],
        "Expiration": {"Days": expire_days},
        "NoncurrentVersionExpiration": {"NoncurrentDays": cfg.noncurrent_version_days},  # undo a bad rewrite
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }


class Bucket(Resource):
    kind = "s3-bucket"

    def __init__(self, ctx: Context, name: str, expire_days: int, is_data: bool, region: str | None = None) -> None:
        super().__init__(ctx, name)
        self.region = region or ctx.region
        self.s3 = ctx.clients("s3", region)
        self.expire_days = expire_days
        self.is_data = is_data

    def encryption(self) -> State:
        return {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": self.ctx.key_arn, "BucketKeyEnabled": True}

    def policy(self) -> State:
        extra = project_key_only(self.ctx, self.name, self.ctx.key_arn)
        if self.is_data and self.ctx.config.private_network:
            extra.append(perimeter(self.ctx, self.name))
        return tls_only_policy(self.ctx, self.name, extra)

    def logging(self) -> State | None:
        return {"TargetBucket": self.ctx.log_bucket, "TargetPrefix": f"s3/{self.name}/"}

    def desired(self) -> State:
        return {
            "Tags": self.ctx.tags,
            "Versioning": "Enabled",
            "Encryption": self.encryption(),
            "PublicAccessBlock": BLOCK_ALL,
            "Policy": self.policy(),
            "Lifecycle": [lifecycle_rule(self.ctx, self.expire_days)],
            "Logging": self.logging(),
        }

    def _get(self, call: str, missing: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.s3, call)(Bucket=self.name, **kwargs)
        except ClientError as e:
            if is_not_found(e, missing):
                return None
            raise

    def read(self) -> State | None:
        try:
            self.s3.head_bucket(Bucket=self.name)
        except ClientError as e:
            if is_not_found(e, "NoSuchBucket", "404"):
                return None
            raise
        tagging = self._get("get_bucket_tagging", "NoSuchTagSet") or {"TagSet": []}
        enc = self._get("get_bucket_encryption", "ServerSideEncryptionConfigurationNotFoundError")
        block = self._get("get_public_access_block", "NoSuchPublicAccessBlockConfiguration")
        policy = self._get("get_bucket_policy", "NoSuchBucketPolicy")
        rules = self._get("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration")
        return {
            "Tags": t.from_list(tagging["TagSet"]),
            "Versioning": self.s3.get_bucket_versioning(Bucket=self.name).get("Status"),
            "Encryption": _encryption(enc),
            "PublicAccessBlock": block and block["PublicAccessBlockConfiguration"],
            "Policy": policy and json.loads(policy["Policy"]),
            "Lifecycle": rules and [_rule(r) for r in rules["Rules"]],
            "Logging": self.s3.get_bucket_logging(Bucket=self.name).get("LoggingEnabled"),
        }

    def create(self, desired: State) -> None:
        region = self.region
        kwargs: dict[str, Any] = self.create_options()
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        self.s3.create_bucket(Bucket=self.name, ObjectOwnership="BucketOwnerEnforced", **kwargs)
        self.update(desired, {}, tuple(desired))

    def create_options(self) -> dict[str, Any]:
        return {}

    def delete_options(self) -> dict[str, Any]:
        return {}

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        name = self.name
        puts = {
            "Tags": lambda v: self.s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": t.to_list(v)}),
            "Versioning": lambda v: self.s3.put_bucket_versioning(
                Bucket=name, VersioningConfiguration={"Status": v}
            ),
            "Encryption": lambda v: self.s3.put_bucket_encryption(
                Bucket=name, ServerSideEncryptionConfiguration=_encryption_config(v)
            ),
            "PublicAccessBlock": lambda v: self.s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=v
            ),
            "Policy": lambda v: self.s3.put_bucket_policy(Bucket=name, Policy=json.dumps(v)),
            "Lifecycle": lambda v: self.s3.put_bucket_lifecycle_configuration(
                Bucket=name, LifecycleConfiguration={"Rules": v}
            ),
            "Logging": lambda v: self.s3.put_bucket_logging(
                Bucket=name, BucketLoggingStatus={"LoggingEnabled": v} if v else {}
            ),
        }
        for field in fields:
            puts[field](desired[field])

    def _object_count(self) -> int:
        page = self.s3.list_object_versions(Bucket=self.name, MaxKeys=1000)
        return len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))

    def check_destroy(self, current: State, delete_data: bool) -> None:
        if self.is_data and not delete_data and self._object_count():
            raise DeployError(
                f"bucket {self.name} holds data: destroy deletes nothing until you pass --delete-data"
            )

    def delete(self, current: State) -> None:
        options = self.delete_options()
        for page in self.s3.get_paginator("list_object_versions").paginate(Bucket=self.name):
            items = page.get("Versions", []) + page.get("DeleteMarkers", [])
            keys = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in items]
            if keys:
                self.s3.delete_objects(Bucket=self.name, Delete={"Objects": keys, "Quiet": True}, **options)
        self.s3.delete_bucket(Bucket=self.name)


class LogBucket(Bucket):
    """Receives the other buckets' server access logs; S3's log delivery writes with SSE-S3."""

    def encryption(self) -> State:
        return {"SSEAlgorithm": "AES256", "BucketKeyEnabled": False}

    def policy(self) -> State:
        allow = {
            "Sid": "AllowS3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{self.ctx.bucket_arn(self.name)}/s3/*",
            "Condition": source_conditions(self.ctx, [self.ctx.bucket_arn(b) for b in self.sources]),
        }
        return tls_only_policy(self.ctx, self.name, [allow])

    def logging(self) -> State | None:
        return None

    @property
    def sources(self) -> list[str]:
        """The buckets that log here (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
        enable-server-access-logging.html#grant-log-delivery-permissions-general)."""
        return [self.ctx.settings.bucket(kind) for kind in BUCKET_KINDS] + [self.ctx.audit_bucket]


def _encryption(response: State | None) -> State | None:
    if not response:
        return None
    rule = response["ServerSideEncryptionConfiguration"]["Rules"][0]
    found = dict(rule["ApplyServerSideEncryptionByDefault"])
    found["BucketKeyEnabled"] = bool(rule.get("BucketKeyEnabled", False))
    return found


def _encryption_config(value: State) -> State:
    default = {k: v for k, v in value.items() if k != "BucketKeyEnabled"}
    rule = {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": value["BucketKeyEnabled"]}
    return {"Rules": [rule]}


def _rule(rule: State) -> State:
    """A lifecycle rule as we write it (S3 may add or drop empty members on the way back)."""
    keys = ("ID", "Filter", "Status", "Transitions", "Expiration")
    found = {k: rule[k] for k in keys if k in rule}
    found["NoncurrentVersionExpiration"] = rule.get("NoncurrentVersionExpiration")
    found["AbortIncompleteMultipartUpload"] = rule.get("AbortIncompleteMultipartUpload")
    return found


def buckets(ctx: Context) -> list[Bucket]:
    """The log bucket first (the others log to it), then the five buckets of the settings."""
    retention = ctx.settings.retention_days
    found: list[Bucket] = [LogBucket(ctx, ctx.log_bucket, retention, is_data=False)]
    for kind in BUCKET_KINDS:
        days = ctx.config.athena_results_days if kind == "athena" else retention
        found.append(Bucket(ctx, ctx.settings.bucket(kind), days, is_data=kind in DATA_BUCKETS))
    return found
