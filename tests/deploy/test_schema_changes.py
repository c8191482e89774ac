"""Schema changes are additive: new columns appended, deployed ones never removed nor retyped."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from deploy.errors import SchemaChangeError
from lakehouse.settings import Settings
from lakehouse.tables import SILVER, SILVER_INDEX
from tests.deploy.conftest import Deployer
from tests.support.aws import ACCOUNT_ID, REGION

S = Settings.aws("dev", ACCOUNT_ID, REGION)
KEEP = {"Name", "Description", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor"}


def deployed_input(glue: Any, name: str) -> dict[str, Any]:
    """A deployed table as the TableInput UpdateTable takes, to be edited into an older deploy's."""
    table = glue.get_table(DatabaseName=S.database, Name=name)["Table"]
    return {k: v for k, v in table.items() if k in KEEP}


def test_an_older_deployed_schema_gets_the_new_columns_appended_and_keeps_its_own(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    glue = session.client("glue")
    table = deployed_input(glue, SILVER.name)
    # an older deploy: silver before org_login, is_public and the analytics columns action, pr_merged
    older = [dict(c) for c in table["StorageDescriptor"]["Columns"][:-4]]
    older[7]["Type"] = "int"  # repo_id, deployed long ago as int
    older.append({"Name": "legacy_note", "Type": "string"})
    table["StorageDescriptor"]["Columns"] = older
    glue.update_table(DatabaseName=S.database, TableInput=table)

    applied = deploy("apply")
    assert applied.actions("glue-table")[f"{S.database}.{SILVER.name}"] == "update"
    assert applied.change_calls == ["glue:UpdateTable"]
    columns = glue.get_table(DatabaseName=S.database, Name=SILVER.name)["Table"]["StorageDescriptor"]["Columns"]
    assert [(c["Name"], c["Type"]) for c in columns] == [(c["Name"], c["Type"]) for c in older] + [
        ("org_login", "string"),
        ("is_public", "boolean"),
        ("action", "string"),
        ("pr_merged", "boolean"),
    ]
    assert deploy("apply").change_calls == []


def test_other_deployed_partition_keys_stop_the_plan_before_any_change(
    deploy: Deployer, session: boto3.Session
) -> None:
    deploy("apply")
    glue = session.client("glue")
    earlier = deployed_input(glue, SILVER_INDEX.name)
    earlier["PartitionKeys"] = [{"Name": "ingest_dt", "Type": "string"}]
    year_month = [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"}]
    earlier["StorageDescriptor"]["Columns"] = year_month + earlier["StorageDescriptor"]["Columns"]
    glue.update_table(DatabaseName=S.database, TableInput=earlier)

    with pytest.raises(SchemaChangeError) as raised:
        deploy("apply")
    assert str(raised.value) == (
        f"{S.database}.{SILVER_INDEX.name} is partitioned by (ingest_dt), this version by (ingest_dt, year, month); "
        "deploy never changes a table's partition keys: delete the table in Glue (its files stay in S3), deploy "
        "again, and rebuild it from bronze"
    )
    assert glue.get_table(DatabaseName=S.database, Name=SILVER_INDEX.name)["Table"]["PartitionKeys"] == [
        {"Name": "ingest_dt", "Type": "string"}
    ]
