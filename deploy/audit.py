"""The audit trail: a multi-region CloudTrail trail with log file validation, SSE-KMS, management events
and S3 data events on raw, silver and gold, delivered to its own versioned, locked bucket.

None of it when settings name an organisation trail that already covers the account.
Bucket policy: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html;
selectors: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedEventSelector.html.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deploy import tags as t
from deploy.bucket_policies import tls_only_policy
from deploy.context import DATA_BUCKETS, Context
from deploy.errors import is_not_found
from deploy.resource import Resource, State
from deploy.s3 import Bucket


def trail_arn(ctx: Context) -> str:
    return ctx.arn("cloudtrail", f"trail/{ctx.name('trail')}")


class AuditBucket(Bucket):
    """Object Lock in GOVERNANCE mode for the retention: destroy --delete-data may still bypass it."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.audit_bucket, ctx.config.audit_retention_days, is_data=True)

    def policy(self) -> State:
        bucket, source = self.ctx.bucket_arn(self.name), {"aws:SourceArn": trail_arn(self.ctx)}
        service = {"Service": "cloudtrail.amazonaws.com"}
        grants = [
            {"Sid": "CloudTrailAclCheck", "Effect": "Allow", "Principal": service, "Action": "s3:GetBucketAcl",
             "Resource": bucket, "Condition": {"StringEquals": source}},
            {"Sid": "CloudTrailWrite", "Effect": "Allow", "Principal": service, "Action": "s3:PutObject",
             "Resource": f"{bucket}/AWSLogs/{self.ctx.account_id}/*",
             "Condition": {"StringEquals": {**source, "s3:x-amz-acl": "bucket-owner-full-control"}}},
        ]  # fmt: skip
        return tls_only_policy(self.ctx, self.name, grants)

    def object_lock(self) -> State:
        retention = {"Mode": "GOVERNANCE", "Days": self.ctx.config.audit_retention_days}
        return {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": retention}}

    def desired(self) -> State:
        return {**super().desired(), "ObjectLock": self.object_lock()}

    def read(self) -> State | None:
        current = super().read()
        if current is None:
            return None
        lock = self._get("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError")
        return {**current, "ObjectLock": lock and _lock(lock["ObjectLockConfiguration"])}

    def create_options(self) -> dict[str, Any]:
        return {"ObjectLockEnabledForBucket": True}

    def delete_options(self) -> dict[str, Any]:
        return {"BypassGovernanceRetention": True}

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        super().update(desired, current, tuple(f for f in fields if f != "ObjectLock"))
        if "ObjectLock" in fields:
            self.s3.put_object_lock_configuration(Bucket=self.name, ObjectLockConfiguration=desired["ObjectLock"])


def _lock(found: State) -> State:
    """Days and Years are exclusive; drop the one that is absent or 0 (moto sends both)."""
    retention = found.get("Rule", {}).get("DefaultRetention")
    if retention:
        kept = {k: v for k, v in retention.items() if k == "Mode" or v}
        return {**found, "Rule": {"DefaultRetention": kept}}
    return found


def event_selectors(ctx: Context) -> list[dict[str, Any]]:
    """All management events, and object-level events on the three data buckets."""
    prefixes = [ctx.bucket_arn(ctx.settings.bucket(kind)) + "/" for kind in DATA_BUCKETS]
    return [
        {"Name": "management events", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]},
        {
            "Name": "data events on raw, silver and gold",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                {"Field": "resources.ARN", "StartsWith": prefixes},
            ],
        },
    ]


class Trail(Resource):
    kind = "cloudtrail-trail"
    SETTINGS = ("S3BucketName", "IsMultiRegionTrail", "IncludeGlobalServiceEvents", "LogFileValidationEnabled",
                "KmsKeyId")  # fmt: skip

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.name("trail"))
        self.cloudtrail = ctx.clients("cloudtrail")
        self.arn = trail_arn(ctx)

    def desired(self) -> State:
        return {
            "S3BucketName": self.ctx.audit_bucket,
            "IsMultiRegionTrail": True,
            "IncludeGlobalServiceEvents": True,
            "LogFileValidationEnabled": True,
            "KmsKeyId": self.ctx.key_arn,
            "IsLogging": True,
            "AdvancedEventSelectors": event_selectors(self.ctx),
            "Tags": self.ctx.tags,
        }

    def read(self) -> State | None:
        try:
            found = self.cloudtrail.get_trail(Name=self.name)["Trail"]
        except ClientError as e:
            if is_not_found(e, "TrailNotFoundException"):
                return None
            raise
        state = {k: found.get(k) for k in self.SETTINGS}
        state["IsLogging"] = self.cloudtrail.get_trail_status(Name=self.name)["IsLogging"]
        state["AdvancedEventSelectors"] = self.cloudtrail.get_event_selectors(TrailName=self.name).get(
            "AdvancedEventSelectors", []
        )
        tags = self.cloudtrail.list_tags(ResourceIdList=[self.arn])["ResourceTagList"]
        return {**state, "Tags": t.from_list(tags[0].get("TagsList", []) if tags else [])}

    def _settings(self, desired: State) -> dict[str, Any]:
        found = {k: desired[k] for k in self.SETTINGS if k != "LogFileValidationEnabled"}
        return {**found, "EnableLogFileValidation": desired["LogFileValidationEnabled"]}

    def create(self, desired: State) -> None:
        self.cloudtrail.create_trail(Name=self.name, TagsList=t.to_list(desired["Tags"]), **self._settings(desired))
        self.update(desired, {}, ("AdvancedEventSelectors", "IsLogging"))

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if set(fields) & set(self.SETTINGS):
            self.cloudtrail.update_trail(Name=self.name, **self._settings(desired))
        if "AdvancedEventSelectors" in fields:
            self.cloudtrail.put_event_selectors(
                TrailName=self.name, AdvancedEventSelectors=desired["AdvancedEventSelectors"]
            )
        if "IsLogging" in fields:
            self.cloudtrail.start_logging(Name=self.name)
        if "Tags" in fields:
            self.cloudtrail.add_tags(ResourceId=self.arn, TagsList=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        self.cloudtrail.delete_trail(Name=self.name)


def audit(ctx: Context) -> list[Resource]:
    """The trail after the bucket it writes to and the key policy that lets it encrypt."""
    if ctx.config.organisation_trail:
        return []
    return [AuditBucket(ctx), Trail(ctx)]
