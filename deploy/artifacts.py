"""Upload the release to the artifacts bucket; an object already there with the same hash is skipped."""

from __future__ import annotations

import hashlib

from botocore.exceptions import ClientError

from deploy.build import Release
from deploy.context import Context
from deploy.errors import is_not_found
from deploy.resource import Resource, State

HASH_KEY = "sha256"


class Artifact(Resource):
    kind = "s3-artifact"

    def __init__(self, ctx: Context, release: Release, file: str) -> None:
        super().__init__(ctx, release.key(file))
        self.s3 = ctx.clients("s3")
        self.bucket = ctx.settings.bucket("artifacts")
        self.body = release.files[file]

    def desired(self) -> State:
        return {HASH_KEY: hashlib.sha256(self.body).hexdigest()}

    def read(self) -> State | None:
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=self.name)
        except ClientError as e:
            if is_not_found(e, "NoSuchKey", "NoSuchBucket", "404"):
                return None
            raise
        return {HASH_KEY: head.get("Metadata", {}).get(HASH_KEY)}

    def create(self, desired: State) -> None:
        self.s3.put_object(
            Bucket=self.bucket,
            Key=self.name,
            Body=self.body,
            Metadata=desired,
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=self.ctx.key_arn,
        )

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        self.create(desired)

    def owned(self, current: State) -> bool:
        return True  # under our release prefix of our own bucket

    def delete(self, current: State) -> None:
        """Nothing: the artifacts bucket is emptied and deleted with its objects."""


def artifacts(ctx: Context, release: Release) -> list[Resource]:
    return [Artifact(ctx, release, name) for name in sorted(release.files)]
