"""Avatars through the test client: the settings page, the pictures on the forum pages,
the initials fallback, the cache headers, and the security properties, each named."""

from __future__ import annotations

import io
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp import create_app
from forumapp.config import ConfigError
from forumapp.extensions import db
from forumapp.users.models import User
from tests.conftest import AuthActions, MakeUser, csrf_token
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as
from tests.pictures import decoded, jpeg_with_gps, picture, png_bomb
from tests.s3_server import KEYS, s3_server

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def config_overrides(tmp_path: Path) -> dict[str, Any]:
    return {"STORAGE_URL": str(tmp_path / "files"), "RATELIMIT_ENABLED": False}


def upload(client: FlaskClient, data: bytes, filename: str = "me.png") -> Any:
    """Send ``data`` through the avatar form."""
    return client.post(
        "/settings/avatar",
        data={
            "csrf_token": csrf_token(client, "/settings/avatar"),
            "image": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def avatar_key(app: Flask, username: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(User.avatar_key).where(User.username == username))


def avatar_of_member(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, data: bytes
) -> str | None:
    """Log in as the world's member, upload ``data``: the member's avatar key."""
    login_as(auth, world, "member")
    upload(client, data)
    return avatar_key(app, "alice")


def image_sources(html: str, size: int) -> list[str]:
    """The ``src`` of every avatar of ``size`` pixels on a page."""
    return re.findall(rf'<img class="avatar avatar-{size}" src="([^"]+)"', html)


def test_upload_puts_the_avatar_on_posts_profile_forum_page_and_header(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World
) -> None:
    topic = world.topic("member", title="Walruses")
    login_as(auth, world, "member")
    response = upload(client, picture("JPEG", quality=90))
    assert response.status_code == 302 and response.location == "/settings/avatar"
    key = avatar_key(app, "alice")
    assert key is not None
    own = f"/media/avatars/{world.users['member']}/{key}"

    topic_page = client.get(f"/topic/{topic}").get_data(as_text=True)
    assert image_sources(topic_page, 64) == [f"{own}-64.webp"]
    assert f'srcset="{own}-128.webp 2x"' in topic_page
    assert 'width="64" height="64" alt=""' in topic_page
    assert image_sources(topic_page, 32) == [f"{own}-32.webp"]  # the header
    forum_page = client.get(f"/forum/{world.forum_a}").get_data(as_text=True)
    assert f"{own}-32.webp" in image_sources(forum_page, 32)
    profile = client.get("/user/alice").get_data(as_text=True)
    assert image_sources(profile, 128) == [f"{own}-128.webp"]

    served = client.get(f"{own}-64.webp")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.headers["Cache-Control"] == IMMUTABLE
    assert decoded(served.data).size == (64, 64)


def test_removing_the_avatar_brings_back_the_initials_and_deletes_the_files(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, tmp_path: Path
) -> None:
    key = avatar_of_member(app, client, auth, world, picture())
    files = tmp_path / "files" / "avatars" / str(world.users["member"])
    assert sorted(path.name for path in files.iterdir()) == [
        f"{key}-{size}.webp" for size in (128, 32, 64)
    ]
    page = client.get("/settings/avatar").get_data(as_text=True)
    assert "Remove avatar" in page
    response = client.post(
        "/settings/avatar/remove", data={"csrf_token": csrf_token(client, "/settings/avatar")}
    )
    assert response.status_code == 302
    assert avatar_key(app, "alice") is None
    assert list(files.iterdir()) == []
    assert client.get(f"/media/avatars/{world.users['member']}/{key}-64.webp").status_code == 404
    page = client.get("/settings/avatar").get_data(as_text=True)
    assert "Remove avatar" not in page
    assert f'src="/avatars/{world.users["member"]}/A.svg"' in page


def test_replacing_the_avatar_deletes_the_old_files(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, tmp_path: Path
) -> None:
    login_as(auth, world, "member")
    upload(client, picture(colour="red"))
    upload(client, picture(colour="green"))
    key = avatar_key(app, "alice")
    files = tmp_path / "files" / "avatars" / str(world.users["member"])
    assert {path.name.split("-")[0] for path in files.iterdir()} == {key}


def test_every_member_without_an_avatar_has_an_initials_picture(
    client: FlaskClient, world: World, make_user: MakeUser
) -> None:
    user = make_user("zoe_quinn")
    topic = world.topic("member2")
    html = client.get(f"/topic/{topic}").get_data(as_text=True)
    bob = world.users["member2"]
    assert image_sources(html, 64) == [f"/avatars/{bob}/B.svg"]
    profile = client.get("/user/zoe_quinn").get_data(as_text=True)
    assert image_sources(profile, 128) == [f"/avatars/{user.id}/ZQ.svg"]

    svg = client.get(f"/avatars/{user.id}/ZQ.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.headers["Cache-Control"] == IMMUTABLE
    assert svg.headers["Content-Security-Policy"] == "default-src 'none'"
    assert ">ZQ</text>" in svg.get_data(as_text=True)


@pytest.mark.parametrize("initials", ["abc", "<s>", "A%22", "ABC"])
def test_initials_pictures_show_nothing_but_one_or_two_capitals_or_digits(
    client: FlaskClient, initials: str
) -> None:
    assert client.get(f"/avatars/1/{initials}.svg").status_code == 404


def test_a_decompression_bomb_gets_a_field_error_not_a_500(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World
) -> None:
    login_as(auth, world, "member")
    response = upload(client, png_bomb())
    assert response.status_code == 400
    assert "too many pixels" in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert avatar_key(app, "alice") is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"#!/bin/sh\necho hello\n", "not a PNG, JPEG, WebP or GIF"),
        (picture(size=(5000, 10)), "at most 4096 by 4096"),
    ],
)
def test_a_bad_upload_gets_a_field_error(
    client: FlaskClient, auth: AuthActions, world: World, data: bytes, message: str
) -> None:
    login_as(auth, world, "member")
    response = upload(client, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_no_file_gets_a_field_error(client: FlaskClient, auth: AuthActions, world: World) -> None:
    login_as(auth, world, "member")
    response = client.post(
        "/settings/avatar", data={"csrf_token": csrf_token(client, "/settings/avatar")}
    )
    assert response.status_code == 400
    assert "Choose a picture to upload." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "config_overrides",
    [{"AVATAR_MAX_BYTES": 4096, "MAX_CONTENT_LENGTH": 68 * 1024, "RATELIMIT_ENABLED": False}],
)
def test_a_file_over_the_size_limit_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World
) -> None:
    login_as(auth, world, "member")
    response = upload(client, picture("PNG", size=(60, 60), compress_level=0))
    assert response.status_code == 400
    assert "larger than" in response.get_data(as_text=True)
    # Past the body limit itself: the site's 413 page, before any view reads it.
    assert upload(client, b"x" * (80 * 1024)).status_code == 413


