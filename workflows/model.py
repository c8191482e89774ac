"""The shape of a workflow declaration: steps (jobs and crawlers) with DependsOn edges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

StepKind = Literal["job", "crawler"]


class WorkflowError(ValueError):
    """A workflow declaration is inconsistent; the message names the step."""


@dataclass(frozen=True)
class Crawler:
    """A schema-drift crawler over the locations of some tables (names from lakehouse.tables)."""

    name: str
    tables: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Step:
    """One node of a workflow: a Glue job or crawler, by logical name, run after all of depends_on."""

    name: str
    kind: StepKind
    depends_on: tuple[str, ...] = ()
    arguments: Mapping[str, str] = field(default_factory=dict)  # job arguments for this run only

    @property
    def label(self) -> str:
        return " ".join([self.name, *(f"{k} {v}" for k, v in self.arguments.items() if k == "--mode")])


@dataclass(frozen=True)
class Workflow:
    """A Glue Workflow: a SCHEDULED start (ON_DEMAND when `schedule` is None), then steps by DependsOn edges."""

    name: str
    description: str
    schedule: str | None
    steps: tuple[Step, ...]
    run_properties: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        if len(set(names)) != len(names):
            raise WorkflowError(f"workflow {self.name!r} declares a step twice: {names}")
        for step in self.steps:
            missing = [d for d in step.depends_on if d not in names]
            if missing:
                raise WorkflowError(
                    f"workflow {self.name!r}: step {step.name!r} depends on {missing}, "
                    f"which are not steps of it (steps: {names})"
                )
        if not self.start_steps:
            raise WorkflowError(f"workflow {self.name!r} has no step without dependencies to start")

    @property
    def when(self) -> str:
        """The schedule, as a person reads it."""
        return self.schedule or "on demand"

    @property
    def start_steps(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if not s.depends_on)

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)
