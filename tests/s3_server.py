"""A real S3-compatible server for the tests: moto's standalone server on a free port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto.server import ThreadedMotoServer

from tests.servers import free_port

#: The credentials and region the server accepts, as ``STORAGE_URL`` parameters.
KEYS = "access_key_id=testing&secret_access_key=testing&region=us-east-1"


@contextmanager
def s3_server(bucket: str) -> Iterator[str]:
    """Serve S3 on 127.0.0.1 with ``bucket`` created; yields the endpoint URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=bucket)
        yield endpoint
    finally:
        server.stop()
