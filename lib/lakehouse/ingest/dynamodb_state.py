"""The poller state as one DynamoDB item, saved with a condition on its version attribute."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from lakehouse.ingest.state import IngestState, StateConflictError

STATE_KEY_ATTRIBUTE = "pk"  # the table's partition key (STRING); deploy creates the table with it
STATE_KEY = "github-events"


@dataclass(frozen=True)
class DynamoStateStore:
    """The state as one DynamoDB item, written with a condition on its version attribute."""

    client: Any  # botocore DynamoDB client, passed in
    table: str
    key: str = STATE_KEY

    def load(self) -> IngestState:
        response = self.client.get_item(
            TableName=self.table, Key={STATE_KEY_ATTRIBUTE: {"S": self.key}}, ConsistentRead=True
        )
        item = response.get("Item")
        if not item:
            return IngestState()
        ids = item.get("recent_ids", {}).get("S", "")
        return IngestState(
            version=int(item["version"]["N"]),
            etags={int(page): value["S"] for page, value in item.get("etags", {}).get("M", {}).items()},
            recent_ids=tuple(ids.split("\n")) if ids else (),
            counters={name: int(v["N"]) for name, v in item.get("counters", {}).get("M", {}).items()},
            last_object=item.get("last_object", {}).get("S") or None,
        )

    def save(self, state: IngestState, expected_version: int) -> None:
        condition = "attribute_not_exists(#pk)" if expected_version == 0 else "#version = :expected"
        values: dict[str, Any] = {
            ":version": {"N": str(state.version)},
            ":etags": {"M": {str(page): {"S": etag} for page, etag in state.etags.items()}},
            ":ids": {"S": "\n".join(state.recent_ids)},  # one string: the smallest item
            ":counters": {"M": {name: {"N": str(v)} for name, v in state.counters.items()}},
            ":last": {"S": state.last_object or ""},
        }
        if expected_version:
            values[":expected"] = {"N": str(expected_version)}
        names = {"#version": "version"}
        if not expected_version:
            names["#pk"] = STATE_KEY_ATTRIBUTE
        try:
            self.client.update_item(
                TableName=self.table,
                Key={STATE_KEY_ATTRIBUTE: {"S": self.key}},
                UpdateExpression="SET #version = :version, etags = :etags, recent_ids = :ids, "
                "counters = :counters, last_object = :last",
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise StateConflictError(f"{self.table}: version is no longer {expected_version}") from e
            raise
