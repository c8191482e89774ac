"""`lakehouse bookmark show|reset JOB`."""

from __future__ import annotations

from lakehouse.bookmarks import Bookmark, BookmarkOption, reset
from lakehouse.runtime.local import bookmark_path
from lakehouse.settings import Settings


def bookmark(settings: Settings, action: str, job: str) -> int:
    path = bookmark_path(settings, job)
    if action == "reset":
        existed = reset(path)
        print(f"{job}: bookmark reset" if existed else f"{job}: no bookmark to reset")
        return 0
    state = Bookmark.load(path, BookmarkOption.ENABLE).summary()
    if not state:
        print(f"{job}: no bookmark yet (the next run reads all input)")
    for source, files in state.items():
        print(f"{job}: {source}: {files} file(s) processed")
    return 0
