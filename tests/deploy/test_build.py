"""The release is reproducible: same sources, same bytes, same version-stamped prefix."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from deploy.build import FIXED_TIME, Release, build_wheel, zip_tree


@pytest.mark.subprocess  # pip wheel, twice
def test_the_wheel_is_byte_for_byte_the_same_when_built_twice(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = build_wheel(Path(__file__).parents[2], tmp_path / "a")
    second = build_wheel(Path(__file__).parents[2], tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()


def test_wheel_entries_are_sorted_with_fixed_times_and_carry_the_library(release: Release) -> None:
    with zipfile.ZipFile(BytesIO(release.files[release.wheel])) as wheel:
        names = wheel.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in wheel.infolist()} == {FIXED_TIME}
        assert "lakehouse/tables.py" in names and "lakehouse/settings.py" in names
        assert not [n for n in names if "__pycache__" in n or n.startswith("pyspark")]


def test_the_prefix_is_the_version_and_a_hash_of_the_content(release: Release) -> None:
    changed = Release(release.version, {**release.files, "extra.txt": b"x"}, release.wheel, release.lambda_zip, {})
    assert release.prefix.startswith(f"releases/{release.version}-")
    assert changed.prefix != release.prefix
    assert Release(release.version, dict(release.files), "", "", {}).prefix == release.prefix


def test_a_zipped_tree_is_the_same_whatever_order_it_was_given(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text("x = 1\n")
    (tmp_path / "y.py").write_text("y = 2\n")
    zip_tree({"x.py": tmp_path / "x.py", "y.py": tmp_path / "y.py"}, tmp_path / "1.zip")
    zip_tree({"y.py": tmp_path / "y.py", "x.py": tmp_path / "x.py"}, tmp_path / "2.zip")
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()
