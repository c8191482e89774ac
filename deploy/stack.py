"""Every resource of one environment, in the order they depend on each other."""

from __future__ import annotations

from deploy.alerts import alerts
from deploy.artifacts import artifacts
from deploy.athena import WorkGroup
from deploy.audit import audit
from deploy.build import Release
from deploy.context import Context
from deploy.endpoints import endpoints
from deploy.glue_catalog import catalog
from deploy.glue_jobs import jobs_and_crawlers
from deploy.glue_workflows import workflows
from deploy.iam import roles
from deploy.ingest import ingestion
from deploy.kms import KeyPolicy, KmsKey
from deploy.lakeformation import governance
from deploy.logs import log_groups
from deploy.named_queries import named_queries
from deploy.network import network
from deploy.replication import extra_roles, key_users, replicas, replication
from deploy.resource import Resource
from deploy.s3 import buckets
from deploy.security import SecurityConfiguration


def stack(ctx: Context, release: Release) -> list[Resource]:
    """Key first (buckets use it), roles before what assumes them, alerts before nothing else."""
    return [
        KmsKey(ctx),
        *network(ctx),
        *endpoints(ctx),
        *buckets(ctx),
        *replicas(ctx),
        *roles(ctx, extra_roles(ctx)),
        KeyPolicy(ctx, key_users(ctx)),
        *replication(ctx),
        *log_groups(ctx),
        SecurityConfiguration(ctx),
        *audit(ctx),
        *artifacts(ctx, release),
        *catalog(ctx),
        *jobs_and_crawlers(ctx, release),
        *workflows(ctx),
        *ingestion(ctx, release),
        WorkGroup(ctx),
        *named_queries(ctx),
        *alerts(ctx),
        *governance(ctx),
    ]
