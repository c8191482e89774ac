"""Disaster recovery for production envs: raw and gold replicated to a second region under its own key.

Raw is the one layer that cannot be derived again; gold is what readers read (silver is rebuilt from
raw, docs/deploy.md's runbook). Replication of SSE-KMS objects:
https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deploy import policies
from deploy import tags as t
from deploy.bucket_policies import project_key_only, tls_only_policy
from deploy.context import Context
from deploy.errors import DeployError, is_not_found
from deploy.iam import Role
from deploy.key_policy import ADMINISTER, RECOVER, administrators
from deploy.kms import KeyPolicy, KmsKey
from deploy.resource import Resource, State
from deploy.s3 import Bucket

REPLICATED = ("raw", "gold")
REPLICATION = "replication"


def replica_bucket(ctx: Context, kind: str) -> str:
    return f"{ctx.settings.env}-{kind}-replica{ctx.settings.bucket_suffix}"


def replica_region(ctx: Context) -> str:
    region = ctx.config.replica_region
    if not region or region == ctx.region:
        raise DeployError(f"replica_region {region!r}: name a region other than {ctx.region} for the replicas")
    return region


def _objects(arn: str) -> str:
    return f"{arn}/*"


def replication_policy(ctx: Context) -> policies.Document:
    """Read versions from the sources and write replicas; the keys' policies grant their use through S3."""
    sources = [ctx.bucket_arn(ctx.settings.bucket(kind)) for kind in REPLICATED]  # type: ignore[arg-type]
    replicas = [ctx.bucket_arn(replica_bucket(ctx, kind)) for kind in REPLICATED]
    return policies.document(
        policies.allow("SourceBuckets", ["s3:GetReplicationConfiguration", "s3:ListBucket"], sources),
        policies.allow(
            "SourceVersions",
            ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"],
            [_objects(arn) for arn in sources],
        ),
        policies.allow(
            "WriteReplicas",
            ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"],
            [_objects(arn) for arn in replicas],
        ),
    )  # fmt: skip


def replication_role(ctx: Context) -> Role:
    sources = [ctx.bucket_arn(ctx.settings.bucket(kind)) for kind in REPLICATED]  # type: ignore[arg-type]
    return Role(ctx, REPLICATION, policies.service_trust(ctx, "s3.amazonaws.com", sources), replication_policy)


class ReplicaBucket(Bucket):
    """Versioned, encrypted with the replica key; no access logs (S3 delivers them only within a region)."""

    def __init__(self, ctx: Context, kind: str) -> None:
        retention = ctx.settings.retention_days
        super().__init__(ctx, replica_bucket(ctx, kind), retention, is_data=True, region=replica_region(ctx))

    def encryption(self) -> State:
        return {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": self.ctx.replica_key_arn, "BucketKeyEnabled": True}

    def policy(self) -> State:
        return tls_only_policy(self.ctx, self.name, project_key_only(self.ctx, self.name, self.ctx.replica_key_arn))

    def logging(self) -> State | None:
        return None


class Replication(Resource):
    """The replication configuration of one source bucket (ours when the bucket carries our tags)."""

    kind = "s3-replication"

    def __init__(self, ctx: Context, kind: str) -> None:
        super().__init__(ctx, ctx.settings.bucket(kind))  # type: ignore[arg-type]
        self.s3 = ctx.clients("s3")
        self.replica = replica_bucket(ctx, kind)

    def desired(self) -> State:
        rule = {
            "ID": "lakehouse-dr",
            "Priority": 1,
            "Status": "Enabled",
            "Filter": {},  # every object; an empty filter may come back absent
            "DeleteMarkerReplication": {"Status": "Disabled"},  # a bad delete here stays undone there
            "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
            "Destination": {
                "Bucket": self.ctx.bucket_arn(self.replica),
                "EncryptionConfiguration": {"ReplicaKmsKeyID": self.ctx.replica_key_arn},
            },
        }
        return {"Role": self.ctx.role_arn(REPLICATION), "Rules": [rule]}

    def read(self) -> State | None:
        try:
            found: dict[str, Any] = self.s3.get_bucket_replication(Bucket=self.name)["ReplicationConfiguration"]
        except ClientError as e:
            if is_not_found(e, "ReplicationConfigurationNotFoundError", "NoSuchBucket"):
                return None
            raise
        tags = self.s3.get_bucket_tagging(Bucket=self.name)["TagSet"]
        keys = tuple(self.desired()["Rules"][0])
        rules = [{"Filter": {}, **{k: rule[k] for k in keys if k in rule}} for rule in found.get("Rules", [])]
        return {"Role": found.get("Role"), "Rules": rules, "Tags": t.from_list(tags)}

    def create(self, desired: State) -> None:
        self.s3.put_bucket_replication(Bucket=self.name, ReplicationConfiguration=desired)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        self.create(desired)

    def delete(self, current: State) -> None:
        self.s3.delete_bucket_replication(Bucket=self.name)


class ReplicaKeyPolicy(KeyPolicy):
    """The replica key's policy: the root for recovery, the administrators, and replication through S3 there.

    The administrators may also decrypt through S3 there: reading the replicas is how a recovery starts.
    """

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, key=replica_key(ctx))

    def policy(self) -> State:
        via = {"kms:ViaService": f"s3.{replica_region(self.ctx)}.amazonaws.com"}
        admins = sorted(administrators(self.ctx))

        def grant(sid: str, principal: Any, actions: list[str], **condition: Any) -> dict[str, Any]:
            found = {"Sid": sid, "Effect": "Allow", "Principal": {"AWS": principal}, "Action": sorted(actions),
                     "Resource": "*"}  # fmt: skip
            return {**found, "Condition": condition} if condition else found

        statements = [
            grant("RootRecoveryOnly", self.ctx.arn("iam", "root", region=False), RECOVER),
            grant("KeyAdministrators", admins, ADMINISTER),
            grant("ReplicationEncryptsReplicas", self.ctx.role_arn(REPLICATION),
                  ["kms:Encrypt", "kms:GenerateDataKey"], StringEquals=via),
            grant("AdministratorsReadReplicasForRecovery", admins, ["kms:Decrypt"], StringEquals=via),
        ]
        return {"Version": "2012-10-17", "Statement": statements}


def replica_key(ctx: Context) -> KmsKey:
    return KmsKey(ctx, region=replica_region(ctx), alias=f"alias/{ctx.name('replica')}")


def replicas(ctx: Context) -> list[Resource]:
    """The key and buckets in the replica region (before the role names them), for production only."""
    if not ctx.config.production:
        return []
    return [replica_key(ctx), *(ReplicaBucket(ctx, kind) for kind in REPLICATED)]


def replication(ctx: Context) -> list[Resource]:
    """After the role exists: the replica key's policy (it names the role), the sources' configurations."""
    if not ctx.config.production:
        return []
    return [ReplicaKeyPolicy(ctx), *(Replication(ctx, kind) for kind in REPLICATED)]


def extra_roles(ctx: Context) -> list[Role]:
    return [replication_role(ctx)] if ctx.config.production else []


def key_users(ctx: Context) -> tuple[str, ...]:
    """The replication role reads the sources through S3 with the project key."""
    return (ctx.role_arn(REPLICATION),) if ctx.config.production else ()
