"""moto's S3, narrowed to AWS's behaviour where deploy depends on it (installed by moto_extensions).

See moto_extensions' docstring for what each extension models and why.
"""

from __future__ import annotations

import fnmatch
import json
import threading
from typing import Any

from moto.core.responses import ActionResult
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response

LOGGING_SERVICE = "logging.s3.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_request = threading.local()
# What AWS knows of a request to S3 that is not in moto's evaluation: it came over HTTPS with TLS 1.2
# (the SDKs' minimum), and the encryption headers it carries (condition keys from
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html).
MOTO_USER = "arn:aws:iam::123456789012:user/moto"
TRANSPORT = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.2", "aws:PrincipalArn": MOTO_USER}
TEST_KEYS = {"x-test-principal-arn": "aws:PrincipalArn", "x-test-source-vpce": "aws:SourceVpce",
             "x-test-called-via": "aws:CalledVia"}  # fmt: skip
HEADER_KEYS = ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
               "x-amz-server-side-encryption-customer-algorithm")  # fmt: skip


def with_request_context(original: Any) -> Any:
    """S3Response._key_response, keeping the request's condition keys for get_permission meanwhile."""
    def key_response(self: S3Response, request: Any, full_url: str) -> Any:
        headers = {k.lower(): v for k, v in request.headers.items()}
        context = {**TRANSPORT, **{f"s3:{h}": headers[h] for h in HEADER_KEYS if h in headers}}
        _request.context = {**context, **{key: headers[h] for h, key in TEST_KEYS.items() if h in headers}}
        try:
            return original(self, request, full_url)
        finally:
            _request.context = dict(TRANSPORT)

    return key_response


def _matches(operator: str, found: str | None, wanted: list[str]) -> bool:
    """One condition operator of https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html."""
    base = operator.removesuffix("IfExists")
    if found is None:
        return operator.endswith("IfExists") or base in ("StringNotEquals", "StringNotLike", "ArnNotEquals",
                                                          "ArnNotLike") or (base == "Null" and "true" in wanted)
    if base == "Null":
        return "false" in wanted
    if base in ("StringEquals", "Bool", "ArnEquals"):
        return found in wanted
    if base in ("StringNotEquals", "ArnNotEquals"):
        return found not in wanted
    if base in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(found, w) for w in wanted)
    if base in ("StringNotLike", "ArnNotLike"):
        return not any(fnmatch.fnmatchcase(found, w) for w in wanted)
    if base == "NumericLessThan":
        return any(float(found) < float(w) for w in wanted)
    raise NotImplementedError(f"condition operator {operator} is not modelled here")


def _holds(operator: str, found: str | None, wanted: list[str]) -> bool:
    """ForAllValues: true when the key is absent, else every value (comma-separated here) must match."""
    if operator.startswith("ForAllValues:"):
        base = operator.removeprefix("ForAllValues:")
        return found is None or all(_matches(base, value, wanted) for value in found.split(","))
    return _matches(operator, found, wanted)


def _condition_holds(statement: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, wanted in keys.items():
            if not _holds(operator, context.get(key), [str(w) for w in _as_list(wanted)]):
                return False
    return True


def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    """FakeBucket.get_permission with conditions evaluated (moto ignores them) against the request's keys."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    if self.policy is None:
        return PermissionResult.NEUTRAL
    context = getattr(_request, "context", TRANSPORT)
    document = json.loads(self.policy.decode())
    applying = [s for s in _as_list(document["Statement"]) if _condition_holds(s, context)]
    document["Statement"] = [{k: v for k, v in s.items() if k != "Condition"} for s in applying]
    if not document["Statement"]:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)


def log_permissions_enabled_policy(target_bucket: FakeBucket, target_prefix: str | None) -> bool:
    """True when the target bucket's policy lets S3's log delivery put objects under the prefix."""
    if not target_bucket.policy:
        return False
    key = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}/{target_prefix or ''}log-object"
    for stmt in json.loads(target_bucket.policy.decode())["Statement"]:
        principal = stmt.get("Principal")
        services = _as_list(principal.get("Service")) if isinstance(principal, dict) else []
        if stmt.get("Effect") != "Allow" or LOGGING_SERVICE not in services:
            continue
        if "s3:PutObject" in _as_list(stmt.get("Action")) and any(
            fnmatch.fnmatchcase(key, pattern) for pattern in _as_list(stmt.get("Resource"))
        ):
            return True
    return False


def get_bucket_replication(self: S3Response) -> Any:
    """GetBucketReplication: the rules as PutBucketReplication stored them, whole."""
    from moto.s3.exceptions import ReplicationConfigurationNotFoundError

    self.data["Action"] = "GetBucketReplication"
    replication = self.backend.get_bucket_replication(self.bucket_name)
    if not replication:
        raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
    rules = [dict(rule) for rule in _as_list(replication["Rule"])]
    configuration = {"Role": replication["Role"], "Rules": rules}
    return self.serialized(ActionResult({"ReplicationConfiguration": configuration}))
