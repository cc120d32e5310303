"""Stored files in an S3-compatible bucket (AWS S3, MinIO, Ceph, Garage...), with boto3.

Objects are written with their ``Content-Type`` and a year-long, immutable
``Cache-Control``, which the bucket (or the CDN in front of it) hands on to browsers.
Browsers fetch them straight from the bucket: it must let anyone read the objects under
the prefix (a bucket policy, or ``acl=public-read`` in ``STORAGE_URL``).
"""

from __future__ import annotations

import io
from typing import IO, Any
from urllib.parse import quote

from forumapp.storage import IMMUTABLE, check_name
from forumapp.storage.urls import S3Location


class S3Storage:
    """Objects under ``location.prefix`` in ``location.bucket``, through ``client`` (a
    boto3 S3 client)."""

    def __init__(self, client: Any, location: S3Location) -> None:
        self.client = client
        self.location = location

    def put(self, name: str, data: bytes, content_type: str) -> None:
        """Upload one object with its serving headers."""
        extra = {"ACL": self.location.acl} if self.location.acl else {}
        self.client.put_object(
            Bucket=self.location.bucket,
            Key=self._key(name),
            Body=data,
            ContentType=content_type,
            CacheControl=IMMUTABLE,
            **extra,
        )

    def delete(self, name: str) -> None:
        """Delete the object (S3 answers a missing key with success too)."""
        self.client.delete_object(Bucket=self.location.bucket, Key=self._key(name))

    def open(self, name: str) -> IO[bytes]:
        """The object's bytes; :class:`FileNotFoundError` if there is no such object."""
        try:
            answer = self.client.get_object(Bucket=self.location.bucket, Key=self._key(name))
        except self.client.exceptions.NoSuchKey as exc:
            raise FileNotFoundError(name) from exc
        return io.BytesIO(answer["Body"].read())

    def public_url(self, name: str) -> str:
        """The object's address at ``public_url``, at the endpoint (path style), or on AWS."""
        key = quote(self._key(name))
        location = self.location
        if location.public_url:
            return f"{location.public_url.rstrip('/')}/{key}"
        if location.endpoint_url:
            return f"{location.endpoint_url.rstrip('/')}/{location.bucket}/{key}"
        region = location.region or "us-east-1"
        return f"https://{location.bucket}.s3.{region}.amazonaws.com/{key}"

    def _key(self, name: str) -> str:
        return self.location.prefix + check_name(name)


def open_s3_storage(location: S3Location) -> S3Storage:
    """An :class:`S3Storage` with a boto3 client for ``location``; credentials come from
    the URL or, when it names none, from boto3's usual chain (``AWS_ACCESS_KEY_ID``,
    ``~/.aws/credentials``, an instance role...)."""
    import boto3  # the optional "s3" extra: only deployments that use a bucket install it

    client = boto3.client(
        "s3",
        endpoint_url=location.endpoint_url,
        region_name=location.region,
        aws_access_key_id=location.access_key_id,
        aws_secret_access_key=location.secret_access_key,
    )
    return S3Storage(client, location)
