"""The local runtime: plain Spark, an embedded Hive metastore under the data root, our bookmarks.

Used by the `lakehouse` command, by spark-submit of the Glue entry scripts (as in the Glue Docker
image) and by the tests.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from filelock import FileLock, Timeout
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.bookmarks import Bookmark, BookmarkOption, FileMark
from lakehouse.bronze_check import CorruptObject, check_object
from lakehouse.catalog import check_tables, ensure_tables, root_moved, same_place
from lakehouse.errors import SparkExited, UserError
from lakehouse.lake import Lake
from lakehouse.layout import LayoutError, ingest_dt_in, parse_key
from lakehouse.runtime.base import SESSION_CONF
from lakehouse.runtime.class_archive import GC_OPTIONS, JvmOptions, jvm_options
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE, SILVER_INDEX

log = logging.getLogger(__name__)

LOG_CONFIG = Path(__file__).resolve().parents[1] / "log4j2.properties"
BRONZE_SOURCE = "bronze"
SILVER_INDEX_SOURCE = "silver_index"


class RootBusy(UserError):
    """Another process holds the data root (Derby allows one process per metastore)."""


class JavaMissing(UserError):
    """Spark needs a Java runtime and none was found."""


DEFAULT_DRIVER_MEMORY = "4g"
DRIVER_MEMORY_VAR = "SPARK_DRIVER_MEMORY"  # Spark's own name for it (spark-submit reads it too)
# How Spark's JVM exits when a task runs out of memory (org.apache.spark.util.SparkExitCode.OOM).
JVM_OUT_OF_MEMORY = 52
JVM_EXIT_WAIT_SECONDS = 30  # a JVM that stopped answering exits once its shutdown hooks have run


def driver_memory() -> str:
    return os.environ.get(DRIVER_MEMORY_VAR) or DEFAULT_DRIVER_MEMORY


def engine_config() -> dict[str, str]:
    """The local engine's settings, without the metastore (the benchmark's baselines run on these alone); its
    JVM's default options are the collector's (`LAKEHOUSE_JVM_OPTS` replaces them, as in `spark_config`)."""
    return {
        **SESSION_CONF,
        "spark.driver.memory": driver_memory(),
        "spark.driver.extraJavaOptions": GC_OPTIONS,
        "spark.sql.shuffle.partitions": "8",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }


def spark_config(settings: Settings, java_options: str = "") -> dict[str, str]:
    """Spark settings of the local runtime: the engine's, dynamic partitions, Derby under the root, the JVM's
    options (runtime.class_archive)."""
    metastore = settings.metastore_dir
    return {
        **engine_config(),
        "spark.hadoop.hive.exec.dynamic.partition": "true",
        "spark.hadoop.hive.exec.dynamic.partition.mode": "nonstrict",
        "spark.sql.warehouse.dir": f"{metastore}/warehouse",
        # Hive makes a folder for a session's downloaded resources, by default a new /tmp/<session id>_resources
        # that nothing removes (SPARK-21449): one folder under the root instead, reused by every command.
        "spark.hadoop.hive.downloaded.resources.dir": f"{metastore}/hive-resources",
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={metastore}/metastore_db;create=true",
        # Quoted as a shell would: Spark splits these options at spaces, and a root's path may hold one.
        "spark.driver.extraJavaOptions": " ".join(
            [
                shlex.quote(f"-Dderby.system.home={metastore}"),
                shlex.quote(f"-Dderby.stream.error.file={metastore}/derby.log"),
                shlex.quote(f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"),
                java_options,
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


def local_spark(settings: Settings, app_name: str = "lakehouse", jvm: JvmOptions | None = None) -> SparkSession:
    """A local SparkSession with Hive support and the embedded metastore of this root (on the class archive if
    there is one; `local_session` makes it)."""
    require_java()
    jvm = jvm or jvm_options()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    Path(settings.metastore_dir).mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName(app_name).master("local[*]").enableHiveSupport()
    for key, value in spark_config(settings, jvm.options).items():
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


def _is_corrupt(path: str) -> bool:
    try:
        check_object(Path(path))
    except CorruptObject:
        return True
    return False


def check_not_moved(settings: Settings) -> None:
    """Refuse a root that was copied or moved: its metastore keeps the first root's absolute locations.

    The root's path is written beside its metastore when that is made; this needs no metastore, so a
    run with nothing to do is refused too. (`catalog.check_tables` finds the same from the tables.)
    """
    marker = Path(settings.metastore_dir) / "lake-root"
    if not marker.exists():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(str(settings.root))
    elif not same_place(made_for := marker.read_text().strip(), str(settings.root)):
        raise root_moved(settings, made_for)


@contextmanager
def local_session(settings: Settings, app_name: str = "lakehouse") -> Iterator[SparkSession]:
    """Lock the root and start Spark on its embedded metastore, for one command (Derby is one process).

    If Spark's JVM exits meanwhile (a task out of memory, a kill), the command's error is `SparkExited`, which
    says so, instead of the errors of every call that found the JVM gone."""
    with root_lock(settings):
        check_not_moved(settings)
        jvm = jvm_options(make=True)
        spark = local_spark(settings, app_name, jvm)
        try:
            yield spark
        except Exception as e:
            code = _jvm_exit_code(spark)
            if code is None:
                raise
            raise spark_exited(code) from e
        finally:
            if (process := _jvm_process(spark)) is None or process.poll() is None:
                spark.stop()
                jvm.keep(process)


def _jvm_process(spark: SparkSession) -> subprocess.Popen[bytes] | None:
    """The JVM PySpark started for this session (`java_gateway.launch_gateway` keeps it); None under spark-submit,
    whose JVM started this process."""
    return getattr(spark.sparkContext._gateway, "proc", None)


def _jvm_exit_code(spark: SparkSession) -> int | None:
    """After an error: None if Spark's JVM still runs its context, else its exit code, once it has exited (a JVM
    out of memory runs its shutdown hooks first, and may answer a call or two meanwhile)."""
    if (process := _jvm_process(spark)) is None:
        return None
    try:
        if not spark.sparkContext._jsc.sc().isStopped():
            return None
    except Exception:  # any failure to answer means the JVM is going
        log.debug("Spark's JVM does not answer", exc_info=True)
    try:
        return process.wait(JVM_EXIT_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        return None


def spark_exited(code: int) -> SparkExited:
    safe = "(an unfinished run leaves its bookmark where it was, so that is safe)"
    if code == JVM_OUT_OF_MEMORY:
        return SparkExited(
            f"Spark ran out of memory and its JVM exited (code {code}): give its driver more than "
            f"{driver_memory()}, e.g. {DRIVER_MEMORY_VAR}=8g, and run the command again {safe}"
        )
    return SparkExited(
        f"Spark's JVM exited (code {code}) before the command finished, as its last lines above say: run the "
        f"command again once that is mended {safe}"
    )


@contextmanager
def lake_session(settings: Settings, app_name: str = "lakehouse") -> Iterator[SparkSession]:
    """`local_session` with the lake's tables created, checked and its database in use (for SQL by name)."""
    with local_session(settings, app_name) as spark:
        check_tables(spark, settings, ensure_tables(spark, settings))
        spark.catalog.setCurrentDatabase(settings.database)
        yield spark


