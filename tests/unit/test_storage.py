"""Both storages: a local folder, and an S3-compatible bucket on a real S3 server (moto's
standalone server, on a free port of 127.0.0.1)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from forumapp.storage import IMMUTABLE, Storage
from forumapp.storage.factories import open_storage
from forumapp.storage.local import LocalStorage
from forumapp.storage.s3 import S3Storage
from forumapp.storage.urls import S3Location, parse_s3_url, storage_url_problem
from tests.s3_server import KEYS, s3_server


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server with the bucket ``avatars``."""
    with s3_server("avatars") as endpoint:
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """Each storage, as ``STORAGE_URL`` builds it."""
    if request.param == "local":
        return open_storage(None, str(tmp_path))
    endpoint = request.getfixturevalue("s3_endpoint")
    prefix = f"site-{tmp_path.name.lower().replace('_', '-')}"
    return open_storage(f"s3://avatars/{prefix}?endpoint_url={endpoint}&{KEYS}", str(tmp_path))


def test_a_stored_file_reads_back_and_is_gone_once_deleted(storage: Storage) -> None:
    storage.put("avatars/7/abc-32.webp", b"RIFF....WEBP", "image/webp")
    with storage.open("avatars/7/abc-32.webp") as file:
        assert file.read() == b"RIFF....WEBP"
    storage.delete("avatars/7/abc-32.webp")
    with pytest.raises(FileNotFoundError):
        storage.open("avatars/7/abc-32.webp")
    storage.delete("avatars/7/abc-32.webp")  # deleting what is gone is no error


@pytest.mark.parametrize("name", ["../secret", "/etc/passwd", "avatars/../../x", "A/B", ""])
def test_names_that_could_leave_the_storage_are_refused(storage: Storage, name: str) -> None:
    with pytest.raises(ValueError, match="not a stored-file name"):
        storage.put(name, b"x", "text/plain")


def test_the_local_folder_defaults_to_uploads_in_the_instance_folder(tmp_path: Path) -> None:
    storage = open_storage(None, str(tmp_path))
    assert isinstance(storage, LocalStorage)
    storage.put("avatars/1/k-32.webp", b"data", "image/webp")
    assert (tmp_path / "uploads" / "avatars" / "1" / "k-32.webp").read_bytes() == b"data"
    assert storage.public_url("avatars/1/k-32.webp") is None
    # No temporary file is left next to it.
    assert [path.name for path in (tmp_path / "uploads/avatars/1").iterdir()] == ["k-32.webp"]


def test_s3_objects_carry_their_type_and_immutable_caching_and_are_public(
    s3_endpoint: str, tmp_path: Path
) -> None:
    storage = open_storage(
        f"s3://avatars/forum/?endpoint_url={s3_endpoint}&{KEYS}&acl=public-read", str(tmp_path)
    )
    assert isinstance(storage, S3Storage)
    storage.put("avatars/3/k-64.webp", b"webp bytes", "image/webp")
    url = storage.public_url("avatars/3/k-64.webp")
    assert url == f"{s3_endpoint}/avatars/forum/avatars/3/k-64.webp"
    # Fetched as a browser would, without credentials.
    with urllib.request.urlopen(url) as answer:  # noqa: S310 (a local test server)
        assert answer.read() == b"webp bytes"
        assert answer.headers["Content-Type"] == "image/webp"
        assert answer.headers["Cache-Control"] == IMMUTABLE


def test_s3_public_urls_follow_public_url_or_aws() -> None:
    cdn = S3Storage(None, S3Location("b", "p/", public_url="https://cdn.example.org/x/"))
    assert (
        cdn.public_url("avatars/1/k-32.webp") == "https://cdn.example.org/x/p/avatars/1/k-32.webp"
    )
    aws = S3Storage(None, S3Location("b", region="eu-west-3"))
    assert aws.public_url("a/b") == "https://b.s3.eu-west-3.amazonaws.com/a/b"


def test_an_s3_url_is_parsed_with_its_options() -> None:
    location = parse_s3_url(
        "s3://my-bucket/forum/files?endpoint_url=http://127.0.0.1:9000&region=eu-west-1"
    )
    assert location == S3Location(
        "my-bucket", "forum/files/", endpoint_url="http://127.0.0.1:9000", region="eu-west-1"
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("s3://Bad_Bucket/x", "not an S3 bucket name"),
        ("s3://bucket/x?endpoint=http://h", "unknown parameter 'endpoint'"),
        ("s3://bucket/x?endpoint_url=ftp://h", "endpoint_url must be an http"),
        ("s3://bucket/x?access_key_id=A", "give both access_key_id and secret_access_key"),
        ("s3://bucket/x?region=a&region=b", "given twice"),
        ("s3://bucket/Upper/", "key prefix"),
        ("ftp://host/folder", "must be a folder or an s3:// URL"),
    ],
)
def test_bad_storage_urls_are_refused_with_the_reason(url: str, problem: str) -> None:
    reason = storage_url_problem(url)
    assert reason is not None and problem in reason


def test_a_refused_storage_url_never_repeats_its_secret() -> None:
    reason = storage_url_problem("s3://bucket/x?access_key_id=AKIA&secret_access_key=hunter2&x=1")
    assert reason is not None and "hunter2" not in reason


@pytest.mark.parametrize("url", ["uploads", "/srv/forum/files", "s3://bucket", "s3://b-1/a/b/"])
def test_good_storage_urls_pass(url: str) -> None:
    assert storage_url_problem(url) is None
