"""Bucket policy statements: TLS 1.2 only, no SSE-C, the project key only, and the network perimeter."""

from __future__ import annotations

from typing import Any

from deploy.context import UNKNOWN, Context
from deploy.key_policy import administrators

State = dict[str, Any]


def _deny(sid: str, actions: str, resources: list[str], condition: dict[str, Any]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Deny", "Principal": "*", "Action": actions, "Resource": resources,
            "Condition": condition}  # fmt: skip


def tls_only_policy(ctx: Context, bucket: str, extra: list[dict[str, Any]] | None = None) -> State:
    """TLS 1.2 or later only, and never SSE-C (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
    example-bucket-policies.html, and .../amazon-s3-policy-keys.html#example-object-tls-version)."""
    arn = ctx.bucket_arn(bucket)
    statements = [
        _deny("DenyInsecureTransport", "s3:*", [arn, f"{arn}/*"], {"Bool": {"aws:SecureTransport": "false"}}),
        _deny("DenyTlsBelow12", "s3:*", [arn, f"{arn}/*"], {"NumericLessThan": {"s3:TlsVersion": "1.2"}}),
        _deny("DenySseC", "s3:PutObject", [f"{arn}/*"],
              {"Null": {"s3:x-amz-server-side-encryption-customer-algorithm": "false"}}),
    ]
    return {"Version": "2012-10-17", "Statement": [*statements, *(extra or [])]}


def project_key_only(ctx: Context, bucket: str, key_arn: str) -> list[dict[str, Any]]:
    """Deny a PutObject that asks for any encryption but SSE-KMS under the project key.

    One that asks for none gets the bucket default, the project key: denying it too (AWS's example,
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms)
    would also deny UploadPart, which never carries the header. So every object ends under the key.
    """
    objects = [f"{ctx.bucket_arn(bucket)}/*"]
    sse, key_id = "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id"
    return [
        _deny("DenyOtherEncryption", "s3:PutObject", objects,
              {"Null": {sse: "false"}, "StringNotEquals": {sse: "aws:kms"}}),
        _deny("DenyOtherKmsKeys", "s3:PutObject", objects,
              {"Null": {key_id: "false"}, "ArnNotEquals": {key_id: key_arn}}),  # an ARN-typed key
    ]  # fmt: skip


def perimeter(ctx: Context, bucket: str) -> dict[str, Any]:
    """With the private network: deny what comes neither through our S3 endpoint, nor from Athena acting for
    its caller (aws:CalledVia), nor from the principals that work from outside it (deployers, crawlers,
    the Lambda, Lake Formation's role, whose vended credentials Athena uses, and replication). Per
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourcevpce
    and the data perimeter examples of https://github.com/aws-samples/data-perimeter-policy-examples.
    """
    arn = ctx.bucket_arn(bucket)
    condition = {
        "StringNotEqualsIfExists": {"aws:SourceVpce": [ctx.network.get("vpce:s3", UNKNOWN)]},
        "ForAllValues:StringNotEquals": {"aws:CalledVia": ["athena.amazonaws.com"]},  # none: not via Athena
        "ArnNotLikeIfExists": {"aws:PrincipalArn": outside_principals(ctx)},
    }
    return _deny("DenyOutsideTheNetwork", "s3:*", [arn, f"{arn}/*"], condition)


def outside_principals(ctx: Context) -> list[str]:
    """Who may reach the data buckets from outside the VPC (docs/deploy.md says who reads what)."""
    outside = ["glue-crawlers", "lakeformation"]
    if not ctx.config.lambda_subnet_ids:  # the Lambda outside the VPC writes raw from there
        outside.append("ingest")
    roles = [ctx.role_arn(purpose) for purpose in outside]
    if ctx.config.production:
        roles.append(ctx.role_arn("replication"))
    return sorted({*administrators(ctx), *roles})
