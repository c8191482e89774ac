"""Ingestion fixtures: real GitHub events, the loopback GitHub server, AWS resources on moto."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from lakehouse.ingest.dynamodb_state import STATE_KEY_ATTRIBUTE
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE
from tests.support.aws import ACCOUNT_ID, REGION
from tests.support.github_server import Feed, GitHubServer
from tests.support.iam_calls import recording
from tests.support.iam_check import check
from tests.support.iam_roles import env_context, resource_policies, role, where

ROOT = Path(__file__).resolve().parents[2]
HOUR_FILE = ROOT / "data" / "github-events" / "gharchive" / "2015-01-01-0.json.gz"
OPENX_SERDE = "org.openx.data.jsonserde.JsonSerDe"


@dataclass(frozen=True)
class Timeline:
    """Real events of one GH Archive hour, in file order: the texts exactly as archived, and their ids."""

    texts: list[str]
    ids: list[str]

    def text_of(self) -> dict[str, str]:
        return dict(zip(self.ids, self.texts, strict=True))


def hour_timeline() -> Timeline:
    """The 7,702 events of the real hour 2015-01-01 00:00."""
    texts = gzip.decompress(HOUR_FILE.read_bytes()).decode("utf-8").splitlines()
    return Timeline(texts, [json.loads(text)["id"] for text in texts])


@pytest.fixture(autouse=True)
def ingest_role_allows_every_call(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every AWS call the Lambda's code makes is allowed for the ingest role and the policies deploy writes.

    The GH Archive backfill is left out: it runs from the command line, as whoever runs it, never as the role.
    """
    uses_env = "aws_settings" in request.fixturenames
    settings = request.getfixturevalue("aws_settings") if uses_env else None
    with recording() as recorder:
        yield
    calls = [c for c in recorder.calls if not c.made_by("lib/lakehouse/ingest/gharchive.py")]
    if calls and settings is not None:
        ctx = env_context(settings, ACCOUNT_ID)
        denied = check(role(ctx, "ingest"), calls, where(ctx), resource_policies(ctx)).denied()
        assert denied == [], "the ingest role would be denied:\n" + "\n".join(denied)


@pytest.fixture(scope="session")
def timeline() -> Timeline:
    return hour_timeline()


@pytest.fixture
def feed(timeline: Timeline) -> Feed:
    """300 events have happened; more happen when a test advances the feed."""
    return Feed(timeline.texts, timeline.ids, happened=300)


@pytest.fixture
def github(feed: Feed) -> Iterator[GitHubServer]:
    server = GitHubServer(feed)
    with server.running():
        yield server


@pytest.fixture
def aws_settings(aws: str) -> Settings:
    """Settings of env `test` on the moto account, with its raw bucket, state table and bronze table."""
    return create_ingest_resources(Settings.aws("test", ACCOUNT_ID, REGION))


def create_ingest_resources(settings: Settings) -> Settings:
    """Create what the Lambda writes to (raw bucket, state table, bronze table) in the account boto3 finds."""
    boto3.client("s3").create_bucket(
        Bucket=settings.bucket("raw"),
        CreateBucketConfiguration={"LocationConstraint": REGION},  # type: ignore[typeddict-item]
    )
    boto3.client("dynamodb").create_table(
        TableName=settings.ingest_state_table,
        KeySchema=[{"AttributeName": STATE_KEY_ATTRIBUTE, "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": STATE_KEY_ATTRIBUTE, "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    glue = boto3.client("glue")
    glue.create_database(DatabaseInput={"Name": settings.database})
    glue.create_table(DatabaseName=settings.database, TableInput={
        "Name": BRONZE.name,
        "TableType": "EXTERNAL_TABLE",
        "PartitionKeys": [{"Name": key, "Type": "string"} for key in BRONZE.partition_keys],
        "StorageDescriptor": {
            "Columns": [{"Name": c.name, "Type": c.type} for c in BRONZE.columns],
            "Location": BRONZE.location(settings),
            "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
            "SerdeInfo": {"SerializationLibrary": OPENX_SERDE, "Parameters": {"ignore.malformed.json": "true"}},
        },
    })
    return settings
