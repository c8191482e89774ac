"""The Athena workgroup: results in the athena bucket with SSE-KMS, enforced, a per-query scan cutoff."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deploy import tags as t
from deploy.context import Context, DeployConfig
from deploy.errors import error_code
from deploy.resource import Resource, State
from lakehouse.dashboard import athena_answers

ENGINE = "Athena engine version 3"


def result_reuse(config: DeployConfig) -> dict[str, Any]:
    """StartQueryExecution's opt-in to reuse a result up to the configured age (engine 3, per query).

    https://docs.aws.amazon.com/athena/latest/ug/reusing-query-results.html: no reuse for tables whose
    S3 location is registered with Lake Formation, as deploy registers raw, silver and gold; Athena
    then runs the query as if reuse were off, so opting in is harmless and pays off only elsewhere.
    The dashboard's Athena path sends the same (lakehouse.dashboard.athena_answers).
    """
    return athena_answers.result_reuse(config.athena_reuse_max_age_minutes)


class WorkGroup(Resource):
    kind = "athena-workgroup"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, ctx.workgroup)
        self.athena = ctx.clients("athena")
        self.arn = ctx.arn("athena", f"workgroup/{self.name}")

    def result_configuration(self) -> State:
        encryption = {"EncryptionOption": "SSE_KMS", "KmsKey": self.ctx.key_arn}
        return {"OutputLocation": self.ctx.athena_results_uri, "EncryptionConfiguration": encryption}

    def desired(self) -> State:
        return {
            "Description": f"lakehouse {self.ctx.settings.env}: analysts' queries",
            "State": "ENABLED",
            "ResultConfiguration": self.result_configuration(),
            "EnforceWorkGroupConfiguration": True,
            "PublishCloudWatchMetricsEnabled": True,
            "BytesScannedCutoffPerQuery": self.ctx.config.athena_bytes_scanned_cutoff,
            "EngineVersion": ENGINE,
            "Tags": self.ctx.tags,
        }

    def read(self) -> State | None:
        try:
            found = self.athena.get_work_group(WorkGroup=self.name)["WorkGroup"]
        except ClientError as e:
            if error_code(e) == "InvalidRequestException" and "not found" in str(e).lower():
                return None
            raise
        conf = found.get("Configuration", {})
        keys = ("ResultConfiguration", "EnforceWorkGroupConfiguration", "PublishCloudWatchMetricsEnabled",
                "BytesScannedCutoffPerQuery")  # fmt: skip
        state = {k: conf.get(k) for k in keys}
        state["EngineVersion"] = conf.get("EngineVersion", {}).get("SelectedEngineVersion")
        tags = self.athena.list_tags_for_resource(ResourceARN=self.arn)["Tags"]
        return {"Description": found.get("Description"), "State": found.get("State"), **state,
                "Tags": t.from_list(tags)}  # fmt: skip

    def _configuration(self, desired: State) -> State:
        return {
            "EnforceWorkGroupConfiguration": desired["EnforceWorkGroupConfiguration"],
            "PublishCloudWatchMetricsEnabled": desired["PublishCloudWatchMetricsEnabled"],
            "BytesScannedCutoffPerQuery": desired["BytesScannedCutoffPerQuery"],
            "EngineVersion": {"SelectedEngineVersion": desired["EngineVersion"]},
        }

    def create(self, desired: State) -> None:
        configuration = {**self._configuration(desired), "ResultConfiguration": desired["ResultConfiguration"]}
        self.athena.create_work_group(
            Name=self.name, Description=desired["Description"], Configuration=configuration,
            Tags=t.to_list(desired["Tags"]),
        )  # fmt: skip

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        if set(fields) - {"Tags"}:
            updates = {**self._configuration(desired), "ResultConfigurationUpdates": desired["ResultConfiguration"]}
            self.athena.update_work_group(
                WorkGroup=self.name, Description=desired["Description"], State=desired["State"],
                ConfigurationUpdates=updates,
            )  # fmt: skip
        if "Tags" in fields:
            self.athena.tag_resource(ResourceARN=self.arn, Tags=t.to_list(desired["Tags"]))

    def delete(self, current: State) -> None:
        self.athena.delete_work_group(WorkGroup=self.name, RecursiveDeleteOption=True)
