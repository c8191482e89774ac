"""Every policy document deploy writes passes parliament, as it reads back from the server, and so does
the deployer policy that `python -m deploy policy` prints.

Ignored on purpose (see _ignored): for trust policies, parliament lints identity policies and reports
"MALFORMED: Statement contains neither Resource nor NotResource" for a trust policy, which by
definition has a Principal and no Resource; parliament's two false positives on s3:TlsVersion
(tests/deploy/test_encryption.py says why); and, for the deployer policy only, that it manages IAM.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from deploy.cli import Options, context
from deploy.deployer_policy import deployer_policy
from tests.deploy.conftest import Deployer
from tests.deploy.policy_lint import findings
from tests.deploy.test_encryption import TLS_VERSION_FALSE_POSITIVES
from tests.support.aws import ACCOUNT_ID, REGION

TRUST_ONLY = "MALFORMED Statement contains neither Resource nor NotResource"
# A deployer manages roles, bucket policies and lifecycles by definition: that it could widen its own access
# through them is what these three say, and what the boundary condition on iam:CreateRole and the env-scoped
# resources limit. Accepted for the deployer policy only (deploy does not write it; its operator attaches it).
DEPLOYER_CAN = ("RESOURCE_POLICY_PRIVILEGE_ESCALATION", "PERMISSIONS_MANAGEMENT_ACTIONS", "PRIVILEGE_ESCALATION")


def _ignored(name: str, is_trust: bool, finding: str) -> bool:
    """The accepted findings: trust policies have no Resource; a deployer manages IAM; parliament's s3:TlsVersion."""
    trust = is_trust and finding.startswith(TRUST_ONLY)
    deployer = name.startswith("deployer") and finding.startswith(DEPLOYER_CAN)
    return trust or deployer or finding.startswith(TLS_VERSION_FALSE_POSITIVES)


def _written_documents(session: boto3.Session) -> dict[str, tuple[dict[str, Any], bool]]:
    """name → (document, is a trust policy), read back from the server."""
    iam, s3 = session.client("iam"), session.client("s3")
    found: dict[str, tuple[dict[str, Any], bool]] = {}
    for role in iam.list_roles()["Roles"]:
        name = role["RoleName"]
        found[f"{name} trust"] = (role["AssumeRolePolicyDocument"], True)
        found[name] = (iam.get_role_policy(RoleName=name, PolicyName="lakehouse")["PolicyDocument"], False)
    for bucket in s3.list_buckets()["Buckets"]:
        found[bucket["Name"]] = (json.loads(s3.get_bucket_policy(Bucket=bucket["Name"])["Policy"]), False)
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:lakehouse-dev-alerts"
    policy = session.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"]
    found["alerts topic"] = (json.loads(policy), False)
    boundary = f"arn:aws:iam::{ACCOUNT_ID}:policy/lakehouse-dev-boundary"
    version = iam.get_policy(PolicyArn=boundary)["Policy"]["DefaultVersionId"]
    found["boundary"] = (iam.get_policy_version(PolicyArn=boundary, VersionId=version)["PolicyVersion"]["Document"],
                         False)  # fmt: skip
    ctx = context(Options("policy", "dev"), session)
    found["deployer"] = (deployer_policy(ctx), False)
    found["deployer, plan only"] = (deployer_policy(ctx, plan_only=True), False)
    return found


def test_every_policy_document_deploy_writes_passes_parliament(deploy: Deployer, session: boto3.Session) -> None:
    deploy("apply")
    documents = _written_documents(session)
    buckets = session.client("s3").list_buckets()["Buckets"]
    assert len(documents) == 5 * 2 + len(buckets) + 4 and len(buckets) >= 6
    problems = {
        name: [f for f in findings(document) if not _ignored(name, is_trust, f)]
        for name, (document, is_trust) in documents.items()
    }
    found = {name: found for name, found in problems.items() if found}
    assert found == {}, "\n".join(f"{name}: {f}" for name, fs in found.items() for f in fs)


def test_parliament_does_report_a_bad_document() -> None:
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}
    assert any("UNKNOWN_ACTION" in f for f in findings(bad))
