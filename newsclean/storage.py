"""Where files live: a local path or an object-store URI (`s3://bucket/prefix`), behind one small seam.

`filesystem_for(uri)` gives any reader (pyarrow.dataset, pq.read_table, a SOURCE reader) a pyarrow filesystem and the
path inside it. `s3_client()` gives the boto3 client used for what pyarrow's filesystem cannot do: single-PUT uploads
and conditional writes (the warehouse's lock, newsclean/write/lock.py).

S3 is configured the standard AWS way, from the environment: credentials from AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) or any other source of the AWS default chain (~/.aws, instance roles);
the endpoint of an S3-compatible store (MinIO, moto, ...) from AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL; the region from
AWS_REGION or AWS_DEFAULT_REGION. boto3 and pyarrow are handed the same endpoint and region, so they talk to one store.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

from newsclean import settings

if TYPE_CHECKING:
    import pyarrow.fs as pafs

S3_SCHEME = "s3://"


def is_object_store(location: str | Path) -> bool:
    return str(location).startswith(S3_SCHEME)


def split_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix/` -> ("bucket", "some/prefix"); the prefix may be empty."""
    bucket, _, prefix = uri[len(S3_SCHEME):].partition("/")
    if not bucket:
        raise ValueError(f"not an S3 URI with a bucket: {uri!r} (expected s3://bucket/prefix)")
    return bucket, prefix.strip("/")


def s3_endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


def s3_region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _s3_config_key() -> tuple:
    """What a cached client depends on: a changed environment (another endpoint, other keys) gets a new client."""
    return (s3_endpoint(), s3_region(), os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY"),
            os.environ.get("AWS_SESSION_TOKEN"), os.environ.get("AWS_PROFILE"))


@functools.lru_cache(maxsize=8)
def _s3_filesystem(config_key: tuple) -> pafs.S3FileSystem:
    import pyarrow.fs as pafs

    endpoint, region = config_key[0], config_key[1]
    return pafs.S3FileSystem(
        region=region, endpoint_override=endpoint, connect_timeout=settings.S3_CONNECT_TIMEOUT_SECONDS,
        request_timeout=settings.S3_REQUEST_TIMEOUT_SECONDS,
        retry_strategy=pafs.AwsStandardS3RetryStrategy(max_attempts=settings.S3_MAX_ATTEMPTS),
    )


@functools.lru_cache(maxsize=8)
def _s3_client(config_key: tuple):
    import boto3  # only an S3 location pays for the import
    from botocore.config import Config

    endpoint, region = config_key[0], config_key[1]
    config = Config(connect_timeout=settings.S3_CONNECT_TIMEOUT_SECONDS, read_timeout=settings.S3_REQUEST_TIMEOUT_SECONDS,
                    retries={"max_attempts": settings.S3_MAX_ATTEMPTS, "mode": "standard"})
    return boto3.session.Session().client("s3", endpoint_url=endpoint, region_name=region, config=config)


def s3_client():
    """A boto3 S3 client for the current environment (thread-safe, shared)."""
    return _s3_client(_s3_config_key())


def filesystem_for(location: str | Path) -> tuple[pafs.FileSystem, str]:
    """(pyarrow filesystem, path inside it) for a local path or an `s3://bucket/prefix` URI.

    For S3 the path is `bucket/prefix` (pyarrow's convention); for a local path it is the absolute path.
    pyarrow is imported here, not with the module: a worker reading local files never needs it (its memory and
    import time are saved)."""
    import pyarrow.fs as pafs

    if is_object_store(location):
        bucket, prefix = split_s3_uri(str(location))
        return _s3_filesystem(_s3_config_key()), f"{bucket}/{prefix}".rstrip("/")
    return pafs.LocalFileSystem(), str(Path(location).resolve())
