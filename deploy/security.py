"""The Glue security configuration of the jobs and crawlers: S3 SSE-KMS, encrypted logs, CSE-KMS bookmarks.

https://docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html. Glue has no
UpdateSecurityConfiguration and takes no tags on one: a changed configuration is deleted and created
again under the same name, and one is ours when it encrypts with our key.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from deploy.context import Context
from deploy.errors import is_not_found
from deploy.resource import Resource, State


class SecurityConfiguration(Resource):
    kind = "glue-security-config"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.security_configuration)
        self.glue = ctx.clients("glue")

    def encryption(self) -> State:
        key = self.ctx.key_arn
        return {
            "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}],
            "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": key},
            "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": key},
        }

    def desired(self) -> State:
        return {"EncryptionConfiguration": self.encryption()}

    def read(self) -> State | None:
        try:
            found = self.glue.get_security_configuration(Name=self.name)["SecurityConfiguration"]
        except ClientError as e:
            if is_not_found(e, "EntityNotFoundException"):
                return None
            raise
        return {"EncryptionConfiguration": found.get("EncryptionConfiguration")}

    def owned(self, current: State) -> bool:
        bookmarks = (current["EncryptionConfiguration"] or {}).get("JobBookmarksEncryption", {})
        try:
            ours = self.ctx.clients("kms").describe_key(KeyId=self.ctx.kms_alias)["KeyMetadata"]["Arn"]
        except ClientError as e:
            if is_not_found(e, "NotFoundException"):
                return False
            raise
        return bool(bookmarks.get("KmsKeyArn") == ours)

    def create(self, desired: State) -> None:
        self.glue.create_security_configuration(Name=self.name, **desired)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        self.glue.delete_security_configuration(Name=self.name)
        self.create(desired)

    def delete(self, current: State) -> None:
        self.glue.delete_security_configuration(Name=self.name)
