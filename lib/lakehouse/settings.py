"""Settings: one frozen dataclass per environment, validated when built. Imports no pyspark."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lakehouse.errors import UserError

ENV_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,20}$")
DRIFT_SUFFIX = "-drift"  # database lakehouse_<env>_drift holds what the crawlers of <env> find
LOCAL_ENV = "local"
DEFAULT_ROOT = ".lakehouse"
ROOT_ENV_VAR = "LAKEHOUSE_ROOT"

BucketKind = Literal["raw", "silver", "gold", "artifacts", "athena"]
BUCKET_KINDS: tuple[BucketKind, ...] = ("raw", "silver", "gold", "artifacts", "athena")


class SettingsError(UserError, ValueError):
    """A setting is invalid; the message says how to fix it."""


def validate_env(env: str) -> str:
    """Return env if it is a valid environment name, else raise SettingsError."""
    if not ENV_PATTERN.match(env):
        raise SettingsError(
            f"env {env!r} is not valid: use 2 to 21 characters, lowercase letters, digits and '-', "
            "starting with a letter (for example 'dev' or 'prod-eu')"
        )
    if env.endswith(DRIFT_SUFFIX):
        raise SettingsError(
            f"env {env!r} is not valid: a name ending in {DRIFT_SUFFIX!r} would share its Glue database "
            f"with the drift database of env {env.removesuffix(DRIFT_SUFFIX)!r}; choose another name"
        )
    return env


@dataclass(frozen=True)
class GlueJobSettings:
    """Capacity of one Glue job: what deploy sends and what a run costs."""

    worker_type: str = "G.1X"
    number_of_workers: int = 2
    timeout_minutes: int = 60


@dataclass(frozen=True)
class Settings:
    """Everything that differs between environments.

    `root` is a local folder for the embedded default (buckets are folders below it); None means S3.
    """

    env: str = LOCAL_ENV
    root: str | None = None
    bucket_suffix: str = ""
    region: str | None = None
    max_line_bytes: int = 64 * 1024 * 1024
    retention_days: int = 730
    silver_job: GlueJobSettings = field(default_factory=GlueJobSettings)
    gold_job: GlueJobSettings = field(default_factory=GlueJobSettings)

    def __post_init__(self) -> None:
        validate_env(self.env)
        if self.max_line_bytes < 1024:
            raise SettingsError(f"max_line_bytes {self.max_line_bytes} is too small: use at least 1024")

    @classmethod
    def local(cls, root: str | os.PathLike[str] | None = None, env: str = LOCAL_ENV) -> Settings:
        """The embedded default: buckets are folders under root ($LAKEHOUSE_ROOT, else ./.lakehouse)."""
        chosen = root or os.environ.get(ROOT_ENV_VAR) or DEFAULT_ROOT
        return cls(env=env, root=str(Path(chosen).expanduser().resolve()))

    @classmethod
    def aws(cls, env: str, account_id: str, region: str, bucket_suffix: str | None = None) -> Settings:
        """An AWS environment; the bucket suffix defaults to -<account id>-<region>."""
        suffix = f"-{account_id}-{region}" if bucket_suffix is None else bucket_suffix
        return cls(env=env, bucket_suffix=suffix, region=region)

    @property
    def is_local(self) -> bool:
        return self.root is not None

    @property
    def database(self) -> str:
        """The Glue database (locally: the metastore database) of this environment."""
        return "lakehouse_" + self.env.replace("-", "_")

    def bucket(self, kind: BucketKind) -> str:
        """The bucket name, e.g. `dev-raw-123456789012-eu-west-1`."""
        return f"{self.env}-{kind}{self.bucket_suffix}"

    def uri(self, kind: BucketKind, key: str = "") -> str:
        """Where `key` lives in a bucket: a local path under root, or an s3:// URI."""
        base = f"{self.root}/{self.bucket(kind)}" if self.root is not None else f"s3://{self.bucket(kind)}"
        return f"{base}/{key}" if key else base

    def resource_name(self, purpose: str) -> str:
        """The name of an AWS resource of this environment, e.g. `lakehouse-dev-bronze_to_silver`."""
        return f"lakehouse-{self.env}-{purpose}"

    @property
    def ingest_state_table(self) -> str:
        """DynamoDB table holding the ingestion Lambda's state."""
        return self.resource_name("ingest-state")

    @property
    def ingest_function(self) -> str:
        """The ingestion Lambda's function name."""
        return self.resource_name("ingest")

    @property
    def github_token_secret(self) -> str:
        """Secrets Manager secret name of the GitHub token (deploy never sets its value)."""
        return f"lakehouse/{self.env}/github-token"

    @property
    def metastore_dir(self) -> str:
        """Local only: the embedded Hive metastore (Derby) of this root."""
        if self.root is None:
            raise SettingsError("the embedded metastore exists only with a local root")
        return f"{self.root}/_metastore"
