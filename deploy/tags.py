"""Tags in the several shapes AWS APIs use: a dict, or a list of key/value pairs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def to_list(tags: Mapping[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def from_list(items: Iterable[Mapping[str, str]], key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {item[key]: item[value] for item in items}
