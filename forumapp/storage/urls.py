"""``STORAGE_URL``: which storage holds uploaded files, checked at start-up.

- unset: the folder ``uploads`` in the instance folder;
- a path: that folder (a relative one is taken inside the instance folder);
- ``s3://bucket/prefix?endpoint_url=...&region=...``: an S3-compatible bucket. Optional
  parameters: ``endpoint_url`` (any S3-compatible server), ``region``,
  ``access_key_id`` and ``secret_access_key`` (otherwise boto3's usual credentials),
  ``public_url`` (where browsers fetch objects, e.g. a CDN) and ``acl`` (e.g.
  ``public-read``, for servers without bucket policies).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

#: The folder used when ``STORAGE_URL`` is unset, inside the instance folder.
DEFAULT_FOLDER = "uploads"
#: S3's rules for bucket names (the "virtual host" compatible ones).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX = re.compile(r"([a-z0-9][a-z0-9_.-]*/)*")
_PARAMETERS = frozenset(
    {"endpoint_url", "region", "access_key_id", "secret_access_key", "public_url", "acl"}
)


@dataclass(frozen=True)
class S3Location:
    """A bucket, a key prefix (empty or ending in ``/``) and how to reach them."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    public_url: str | None = None
    acl: str | None = None


def is_s3(url: str | None) -> bool:
    """Whether ``url`` names a bucket rather than a folder."""
    return bool(url) and str(url).startswith("s3://")


def local_folder(url: str | None, instance_path: str) -> Path:
    """The folder ``url`` names (unset: ``uploads`` in the instance folder)."""
    return Path(instance_path) / (url or DEFAULT_FOLDER)


def parse_s3_url(url: str) -> S3Location:
    """The :class:`S3Location` of ``url``; :class:`ValueError` saying what is wrong."""
    parts = urlsplit(url)
    if not _BUCKET.fullmatch(parts.netloc):
        raise ValueError(f"{parts.netloc!r} is not an S3 bucket name")
    prefix = unquote(parts.path.lstrip("/"))
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    if not _PREFIX.fullmatch(prefix):
        raise ValueError(f"the key prefix {prefix!r} may hold only a-z, 0-9, '_', '.', '-', '/'")
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
    unknown = sorted(set(query) - _PARAMETERS)
    if unknown:
        raise ValueError(
            f"unknown parameter {unknown[0]!r}; known: {', '.join(sorted(_PARAMETERS))}"
        )
    repeated = [key for key, values in query.items() if len(values) > 1]
    if repeated:
        raise ValueError(f"the parameter {repeated[0]!r} is given twice")
    values = {key: values[0] for key, values in query.items()}
    for key in ("endpoint_url", "public_url"):
        if key in values and urlsplit(values[key]).scheme not in ("http", "https"):
            raise ValueError(f"{key} must be an http:// or https:// address")
    if ("access_key_id" in values) != ("secret_access_key" in values):
        raise ValueError("give both access_key_id and secret_access_key, or neither")
    return S3Location(bucket=parts.netloc, prefix=prefix, **values)


def storage_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be ``STORAGE_URL``, or ``None``."""
    if not is_s3(url):
        if "://" in url:
            return f"must be a folder or an s3:// URL, got {url.split('://')[0]}://."
        return None
    try:
        parse_s3_url(url)
    except ValueError as exc:
        return f"is not a usable S3 URL: {exc}."
    if find_spec("boto3") is None:
        return "names an S3 bucket but boto3 is not installed: pip install 'forumapp[s3]'."
    return None
