"""The ingestion Lambda: polls GitHub's public events into bronze. Thin: the logic is lakehouse.ingest."""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.utilities.typing import LambdaContext

from lakehouse.ingest import config
from lakehouse.ingest.lambda_app import build_poller, publish, summary_dict
from lakehouse.ingest.timing import SystemClock

logger = Logger(service=os.environ.get(config.POWERTOOLS_SERVICE_NAME) or config.SERVICE)
metrics = Metrics(
    namespace=os.environ.get(config.POWERTOOLS_METRICS_NAMESPACE) or config.METRICS_NAMESPACE,
    service=os.environ.get(config.POWERTOOLS_SERVICE_NAME) or config.SERVICE,
)
copy_config_to_registered_loggers(source_logger=logger, include={"lakehouse"})


@logger.inject_lambda_context(log_event=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Poll until shortly before the invocation's deadline; return what was done."""
    poller = build_poller(os.environ, context, boto3.Session(), SystemClock())
    try:
        summary = poller.run()
    finally:
        publish(metrics, poller.counters)
    return summary_dict(summary)
