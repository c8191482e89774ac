"""The project KMS key (rotation on), found by its alias; every bucket and the workgroup use it."""

from __future__ import annotations

from botocore.exceptions import ClientError

from deploy import tags as t
from deploy.context import Context
from deploy.errors import is_not_found
from deploy.resource import Resource, State


class KmsKey(Resource):
    kind = "kms-key"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.kms_alias)
        self.kms = ctx.clients("kms")

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
        self.ctx.key_arn = meta["Arn"]
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
        meta = self.kms.create_key(
            Description=f"lakehouse {self.ctx.settings.env}: buckets, Athena results, state table",
            KeyUsage="ENCRYPT_DECRYPT",
            Tags=t.to_list(desired["Tags"], "TagKey", "TagValue"),
        )["KeyMetadata"]
        self.kms.create_alias(AliasName=self.name, TargetKeyId=meta["KeyId"])
        self.kms.enable_key_rotation(KeyId=meta["KeyId"])
        self.ctx.key_arn = meta["Arn"]

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
