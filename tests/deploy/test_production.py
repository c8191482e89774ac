"""Production envs: raw and gold replicated to a second region under its key, protections on."""

from __future__ import annotations

import json

import boto3
import pytest

from deploy.context import DeployConfig
from deploy.errors import DeployError
from lakehouse.settings import Settings
from tests.deploy.conftest import Deployer
from tests.deploy.policy_lint import findings
from tests.support.aws import ACCOUNT_ID, REGION

S = Settings.aws("dev", ACCOUNT_ID, REGION)
THERE = "eu-central-1"
PRODUCTION = DeployConfig.for_production(THERE)
REPLICA = {kind: f"dev-{kind}-replica{S.bucket_suffix}" for kind in ("raw", "gold")}


def _replica_key(session: boto3.Session) -> str:
    kms = session.client("kms", region_name=THERE)
    return str(kms.describe_key(KeyId="alias/lakehouse-dev-replica")["KeyMetadata"]["Arn"])


def test_raw_and_gold_replicate_kms_objects_to_versioned_buckets_under_the_replica_regions_key(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply", config=PRODUCTION)
    s3, there = session.client("s3"), session.client("s3", region_name=THERE)
    key = _replica_key(session)
    assert key.startswith(f"arn:aws:kms:{THERE}:")
    for kind, replica in REPLICA.items():
        config = s3.get_bucket_replication(Bucket=S.bucket(kind))["ReplicationConfiguration"]  # type: ignore[arg-type]
        assert config["Role"] == f"arn:aws:iam::{ACCOUNT_ID}:role/lakehouse-dev-replication"
        (rule,) = config["Rules"]
        assert rule["Status"] == "Enabled"
        assert rule["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
        assert rule["Destination"]["Bucket"] == f"arn:aws:s3:::{replica}"
        assert rule["Destination"]["EncryptionConfiguration"] == {"ReplicaKmsKeyID": key}
        assert there.get_bucket_location(Bucket=replica)["LocationConstraint"] == THERE
        assert there.get_bucket_versioning(Bucket=replica)["Status"] == "Enabled"
        sse = there.get_bucket_encryption(Bucket=replica)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert sse["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}
    assert "silver" not in {r.removeprefix("dev-").split("-")[0] for r in REPLICA.values()}


def test_replication_role_may_only_replicate_and_only_s3_may_assume_it(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply", config=PRODUCTION)
    iam = session.client("iam")
    role = iam.get_role(RoleName="lakehouse-dev-replication")["Role"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT_ID}
    policy = iam.get_role_policy(RoleName="lakehouse-dev-replication", PolicyName="lakehouse")["PolicyDocument"]
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["WriteReplicas"]["Resource"] == [f"arn:aws:s3:::{b}/*" for b in REPLICA.values()]
    assert not [a for s in statements.values() for a in s["Action"] if not a.startswith("s3:")]
    there = session.client("kms", region_name=THERE)
    replica_policy = json.loads(there.get_key_policy(KeyId=_replica_key(session), PolicyName="default")["Policy"])
    encrypts = next(s for s in replica_policy["Statement"] if s["Sid"] == "ReplicationEncryptsReplicas")
    assert encrypts["Principal"] == {"AWS": role["Arn"]}
    assert encrypts["Condition"] == {"StringEquals": {"kms:ViaService": f"s3.{THERE}.amazonaws.com"}}
    expected = ("RESOURCE_STAR", "PERMISSIONS_MANAGEMENT_ACTIONS")  # a key policy, see test_encryption
    assert [f for f in findings(replica_policy) if not f.startswith(expected)] == []
    assert findings(policy) == []
    kms = session.client("kms")
    arn = kms.describe_key(KeyId="alias/lakehouse-dev-data")["KeyMetadata"]["Arn"]
    key_policy = json.loads(kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"])
    users = next(s for s in key_policy["Statement"] if s["Sid"] == "KeyUsersThroughServices")
    assert role["Arn"] in users["Principal"]["AWS"]


def test_production_protects_the_state_table_keeps_old_versions_90_days_and_the_key_30(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply", config=PRODUCTION)
    table = session.client("dynamodb").describe_table(TableName=S.ingest_state_table)["Table"]
    assert table["DeletionProtectionEnabled"] is True
    (rule,) = session.client("s3").get_bucket_lifecycle_configuration(Bucket=S.bucket("gold"))["Rules"]
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90
    with pytest.raises(DeployError, match=f"table {S.ingest_state_table} is protected from deletion"):
        deploy("destroy", config=PRODUCTION)
    deploy("destroy", config=PRODUCTION, delete_data=True)
    kms = session.client("kms")
    (key,) = [k for k in kms.list_keys()["Keys"]]
    meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion"
    assert session.client("s3", region_name=THERE).list_buckets()["Buckets"] == []


def test_second_production_apply_makes_no_change_call(deploy: Deployer) -> None:
    deploy("apply", config=PRODUCTION)
    again = deploy("apply", config=PRODUCTION)
    assert again.change_calls == [] and {c.action for c in again.changes} == {"unchanged"}


def test_production_needs_a_replica_region_and_a_30_day_key_window() -> None:
    with pytest.raises(DeployError, match="a production env needs replica_region"):
        DeployConfig(production=True)
    with pytest.raises(DeployError, match="kms_deletion_window_days=30"):
        DeployConfig.for_production(THERE, kms_deletion_window_days=7)
