"""The Glue databases and the tables of lakehouse.tables, Athena-readable; schema changes additive."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deploy.context import MANAGED_BY, MANAGED_BY_KEY, Context
from deploy.errors import SchemaChangeError, is_not_found
from deploy.resource import Resource, State
from lakehouse.tables import BRONZE, TABLES, Table

PROJECTION_START = "2011-02-12"
JSON_FORMAT = {
    "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe",
        "Parameters": {"ignore.malformed.json": "true"},
    },
}
PARQUET_FORMAT = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {
        "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        "Parameters": {"serialization.format": "1"},
    },
}


def _marker(ctx: Context) -> dict[str, str]:
    """Databases and tables take no tags: these parameters mark them as ours instead."""
    return dict(ctx.tags)


def _is_marked(ctx: Context, parameters: dict[str, str] | None) -> bool:
    params = parameters or {}
    return params.get(MANAGED_BY_KEY) == MANAGED_BY and ctx.is_ours(params)


class Database(Resource):
    kind = "glue-database"

    def __init__(self, ctx: Context, name: str, description: str) -> None:
        super().__init__(ctx, name)
        self.glue = ctx.clients("glue")
        self.description = description

    def desired(self) -> State:
        return {"Description": self.description, "Parameters": _marker(self.ctx)}

    def read(self) -> State | None:
        try:
            db = self.glue.get_database(Name=self.name)["Database"]
        except ClientError as e:
            if is_not_found(e, "EntityNotFoundException"):
                return None
            raise
        return {"Description": db.get("Description"), "Parameters": db.get("Parameters", {})}

    def create(self, desired: State) -> None:
        self.glue.create_database(DatabaseInput={"Name": self.name, **desired})

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        self.glue.update_database(Name=self.name, DatabaseInput={"Name": self.name, **desired})

    def owned(self, current: State) -> bool:
        return _is_marked(self.ctx, current["Parameters"])

    def delete(self, current: State) -> None:
        self.glue.delete_database(Name=self.name)


def _projection(ctx: Context, table: Table) -> dict[str, str]:
    """Athena partition projection on ingest_dt: no partition listing, no MSCK REPAIR."""
    key = table.partition_keys[0]
    template = f"{table.location(ctx.settings)}/{key}=${{{key}}}/"
    return {
        "projection.enabled": "true",
        f"projection.{key}.type": "date",
        f"projection.{key}.format": "yyyy-MM-dd",
        f"projection.{key}.range": f"{PROJECTION_START},NOW",
        f"projection.{key}.interval": "1",
        f"projection.{key}.interval.unit": "DAYS",
        "storage.location.template": template,
    }


def table_input(ctx: Context, table: Table, columns: list[dict[str, str]]) -> State:
    """The whole TableInput: UpdateTable replaces the table, so it always gets all of it."""
    params = {"classification": table.format, "EXTERNAL": "TRUE", **_marker(ctx)}
    if table.format == "parquet":
        params["parquet.compression"] = "SNAPPY"
    if table is BRONZE:
        params.update(_projection(ctx, table))
    formats = JSON_FORMAT if table.format == "json" else PARQUET_FORMAT
    return {
        "Name": table.name,
        "Description": table.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": params,
        "PartitionKeys": [{"Name": key, "Type": "string"} for key in table.partition_keys],
        "StorageDescriptor": {
            "Columns": columns,
            "Location": table.location(ctx.settings) + "/",
            "Compressed": table.format == "json",
            **formats,
        },
    }


def _column(name: str, type_: str, comment: str) -> dict[str, str]:
    return {"Name": name, "Type": type_, "Comment": comment} if comment else {"Name": name, "Type": type_}


def merge_columns(table: Table, deployed: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Deployed columns stay as they are, in place; columns new in tables.py are appended."""
    have = {c["Name"] for c in deployed}
    kept = [_column(c["Name"], c["Type"], c.get("Comment", "")) for c in deployed]
    added = [_column(c.name, c.type, c.comment) for c in table.columns if c.name not in have]
    return kept + added


class CatalogTable(Resource):
    kind = "glue-table"

    def __init__(self, ctx: Context, table: Table) -> None:
        super().__init__(ctx, f"{ctx.settings.database}.{table.name}")
        self.glue = ctx.clients("glue")
        self.table = table
        self._deployed: list[dict[str, Any]] = []

    def desired(self) -> State:
        return table_input(self.ctx, self.table, merge_columns(self.table, self._deployed))

    def read(self) -> State | None:
        try:
            found = self.glue.get_table(DatabaseName=self.ctx.settings.database, Name=self.table.name)
        except ClientError as e:
            if is_not_found(e, "EntityNotFoundException"):
                return None
            raise
        current = found["Table"]
        keys = tuple(k["Name"] for k in current.get("PartitionKeys", []))
        if keys != self.table.partition_keys:
            raise SchemaChangeError(
                f"{self.name} is partitioned by ({', '.join(keys)}), this version by "
                f"({', '.join(self.table.partition_keys)}); deploy never changes a table's partition keys: "
                "delete the table in Glue (its files stay in S3), deploy again, and rebuild it from bronze"
            )
        self._deployed = current.get("StorageDescriptor", {}).get("Columns", [])
        sd = {k: current.get("StorageDescriptor", {}).get(k) for k in self.desired()["StorageDescriptor"]}
        sd["Columns"] = [_column(c["Name"], c["Type"], c.get("Comment", "")) for c in self._deployed]
        state = {k: current.get(k) for k in ("Name", "Description", "TableType", "Parameters")}
        return {**state, "PartitionKeys": current.get("PartitionKeys", []), "StorageDescriptor": sd}

    def create(self, desired: State) -> None:
        self.glue.create_table(DatabaseName=self.ctx.settings.database, TableInput=desired)

    def update(self, desired: State, current: State, fields: tuple[str, ...]) -> None:
        self.glue.update_table(DatabaseName=self.ctx.settings.database, TableInput=desired)

    def owned(self, current: State) -> bool:
        return _is_marked(self.ctx, current["Parameters"])

    def delete(self, current: State) -> None:
        self.glue.delete_table(DatabaseName=self.ctx.settings.database, Name=self.table.name)


def catalog(ctx: Context) -> list[Resource]:
    env = ctx.settings.env
    found: list[Resource] = [
        Database(ctx, ctx.settings.database, f"lakehouse {env}: GitHub events, bronze/silver/gold"),
        Database(ctx, ctx.drift_database, f"lakehouse {env}: what the schema-drift crawlers found"),
    ]
    found += [CatalogTable(ctx, table) for table in TABLES]
    return found
