"""Reproducible artifacts: the lakehouse wheel, the Lambda zip and the Glue scripts, one release.

Same sources give the same bytes: entries sorted, timestamps fixed (SOURCE_DATE_EPOCH), modes
normalised. The release prefix is the version and a hash of the content, so an unchanged build
lands on the same keys and deploy uploads nothing.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from deploy.errors import DeployError
from lakehouse.tables import DASHBOARD_JOB, JOBS

ROOT = Path(__file__).resolve().parents[1]
EPOCH = 315532800  # 1980-01-01, the earliest time a zip can hold
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
SKIP = ("__pycache__", ".egg-info", ".pyc")
GLUE_JOBS = (*JOBS, DASHBOARD_JOB)  # every Glue job deploy creates: one entry script each, glue_jobs/<job>.py


@dataclass(frozen=True)
class Release:
    """Built files under one version-stamped prefix of the artifacts bucket."""

    version: str
    files: dict[str, bytes]
    wheel: str
    lambda_zip: str
    scripts: dict[str, str]

    @property
    def prefix(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        return f"releases/{self.version}-{digest.hexdigest()[:12]}/"

    @classmethod
    def nothing(cls, version: str) -> Release:
        """No files: what destroy passes, since it uploads nothing."""
        return cls(version, {}, "", "", {job: f"glue_jobs/{job}.py" for job in GLUE_JOBS})

    def key(self, name: str) -> str:
        return self.prefix + name


def normalise_zip(source: Path, target: Path) -> None:
    """Rewrite a zip with sorted entries, fixed timestamps and modes: the same input, the same bytes."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            if name.endswith("/"):
                continue
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(name))


def zip_tree(entries: dict[str, Path], target: Path) -> None:
    """Zip files (archive name → path) reproducibly."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, entries[name].read_bytes())


def _sources(root: Path, folder: str, prefix: str = "") -> dict[str, Path]:
    base = root / folder
    return {
        prefix + str(p.relative_to(base)): p
        for p in base.rglob("*")
        if p.is_file() and not any(part in str(p) for part in SKIP)
    }


def build_wheel(root: Path, out_dir: Path) -> Path:
    """pip wheel on a clean copy of setup.py and lib/ (never touching the work tree), normalised."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        shutil.copy2(root / "setup.py", src / "setup.py")
        shutil.copytree(root / "lib", src / "lib", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "PYTHONHASHSEED": "0"}
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
               "-w", str(Path(tmp) / "dist"), str(src)]  # fmt: skip
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise DeployError(f"building the wheel failed: {done.stderr.strip().splitlines()[-1:]}")
        built = next((Path(tmp) / "dist").glob("lakehouse-*.whl"))
        target = out_dir / built.name
        normalise_zip(built, target)
    return target


def build_lambda_zip(root: Path, out_dir: Path) -> Path:
    """The ingestion Lambda's zip: ingestion_lambda.package.build_zip, else the fallback below."""
    target = out_dir / "ingest-lambda.zip"
    try:
        package = importlib.import_module("ingestion_lambda.package")
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith("ingestion_lambda"):
            raise
        return build_fallback_lambda_zip(root, target)
    try:
        return Path(package.build_zip(target))
    except package.PackageError as e:
        raise DeployError(f"building the Lambda zip failed: {e}") from e


def build_fallback_lambda_zip(root: Path, target: Path) -> Path:
    """FALLBACK, without dependencies: ingestion_lambda/ and lib/lakehouse only.

    Used only while ingestion_lambda/package.py does not exist; the Lambda then lacks requests and
    Powertools, so this is enough to deploy and test deploy, not to ingest.
    """
    entries = {**_sources(root, "lib/lakehouse", "lakehouse/")}
    if (root / "ingestion_lambda").is_dir():
        entries.update(_sources(root, "ingestion_lambda"))
    zip_tree(entries, target)
    return target


def build_release(version: str, root: Path = ROOT) -> Release:
    """Build everything deploy uploads; raise DeployError naming what is missing."""
    scripts = {job: f"glue_jobs/{job}.py" for job in GLUE_JOBS}
    missing = [path for path in scripts.values() if not (root / path).is_file()]
    if missing:
        raise DeployError(f"Glue entry scripts not found: {', '.join(missing)} (under {root})")
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(root, Path(tmp))
        lambda_zip = build_lambda_zip(root, Path(tmp))
        files = {wheel.name: wheel.read_bytes(), lambda_zip.name: lambda_zip.read_bytes()}
    files.update({path: (root / path).read_bytes() for path in scripts.values()})
    return Release(version, files, wheel.name, lambda_zip.name, scripts)
