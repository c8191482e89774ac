"""A real moto server on loopback: tests reach it over HTTP with the production boto3 code."""

from __future__ import annotations

import functools
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import botocore.loaders
import botocore.session
import requests
from moto.server import ThreadedMotoServer

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"  # moto's default account


class _SearchPaths(list[str]):
    """A loader's search paths, each once: boto3 appends its own to the loader of every Session it makes."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


@functools.cache
def _shared_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
    loader = botocore.loaders.create_loader(search_path_string)
    loader._search_paths = _SearchPaths(loader.search_paths)  # type: ignore[attr-defined]
    return loader


def share_service_models() -> None:
    """Every botocore session of the test process reads AWS's service models through one loader.

    A loader keeps each model it parsed, but every Session makes its own: the tests make hundreds (a deploy
    run each, and their own clients), and parsing the same JSON models again was a quarter of a deploy
    test's time. The models are read-only data; what the sessions do with them is unchanged.
    """
    botocore.session.create_loader = _shared_loader  # type: ignore[assignment]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server() -> Iterator[str]:
    """Start a moto server on 127.0.0.1 and yield its URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def environment(url: str) -> dict[str, str]:
    """The environment in which every boto3 client reaches the moto server at url, on moto's account."""
    return {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "MOTO_ACCOUNT_ID": ACCOUNT_ID}


def reset(url: str) -> None:
    """Forget every resource the server holds."""
    requests.post(f"{url}/moto-api/reset", timeout=10).raise_for_status()
