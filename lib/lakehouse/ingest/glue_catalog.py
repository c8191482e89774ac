"""Registers ingest_dt partitions of the bronze table in the Glue Data Catalog (BatchCreatePartition)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from lakehouse.settings import Settings
from lakehouse.tables import BRONZE

logger = logging.getLogger(__name__)

# The parts of the table's StorageDescriptor a partition takes over (GetTable returns more).
_INHERITED = ("Columns", "InputFormat", "OutputFormat", "Compressed", "SerdeInfo", "Parameters",
              "StoredAsSubDirectories")


class CatalogError(RuntimeError):
    """The catalog refused a partition (for a reason other than that it exists)."""


@dataclass
class GluePartitionRegistrar:
    """Adds bronze partitions; each takes the table's format (SerDe, formats, columns) and its own location."""

    client: Any  # botocore Glue client, passed in
    settings: Settings
    _descriptor: dict[str, Any] | None = field(default=None, repr=False)

    def register(self, ingest_dt: str) -> None:
        """Create the partition ingest_dt=<day>; one that exists already is fine."""
        descriptor = dict(self._table_descriptor())
        descriptor["Location"] = BRONZE.partition_location(self.settings, {"ingest_dt": ingest_dt})
        try:
            response = self.client.batch_create_partition(
                DatabaseName=self.settings.database,
                TableName=BRONZE.name,
                PartitionInputList=[{"Values": [ingest_dt], "StorageDescriptor": descriptor}],
            )
        except ClientError as e:
            raise CatalogError(f"cannot register {BRONZE.name} partition {ingest_dt}: {e}") from e
        for error in response.get("Errors", []):
            detail = error.get("ErrorDetail", {})
            if detail.get("ErrorCode") != "AlreadyExistsException":
                raise CatalogError(f"cannot register {BRONZE.name} partition {ingest_dt}: {detail}")
        logger.info("partition ingest_dt=%s of %s.%s is registered", ingest_dt, self.settings.database,
                    BRONZE.name)

    def _table_descriptor(self) -> dict[str, Any]:
        """The bronze table's StorageDescriptor, read once."""
        if self._descriptor is None:
            try:
                table = self.client.get_table(DatabaseName=self.settings.database, Name=BRONZE.name)
            except ClientError as e:
                raise CatalogError(
                    f"table {self.settings.database}.{BRONZE.name} is not readable in the Glue Data "
                    f"Catalog (deploy creates it): {e}"
                ) from e
            source = table["Table"]["StorageDescriptor"]
            self._descriptor = {k: source[k] for k in _INHERITED if k in source}
        return self._descriptor
