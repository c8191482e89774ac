"""The local runtime: plain Spark, an embedded Hive metastore under the data root, our bookmarks.

Used by the `lakehouse` command, by spark-submit of the Glue entry scripts (as in the Glue Docker
image) and by the tests.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse.bookmarks import Bookmark, BookmarkOption, FileMark
from lakehouse.bronze_check import CorruptObject, ObjectCheck, check_object
from lakehouse.errors import UserError
from lakehouse.layout import LayoutError, ingest_dt_in, parse_key
from lakehouse.runtime.base import SESSION_CONF, BronzeInput
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE, SILVER_INDEX, SILVER_JOB

log = logging.getLogger(__name__)

LOG_CONFIG = Path(__file__).resolve().parents[1] / "log4j2.properties"
BRONZE_SOURCE = "bronze"
SILVER_INDEX_SOURCE = "silver_index"


class RootBusy(UserError):
    """Another process holds the data root (Derby allows one process per metastore)."""


class JavaMissing(UserError):
    """Spark needs a Java runtime and none was found."""


# The local engine's settings, without the metastore (the benchmark's baselines run on these alone).
ENGINE_CONF = {
    **SESSION_CONF,
    "spark.driver.memory": "4g",
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def spark_config(settings: Settings) -> dict[str, str]:
    """Spark settings of the local runtime: the engine's, dynamic partitions, Derby under the root."""
    metastore = settings.metastore_dir
    return {
        **ENGINE_CONF,
        "spark.hadoop.hive.exec.dynamic.partition": "true",
        "spark.hadoop.hive.exec.dynamic.partition.mode": "nonstrict",
        "spark.sql.warehouse.dir": f"{metastore}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={metastore}/metastore_db;create=true",
        # Quoted as a shell would: Spark splits these options at spaces, and a root's path may hold one.
        "spark.driver.extraJavaOptions": " ".join(
            [
                shlex.quote(f"-Dderby.system.home={metastore}"),
                shlex.quote(f"-Dderby.stream.error.file={metastore}/derby.log"),
                shlex.quote(f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"),
                os.environ.get("LAKEHOUSE_JVM_OPTS", ""),
            ]
        ),
    }


def require_java() -> None:
    """Fail with one sentence when no Java runtime is on the PATH (Spark needs Java 17)."""
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise JavaMissing(
            "Java was not found: install a Java 17 runtime (e.g. `apt-get install openjdk-17-jre-headless` "
            "or `brew install openjdk@17`) and make sure `java` is on the PATH or JAVA_HOME is set"
        )


@contextmanager
def root_lock(settings: Settings) -> Iterator[None]:
    """Hold the data root for this process, or fail at once with one line saying who holds it."""
    Path(settings.root or ".").mkdir(parents=True, exist_ok=True)
    lock = FileLock(f"{settings.root}/.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout as e:
        raise RootBusy(
            f"another lakehouse process is using {settings.root} (its embedded metastore allows one "
            "process at a time): wait for it to finish, or use another --root"
        ) from e
    try:
        yield
    finally:
        lock.release()


def local_spark(settings: Settings, app_name: str = "lakehouse") -> SparkSession:
    """A local SparkSession with Hive support and the embedded metastore of this root."""
    require_java()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    Path(settings.metastore_dir).mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName(app_name).master("local[*]").enableHiveSupport()
    for key, value in spark_config(settings).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def list_files(location: str) -> list[FileMark]:
    """Data files below a local location (hidden and `_` files excluded), in path order."""
    base = Path(location)
    if not base.exists():
        return []
    paths = (p for p in base.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))
    return sorted(FileMark.of(p) for p in paths)


def file_uri(path: str) -> str:
    """A local path as Spark's input_file_name() names it."""
    return f"file://{path}"


def bronze_objects(location: str, quiet: bool = False) -> list[FileMark]:
    """Bronze objects in the layout (`ingest_dt=YYYY-MM-DD/<name>`); anything else is named and left alone."""
    objects = []
    for mark in list_files(location):
        try:
            parse_key(mark.path)
            objects.append(mark)
        except LayoutError:
            if not quiet:
                log.warning("ignoring %s: not in the bronze layout ingest_dt=YYYY-MM-DD/<object>", mark.path)
    return objects


def _check(path: Path) -> ObjectCheck | CorruptObject:
    try:
        return check_object(path)
    except CorruptObject as e:
        return e


class ObjectChecks:
    """Bronze objects' checks (or why one cannot be read whole), each object checked once, on every core.

    `start` checks in the background (ISA-L's inflate releases the GIL; the UTF-8 check holds it only
    for lines above ASCII): `lakehouse run` starts on a run's objects while Spark and its metastore
    start, which keeps one core busy, not two.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
        self._checks: dict[FileMark, Future[ObjectCheck | CorruptObject]] = {}

    def start(self, marks: Iterable[FileMark]) -> None:
        for mark in marks:
            if mark not in self._checks:
                self._checks[mark] = self._pool.submit(_check, Path(mark.path))

    def results(self, marks: list[FileMark]) -> list[ObjectCheck | CorruptObject]:
        self.start(marks)
        return [self._checks.pop(mark).result() for mark in marks]

    def cancel(self) -> None:
        """Drop the checks no job took (a command that failed before its job ran)."""
        for check in self._checks.values():
            check.cancel()
        self._checks.clear()


OBJECT_CHECKS = ObjectChecks()


def check_new_bronze_ahead(settings: Settings, option: BookmarkOption) -> None:
    """Start checking the bronze objects that bronze_to_silver will read (their results wait for it)."""
    bookmark = Bookmark.load(bookmark_path(settings, SILVER_JOB), option)
    OBJECT_CHECKS.start(bookmark.new_files(BRONZE_SOURCE, bronze_objects(BRONZE.location(settings), quiet=True)))


@dataclass
class LocalRuntime:
    """A job run on plain Spark, with our bookmark store in the artifacts folder of the root."""

    spark: SparkSession
    settings: Settings
    job: str
    bookmark: Bookmark

    @classmethod
    def create(cls, spark: SparkSession, settings: Settings, job: str, option: BookmarkOption) -> LocalRuntime:
        return cls(spark, settings, job, Bookmark.load(bookmark_path(settings, job), option))

    def read_new_bronze(self) -> BronzeInput:
        new = self.bookmark.new_files(BRONZE_SOURCE, bronze_objects(BRONZE.location(self.settings)))
        counts: dict[str, int] = {}
        corrupt: list[str] = []
        utf8 = True
        for mark, checked in zip(new, OBJECT_CHECKS.results(new), strict=True):
            if isinstance(checked, CorruptObject):
                log.warning("quarantining corrupt object %s", checked)
                corrupt.append(file_uri(mark.path))
            else:
                counts[file_uri(mark.path)] = checked.lines
                utf8 = utf8 and checked.utf8
        readable = [mark.path for mark in new if file_uri(mark.path) in counts]
        if readable:
            lines = self.spark.read.text(readable).select("value", F.input_file_name().alias("source_object"))
        else:
            lines = self.spark.createDataFrame([], "value string, source_object string")
        return BronzeInput(lines, tuple(corrupt), counts, utf8)

    def new_silver_index_days(self) -> list[str]:
        """From the new files' paths (`ingest_dt=YYYY-MM-DD/year=…/month=…/part-…`): nothing to read."""
        new = self.bookmark.new_files(SILVER_INDEX_SOURCE, list_files(SILVER_INDEX.location(self.settings)))
        return sorted({ingest_dt_in(mark.path) for mark in new})

    def commit(self) -> None:
        self.bookmark.commit()


def bookmark_path(settings: Settings, job: str) -> Path:
    """Where a job's bookmark lives: the artifacts bucket, as on AWS."""
    return Path(settings.uri("artifacts", f"bookmarks/{job}.json"))
