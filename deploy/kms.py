"""The project KMS key (rotation on), found by its alias, and its explicit policy (deploy/key_policy.py)."""

from __future__ import annotations

import json

from botocore.exceptions import ClientError

from deploy import tags as t
from deploy.context import Context
from deploy.errors import DeployError, is_not_found
from deploy.key_policy import administrators, key_policy, key_users
from deploy.resource import Resource, State


class KmsKey(Resource):
    kind = "kms-key"

    def __init__(self, ctx: Context, region: str | None = None, alias: str | None = None) -> None:
        """The project key; with a region (and alias), the replicas' key in that region."""
        super().__init__(ctx, alias or ctx.kms_alias)
        self.region = region
        self.kms = ctx.clients("kms", region)

    def _remember(self, arn: str) -> None:
        if self.region is None:
            self.ctx.key_arn = arn
        else:
            self.ctx.replica_key_arn = arn

    def desired(self) -> State:
        return {"Tags": self.ctx.tags, "KeyState": "Enabled", "Rotation": True}

    def _key_id(self) -> str | None:
        for page in self.kms.get_paginator("list_aliases").paginate():
            for alias in page["Aliases"]:
                if alias["AliasName"] == self.name and alias.get("TargetKeyId"):
                    return str(alias["TargetKeyId"])
        return None

    def read(self) -> State | None:
        key_id = self._key_id()
        if key_id is None:
            return None
        try:
            meta = self.kms.describe_key(KeyId=key_id)["KeyMetadata"]
        except ClientError as e:
            if is_not_found(e, "NotFoundException"):
                return None
            raise
        self._remember(meta["Arn"])
        tags = self.kms.list_resource_tags(KeyId=key_id)["Tags"]
        rotation = False
        if meta["KeyState"] == "Enabled":
            rotation = self.kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
        return {
            "KeyId": key_id,
            "Tags": t.from_list(tags, "TagKey", "TagValue"),
            "KeyState": meta["KeyState"],
            "Rotation": rotation,
        }

    def create(self, desired: State) -> None:
        what = "buckets, Athena results, state table, logs, trail" if self.region is None else "replicas"
        meta = self.kms.create_key(
            Description=f"lakehouse {self.ctx.settings.env}: {what}",
            KeyUsage="ENCRYPT_DECRYPT",
            Tags=t.to_list(desired["Tags"], "TagKey", "TagValue"),
        )["KeyMetadata"]
        self.kms.create_alias(AliasName=self.name, TargetKeyId=meta["KeyId"])
        self.kms.enable_key_rotation(KeyId=meta["KeyId"])
        self._remember(meta["Arn"])

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        key_id = current["KeyId"]
        if current["KeyState"] == "PendingDeletion":
            self.kms.cancel_key_deletion(KeyId=key_id)
        if current["KeyState"] != "Enabled":
            self.kms.enable_key(KeyId=key_id)
        if "Rotation" in fields or "KeyState" in fields:
            self.kms.enable_key_rotation(KeyId=key_id)
        if "Tags" in fields:
            self.kms.tag_resource(KeyId=key_id, Tags=t.to_list(desired["Tags"], "TagKey", "TagValue"))

    def owned(self, current: State) -> bool:
        return current["KeyState"] != "PendingDeletion" and super().owned(current)

    def delete(self, current: State) -> None:
        self.kms.delete_alias(AliasName=self.name)
        self.kms.schedule_key_deletion(
            KeyId=current["KeyId"], PendingWindowInDays=self.ctx.config.kms_deletion_window_days
        )


class KeyPolicy(Resource):
    """The key's explicit policy, put once the roles it names exist (KMS rejects unknown principals)."""

    kind = "kms-key-policy"

    def __init__(self, ctx: Context, extra_users: tuple[str, ...] = (), key: KmsKey | None = None) -> None:
        """The project key's policy; with `key`, that key's (a subclass says what its policy is)."""
        self.key = key or KmsKey(ctx)
        super().__init__(ctx, self.key.name)
        self.kms = self.key.kms
        self.extra_users = extra_users

    def policy(self) -> State:
        return key_policy(self.ctx, administrators(self.ctx), key_users(self.ctx, self.extra_users))

    def desired(self) -> State:
        return {"Policy": self.policy()}

    def read(self) -> State | None:
        key = self.key.read()
        if key is None:
            return None
        policy = self.kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
        return {"KeyId": key["KeyId"], "Policy": json.loads(policy), "Tags": key["Tags"], "KeyState": key["KeyState"]}

    def owned(self, current: State) -> bool:
        return current["KeyState"] != "PendingDeletion" and super().owned(current)

    def create(self, desired: State) -> None:
        raise DeployError(f"{self.name}: the key is missing; apply creates it before its policy")

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        self.kms.put_key_policy(KeyId=current["KeyId"], PolicyName="default", Policy=json.dumps(desired["Policy"]))

    def delete(self, current: State) -> None:
        """The policy goes with the key, which KmsKey schedules for deletion."""