def test_avatar_metadata_is_stripped(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World
) -> None:
    key = avatar_of_member(app, client, auth, world, jpeg_with_gps())
    for size in (32, 64, 128):
        served = client.get(f"/media/avatars/{world.users['member']}/{key}-{size}.webp").data
        assert b"SecretCam" not in served and b"Exif" not in served
        assert not decoded(served).getexif()


def test_avatar_changes_need_a_login(client: FlaskClient) -> None:
    assert "/auth/login" in client.get("/settings/avatar").location
    response = client.post("/settings/avatar/remove", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302 and "/auth/login" in response.location


def test_avatar_changes_need_a_csrf_token(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World
) -> None:
    key = avatar_of_member(app, client, auth, world, picture())
    response = client.post(
        "/settings/avatar",
        data={"image": (io.BytesIO(picture(colour="green")), "x.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert client.post("/settings/avatar/remove").status_code == 400
    assert avatar_key(app, "alice") == key


@pytest.mark.parametrize(
    "config_overrides", [{"AVATAR_CHANGE_LIMIT": "2 per hour", "STORAGE_URL": "files"}]
)
def test_avatar_changes_are_rate_limited_per_member(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    login_as(auth, world, "member")
    assert upload(client, b"not a picture").status_code == 400
    token = csrf_token(client, "/settings/avatar")
    assert client.post("/settings/avatar/remove", data={"csrf_token": token}).status_code == 302
    assert upload(client, picture()).status_code == 429


@pytest.mark.parametrize("name", ["../secret_key", "avatars/1/..%2f..%2fsecret_key", "x/A.webp"])
def test_stored_files_cannot_reach_outside_the_storage(
    client: FlaskClient, name: str, tmp_path: Path
) -> None:
    (tmp_path / "secret_key").write_text("s3cret")
    response = client.get(f"/media/{name}")
    assert response.status_code == 404
    assert b"s3cret" not in response.data


def test_the_avatar_page_is_in_the_settings_menu_and_never_cached(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    login_as(auth, world, "member")
    response = client.get("/settings/avatar")
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert 'href="/settings/avatar" aria-current="page">Avatar</a>' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="image">Picture</label>' in html
    assert 'aria-describedby="image-hint"' in html


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("s3://Not_A_Bucket/", "STORAGE_URL is not a usable S3 URL"),
        ("ftp://files/", "STORAGE_URL must be a folder or an s3:// URL"),
    ],
)
def test_a_bad_storage_url_stops_the_app_naming_the_key(
    tmp_path: Path, value: str, reason: str
) -> None:
    with pytest.raises(ConfigError, match=reason):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "STORAGE_URL": value})


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server with the bucket ``forum-files``."""
    with s3_server("forum-files") as endpoint:
        yield endpoint


class TestInABucket:
    """``STORAGE_URL`` naming a bucket of a real S3-compatible server."""

    @pytest.fixture
    def config_overrides(self, s3_endpoint: str) -> dict[str, Any]:
        url = f"s3://forum-files/site?endpoint_url={s3_endpoint}&{KEYS}&acl=public-read"
        return {"STORAGE_URL": url, "RATELIMIT_ENABLED": False}

    def test_avatars_are_uploaded_there_and_linked_directly(
        self, app: Flask, client: FlaskClient, auth: AuthActions, world: World, s3_endpoint: str
    ) -> None:
        login_as(auth, world, "member")
        assert upload(client, picture()).status_code == 302
        key = avatar_key(app, "alice")
        name = f"avatars/{world.users['member']}/{key}-128.webp"
        direct = f"{s3_endpoint}/forum-files/site/{name}"
        profile = client.get("/user/alice").get_data(as_text=True)
        assert image_sources(profile, 128) == [direct]
        with urllib.request.urlopen(direct) as answer:  # noqa: S310 (a local test server)
            assert answer.headers["Cache-Control"] == IMMUTABLE
            assert decoded(answer.read()).size == (128, 128)
        # The app's own address for it sends browsers to the bucket.
        response = client.get(f"/media/{name}")
        assert response.status_code == 301 and response.location == direct
        assert response.headers["Cache-Control"] == IMMUTABLE

        token = csrf_token(client, "/settings/avatar")
        client.post("/settings/avatar/remove", data={"csrf_token": token})
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(direct)  # noqa: S310 (a local test server)
