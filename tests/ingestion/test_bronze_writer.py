"""Bronze objects on S3 (moto): encrypted, gzip JSON lines, and their partition in the Glue catalog."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from lakehouse.ingest.bronze_writer import BronzeWriter
from lakehouse.ingest.glue_catalog import CatalogError, GluePartitionRegistrar
from lakehouse.settings import Settings
from lakehouse.storage import LocalStore, S3Store
from lakehouse.tables import BRONZE
from tests.ingestion.conftest import OPENX_SERDE, Timeline

ARRIVAL = datetime(2026, 3, 1, 23, 59, 58, tzinfo=UTC)


def test_an_object_is_encrypted_gzip_lines_and_its_partition_is_registered(
    aws_settings: Settings, timeline: Timeline,
) -> None:
    s3, glue = boto3.client("s3"), boto3.client("glue")
    writer = BronzeWriter(S3Store(s3, aws_settings.bucket("raw")), GluePartitionRegistrar(glue, aws_settings))
    written = writer.write_events(ARRIVAL, "req-1-00000", timeline.texts[:50])
    again = writer.write_events(ARRIVAL, "req-1-00001", timeline.texts[50:60])
    key = "github/events/ingest_dt=2026-03-01/20260301T235958Z-req-1-00000.json.gz"
    assert (written.key, written.lines, again.key.endswith("-req-1-00001.json.gz")) == (key, 50, True)
    obj = s3.get_object(Bucket=aws_settings.bucket("raw"), Key=key)
    assert obj["ServerSideEncryption"] == "aws:kms"
    assert gzip.decompress(obj["Body"].read()) == "".join(t + "\n" for t in timeline.texts[:50]).encode("utf-8")
    partitions = glue.get_partitions(DatabaseName=aws_settings.database, TableName=BRONZE.name)["Partitions"]
    assert [(p["Values"], p["StorageDescriptor"]["Location"], p["StorageDescriptor"]["SerdeInfo"]
             ["SerializationLibrary"]) for p in partitions] == [
        (["2026-03-01"], f"s3://{aws_settings.bucket('raw')}/github/events/ingest_dt=2026-03-01", OPENX_SERDE)]


def test_registering_a_partition_that_exists_is_fine(aws_settings: Settings) -> None:
    glue = boto3.client("glue")
    GluePartitionRegistrar(glue, aws_settings).register("2026-03-02")
    GluePartitionRegistrar(glue, aws_settings).register("2026-03-02")
    partitions = glue.get_partitions(DatabaseName=aws_settings.database, TableName=BRONZE.name)["Partitions"]
    assert [p["Values"] for p in partitions] == [["2026-03-02"]]


def test_a_missing_bronze_table_is_a_catalog_error(aws: str) -> None:
    settings = Settings.aws("nothing", "123456789012", "eu-west-1")
    with pytest.raises(CatalogError, match=r"lakehouse_nothing\.github_events_bronze is not readable"):
        GluePartitionRegistrar(boto3.client("glue"), settings).register("2026-03-01")


def test_the_same_lines_give_the_same_bytes_whenever_and_wherever_they_are_written(tmp_path: Path) -> None:
    texts = ["{}", '{"a":"é"}']
    first = BronzeWriter(LocalStore(tmp_path / "a")).write_events(ARRIVAL, "x", texts)
    second = BronzeWriter(LocalStore(tmp_path / "b"), tmp_dir=tmp_path).write_events(ARRIVAL, "x", texts)
    body = (tmp_path / "a" / first.key).read_bytes()
    assert body == (tmp_path / "b" / second.key).read_bytes()
    assert body[3:8] == bytes(5)  # gzip header: no flags (so no file name), mtime 0
    assert gzip.decompress(body) == '{}\n{"a":"é"}\n'.encode()
    assert (first.lines, first.size, first.new) == (2, len(body), True)
