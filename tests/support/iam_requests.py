"""Turn a recorded AWS call into the IAM authorization requests AWS makes for it.

An API call is authorized as one or more requests: an action, a resource ARN and the request's
condition keys. The action names and resource types follow the Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html);
where an operation's action differs from its name, RENAMED says so. Calls that need no permission
(sts:GetCallerIdentity, https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html)
give no request. KMS calls that a service makes with the caller's permissions (S3 for SSE-KMS objects,
DynamoDB for a table under a customer managed key) are requests too, with kms:ViaService and the
encryption context the service sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from tests.support.iam_calls import Call
from tests.support.iam_resources import RESOURCES

RENAMED = {
    "s3:HeadBucket": "s3:ListBucket", "s3:ListObjectsV2": "s3:ListBucket", "s3:ListObjects": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject", "s3:ListObjectVersions": "s3:ListBucketVersions",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:PutBucketEncryption": "s3:PutEncryptionConfiguration",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
    "s3:PutBucketReplication": "s3:PutReplicationConfiguration",
    "s3:DeleteBucketReplication": "s3:PutReplicationConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "s3:PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
    "s3:CreateMultipartUpload": "s3:PutObject", "s3:UploadPart": "s3:PutObject",
    "s3:CompleteMultipartUpload": "s3:PutObject",
}  # fmt: skip
FREE = {"sts:GetCallerIdentity"}
TAG_ON_CREATE = {  # tags sent with a create need the tagging action too (each service's tagging guide)
    "iam:CreateRole": "iam:TagRole", "iam:CreatePolicy": "iam:TagPolicy", "kms:CreateKey": "kms:TagResource",
    "lambda:CreateFunction": "lambda:TagResource", "sns:CreateTopic": "sns:TagResource",
    "glue:CreateJob": "glue:TagResource", "glue:CreateCrawler": "glue:TagResource",
    "glue:CreateWorkflow": "glue:TagResource", "glue:CreateTrigger": "glue:TagResource",
    "dynamodb:CreateTable": "dynamodb:TagResource", "athena:CreateWorkGroup": "athena:TagResource",
    "cloudwatch:PutMetricAlarm": "cloudwatch:TagResource", "events:PutRule": "events:TagResource",
    "logs:CreateLogGroup": "logs:TagResource", "cloudtrail:CreateTrail": "cloudtrail:AddTags",
}
PASSES_ROLE = {  # operation → (where the role is in the parameters, the service it is passed to)
    "glue:CreateJob": ("Role", "glue"), "glue:UpdateJob": ("JobUpdate.Role", "glue"),
    "glue:CreateCrawler": ("Role", "glue"), "glue:UpdateCrawler": ("Role", "glue"),
    "lambda:CreateFunction": ("Role", "lambda"), "lambda:UpdateFunctionConfiguration": ("Role", "lambda"),
    "lakeformation:RegisterResource": ("RoleArn", "lakeformation"),
    "lakeformation:UpdateResource": ("RoleArn", "lakeformation"),
    "s3:PutBucketReplication": ("ReplicationConfiguration.Role", "s3"),
}  # fmt: skip


@dataclass(frozen=True)
class Where:
    """The account and region the calls are made in, and the env's key (a bucket's default key)."""

    account: str
    region: str
    key_arn: str
    partition: str = "aws"

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        where, who = (self.region if region else ""), (self.account if account else "")
        return f"arn:{self.partition}:{service}:{where}:{who}:{resource}"


@dataclass(frozen=True)
class Request:
    """One authorization request: what a call needs allowed."""

    call: str
    action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __str__(self) -> str:
        return f"{self.call} needs {self.action} on {self.resource}"


def _get(params: dict[str, Any], path: str) -> Any:
    value: Any = params
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def requests_for(call: Call, where: Where) -> list[Request]:
    """Every request the call makes: its own action on each resource it names, and what it implies."""
    name = f"{call.service}:{call.operation}"
    if name in FREE:
        return []
    where = replace(where, region=call.region or where.region)
    action = RENAMED.get(name, name)
    resources = RESOURCES.get(call.service, lambda c, w: ["*"])(call, where)
    context = _context(call)
    found = [Request(name, action, resource, context) for resource in resources]
    if name == "s3:DeleteObjects":  # one request per object: a version's deletion is its own action
        found = [Request(name, "s3:DeleteObjectVersion" if "VersionId" in o else "s3:DeleteObject", r, context)
                 for o, r in zip(call.params["Delete"]["Objects"], resources, strict=True)]  # fmt: skip
    if name in TAG_ON_CREATE and any(call.params.get(k) for k in ("Tags", "TagsList", "tags")):
        tagged = [where.key_arn] if name == "kms:CreateKey" else resources  # the new key is the env's key
        found += [Request(name, TAG_ON_CREATE[name], resource, context) for resource in tagged]
    if call.service == "ec2" and call.params.get("TagSpecifications"):  # EC2's tag on create
        found += [Request(name, "ec2:CreateTags", resource, context) for resource in resources]
    found += _implied(call, where, name)
    return found


def _context(call: Call) -> dict[str, Any]:
    p, context = call.params, {}
    tags = p.get("Tags")
    if isinstance(tags, dict):
        context.update({f"aws:RequestTag/{k}": v for k, v in tags.items()})
    elif isinstance(tags, list):
        pairs = ((t.get("Key", t.get("TagKey")), t.get("Value", t.get("TagValue"))) for t in tags)
        context.update({f"aws:RequestTag/{k}": v for k, v in pairs})
    if call.service == "iam" and "PermissionsBoundary" in p:
        context["iam:PermissionsBoundary"] = p["PermissionsBoundary"]
    if call.service == "s3" and "ServerSideEncryption" in p:
        context["s3:x-amz-server-side-encryption"] = p["ServerSideEncryption"]
        if "SSEKMSKeyId" in p:
            context["s3:x-amz-server-side-encryption-aws-kms-key-id"] = p["SSEKMSKeyId"]
    if call.service == "s3" and "Prefix" in p:
        context["s3:prefix"] = p["Prefix"]
    return context


def _implied(call: Call, where: Where, name: str) -> list[Request]:
    """iam:PassRole for a role handed to a service; KMS calls a service makes with the caller's rights."""
    p, found = call.params, []
    if name in PASSES_ROLE:
        path, service = PASSES_ROLE[name]
        role = _get(p, path)
        if role:
            arn = role if role.startswith("arn:") else where.arn("iam", f"role/{role}", region=False)
            found.append(Request(name, "iam:PassRole", arn, {"iam:PassedToService": f"{service}.amazonaws.com"}))
    if name == "s3:CreateBucket":  # https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
        bucket = where.arn("s3", p["Bucket"], False, False)
        if "ObjectOwnership" in p:
            found.append(Request(name, "s3:PutBucketOwnershipControls", bucket))
        if p.get("ObjectLockEnabledForBucket"):
            lock = ("s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning")
            found += [Request(name, action, bucket) for action in lock]
    s3_kms = {"s3:PutObject": "kms:GenerateDataKey", "s3:CreateMultipartUpload": "kms:GenerateDataKey",
              "s3:CompleteMultipartUpload": "kms:Decrypt", "s3:GetObject": "kms:Decrypt"}  # fmt: skip
    if name in s3_kms and p.get("ServerSideEncryption", "aws:kms") == "aws:kms":
        bucket = where.arn("s3", p["Bucket"], region=False, account=False)
        context = {"kms:ViaService": f"s3.{where.region}.amazonaws.com", "kms:CallerAccount": where.account,
                   "kms:EncryptionContext:aws:s3:arn": bucket}  # bucket keys on: the context is the bucket
        found.append(Request(name, s3_kms[name], p.get("SSEKMSKeyId") or where.key_arn, context))
    if call.service == "dynamodb" and name.endswith(("Item", "Query", "Scan")):
        context = {"kms:ViaService": f"dynamodb.{where.region}.amazonaws.com", "kms:CallerAccount": where.account,
                   "kms:EncryptionContext:aws:dynamodb:tableName": p["TableName"]}
        found.append(Request(name, "kms:Decrypt", where.key_arn, context))
    return found
