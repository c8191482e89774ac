"""The resource abstraction: desired state → read current → diff → create, update or delete."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from deploy.context import Context

State = dict[str, Any]
Action = Literal["create", "update", "unchanged", "conflict", "delete", "keep", "absent"]
SYMBOLS = {"create": "+", "update": "~", "unchanged": "=", "conflict": "!", "delete": "-", "keep": "!", "absent": " "}


@dataclass(frozen=True)
class Change:
    """What deploy does, or would do, to one resource."""

    kind: str
    name: str
    action: Action
    fields: tuple[str, ...] = ()

    def line(self) -> str:
        detail = f"  ({', '.join(self.fields)})" if self.fields else ""
        return f"  {SYMBOLS[self.action]} {self.action:<9} {self.kind:<22} {self.name}{detail}"


def differing(desired: State, current: State) -> tuple[str, ...]:
    """The top-level fields whose desired value differs from the current one."""
    return tuple(key for key, value in desired.items() if current.get(key) != value)


class Resource(ABC):
    """One AWS resource: its desired state, how to read it, and how to make it so."""

    kind: ClassVar[str]

    def __init__(self, ctx: Context, name: str) -> None:
        self.ctx = ctx
        self.name = name

    @abstractmethod
    def desired(self) -> State:
        """The state this resource should have, in the same shape `read` returns."""

    @abstractmethod
    def read(self) -> State | None:
        """The current state, normalised to the shape of `desired`; None when it does not exist."""

    @abstractmethod
    def create(self, desired: State) -> None: ...

    @abstractmethod
    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None: ...

    @abstractmethod
    def delete(self, current: State) -> None: ...

    def diff(self, desired: State, current: State) -> tuple[str, ...]:
        return differing(desired, current)

    def owned(self, current: State) -> bool:
        """Destroy deletes only what this says is ours (by default: our tags)."""
        return self.ctx.is_ours(current.get("Tags"))

    def check_destroy(self, current: State, delete_data: bool) -> None:
        """Raise DeployError when destroying this would lose data the user did not agree to lose."""
        return None