@dataclass
class LocalRuntime:
    """A job run on plain Spark, with our bookmark store in the artifacts folder of the root."""

    spark: SparkSession
    settings: Settings
    job: str
    bookmark: Bookmark
    lake: Lake

    @classmethod
    def create(cls, spark: SparkSession, settings: Settings, job: str, option: BookmarkOption) -> LocalRuntime:
        lake = Lake(spark, settings, check=check_tables)
        return cls(spark, settings, job, Bookmark.load(bookmark_path(settings, job), option), lake)

    def _new_bronze(self) -> list[FileMark]:
        return self.bookmark.new_files(BRONZE_SOURCE, bronze_objects(BRONZE.location(self.settings)))

    def read_new_bronze(self, skip: Collection[str] = ()) -> DataFrame | None:
        paths = [mark.path for mark in self._new_bronze() if file_uri(mark.path) not in skip]
        if not paths:
            return None
        return self.spark.read.text(paths).select("value", F.input_file_name().alias("source_object"))

    def read_bronze_objects(self, names: Collection[str]) -> DataFrame:
        paths = sorted(unquote(name) for name in names)  # Spark's names are URL-encoded
        return self.spark.read.text(paths).select("value", F.input_file_name().alias("source_object"))

    def find_unreadable(self) -> list[str]:
        """Each new object read to its end (gzip CRC and length checked), on every core; the corrupt ones."""
        paths = [mark.path for mark in self._new_bronze()]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # ISA-L's inflate releases the GIL
            corrupt = list(pool.map(_is_corrupt, paths))
        return [file_uri(path) for path, bad in zip(paths, corrupt, strict=True) if bad]

    def _bronze_of_days(self, days: Collection[str]) -> list[FileMark]:
        found = (bronze_objects(BRONZE.partition_location(self.settings, {"ingest_dt": d})) for d in sorted(days))
        return [mark for marks in found for mark in marks]

    def bronze_of_days(self, days: Collection[str]) -> list[str]:
        return [file_uri(mark.path) for mark in self._bronze_of_days(days)]

    def read_bronze_of_days(self, days: Collection[str], skip: Collection[str] = ()) -> DataFrame | None:
        paths = [mark.path for mark in self._bronze_of_days(days) if file_uri(mark.path) not in skip]
        if not paths:
            return None
        return self.spark.read.text(paths).select("value", F.input_file_name().alias("source_object"))

    def find_unreadable_of_days(self, days: Collection[str]) -> list[str]:
        paths = [mark.path for mark in self._bronze_of_days(days)]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            corrupt = list(pool.map(_is_corrupt, paths))
        return [file_uri(path) for path, bad in zip(paths, corrupt, strict=True) if bad]

    def new_silver_index_days(self) -> list[str]:
        """From the new files' paths (`ingest_dt=YYYY-MM-DD/year=…/month=…/part-…`): nothing to read."""
        new = self.bookmark.new_files(SILVER_INDEX_SOURCE, list_files(SILVER_INDEX.location(self.settings)))
        return sorted({ingest_dt_in(mark.path) for mark in new})

    def commit(self) -> None:
        self.bookmark.commit()


def bookmark_path(settings: Settings, job: str) -> Path:
    """Where a job's bookmark lives: the artifacts bucket, as on AWS."""
    return Path(settings.uri("artifacts", f"bookmarks/{job}.json"))
