"""The Lambda's wiring: settings from the environment and context, AWS clients, token, metrics."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from lakehouse.ingest import config as names
from lakehouse.ingest.bronze_writer import BronzeWriter
from lakehouse.ingest.config import IngestConfig, required
from lakehouse.ingest.dynamodb_state import DynamoStateStore
from lakehouse.ingest.github_api import GitHubClient, make_session
from lakehouse.ingest.glue_catalog import GluePartitionRegistrar
from lakehouse.ingest.poller import Counters, Poller, Summary
from lakehouse.ingest.timing import Clock, lambda_remaining
from lakehouse.settings import Settings
from lakehouse.storage import S3Store

logger = logging.getLogger(__name__)

METRIC_NAMES = {
    "events_fetched": "EventsFetched",
    "events_new": "EventsNew",
    "events_duplicate": "EventsDuplicate",
    "events_reserialised": "EventsReserialised",
    "pages_fetched": "PagesFetched",
    "pages_not_modified": "PagesNotModified",
    "rate_limit_waits": "RateLimitWaits",
    "bad_bodies": "BadBodies",
    "request_errors": "RequestErrors",
    "retries": "Retries",
    "objects_written": "BronzeObjectsWritten",
}


NO_TOKEN_CODES = frozenset({"ResourceNotFoundException", "AccessDeniedException"})


class TokenError(RuntimeError):
    """The configured GitHub token secret cannot be read or is empty."""


def lambda_settings(environ: Mapping[str, str], context: Any) -> Settings:
    """Settings of the Lambda's environment; the account id comes from the function's ARN."""
    account_id = str(context.invoked_function_arn).split(":")[4]
    suffix = environ.get(names.BUCKET_SUFFIX)  # unset: the default suffix; set (even empty): that one
    return Settings.aws(required(environ, names.ENV), account_id, required(environ, names.AWS_REGION), suffix)


def github_token(config: IngestConfig) -> str | None:
    """The token from Secrets Manager when a secret is configured (cached by Powertools), else None.

    The token is optional (deploy names the secret but never creates it): a secret that does not exist, or
    that this role may not read, means polling unauthenticated, with a warning; other failures raise.
    """
    if not config.token_secret:
        return None
    try:
        value = parameters.get_secret(config.token_secret, max_age=config.token_cache_seconds)
    except GetParameterError as e:
        code = _error_code(e.__context__)  # Powertools raises GetParameterError inside its except block
        if code in NO_TOKEN_CODES:
            logger.warning("no GitHub token in secret %r (%s): polling unauthenticated, 60 requests an hour",
                           config.token_secret, code)
            return None
        raise TokenError(f"cannot read the GitHub token from secret {config.token_secret!r}: {e}") from e
    token = value.strip() if isinstance(value, str) else ""
    if not token:
        raise TokenError(f"secret {config.token_secret!r} holds no token")
    return token


def _error_code(error: BaseException | None) -> str:
    """The AWS error code of a botocore ClientError, else ''."""
    response = getattr(error, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def build_poller(environ: Mapping[str, str], context: Any, session: Any, clock: Clock) -> Poller:
    """A Poller writing to S3, cataloguing in Glue, keeping state in DynamoDB, until the context's deadline."""
    config = IngestConfig.from_environ(environ)
    settings = lambda_settings(environ, context)
    http = make_session(config, github_token(config))
    client = GitHubClient(http, config, epoch=lambda: clock.now().timestamp())
    store = S3Store(session.client("s3"), settings.bucket("raw"), config.kms_key_id)
    writer = BronzeWriter(store, GluePartitionRegistrar(session.client("glue"), settings))
    state = DynamoStateStore(session.client("dynamodb"), settings.ingest_state_table)
    return Poller(client, writer, state, config, clock, lambda_remaining(context), context.aws_request_id)


def publish(metrics: Metrics, counters: Counters) -> None:
    """Add every counter of the invocation as a Count metric (flushed by Powertools at the end)."""
    for name, value in counters.as_dict().items():
        metrics.add_metric(name=METRIC_NAMES[name], unit=MetricUnit.Count, value=value)


def summary_dict(summary: Summary) -> dict[str, Any]:
    """The invocation's result, as the handler returns it."""
    return {
        "request_id": summary.request_id,
        "rounds": summary.rounds,
        "stop_reason": summary.stop_reason,
        "counters": summary.counters.as_dict(),
        "objects": list(summary.objects),
        "state_version": summary.state_version,
    }

