"""Encryption everywhere: the key's explicit policy, and bucket policies that require the key."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from lakehouse.settings import Settings
from tests.deploy.conftest import Deployer
from tests.deploy.policy_lint import findings
from tests.support.aws import ACCOUNT_ID, REGION

S = Settings.aws("dev", ACCOUNT_ID, REGION)
RAW = S.bucket("raw")
KEY = "github/events/ingest_dt=2024-01-01/x.json.gz"


def _key(session: boto3.Session) -> tuple[str, dict[str, Any]]:
    kms = session.client("kms")
    arn = kms.describe_key(KeyId="alias/lakehouse-dev-data")["KeyMetadata"]["Arn"]
    policy = json.loads(kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"])
    return arn, {s["Sid"]: s for s in policy["Statement"]}


def test_key_policy_keeps_administrators_apart_from_users_who_go_through_services(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    _, statements = _key(session)
    root = f"arn:aws:iam::{ACCOUNT_ID}:root"
    caller = f"arn:aws:iam::{ACCOUNT_ID}:user/moto"  # the identity that ran deploy
    assert statements["RootRecoveryOnly"]["Principal"] == {"AWS": root}
    assert not {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"} & set(statements["RootRecoveryOnly"]["Action"])
    admins = statements["KeyAdministrators"]
    assert admins["Principal"] == {"AWS": [caller]} and "kms:Decrypt" not in admins["Action"]
    users = statements["KeyUsersThroughServices"]
    assert f"arn:aws:iam::{ACCOUNT_ID}:role/lakehouse-dev-glue-jobs" in users["Principal"]["AWS"]
    assert caller not in users["Principal"]["AWS"] and "kms:PutKeyPolicy" not in users["Action"]
    assert users["Condition"]["StringEquals"]["kms:ViaService"] == [
        f"{service}.{REGION}.amazonaws.com" for service in ("s3", "glue", "dynamodb", "athena")
    ]
    logs = statements["CloudWatchLogsForOurGroups"]
    assert logs["Principal"] == {"Service": f"logs.{REGION}.amazonaws.com"}
    patterns = logs["Condition"]["StringLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:/aws/lambda/lakehouse-dev-ingest" in patterns


def test_key_policy_passes_parliament(deploy: Deployer, session: boto3.Session) -> None:
    """Parliament reads it as an identity policy: in a key policy `Resource: *` is this key alone, and
    managing the key (PutKeyPolicy, grants) is what its administrators are for."""
    deploy("apply")
    arn = _key(session)[0]
    policy = json.loads(session.client("kms").get_key_policy(KeyId=arn, PolicyName="default")["Policy"])
    expected = ("RESOURCE_STAR", "PERMISSIONS_MANAGEMENT_ACTIONS")
    assert [f for f in findings(policy) if not f.startswith(expected)] == []


def test_a_key_policy_changed_by_hand_shows_as_an_update_and_apply_puts_it_back(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    arn, statements = _key(session)
    loose = {"Version": "2012-10-17", "Statement": [statements["RootRecoveryOnly"] | {"Action": "kms:*"}]}
    session.client("kms").put_key_policy(KeyId=arn, PolicyName="default", Policy=json.dumps(loose))
    plan = deploy("plan")
    assert [(c.kind, c.action, c.fields) for c in plan.changes if c.action != "unchanged"] == [
        ("kms-key-policy", "update", ("Policy",))
    ]
    applied = deploy("apply")
    assert applied.change_calls == ["kms:PutKeyPolicy"]
    assert _key(session)[1] == statements


@pytest.mark.parametrize(
    "encryption",
    [
        {"ServerSideEncryption": "AES256"},
        {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/another"},
        {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": "k" * 32},
    ],
    ids=["sse-s3", "another-kms-key", "sse-c"],
)
def test_data_buckets_deny_a_put_with_other_encryption(
    deploy: Deployer, session: boto3.Session, encryption: dict[str, Any]
) -> None:
    deploy("apply")
    with pytest.raises(ClientError, match=r"AccessDenied|403"):
        session.client("s3").put_object(Bucket=RAW, Key=KEY, Body=b"{}", **encryption)


def test_data_buckets_take_a_put_under_the_project_key_or_the_bucket_default(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    s3, arn = session.client("s3"), _key(session)[0]
    s3.put_object(Bucket=RAW, Key=KEY, Body=b"{}", ServerSideEncryption="aws:kms", SSEKMSKeyId=arn)
    s3.put_object(Bucket=RAW, Key=KEY + ".2", Body=b"{}")
    assert s3.head_object(Bucket=RAW, Key=KEY + ".2")["SSEKMSKeyId"] == arn
    policy = {s["Sid"]: s for s in json.loads(s3.get_bucket_policy(Bucket=RAW)["Policy"])["Statement"]}
    assert policy["DenyTlsBelow12"]["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}


# parliament's Number type accepts integers only, while AWS's own example compares s3:TlsVersion with
# 1.2 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html#example-object-tls-version);
# and `s3:*` spans two actions its table lists without s3:TlsVersion, where the deny simply does not apply.
TLS_VERSION_FALSE_POSITIVES = (
    "MISMATCHED_TYPE Type mismatch: s3:TlsVersion requires a value of type Numeric but given ['1.2']",
    "UNKNOWN_CONDITION_FOR_ACTION Unknown condition s3:TlsVersion for action",
)


def test_bucket_policies_pass_parliament_but_for_its_tls_version_false_positives(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    s3 = session.client("s3")
    problems = {}
    for bucket in s3.list_buckets()["Buckets"]:
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket["Name"])["Policy"])
        found = [f for f in findings(policy) if not f.startswith(TLS_VERSION_FALSE_POSITIVES)]
        if found:
            problems[bucket["Name"]] = found
    assert len(s3.list_buckets()["Buckets"]) == 7 and problems == {}
