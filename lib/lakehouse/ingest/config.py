"""Ingestion configuration: every environment-variable name lives here, read once into a dataclass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lakehouse.errors import UserError

# Ours. Deploy sets these on the Lambda; a local run reads the same names.
ENV = "LAKEHOUSE_ENV"
BUCKET_SUFFIX = "LAKEHOUSE_BUCKET_SUFFIX"
KMS_KEY_ID = "LAKEHOUSE_KMS_KEY_ID"
GITHUB_API_URL = "LAKEHOUSE_GITHUB_API_URL"
GITHUB_TOKEN_SECRET = "LAKEHOUSE_GITHUB_TOKEN_SECRET"
FLUSH_SECONDS = "LAKEHOUSE_INGEST_FLUSH_SECONDS"
MARGIN_SECONDS = "LAKEHOUSE_INGEST_MARGIN_SECONDS"
CONNECT_TIMEOUT = "LAKEHOUSE_INGEST_CONNECT_TIMEOUT"
READ_TIMEOUT = "LAKEHOUSE_INGEST_READ_TIMEOUT"
RETRIES = "LAKEHOUSE_INGEST_RETRIES"
BACKOFF_FACTOR = "LAKEHOUSE_INGEST_BACKOFF_FACTOR"
RECENT_IDS = "LAKEHOUSE_INGEST_RECENT_IDS"
TOKEN_CACHE_SECONDS = "LAKEHOUSE_GITHUB_TOKEN_CACHE_SECONDS"
# A local run only: the token itself (the Lambda reads it from Secrets Manager).
GITHUB_TOKEN = "GITHUB_TOKEN"
# Set by the Lambda runtime.
AWS_REGION = "AWS_REGION"
# Read by Powertools itself; deploy sets them so logs and metrics carry these names.
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
POWERTOOLS_LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"

ALL_NAMES = (
    ENV, BUCKET_SUFFIX, KMS_KEY_ID, GITHUB_API_URL, GITHUB_TOKEN_SECRET, FLUSH_SECONDS, MARGIN_SECONDS,
    CONNECT_TIMEOUT, READ_TIMEOUT, RETRIES, BACKOFF_FACTOR, RECENT_IDS, TOKEN_CACHE_SECONDS, GITHUB_TOKEN,
    AWS_REGION, POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL,
)

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_ARCHIVE_URL = "https://data.gharchive.org"  # GH Archive's hour files
SERVICE = "github-events-ingest"
METRICS_NAMESPACE = "Lakehouse/Ingest"
PAGES = 3  # all the API serves: 3 pages of 100, the last 300 events
PER_PAGE = 100


class ConfigError(UserError, ValueError):
    """An environment variable is missing or invalid; the message names it."""


@dataclass(frozen=True)
class IngestConfig:
    """What the poller needs to know, from the environment or the command line."""

    api_url: str = DEFAULT_API_URL
    token_secret: str | None = None
    token: str | None = None
    flush_seconds: float = 180.0
    margin_seconds: float = 15.0
    connect_timeout: float = 3.05
    read_timeout: float = 10.0
    retries: int = 2
    backoff_factor: float = 1.0
    recent_ids: int = 5000
    token_cache_seconds: int = 900
    kms_key_id: str | None = None
    pages: int = PAGES
    per_page: int = PER_PAGE

    def __post_init__(self) -> None:
        if not self.api_url.startswith(("http://", "https://")):
            raise ConfigError(f"{GITHUB_API_URL}={self.api_url!r} is not an http(s) URL")
        if self.recent_ids < 2 * self.pages * self.per_page:
            raise ConfigError(
                f"{RECENT_IDS}={self.recent_ids} is too small: remember at least "
                f"{2 * self.pages * self.per_page} ids (twice what the API serves)"
            )
        for name, value in ((FLUSH_SECONDS, self.flush_seconds), (READ_TIMEOUT, self.read_timeout),
                            (CONNECT_TIMEOUT, self.connect_timeout)):
            if value <= 0:
                raise ConfigError(f"{name}={value} must be positive")
        if self.margin_seconds < 0 or self.retries < 0 or self.backoff_factor < 0:
            raise ConfigError(f"{MARGIN_SECONDS}, {RETRIES} and {BACKOFF_FACTOR} must not be negative")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> IngestConfig:
        """Read the configuration from environment variables (unset or empty: the default)."""
        defaults = cls()
        return cls(
            api_url=(environ.get(GITHUB_API_URL) or defaults.api_url).rstrip("/"),
            token_secret=environ.get(GITHUB_TOKEN_SECRET) or None,
            token=environ.get(GITHUB_TOKEN) or None,
            flush_seconds=_number(environ, FLUSH_SECONDS, defaults.flush_seconds),
            margin_seconds=_number(environ, MARGIN_SECONDS, defaults.margin_seconds),
            connect_timeout=_number(environ, CONNECT_TIMEOUT, defaults.connect_timeout),
            read_timeout=_number(environ, READ_TIMEOUT, defaults.read_timeout),
            retries=int(_number(environ, RETRIES, defaults.retries)),
            backoff_factor=_number(environ, BACKOFF_FACTOR, defaults.backoff_factor),
            recent_ids=int(_number(environ, RECENT_IDS, defaults.recent_ids)),
            token_cache_seconds=int(_number(environ, TOKEN_CACHE_SECONDS, defaults.token_cache_seconds)),
            kms_key_id=environ.get(KMS_KEY_ID) or None,
        )


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    """The number in environ[name], or default when unset or empty."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as e:
        raise ConfigError(f"{name}={raw!r} is not a number") from e


def required(environ: Mapping[str, str], name: str) -> str:
    """environ[name], or a ConfigError that names the variable."""
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is not set")
    return value
