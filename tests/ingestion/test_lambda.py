"""The Lambda handler, in process and unpacked from the deployment zip, against loopback GitHub and moto."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.parameters.base import clear_caches

from ingestion_lambda.package import build_zip
from lakehouse.ingest import config as names
from lakehouse.ingest.config import ConfigError, IngestConfig
from lakehouse.ingest.dynamodb_state import DynamoStateStore
from lakehouse.ingest.lambda_app import TokenError, github_token, lambda_settings
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE
from tests.ingestion.conftest import Timeline
from tests.ingestion.helpers import LambdaContext, ids_of, s3_objects
from tests.support.github_server import GitHubServer

TOKEN = "ghp_recorded0example0token"
COUNTERS = {"events_fetched": 300, "events_new": 300, "events_duplicate": 0, "events_reserialised": 0,
            "pages_fetched": 3, "pages_not_modified": 0, "rate_limit_waits": 0, "bad_bodies": 0,
            "request_errors": 0, "retries": 0, "objects_written": 1}
METRICS = {"EventsFetched": 300, "EventsNew": 300, "EventsDuplicate": 0, "EventsReserialised": 0, "PagesFetched": 3,
           "PagesNotModified": 0, "RateLimitWaits": 0, "BadBodies": 0, "RequestErrors": 0, "Retries": 0,
           "BronzeObjectsWritten": 1}


@pytest.fixture
def lambda_env(aws_settings: Settings, github: GitHubServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The Lambda's environment as deploy sets it, with timeouts short enough for one round in 30 s."""
    boto3.client("secretsmanager").create_secret(Name=aws_settings.github_token_secret, SecretString=TOKEN)
    clear_caches()
    env = {names.ENV: "test", names.GITHUB_API_URL: github.url, names.GITHUB_TOKEN_SECRET:
           aws_settings.github_token_secret, names.CONNECT_TIMEOUT: "1", names.READ_TIMEOUT: "1",
           names.RETRIES: "0", names.MARGIN_SECONDS: "1", names.POWERTOOLS_SERVICE_NAME: "ingest-test"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def check_landed(result: dict[str, Any], settings: Settings, github: GitHubServer, timeline: Timeline) -> None:
    """One round: the newest 300 events in one object, the state saved, the partition registered."""
    day = datetime.now(UTC).date().isoformat()
    assert result["counters"] == COUNTERS
    assert (result["rounds"], result["stop_reason"], result["state_version"]) == (1, "deadline", 1)
    [key] = result["objects"]
    assert re.fullmatch(rf"github/events/ingest_dt={day}/\d{{8}}T\d{{6}}Z-{LambdaContext.aws_request_id}-00000"
                        r"\.json\.gz", key)
    objects = s3_objects(boto3.client("s3"), settings.bucket("raw"))
    assert objects == {key: [t.encode() for t in timeline.texts[299::-1]]}
    assert set(ids_of(objects[key])) == set(github.served_ids)
    assert [s.headers["Authorization"] for s in github.seen] == [f"Bearer {TOKEN}"] * 3
    state = DynamoStateStore(boto3.client("dynamodb"), settings.ingest_state_table).load()
    assert (state.version, state.last_object, len(state.recent_ids)) == (1, key, 300)
    partitions = boto3.client("glue").get_partitions(DatabaseName=settings.database, TableName=BRONZE.name)
    assert [p["Values"] for p in partitions["Partitions"]] == [[day]]


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_the_handler_polls_until_its_deadline_and_reports(
    lambda_env: dict[str, str], aws_settings: Settings, github: GitHubServer, timeline: Timeline,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from ingestion_lambda.handler import lambda_handler

    context = LambdaContext(deadline=datetime.now(UTC) + timedelta(seconds=30))
    result = lambda_handler({}, context)
    check_landed(result, aws_settings, github, timeline)
    records = json_lines(capfd.readouterr().out)
    [emf] = [r for r in records if "_aws" in r]
    assert {name: emf[name] for name in METRICS} == {name: [float(v)] for name, v in METRICS.items()}
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == names.METRICS_NAMESPACE
    logs = [r for r in records if r.get("name") == "lakehouse.ingest.poller"]
    assert logs and all(r["function_request_id"] == context.aws_request_id for r in logs)
    assert logs[-1]["message"] == "stopped (deadline) after 1 rounds"


@pytest.fixture(scope="module")
def lambda_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The deployment zip, built twice (same bytes) and unpacked."""
    base = tmp_path_factory.mktemp("lambda")
    first, second = build_zip(base / "a.zip"), build_zip(base / "b.zip")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        names_in_zip = archive.namelist()
        assert names_in_zip == sorted(names_in_zip)
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert not [n for n in names_in_zip if n.split("/")[0] in ("boto3", "botocore", "pyspark")]
        archive.extractall(base / "unpacked")
    yield base / "unpacked"


DRIVER = textwrap.dedent("""
    import json, sys, time
    class Context:
        function_name = "lakehouse-test-ingest"
        memory_limit_in_mb = 256
        invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:lakehouse-test-ingest"
        aws_request_id = "5f8a2b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c"
        deadline = time.monotonic() + 30
        def get_remaining_time_in_millis(self):
            return int((self.deadline - time.monotonic()) * 1000)
    import handler
    result = handler.lambda_handler({}, Context())
    import boto3, lakehouse, requests
    where = {m.__name__: m.__file__ for m in (lakehouse, requests, boto3)}
    print("RESULT " + json.dumps({"result": result, "where": where, "pyspark": "pyspark" in sys.modules}))
""")


def test_the_packaged_lambda_runs_from_its_zip_alone(
    lambda_dir: Path, lambda_env: dict[str, str], aws_settings: Settings, github: GitHubServer, timeline: Timeline,
    tmp_path: Path,
) -> None:
    # GIVEN only the unpacked zip and boto3 (with its own dependencies) on the path, as on Lambda
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    for module in ("boto3", "botocore", "s3transfer", "dateutil", "six", "jmespath"):
        source = Path(__import__(module).__file__ or "")
        source = source.parent if source.name == "__init__.py" else source
        (runtime / source.name).symlink_to(source)
    env = {**os.environ, "PYTHONPATH": f"{lambda_dir}{os.pathsep}{runtime}"}
    # WHEN the handler runs in a fresh interpreter without site-packages
    done = subprocess.run([sys.executable, "-S", "-c", DRIVER], cwd=lambda_dir, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    [line] = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    report = json.loads(line.removeprefix("RESULT "))
    # THEN it ran our modules from the zip, without pyspark, and landed the events
    assert report["where"]["lakehouse"] == str(lambda_dir / "lakehouse" / "__init__.py")
    assert report["where"]["requests"] == str(lambda_dir / "requests" / "__init__.py")
    assert report["where"]["boto3"] == str(runtime / "boto3" / "__init__.py")
    assert report["pyspark"] is False
    check_landed(report["result"], aws_settings, github, timeline)


def test_no_secret_configured_means_no_token() -> None:
    assert github_token(IngestConfig()) is None


def test_a_secret_that_does_not_exist_means_polling_unauthenticated(aws: str,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    clear_caches()
    assert github_token(IngestConfig(token_secret="lakehouse/none/github-token")) is None
    assert ("no GitHub token in secret 'lakehouse/none/github-token' (ResourceNotFoundException): polling "
            "unauthenticated, 60 requests an hour") in caplog.messages


def test_a_secret_that_cannot_be_read_fails_the_invocation(aws: str) -> None:
    clear_caches()
    secrets = boto3.client("secretsmanager")
    secrets.create_secret(Name="lakehouse/gone/github-token", SecretString=TOKEN)
    secrets.delete_secret(SecretId="lakehouse/gone/github-token", RecoveryWindowInDays=7)
    with pytest.raises(TokenError, match=r"cannot read the GitHub token from secret 'lakehouse/gone/github-token'"):
        github_token(IngestConfig(token_secret="lakehouse/gone/github-token"))


def test_the_lambda_settings_come_from_its_environment_and_arn() -> None:
    settings = lambda_settings({names.ENV: "prod-eu", names.AWS_REGION: "eu-west-1"}, LambdaContext(datetime.now(UTC)))
    assert (settings.bucket("raw"), settings.ingest_state_table) == (
        "prod-eu-raw-123456789012-eu-west-1", "lakehouse-prod-eu-ingest-state")
    with pytest.raises(ConfigError, match="environment variable LAKEHOUSE_ENV is not set"):
        lambda_settings({names.AWS_REGION: "eu-west-1"}, LambdaContext(datetime.now(UTC)))
