"""Deploy's exceptions, and one-line messages for the AWS errors a user can fix."""

from __future__ import annotations

import re

from botocore.exceptions import ClientError

ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
_ACTION = re.compile(r"perform: ([A-Za-z0-9-]+:[A-Za-z0-9]+)")


class DeployError(RuntimeError):
    """Deploy cannot go on; the message says why and what to do."""


class SchemaChangeError(DeployError):
    """A deployed table would need a change deploy never makes: other partition keys (it only adds columns)."""


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_not_found(error: ClientError, *codes: str) -> bool:
    """True when AWS says the thing does not exist (one of codes, or an HTTP 404)."""
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return error_code(error) in codes or status == 404


def describe_client_error(error: ClientError, service: str = "") -> str:
    """One line for the user: the denied action, or the AWS error code and message."""
    message = str(error.response.get("Error", {}).get("Message", "")).strip()
    if error_code(error) in ACCESS_DENIED:
        found = _ACTION.search(message)
        action = found.group(1) if found else f"{service or 'aws'}:{error.operation_name}"
        return f"access denied: this identity may not call {action}; grant it and run deploy again"
    return f"{service or 'AWS'} {error.operation_name} failed: {error_code(error)}: {message}"
