"""A real moto server on loopback: tests reach it over HTTP with the production boto3 code."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from moto.server import ThreadedMotoServer

REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"  # moto's default account


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
