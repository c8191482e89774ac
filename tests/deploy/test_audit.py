"""The audit trail and its bucket, read back from the server; none of it beside an organisation trail."""

from __future__ import annotations

import json

import boto3
import pytest

from deploy.context import DeployConfig
from deploy.errors import DeployError
from lakehouse.settings import Settings
from tests.deploy.conftest import Deployer
from tests.support.aws import ACCOUNT_ID, REGION

S = Settings.aws("dev", ACCOUNT_ID, REGION)
AUDIT = f"lakehouse-dev-audit{S.bucket_suffix}"
TRAIL_ARN = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT_ID}:trail/lakehouse-dev-trail"


def test_trail_is_multi_region_validated_encrypted_with_data_events_on_the_lake(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    cloudtrail = session.client("cloudtrail")
    trail = cloudtrail.get_trail(Name="lakehouse-dev-trail")["Trail"]
    key = session.client("kms").describe_key(KeyId="alias/lakehouse-dev-data")["KeyMetadata"]["Arn"]
    assert (trail["S3BucketName"], trail["KmsKeyId"]) == (AUDIT, key)
    assert trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"] and trail["IncludeGlobalServiceEvents"]
    assert cloudtrail.get_trail_status(Name="lakehouse-dev-trail")["IsLogging"] is True
    management, data = cloudtrail.get_event_selectors(TrailName="lakehouse-dev-trail")["AdvancedEventSelectors"]
    assert management["FieldSelectors"] == [{"Field": "eventCategory", "Equals": ["Management"]}]
    lake = [f"arn:aws:s3:::{S.bucket(k)}/" for k in ("raw", "silver", "gold")]
    assert {"Field": "resources.ARN", "StartsWith": lake} in data["FieldSelectors"]


def test_audit_bucket_is_locked_versioned_private_kept_730_days_and_grants_only_our_trail(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    s3 = session.client("s3")
    lock = s3.get_object_lock_configuration(Bucket=AUDIT)["ObjectLockConfiguration"]
    retention = lock["Rule"]["DefaultRetention"]
    assert (lock["ObjectLockEnabled"], retention["Mode"], retention["Days"]) == ("Enabled", "GOVERNANCE", 730)
    assert s3.get_bucket_versioning(Bucket=AUDIT)["Status"] == "Enabled"
    assert set(s3.get_public_access_block(Bucket=AUDIT)["PublicAccessBlockConfiguration"].values()) == {True}
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=AUDIT)["Rules"]
    assert rule["Expiration"] == {"Days": 730}
    policy = {s["Sid"]: s for s in json.loads(s3.get_bucket_policy(Bucket=AUDIT)["Policy"])["Statement"]}
    write = policy["CloudTrailWrite"]
    assert write["Resource"] == f"arn:aws:s3:::{AUDIT}/AWSLogs/{ACCOUNT_ID}/*"
    assert write["Condition"]["StringEquals"]["aws:SourceArn"] == TRAIL_ARN
    assert policy["DenyInsecureTransport"]["Effect"] == "Deny"


def test_a_locked_log_file_survives_destroy_until_delete_data_bypasses_governance(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    s3 = session.client("s3")
    s3.put_object(Bucket=AUDIT, Key=f"AWSLogs/{ACCOUNT_ID}/CloudTrail/x.json.gz", Body=b"{}")
    with pytest.raises(DeployError, match=f"bucket {AUDIT} holds data"):
        deploy("destroy")
    deploy("destroy", delete_data=True)
    assert AUDIT not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert session.client("cloudtrail").describe_trails()["trailList"] == []


def test_an_organisation_trail_in_settings_means_no_trail_and_no_audit_bucket(
    deploy: Deployer, session: boto3.Session
) -> None:
    org = "arn:aws:cloudtrail:us-east-1:999999999999:trail/org-trail"
    plan = deploy("plan", config=DeployConfig(organisation_trail=org))
    assert not [c for c in plan.changes if c.kind == "cloudtrail-trail" or c.name == AUDIT]
