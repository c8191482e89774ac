"""Narrow extensions of moto's backends where the tests need APIs moto 5.x lacks, or AWS's semantics.

Each one is modelled on the AWS API reference, with AWS's semantics where moto's would differ:

- Glue UpdateJob: JobUpdate *replaces* the job definition; a field left out returns to its default
  (it is not merged with the old definition). CreateJob/GetJob also keep JobRunQueuingEnabled.
- Glue UpdateCrawler and UpdateTrigger: each field sent replaces that field whole (no deep merge);
  fields not sent are unchanged.
- Glue UpdateConnection (ConnectionInput replaces the connection's definition) and DeleteConnection;
  GetConnection answers ConnectionType (moto leaves it out).
- Athena UpdateWorkGroup: each member of ConfigurationUpdates replaces that member of the
  configuration; ResultConfigurationUpdates replaces the result configuration. Athena GetWorkGroup of
  a missing workgroup fails with InvalidRequestException, as AWS does (moto returns null).
- S3 PutBucketLogging: moto checks the target bucket's policy by exact string equality of the
  resource and crashes on `"Principal": "*"` statements; AWS evaluates the policy, so the check here
  accepts any Allow of s3:PutObject to logging.s3.amazonaws.com whose resource pattern covers the
  target prefix.
- S3 bucket policies: moto ignores a statement's Condition, so every conditioned Deny (non-TLS, TLS
  below 1.2, SSE-C, another key) would deny every request. Here each statement applies only when its
  conditions hold for the request: it came over HTTPS with TLS 1.2, and carries the encryption
  headers it carries (aws:SecureTransport, s3:TlsVersion, s3:x-amz-server-side-encryption*). It was
  made by moto's user, not by a service for it (aws:PrincipalArn), from no
  VPC endpoint, not via Athena: a test may say otherwise with the headers `x-test-principal-arn`,
  `x-test-source-vpce` and `x-test-called-via`
  (AWS takes these keys from the request's credentials and network path, which moto does not model).
- S3 GetBucketReplication: moto answers each rule with a fixed Filter and DeleteMarkerReplication and
  drops SourceSelectionCriteria; AWS returns the configuration as PutBucketReplication sent it (which
  replaced the whole configuration), so the rules are returned as stored.
- Lake Formation RegisterResource keeps HybridAccessEnabled (and DescribeResource returns it),
  UpdateResource, and CreateLakeFormationOptIn / ListLakeFormationOptIns / DeleteLakeFormationOptIn.
- Athena named queries: UpdateNamedQuery, DeleteNamedQuery (tests/support/moto_athena.py).
- DynamoDB writes are atomic: "Individual write operations such as UpdateItem are atomic and always
  operate on the most recent version of the item, regardless of concurrency"
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BestPractices_ImplementingVersionControl.html),
  so of two conditional writes expecting the same version one fails. moto's threaded server checks a
  condition and writes the item without a lock, and both could succeed; here write requests run one at a time.

`install()` patches moto's response classes and URL maps in this process. ThreadedMotoServer serves
from the same process and builds each service's URL map on the first request to that service, so
install() must run before the server handles a request for Lake Formation (tests/conftest.py calls it
at import).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moto.athena.responses import AthenaResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.dynamodb.responses import DynamoHandler
from moto.glue.models import FakeConnection, FakeJob
from moto.glue.responses import GlueResponse
from moto.glue.utils import Action, Predicate
from moto.lakeformation import urls as lakeformation_urls
from moto.lakeformation.exceptions import AlreadyExists, EntityNotFound
from moto.lakeformation.models import LakeFormationBackend, Resource
from moto.lakeformation.responses import LakeFormationResponse
from moto.s3.models import FakeBucket
from moto.s3.responses import S3Response

from tests.support import moto_athena
from tests.support.moto_s3 import (
    get_bucket_replication,
    get_permission,
    log_permissions_enabled_policy,
    with_request_context,
)

JOB_FIELDS: dict[str, tuple[str, Any]] = {
    "Description": ("description", None), "LogUri": ("log_uri", None), "Role": ("role", None),
    "ExecutionProperty": ("execution_property", {}), "Command": ("command", None),
    "DefaultArguments": ("default_arguments", {}), "NonOverridableArguments": ("non_overridable_arguments", None),
    "Connections": ("connections", None), "MaxRetries": ("max_retries", 0),
    "AllocatedCapacity": ("allocated_capacity", None), "Timeout": ("timeout", 2880),
    "MaxCapacity": ("max_capacity", None), "SecurityConfiguration": ("security_configuration", None),
    "NotificationProperty": ("notification_property", None), "GlueVersion": ("glue_version", None),
    "NumberOfWorkers": ("number_of_workers", None), "WorkerType": ("worker_type", None),
    "ExecutionClass": ("execution_class", "STANDARD"), "JobRunQueuingEnabled": ("job_run_queuing_enabled", False),
}  # fmt: skip
CRAWLER_FIELDS = {
    "Role": "role", "DatabaseName": "database_name", "Description": "description", "Targets": "targets",
    "Classifiers": "classifiers", "TablePrefix": "table_prefix", "SchemaChangePolicy": "schema_change_policy",
    "RecrawlPolicy": "recrawl_policy", "LineageConfiguration": "lineage_configuration",
    "Configuration": "configuration", "CrawlerSecurityConfiguration": "crawler_security_configuration",
}  # fmt: skip
DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items")
_installed = False
_dynamodb_writing = threading.Lock()


def _atomic(write: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(write)
    def one_at_a_time(self: DynamoHandler) -> Any:
        with _dynamodb_writing:
            return write(self)

    return one_at_a_time


def _now() -> datetime:
    return datetime.now(UTC)


# --- Glue -----------------------------------------------------------------------------------------


def _job_as_dict(original: Any) -> Any:
    def as_dict(self: FakeJob) -> dict[str, Any]:
        data = dict(original(self))
        data["JobRunQueuingEnabled"] = getattr(self, "job_run_queuing_enabled", False)
        return data

    return as_dict


def _create_job(original: Any) -> Any:
    def create_job(self: GlueResponse) -> Any:
        result = original(self)
        job = self.glue_backend.get_job(self._get_param("Name"))
        job.job_run_queuing_enabled = bool(self._get_param("JobRunQueuingEnabled", False))  # type: ignore[attr-defined]
        return result

    return create_job


def update_job(self: GlueResponse) -> ActionResult:
    """UpdateJob: the JobUpdate replaces the whole definition (absent fields reset to defaults)."""
    name = self._get_param("JobName")
    update = self._get_param("JobUpdate") or {}
    job = self.glue_backend.get_job(name)
    for key, (attribute, default) in JOB_FIELDS.items():
        setattr(job, attribute, update.get(key, default))
    job.last_modified_on = _now()
    return ActionResult({"JobName": name})


def update_crawler(self: GlueResponse) -> EmptyResult:
    """UpdateCrawler: each field sent replaces that field; the others stay as they are."""
    crawler = self.glue_backend.get_crawler(self._get_param("Name"))
    for key, attribute in CRAWLER_FIELDS.items():
        value = self._get_param(key)
        if value is not None:
            setattr(crawler, attribute, value)
    if self._get_param("Schedule") is not None:
        crawler.schedule = self._get_param("Schedule")
    crawler.last_updated = _now()
    crawler.version += 1
    return EmptyResult()


def update_trigger(self: GlueResponse) -> ActionResult:
    """UpdateTrigger: each TriggerUpdate field sent replaces that field of the trigger."""
    update = self._get_param("TriggerUpdate") or {}
    trigger = self.glue_backend.get_trigger(self._get_param("Name"))
    if "Description" in update:
        trigger.description = update["Description"]
    if "Schedule" in update:
        trigger.schedule = update["Schedule"]
    if "Actions" in update:
        trigger.actions = [Action(action) for action in update["Actions"]]
    if "Predicate" in update:
        trigger.predicate = Predicate(update["Predicate"])
    if "EventBatchingCondition" in update:
        trigger.event_batching_condition = update["EventBatchingCondition"]
    return ActionResult({"Trigger": trigger.as_dict()})


def _connection_as_dict(original: Any) -> Any:
    def as_dict(self: FakeConnection, hide_password: bool = False) -> dict[str, Any]:
        return {**original(self, hide_password), "ConnectionType": self.connection_input.get("ConnectionType")}

    return as_dict


def update_connection(self: GlueResponse) -> EmptyResult:
    """UpdateConnection: the ConnectionInput replaces the connection's definition whole."""
    connection = self.glue_backend.get_connection(catalog_id=None, name=self._get_param("Name"),  # type: ignore[arg-type]
                                                  apply_override_for_compute_environment=None)  # type: ignore[arg-type]  # fmt: skip
    connection.connection_input = self._get_param("ConnectionInput")
    connection.connection_properties = connection.connection_input.get("ConnectionProperties", {})
    connection.updated_time = _now()
    return EmptyResult()


