"""A real S3-compatible server for the tests: moto's standalone server on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.services import free_port, wait_for

REGION = "eu-central-1"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"},
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(url, timeout=0.5).status_code < 500
        except requests.RequestException:
            return False

    wait_for(up, timeout=30, what="moto S3 server")
    yield url
    process.terminate()
    process.wait(10)


def client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name=REGION,
    )


def create_bucket(endpoint: str, bucket: str) -> None:
    existing = {b["Name"] for b in client(endpoint).list_buckets().get("Buckets", [])}
    if bucket not in existing:
        client(endpoint).create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
        )


def storage_settings(endpoint: str, bucket: str) -> dict[str, Any]:
    """The STORAGES["default"] entry the product uses with MEDIA_STORAGE=s3."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "access_key": "test",
            "secret_key": "test",
            "region_name": REGION,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 300,
            "addressing_style": "path",
        },
    }


def worker_env(endpoint: str, bucket: str) -> dict[str, str]:
    """The environment that gives a worker process the same storage."""
    return {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "S3_REGION": REGION,
    }
