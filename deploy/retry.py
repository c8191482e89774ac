"""Retry the calls that fail for a few seconds after a new IAM role is created (IAM is eventually consistent)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import ClientError

T = TypeVar("T")
PROPAGATION_HINTS = ("cannot be assumed", "unable to assume", "not authorized to assume", "role")


def retry_while_role_propagates(
    call: Callable[[], T], attempts: int = 8, delay: float = 2.0, sleep: Callable[[float], None] = time.sleep
) -> T:
    """Call, retrying InvalidParameterValue-style errors that mention the role, with growing waits."""
    for attempt in range(attempts):
        try:
            return call()
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code", "")
            message = str(e.response.get("Error", {}).get("Message", "")).lower()
            transient = code in ("InvalidParameterValueException", "InvalidInputException", "AccessDeniedException")
            if not transient or not any(h in message for h in PROPAGATION_HINTS) or attempt == attempts - 1:
                raise
            sleep(delay * (attempt + 1))
    raise AssertionError("unreachable")