def delete_connection(self: GlueResponse) -> EmptyResult:
    name = self._get_param("ConnectionName")
    self.glue_backend.get_connection(catalog_id=None, name=name, apply_override_for_compute_environment=None)  # type: ignore[arg-type]
    del self.glue_backend.connections[name]
    return EmptyResult()


# --- Athena ---------------------------------------------------------------------------------------


def _get_work_group(original: Any) -> Any:
    def get_work_group(self: AthenaResponse) -> Any:
        name = self._get_param("WorkGroup")
        if name not in self.athena_backend.work_groups:
            return self.error(f"WorkGroup {name} is not found.", 400)
        return original(self)

    return get_work_group


def update_work_group(self: AthenaResponse) -> Any:
    """UpdateWorkGroup: each ConfigurationUpdates member replaces that member of the configuration."""
    name = self._get_param("WorkGroup")
    group = self.athena_backend.work_groups.get(name)
    if group is None:
        return self.error(f"WorkGroup {name} is not found.", 400)
    updates = dict(self._get_param("ConfigurationUpdates") or {})
    if "ResultConfigurationUpdates" in updates:
        group.configuration["ResultConfiguration"] = updates.pop("ResultConfigurationUpdates")
    if "EngineVersion" in updates:
        selected = updates.pop("EngineVersion")["SelectedEngineVersion"]
        group.configuration["EngineVersion"] = {"SelectedEngineVersion": selected, "EffectiveEngineVersion": selected}
    group.configuration.update(updates)
    if self._get_param("Description") is not None:
        group.description = self._get_param("Description")
    if self._get_param("State") is not None:
        group.state = self._get_param("State")
    return "{}"


