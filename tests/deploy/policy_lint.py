"""Lint IAM policy documents with parliament; the findings are what the tests fail on.

parliament 1.6.4 imports pkg_resources only for `resource_filename`, and setuptools >= 81 no longer
ships pkg_resources: when it is missing, a shim with that one function stands in for it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
from typing import Any


def _shim_pkg_resources() -> None:
    if importlib.util.find_spec("pkg_resources") is not None:
        return
    shim = types.ModuleType("pkg_resources")

    def resource_filename(package: str, name: str) -> str:
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.origin is not None
        return os.path.join(os.path.dirname(spec.origin), name)

    shim.resource_filename = resource_filename  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = shim


_shim_pkg_resources()

from parliament import analyze_policy_string  # noqa: E402


def findings(document: dict[str, Any]) -> list[str]:
    """parliament's findings for one identity policy or one resource policy document."""
    policy = analyze_policy_string(json.dumps(document), include_community_auditors=True)
    return [f"{f.issue} {f.detail} {f.location}" for f in policy.findings]
