"""Narrow extensions of moto's Athena named queries (moto 5.x has Create, Get and List only).

- UpdateNamedQuery: Name, Description and QueryString replace the query's (its database and workgroup stay).
- DeleteNamedQuery; DeleteWorkGroup also deletes the workgroup's named queries, as AWS's RecursiveDeleteOption does.
- NAMED_QUERY_WORKGROUPS: which workgroup each named query was created in, kept after it is deleted. AWS
  authorises GetNamedQuery, UpdateNamedQuery and DeleteNamedQuery on that workgroup, which their
  parameters (a query id) do not name; the IAM check looks it up here.
"""

from __future__ import annotations

import json
from typing import Any

from moto.athena.responses import AthenaResponse

NAMED_QUERY_WORKGROUPS: dict[str, str] = {}


def _create_named_query(original: Any) -> Any:
    def create_named_query(self: AthenaResponse) -> Any:
        answer = original(self)
        body = answer if isinstance(answer, str) else None
        if body:
            NAMED_QUERY_WORKGROUPS[json.loads(body)["NamedQueryId"]] = self._get_param("WorkGroup") or "primary"
        return answer

    return create_named_query


def _named_query(self: AthenaResponse) -> Any:
    return self.athena_backend.named_queries.get(self._get_param("NamedQueryId"))


def update_named_query(self: AthenaResponse) -> Any:
    query = _named_query(self)
    if query is None:
        return self.error("NamedQuery not found", 400)
    query.name = self._get_param("Name")
    query.description = self._get_param("Description")
    query.query_string = self._get_param("QueryString")
    return "{}"


def delete_named_query(self: AthenaResponse) -> Any:
    if _named_query(self) is None:
        return self.error("NamedQuery not found", 400)
    del self.athena_backend.named_queries[self._get_param("NamedQueryId")]
    return "{}"


def _delete_work_group(original: Any) -> Any:
    def delete_work_group(self: AthenaResponse) -> Any:
        name = self._get_param("WorkGroup")
        queries = self.athena_backend.named_queries
        for query_id in [i for i, q in queries.items() if q.workgroup.name == name]:
            del queries[query_id]
        return original(self)

    return delete_work_group


def install() -> None:
    """Patch moto's Athena responses (called by moto_extensions.install, once)."""
    AthenaResponse.create_named_query = _create_named_query(AthenaResponse.create_named_query)  # type: ignore[method-assign]
    AthenaResponse.update_named_query = update_named_query  # type: ignore[attr-defined]
    AthenaResponse.delete_named_query = delete_named_query  # type: ignore[attr-defined]
    AthenaResponse.delete_work_group = _delete_work_group(AthenaResponse.delete_work_group)  # type: ignore[method-assign]
