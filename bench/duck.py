"""The same jobs as DuckDB SQL over the same files (a single-machine reference): `python -m bench.duck JOB IN OUT`.

`silver`: bronze gzip JSON lines → silver Parquet by year/month, the explicit fields only, rows without the
required fields left out, one row per event id (first by ingest day, object, line). `gold`: silver
Parquet → counts per ingest day, event type and repository, Parquet by ingest day.
"""

from __future__ import annotations

import sys

import duckdb

COLUMNS = (
    "{id: 'VARCHAR', type: 'VARCHAR', actor: 'STRUCT(id BIGINT, login VARCHAR)', "
    "repo: 'STRUCT(id BIGINT, name VARCHAR)', org: 'STRUCT(login VARCHAR)', public: 'BOOLEAN', "
    "created_at: 'VARCHAR'}"
)

SILVER_SQL = """
COPY (
  WITH parsed AS (
    SELECT id AS event_id, type AS event_type, TRY_CAST(created_at AS TIMESTAMPTZ) AS ts, repo.name AS repo_name,
           actor.login AS actor_login, regexp_extract(filename, 'ingest_dt=(\\d{{4}}-\\d{{2}}-\\d{{2}})/', 1)
           AS ingest_dt, filename, repo.id AS repo_id, actor.id AS actor_id, org.login AS org_login,
           public AS is_public
    FROM read_json('{source}/*/*.json.gz', format='newline_delimited', columns={columns}, filename=true,
                   ignore_errors=true)
    WHERE id IS NOT NULL AND type IS NOT NULL AND actor.login IS NOT NULL AND repo.name IS NOT NULL
  ), firsts AS (
    SELECT * FROM parsed WHERE ts IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ingest_dt, filename) = 1
  )
  SELECT event_id, event_type, CAST(ts AS DATE) AS event_date, repo_name, actor_login,
         CAST(ts AS TIMESTAMP) AS created_at, ingest_dt, repo_id, actor_id, org_login, is_public,
         strftime(ts, '%Y') AS year, strftime(ts, '%m') AS month
  FROM firsts
) TO '{target}' (FORMAT parquet, PARTITION_BY (year, month), OVERWRITE_OR_IGNORE)
"""

GOLD_SQL = """
COPY (
  SELECT ingest_dt, event_type, repo_name, count(*) AS events_count
  FROM read_parquet('{source}/**/*.parquet', hive_partitioning=true)
  GROUP BY ALL
) TO '{target}' (FORMAT parquet, PARTITION_BY (ingest_dt), OVERWRITE_OR_IGNORE)
"""


def main(argv: list[str]) -> int:
    job, source, target = argv
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    sql = SILVER_SQL if job == "silver" else GOLD_SQL
    con.execute(sql.format(source=source, target=target, columns=COLUMNS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
