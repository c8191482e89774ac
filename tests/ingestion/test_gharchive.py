"""The GH Archive backfill: real hour files from loopback into bronze, byte for byte, resumable, bounded memory."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from lakehouse.cli import main
from lakehouse.ingest.bronze_writer import BronzeWriter
from lakehouse.ingest.gharchive import Backfill, archive_session
from lakehouse.ingest.glue_catalog import GluePartitionRegistrar
from lakehouse.settings import Settings
from lakehouse.storage import S3Store
from lakehouse.tables import BRONZE as BRONZE_TABLE
from tests.ingestion.archive_server import ArchiveServer
from tests.ingestion.conftest import HOUR_FILE, ROOT, Timeline

SAMPLE_15 = ROOT / "data" / "github-events" / "gharchive" / "2015-01-01-15.first1024.json.gz"
BRONZE = "local-raw/github/events/ingest_dt=2015-01-01"
MEMORY_LIMIT = 256 * 1024 * 1024


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[tuple[ArchiveServer, str]]:
    """Hours 00 and 15 of 2015-01-01 (hour 15: its first 1,024 events); hour 01 is missing."""
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(HOUR_FILE, folder / "2015-01-01-0.json.gz")
    shutil.copy(SAMPLE_15, folder / "2015-01-01-15.json.gz")
    server = ArchiveServer(folder)
    with server.running() as url:
        yield server, url


def backfill(root: Path, url: str, start: str, end: str) -> int:
    return main(["--root", str(root), "ingest", "gharchive", "--from", start, "--to", end, "--base-url", url])


def test_an_hour_lands_byte_for_byte_and_a_missing_hour_is_reported(
    archive: tuple[ArchiveServer, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    server, url = archive
    root = tmp_path / "lake"
    assert backfill(root, url, "2015-01-01T00", "2015-01-01T01") == 1
    out, err = capsys.readouterr()
    assert out == (f"2 hour(s): 1 written (7,702 events, 2,615,399 bytes) under {root}/local-raw; "
                   "0 already in bronze; 1 missing: 2015-01-01-1\n")
    assert f"2015-01-01-1: missing: {url}/2015-01-01-1.json.gz: 404 Not Found" in err
    landed = root / BRONZE / "20150101T000000Z-gharchive-2015-01-01-0.json.gz"
    assert landed.read_bytes() == HOUR_FILE.read_bytes()
    assert sorted(p.name for p in (root / BRONZE).iterdir()) == [landed.name]
    assert server.paths == ["/2015-01-01-0.json.gz", "/2015-01-01-1.json.gz"]


def test_every_line_of_the_archive_is_a_bronze_line(archive: tuple[ArchiveServer, str], tmp_path: Path,
                                                    timeline: Timeline) -> None:
    _, url = archive
    assert backfill(tmp_path / "lake", url, "2015-01-01T00", "2015-01-01T00") == 0
    landed = tmp_path / "lake" / BRONZE / "20150101T000000Z-gharchive-2015-01-01-0.json.gz"
    assert gzip.decompress(landed.read_bytes()).decode("utf-8").splitlines() == timeline.texts


def test_hours_already_in_bronze_are_not_downloaded_again(
    archive: tuple[ArchiveServer, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    server, url = archive
    root = tmp_path / "lake"
    assert backfill(root, url, "2015-01-01T15", "2015-01-01T15") == 0
    assert backfill(root, url, "2015-01-01T00", "2015-01-01T15") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1] == (f"16 hour(s): 1 written (7,702 events, 2,615,399 bytes) under {root}/local-raw; "
                      "1 already in bronze; 14 missing: " + ", ".join(f"2015-01-01-{h}" for h in range(1, 15)))
    assert server.paths.count("/2015-01-01-15.json.gz") == 1
    assert sorted(p.name for p in (root / BRONZE).iterdir()) == [
        "20150101T000000Z-gharchive-2015-01-01-0.json.gz", "20150101T150000Z-gharchive-2015-01-01-15.json.gz"]


def test_a_truncated_hour_is_reported_and_leaves_nothing_behind(
    archive: tuple[ArchiveServer, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    server, url = archive
    data = HOUR_FILE.read_bytes()
    (server.folder / "2015-01-01-1.json.gz").write_bytes(data[: len(data) // 2])
    root = tmp_path / "lake"
    assert backfill(root, url, "2015-01-01T00", "2015-01-01T01") == 1
    out, err = capsys.readouterr()
    assert out.endswith("0 already in bronze; 1 failed: 2015-01-01-1\n")
    assert "2015-01-01-1: failed:" in err and "is not a complete gzip file" in err
    assert [p.name for p in root.rglob("*") if p.is_file()] == ["20150101T000000Z-gharchive-2015-01-01-0.json.gz"]


@pytest.mark.parametrize(("args", "message"), [
    (["2015-1-1", "2015-01-01T01"], "lakehouse: '2015-1-1' is not an hour: use YYYY-MM-DDTHH, e.g. 2015-01-01T15\n"),
    (["2015-01-02T00", "2015-01-01T23"], "lakehouse: --to 2015-01-01T23 is before --from 2015-01-02T00\n"),
    (["2014-12-31T23", "2015-01-01T00"], "lakehouse: 2014-12-31T23 is before 2015-01-01T00: GH Archive keeps those "
     "hours in its old timeline format, which is not one GitHub event per line\n"),
])
def test_a_user_error_is_one_line(args: list[str], message: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert backfill(tmp_path, "http://127.0.0.1:9", *args) == 2
    assert capsys.readouterr() == ("", message)


MEASURE = textwrap.dedent("""
    import json, sys
    from datetime import datetime, timezone
    from pathlib import Path
    import psutil
    from lakehouse.ingest.bronze_writer import BronzeWriter
    from lakehouse.ingest.gharchive import Backfill, archive_session
    from lakehouse.storage import LocalStore
    url, root, hour = sys.argv[1], Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
    baseline = psutil.Process().memory_info().rss
    store = LocalStore(root)
    [result] = Backfill(archive_session(), store, BronzeWriter(store), base_url=url).run([hour], progress=None)
    # VmHWM: this process's peak RSS (ru_maxrss would carry the forking parent's peak across exec)
    status = Path("/proc/self/status").read_text().splitlines()
    peak = int(next(line.split()[1] for line in status if line.startswith("VmHWM:"))) * 1024
    print(json.dumps({"status": result.status, "lines": result.lines, "key": result.key, "delta": peak - baseline}))
