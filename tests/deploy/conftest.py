"""Deploy runs its production boto3 code against the moto server, extended where moto lacks an API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from deploy.build import Release, build_release
from deploy.cli import Options, run
from deploy.context import DeployConfig
from deploy.resource import Change
from lakehouse.settings import Settings

ENV = "dev"
READ_ONLY = ("Get", "List", "Describe", "Head", "BatchGet")


@dataclass
class Run:
    """One deploy command's result: its changes, its printed lines and every AWS call it made."""

    changes: list[Change]
    lines: list[str]
    calls: list[str] = field(default_factory=list)

    @property
    def change_calls(self) -> list[str]:
        return [c for c in self.calls if not c.split(":")[1].startswith(READ_ONLY)]

    def actions(self, kind: str) -> dict[str, str]:
        return {c.name: c.action for c in self.changes if c.kind == kind}


Deployer = Callable[..., Run]


@pytest.fixture(scope="session")
def release() -> Release:
    """The real release (wheel, Lambda zip, scripts), built once for the whole suite."""
    return build_release(DeployConfig().version)


@pytest.fixture
def session(aws: str) -> boto3.Session:
    return boto3.Session()


@pytest.fixture
def deploy(aws: str, release: Release) -> Iterator[Deployer]:
    """Run plan/apply/destroy on a fresh Session that records every call it makes."""

    def go(
        command: str,
        config: DeployConfig | None = None,
        tune: Callable[[Settings], Settings] | None = None,
        **options: Any,
    ) -> Run:
        session = boto3.Session()
        calls: list[str] = []

        def record(model: Any, **_: Any) -> None:
            calls.append(f"{model.service_model.service_name}:{model.name}")

        session.events.register("before-call", record)
        lines: list[str] = []
        changes = run(Options(command, ENV, **options), session, lines.append, release, config, tune)
        return Run(changes, lines, calls)

    yield go