# --- Lake Formation -------------------------------------------------------------------------------


def _resource_to_dict(original: Any) -> Any:
    def to_dict(self: Resource) -> dict[str, Any]:
        data = dict(original(self))
        data["HybridAccessEnabled"] = getattr(self, "hybrid_access_enabled", False)
        data["WithFederation"] = getattr(self, "with_federation", False)
        return data

    return to_dict


def register_resource(self: LakeFormationResponse) -> str:
    arn = self._get_param("ResourceArn")
    backend = self.lakeformation_backend
    if arn in backend.resources:
        raise AlreadyExists("Resource is already registered")
    resource = Resource(arn, self._get_param("RoleArn"))
    resource.hybrid_access_enabled = bool(self._get_param("HybridAccessEnabled", False))  # type: ignore[attr-defined]
    resource.with_federation = bool(self._get_param("WithFederation", False))  # type: ignore[attr-defined]
    backend.resources[arn] = resource
    return "{}"


def update_resource(self: LakeFormationResponse) -> str:
    """UpdateResource: RoleArn is required; HybridAccessEnabled and WithFederation replace theirs."""
    resource = self.lakeformation_backend.describe_resource(self._get_param("ResourceArn"))
    resource.role_arn = self._get_param("RoleArn")
    resource.hybrid_access_enabled = bool(self._get_param("HybridAccessEnabled", False))  # type: ignore[attr-defined]
    resource.with_federation = bool(self._get_param("WithFederation", False))  # type: ignore[attr-defined]
    return "{}"


