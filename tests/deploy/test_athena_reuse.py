"""Athena result reuse: the opt-in deploy's settings give StartQueryExecution, valid by botocore's model."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ParamValidationError

from deploy.athena import result_reuse
from deploy.context import DeployConfig


def _validate(**params: object) -> None:
    client = boto3.client("athena", region_name="eu-west-1")
    model = client.meta.service_model.operation_model("StartQueryExecution")
    client._serializer.serialize_to_request({"QueryString": "SELECT 1", **params}, model)  # validates


def test_the_reuse_opt_in_carries_the_configured_age_and_fits_start_query_execution() -> None:
    reuse = result_reuse(DeployConfig(athena_reuse_max_age_minutes=180))
    by_age = {"Enabled": True, "MaxAgeInMinutes": 180}
    assert reuse == {"ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": by_age}}
    _validate(WorkGroup="lakehouse-dev-workgroup", **reuse)


def test_the_model_check_does_fail_on_a_workgroup_style_setting() -> None:
    with pytest.raises(ParamValidationError):
        _validate(ResultReuseConfiguration={"MaxAgeInMinutes": 60})
