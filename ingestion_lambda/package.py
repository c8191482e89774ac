"""Builds the ingestion Lambda's zip: the handler, the pyspark-free lakehouse modules it needs, its dependencies.

Deterministic: dependencies pinned to the versions of this environment and installed as wheels for the Lambda
platform, entries sorted, timestamps and permissions fixed; so the same sources give the same bytes.
"""

from __future__ import annotations

import argparse
import ast
import logging
import subprocess
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
LIB = HERE.parent / "lib"
HANDLER = HERE / "handler.py"
FORBIDDEN = ("pyspark", "awsglue")  # the Lambda has neither: a module that imports them is refused
REQUIREMENTS = ("requests", "aws-lambda-powertools", "filelock")
PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})  # in the Lambda Python runtime already
PLATFORM = "manylinux2014_x86_64"  # Lambda's python3.11 runtime: Amazon Linux 2, glibc 2.26
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


class PackageError(RuntimeError):
    """The zip could not be built; the message says which step failed."""


def pinned_closure(names: tuple[str, ...]) -> dict[str, str]:
    """Each requirement and its dependencies (markers for this Python), at the version installed here."""
    pins: dict[str, str] = {}
    todo = list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in pins or name in PROVIDED:
            continue
        try:
            pins[name] = metadata.version(name)
        except metadata.PackageNotFoundError as e:
            raise PackageError(f"{name} is not installed here: pip install -e '.[ingest]'") from e
        for text in metadata.requires(name) or ():
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return dict(sorted(pins.items()))


def install_dependencies(target: Path, platform: str = PLATFORM) -> dict[str, str]:
    """pip-install the pinned wheels for the Lambda platform into target; the pins."""
    pins = pinned_closure(REQUIREMENTS)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile", "--target", str(target),
        "--only-binary=:all:", "--platform", platform, "--python-version", "3.11", "--implementation", "cp",
        *(f"{name}=={version}" for name, version in pins.items()),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PackageError(f"pip install failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return pins


def _module_file(module: str) -> Path | None:
    """The source file of a lakehouse module (or package), if there is one under lib/."""
    base = LIB.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, module: str) -> set[str]:
    """Modules a source file imports (anywhere in it), absolute names; `from a import b` gives a and a.b."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".") if node.level else []
            base = ".".join(parts[:len(parts) - node.level + 1] + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def lakehouse_sources(entry: Path = HANDLER) -> dict[str, Path]:
    """Archive name -> file of every lakehouse module the entry imports, directly or not, with packages."""
    sources: dict[str, Path] = {}
    todo = [name for name in _imports(entry, "handler") if name.split(".")[0] == "lakehouse"]
    while todo:
        module = todo.pop()
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):
            name = ".".join(parts[:depth])
            path = _module_file(name)
            if path is None or path.relative_to(LIB).as_posix() in sources:
                continue
            imported = _imports(path, name)
            bad = sorted(i for i in imported if i.split(".")[0] in FORBIDDEN)
            if bad:
                raise PackageError(f"{name} imports {', '.join(bad)}, which the Lambda does not have")
            sources[path.relative_to(LIB).as_posix()] = path
            todo.extend(i for i in imported if i.split(".")[0] == "lakehouse")
    return sources


def _entries(deps: Path) -> dict[str, Path]:
    """Archive name -> file: dependencies (less scripts and bytecode), lakehouse modules, the handler."""
    entries = {
        path.relative_to(deps).as_posix(): path
        for path in deps.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
        and path.relative_to(deps).parts[0] != "bin"
    }
    entries.update(lakehouse_sources())
    entries["handler.py"] = HANDLER
    return entries


def build_zip(out_path: Path, platform: str = PLATFORM) -> Path:
    """Write the Lambda zip to out_path (handler: `handler.lambda_handler`) and return its path."""
    out_path = Path(out_path)
    with tempfile.TemporaryDirectory(prefix="lambda-deps-") as tmp:
        pins = install_dependencies(Path(tmp), platform)
        entries = _entries(Path(tmp))
        out_path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entries[name].read_bytes(), compresslevel=9)
    logger.info("built %s: %d files; %s", out_path, len(entries), ", ".join(f"{n}=={v}" for n, v in pins.items()))
    return out_path


def main(argv: list[str] | None = None) -> int:
    """`python ingestion_lambda/package.py OUT.zip`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--platform", default=PLATFORM)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        build_zip(args.out, args.platform)
    except PackageError as e:
        print(f"package: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