""")


def measure(url: str, root: Path, hour: str) -> dict[str, object]:
    """Backfill one hour in a fresh interpreter; its peak RSS above what it held after its imports."""
    done = subprocess.run([sys.executable, "-c", MEASURE, url, str(root), hour], capture_output=True, text=True,
                          timeout=120, check=True, env={**os.environ, "PYTHONPATH": str(ROOT / "lib")})
    report: dict[str, object] = json.loads(done.stdout)
    print(f"backfill of {hour}: {report['lines']} lines, peak RSS delta {report['delta']:,} bytes")  # -s shows it
    return report


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@pytest.fixture(scope="module")
def big_hour(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200,000 events: the real hour's lines repeated, each with a fresh id, as GH Archive would name it."""
    folder = tmp_path_factory.mktemp("big-archive")
    lines = gzip.decompress(HOUR_FILE.read_bytes()).splitlines(keepends=True)
    path = folder / "2015-01-01-2.json.gz"
    with gzip.open(path, "wb", compresslevel=1) as out:
        for n in range(200_000):
            line = lines[n % len(lines)]
            out.write(b'{"id":"%d"' % (90_000_000_000 + n) + line[line.index(b'",') + 1:])
    return path


@pytest.mark.subprocess  # each backfill in a fresh interpreter
def test_backfill_memory_stays_bounded_for_a_real_and_a_200k_event_hour(big_hour: Path, tmp_path: Path) -> None:
    shutil.copy(HOUR_FILE, big_hour.parent / "2015-01-01-0.json.gz")
    with ArchiveServer(big_hour.parent).running() as url:
        real = measure(url, tmp_path / "raw", "2015-01-01T00:00:00+00:00")
        big = measure(url, tmp_path / "raw", "2015-01-01T02:00:00+00:00")
    assert (real["status"], real["lines"], big["status"], big["lines"]) == ("written", 7702, "written", 200_000)
    assert sha256(tmp_path / "raw" / str(big["key"])) == sha256(big_hour)
    assert int(str(real["delta"])) < MEMORY_LIMIT
    assert int(str(big["delta"])) < MEMORY_LIMIT


def test_an_hour_backfilled_to_s3_is_encrypted_catalogued_and_not_fetched_twice(
    archive: tuple[ArchiveServer, str], aws_settings: Settings,
) -> None:
    server, url = archive
    s3 = boto3.client("s3")
    store = S3Store(s3, aws_settings.bucket("raw"))
    hour = datetime(2015, 1, 1, 0, tzinfo=UTC)
    for _ in range(2):
        writer = BronzeWriter(store, GluePartitionRegistrar(boto3.client("glue"), aws_settings))
        Backfill(archive_session(), store, writer, base_url=url).run([hour], progress=None)
    key = "github/events/ingest_dt=2015-01-01/20150101T000000Z-gharchive-2015-01-01-0.json.gz"
    obj = s3.get_object(Bucket=aws_settings.bucket("raw"), Key=key)
    assert (obj["ServerSideEncryption"], obj["Body"].read()) == ("aws:kms", HOUR_FILE.read_bytes())
    assert server.paths == ["/2015-01-01-0.json.gz"]
    partitions = boto3.client("glue").get_partitions(DatabaseName=aws_settings.database, TableName=BRONZE_TABLE.name)
    assert [p["Values"] for p in partitions["Partitions"]] == [["2015-01-01"]]
