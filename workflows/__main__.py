"""`python -m workflows` prints docs/workflows.md."""

from __future__ import annotations

import sys

from workflows.mermaid import render_docs

sys.stdout.write(render_docs())
