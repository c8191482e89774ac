"""The Glue jobs (GlueVersion 5.1, whole definition on every update) and the schema-drift crawlers."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from deploy import iam
from deploy.build import GLUE_JOBS, Release
from deploy.context import Context
from deploy.errors import is_not_found
from deploy.resource import Resource, State
from lakehouse.settings import GlueJobSettings
from lakehouse.tables import DASHBOARD_JOB, GOLD_JOB, SILVER_JOB, TABLES_BY_NAME
from workflows import CRAWLERS, Crawler

GLUE_VERSION = "5.1"
# The dashboard's job reads small marts and writes one page: glueetl's least (2 x G.1X), stopped after 15 minutes.
DASHBOARD_CAPACITY = GlueJobSettings(worker_type="G.1X", number_of_workers=2, timeout_minutes=15)
# A job that reads no new input runs without the bookmark.
NO_BOOKMARK = {DASHBOARD_JOB}
CRAWLER_CONFIGURATION = {"Version": 1.0, "Grouping": {"TableGroupingPolicy": "CombineCompatibleSchemas"}}


class GlueTagged(Resource):
    """A Glue resource whose tags live apart from it (GetTags/TagResource by ARN)."""

    arn_kind = ""

    def __init__(self, ctx: Context, name: str) -> None:
        super().__init__(ctx, name)
        self.glue = ctx.clients("glue")
        self.arn = ctx.arn("glue", f"{self.arn_kind}/{name}")

    def _tags(self) -> dict[str, str]:
        return dict(self.glue.get_tags(ResourceArn=self.arn)["Tags"])

    def _retag(self, desired: State, fields: tuple[str, ...]) -> None:
        if "Tags" in fields:
            self.glue.tag_resource(ResourceArn=self.arn, TagsToAdd=desired["Tags"])


def job_definition(ctx: Context, release: Release, job: str, capacity: GlueJobSettings) -> State:
    """Everything CreateJob and UpdateJob send: UpdateJob replaces the definition, so all of it."""
    s = ctx.settings
    arguments = {
        "--env": s.env,
        "--bucket_suffix": s.bucket_suffix,
        "--job-bookmark-option": "job-bookmark-disable" if job in NO_BOOKMARK else "job-bookmark-enable",
        "--enable-glue-datacatalog": "true",
        "--additional-python-modules": s.uri("artifacts", release.key(release.wheel)),
        "--enable-metrics": "true",
        "--enable-observability-metrics": "true",
        "--enable-continuous-cloudwatch-log": "true",
        "--custom-logGroup-prefix": ctx.glue_log_group,  # Glue 5.x: <prefix>/error and <prefix>/output
        "--TempDir": f"{ctx.glue_temp_uri}{job}/",
    }
    network = {"Connections": {"Connections": [ctx.name("network")]}} if ctx.config.private_network else {}
    return {
        **network,
        "Description": f"lakehouse {s.env}: {job}",
        "Role": ctx.role_arn(iam.GLUE_JOBS),
        "ExecutionProperty": {"MaxConcurrentRuns": 1},
        "Command": {
            "Name": "glueetl",
            "ScriptLocation": s.uri("artifacts", release.key(release.scripts[job])),
            "PythonVersion": "3",
        },
        "DefaultArguments": arguments,
        "MaxRetries": 0,
        "Timeout": capacity.timeout_minutes,
        "GlueVersion": GLUE_VERSION,
        "WorkerType": capacity.worker_type,
        "NumberOfWorkers": capacity.number_of_workers,
        "JobRunQueuingEnabled": True,
        "SecurityConfiguration": ctx.security_configuration,
    }


class GlueJob(GlueTagged):
    kind = "glue-job"
    arn_kind = "job"

    def __init__(self, ctx: Context, release: Release, job: str) -> None:
        super().__init__(ctx, ctx.name(job))
        self.release = release
        self.job = job

    def desired(self) -> State:
        s = self.ctx.settings
        capacity = {SILVER_JOB: s.silver_job, GOLD_JOB: s.gold_job, DASHBOARD_JOB: DASHBOARD_CAPACITY}[self.job]
        return {**job_definition(self.ctx, self.release, self.job, capacity), "Tags": self.ctx.tags}

    def read(self) -> State | None:
        try:
            found = self.glue.get_job(JobName=self.name)["Job"]
        except ClientError as e:
            if is_not_found(e, "EntityNotFoundException"):
                return None
            raise
        state = {key: found.get(key) for key in self.desired() if key != "Tags"}
        return {**state, "Tags": self._tags()}

    def create(self, desired: State) -> None:
        self.glue.create_job(Name=self.name, **desired)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        definition = {k: v for k, v in desired.items() if k != "Tags"}
        if set(fields) - {"Tags"}:
            self.glue.update_job(JobName=self.name, JobUpdate=definition)
        self._retag(desired, fields)

    def delete(self, current: State) -> None:
        self.glue.delete_job(JobName=self.name)


class DriftCrawler(GlueTagged):
    kind = "glue-crawler"
    arn_kind = "crawler"

    def __init__(self, ctx: Context, crawler: Crawler) -> None:
        super().__init__(ctx, ctx.name(crawler.name))
        self.crawler = crawler

    def definition(self) -> State:
        paths = [TABLES_BY_NAME[name].location(self.ctx.settings) + "/" for name in self.crawler.tables]
        return {
            "Role": self.ctx.role_arn(iam.GLUE_CRAWLERS),
            "DatabaseName": self.ctx.drift_database,
            "Description": self.crawler.description,
            "Targets": {"S3Targets": [{"Path": path} for path in paths]},
            "SchemaChangePolicy": {"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"},
            "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"},
            "Configuration": json.dumps(CRAWLER_CONFIGURATION, sort_keys=True),
            "CrawlerSecurityConfiguration": self.ctx.security_configuration,
        }

    def desired(self) -> State:
        return {**self.definition(), "Tags": self.ctx.tags}

    def read(self) -> State | None:
        try:
            found: dict[str, Any] = self.glue.get_crawler(Name=self.name)["Crawler"]
        except ClientError as e:
            if is_not_found(e, "EntityNotFoundException"):
                return None
            raise
        state = {key: found.get(key) for key in self.definition()}
        state["Targets"] = {"S3Targets": [{"Path": t["Path"]} for t in found["Targets"].get("S3Targets", [])]}
        if state["Configuration"]:
            state["Configuration"] = json.dumps(json.loads(state["Configuration"]), sort_keys=True)
        return {**state, "Tags": self._tags()}

    def create(self, desired: State) -> None:
        self.glue.create_crawler(Name=self.name, **desired)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if set(fields) - {"Tags"}:
            self.glue.update_crawler(Name=self.name, **self.definition())
        self._retag(desired, fields)

    def delete(self, current: State) -> None:
        self.glue.delete_crawler(Name=self.name)


def jobs_and_crawlers(ctx: Context, release: Release) -> list[Resource]:
    found: list[Resource] = [GlueJob(ctx, release, job) for job in GLUE_JOBS]
    return found + [DriftCrawler(ctx, crawler) for crawler in CRAWLERS]
