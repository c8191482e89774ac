"""Glue Workflows declared as data, compiled into Glue API requests, drawn as Mermaid."""

from __future__ import annotations

from workflows.compile import CompiledWorkflow, compile_workflow
from workflows.declarations import CRAWLERS, DAILY, HOURLY, REBUILD, WORKFLOWS
from workflows.mermaid import render_docs, to_mermaid
from workflows.model import Crawler, Step, Workflow

__all__ = [
    "CRAWLERS",
    "DAILY",
    "HOURLY",
    "REBUILD",
    "WORKFLOWS",
    "CompiledWorkflow",
    "Crawler",
    "Step",
    "Workflow",
    "compile_workflow",
    "render_docs",
    "to_mermaid",
]
