"""Where and as what deploy works: the environment's settings, account, names, tags and clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

from deploy.errors import DeployError
from lakehouse import __version__
from lakehouse.dashboard.athena_answers import REUSE_MINUTES
from lakehouse.settings import BucketKind, Settings

MANAGED_BY_KEY = "lakehouse:managed-by"
MANAGED_BY = "lakehouse-deploy"
ENV_KEY = "lakehouse:env"
UNKNOWN = "(known after apply)"
DATA_BUCKETS: tuple[BucketKind, ...] = ("raw", "silver", "gold")


@dataclass(frozen=True)
class DeployConfig:
    """Deploy-only settings: the cost and safety knobs that the library does not need."""

    athena_bytes_scanned_cutoff: int = 10 * 1024**3
    athena_results_days: int = 30
    noncurrent_version_days: int = 30
    tiering_after_days: int = 0
    lambda_timeout_seconds: int = 14 * 60
    lambda_memory_mb: int = 512
    ingest_schedule: str = "rate(15 minutes)"
    kms_deletion_window_days: int = 7
    analyst_principals: tuple[str, ...] = ()  # IAM ARNs that may assume the analyst role
    log_retention_days: int = 731
    audit_retention_days: int = 730
    organisation_trail: str | None = None  # ARN of an organisation trail that covers this account
    production: bool = False
    replica_region: str | None = None
    athena_reuse_max_age_minutes: int = REUSE_MINUTES
    key_administrators: tuple[str, ...] = ()  # IAM principal ARNs; none: the identity that runs deploy
    private_network: bool = False  # Glue in private subnets, VPC endpoints, a data perimeter
    vpc_id: str | None = None  # the user's VPC; none: deploy creates one
    subnet_ids: tuple[str, ...] = ()  # private subnets of vpc_id, in two AZs
    vpc_cidr: str = "10.42.0.0/16"  # of the VPC deploy creates
    lambda_subnet_ids: tuple[str, ...] = ()  # the Lambda inside, in subnets routed to the user's NAT gateway
    version: str = __version__

    def __post_init__(self) -> None:
        if self.production and not self.replica_region:
            raise DeployError("a production env needs replica_region: name the second region for its replicas")
        if self.lambda_subnet_ids and not self.private_network:
            raise DeployError("lambda_subnet_ids needs private_network=True: the Lambda joins that network")
        if self.vpc_id and not self.subnet_ids:
            raise DeployError(f"vpc_id {self.vpc_id} needs subnet_ids: name its private subnets (two AZs)")
        if self.production and self.kms_deletion_window_days < 30:
            raise DeployError("a production env keeps its key 30 days after destroy: set kms_deletion_window_days=30")

    @classmethod
    def for_production(cls, replica_region: str, **overrides: Any) -> DeployConfig:
        """Production's defaults: replicas, a 30-day key deletion window, 90 days of old versions."""
        values: dict[str, Any] = {"noncurrent_version_days": 90, "kms_deletion_window_days": 30, **overrides}
        return cls(production=True, replica_region=replica_region, **values)


class Clients:
    """boto3 clients from one Session, made once each; endpoints come from the SDK's own settings."""

    def __init__(self, session: boto3.Session) -> None:
        self._session = session
        self._clients: dict[tuple[str, str | None], Any] = {}

    def __call__(self, service: str, region: str | None = None) -> Any:
        """The client of service, in the session's region unless another is named (replicas)."""
        if (service, region) not in self._clients:
            client = self._session.client(service, region_name=region)  # type: ignore[call-overload]
            self._clients[(service, region)] = client
        return self._clients[(service, region)]


@dataclass
class Context:
    """Everything a resource needs: settings, account, clients, and what earlier resources learnt."""

    settings: Settings
    account_id: str
    region: str
    clients: Clients
    config: DeployConfig = field(default_factory=DeployConfig)
    partition: str = "aws"
    key_arn: str = UNKNOWN
    replica_key_arn: str = UNKNOWN
    network: dict[str, Any] = field(default_factory=dict)  # ids the network resources learn: vpc, subnets, ...

    @property
    def tags(self) -> dict[str, str]:
        return {ENV_KEY: self.settings.env, MANAGED_BY_KEY: MANAGED_BY}

    def is_ours(self, tags: dict[str, str] | None) -> bool:
        """A resource is ours only when it carries both of our tags with this env."""
        return bool(tags) and all((tags or {}).get(k) == v for k, v in self.tags.items())

    def name(self, purpose: str) -> str:
        return self.settings.resource_name(purpose)

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        where = self.region if region else ""
        who = self.account_id if account else ""
        return f"arn:{self.partition}:{service}:{where}:{who}:{resource}"

    def bucket_arn(self, bucket: str) -> str:
        return f"arn:{self.partition}:s3:::{bucket}"

    def role_arn(self, purpose: str) -> str:
        return self.arn("iam", f"role/{self.name(purpose)}", region=False)

    @property
    def log_bucket(self) -> str:
        """Server access logs land here: SSE-S3, since S3 cannot deliver logs to an SSE-KMS bucket."""
        return self.name("logs") + self.settings.bucket_suffix

    @property
    def audit_bucket(self) -> str:
        """CloudTrail delivers here: its own bucket, apart from the data and their access logs."""
        return self.name("audit") + self.settings.bucket_suffix

    @property
    def glue_log_group(self) -> str:
        """The prefix of the jobs' log groups (`--custom-logGroup-prefix`), one per env."""
        return f"/aws-glue/{self.name('jobs')}"

    @property
    def lambda_log_group(self) -> str:
        return f"/aws/lambda/{self.settings.ingest_function}"

    @property
    def security_configuration(self) -> str:
        return self.name("security")

    @property
    def kms_alias(self) -> str:
        return "alias/" + self.name("data")

    @property
    def drift_database(self) -> str:
        """Crawlers write what they discover here, never into the deployed database."""
        return self.settings.database + "_drift"

    @property
    def glue_temp_uri(self) -> str:
        return self.settings.uri("artifacts", "glue-temp/")

    @property
    def athena_results_uri(self) -> str:
        return self.settings.uri("athena", "results/")

    @property
    def workgroup(self) -> str:
        return self.name("workgroup")

    @property
    def alerts_topic_arn(self) -> str:
        return self.arn("sns", self.name("alerts"))

    @property
    def ingest_function_arn(self) -> str:
        return self.arn("lambda", f"function:{self.settings.ingest_function}")