def _opt_ins(backend: LakeFormationBackend) -> list[dict[str, Any]]:
    if not hasattr(backend, "opt_ins"):
        backend.opt_ins = []  # type: ignore[attr-defined]
    return backend.opt_ins  # type: ignore[attr-defined]


def create_lake_formation_opt_in(self: LakeFormationResponse) -> str:
    entry = {"Principal": self._get_param("Principal"), "Resource": self._get_param("Resource")}
    opt_ins = _opt_ins(self.lakeformation_backend)
    if any(o["Principal"] == entry["Principal"] and o["Resource"] == entry["Resource"] for o in opt_ins):
        raise AlreadyExists("The principal is already opted in on this resource")
    opt_ins.append({**entry, "LastModified": _now().timestamp(), "LastUpdatedBy": "deploy"})
    return "{}"


def _matching(self: LakeFormationResponse) -> list[dict[str, Any]]:
    principal, resource = self._get_param("Principal"), self._get_param("Resource")
    return [
        o
        for o in _opt_ins(self.lakeformation_backend)
        if (principal is None or o["Principal"] == principal) and (resource is None or o["Resource"] == resource)
    ]


def list_lake_formation_opt_ins(self: LakeFormationResponse) -> str:
    return json.dumps({"LakeFormationOptInsInfoList": _matching(self)})


def delete_lake_formation_opt_in(self: LakeFormationResponse) -> str:
    found = _matching(self)
    if not found:
        raise EntityNotFound
    opt_ins = _opt_ins(self.lakeformation_backend)
    opt_ins[:] = [o for o in opt_ins if o not in found]
    return "{}"


def install() -> None:
    """Patch moto once, in this process, before the server serves its first request."""
    global _installed
    if _installed:
        return
    FakeBucket._log_permissions_enabled_policy = staticmethod(log_permissions_enabled_policy)  # type: ignore[method-assign]
    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]
    S3Response._key_response = with_request_context(S3Response._key_response)  # type: ignore[method-assign]
    S3Response.get_bucket_replication = get_bucket_replication  # type: ignore[method-assign]
    FakeJob.as_dict = _job_as_dict(FakeJob.as_dict)  # type: ignore[method-assign]
    GlueResponse.create_job = _create_job(GlueResponse.create_job)  # type: ignore[method-assign]
    GlueResponse.update_job = update_job  # type: ignore[attr-defined]
    GlueResponse.update_crawler = update_crawler  # type: ignore[attr-defined]
    GlueResponse.update_trigger = update_trigger  # type: ignore[attr-defined]
    GlueResponse.update_connection = update_connection  # type: ignore[attr-defined]
    FakeConnection.as_dict = _connection_as_dict(FakeConnection.as_dict)  # type: ignore[method-assign]
    GlueResponse.delete_connection = delete_connection  # type: ignore[attr-defined]
    AthenaResponse.get_work_group = _get_work_group(AthenaResponse.get_work_group)  # type: ignore[method-assign]
    AthenaResponse.update_work_group = update_work_group  # type: ignore[attr-defined]
    moto_athena.install()
    for name in DYNAMODB_WRITES:
        setattr(DynamoHandler, name, _atomic(getattr(DynamoHandler, name)))
    Resource.to_dict = _resource_to_dict(Resource.to_dict)  # type: ignore[method-assign]
    LakeFormationResponse.register_resource = register_resource  # type: ignore[method-assign]
    for action, handler in {
        "UpdateResource": update_resource,
        "CreateLakeFormationOptIn": create_lake_formation_opt_in,
        "ListLakeFormationOptIns": list_lake_formation_opt_ins,
        "DeleteLakeFormationOptIn": delete_lake_formation_opt_in,
    }.items():
        setattr(LakeFormationResponse, handler.__name__, handler)
        lakeformation_urls.url_paths["{0}/" + action + "$"] = lakeformation_urls.response.dispatch
    _installed = True
