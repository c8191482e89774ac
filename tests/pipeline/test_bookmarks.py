"""Our bookmark store honours Glue's options: enable, disable, pause, and reset."""

from __future__ import annotations

from pathlib import Path

from lakehouse.bookmarks import Bookmark, BookmarkOption, FileMark, reset

A, B = FileMark("/lake/a.json.gz", 10, 1), FileMark("/lake/b.json.gz", 20, 2)


def _run(path: Path, option: BookmarkOption, files: list[FileMark]) -> list[FileMark]:
    bookmark = Bookmark.load(path, option)
    new = bookmark.new_files("bronze", files)
    bookmark.commit()
    return new


def test_enable_remembers_pause_does_not_disable_reads_all(tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    assert _run(path, BookmarkOption.ENABLE, [A]) == [A]
    assert _run(path, BookmarkOption.PAUSE, [A, B]) == [B]
    assert _run(path, BookmarkOption.PAUSE, [A, B]) == [B]
    assert _run(path, BookmarkOption.DISABLE, [A, B]) == [A, B]
    assert _run(path, BookmarkOption.ENABLE, [A, B]) == [B]
    assert _run(path, BookmarkOption.ENABLE, [A, B]) == []
    assert Bookmark.load(path, BookmarkOption.ENABLE).summary() == {"bronze": 2}


def test_a_changed_file_is_new_again_and_reset_forgets_everything(tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    _run(path, BookmarkOption.ENABLE, [A])
    rewritten = FileMark(A.path, 11, 3)
    assert _run(path, BookmarkOption.ENABLE, [rewritten]) == [rewritten]
    assert reset(path) is True and reset(path) is False
    assert _run(path, BookmarkOption.ENABLE, [rewritten]) == [rewritten]


def test_an_uncommitted_run_leaves_the_bookmark_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    _run(path, BookmarkOption.ENABLE, [A])
    crashed = Bookmark.load(path, BookmarkOption.ENABLE)
    assert crashed.new_files("bronze", [A, B]) == [B]
    assert Bookmark.load(path, BookmarkOption.ENABLE).new_files("bronze", [A, B]) == [B]
