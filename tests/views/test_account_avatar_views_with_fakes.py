"""The avatar views over a fake AvatarService injected through ``as_view``: a second
account blueprint in the real app, at ``/fakesettings``, whose factory hands out the fake
(logins and the pages' layout stay real)."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import IO, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp.account import create_account_blueprint, default_factories
from forumapp.account.avatar.views import AvatarPage, RemoveAvatar
from forumapp.avatars.errors import InvalidImage
from forumapp.forum.errors import NotFound
from tests.conftest import AuthActions, MakeUser, csrf_token


class FakeAvatars:
    """Records what the views ask; answers with ``outcome`` (raised if an exception)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, bytes | None]] = []
        self.outcome: Any = "k" * 32

    def replace(self, user_id: int, upload: IO[bytes]) -> str:
        self.calls.append(("replace", user_id, upload.read()))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return str(self.outcome)

    def remove(self, user_id: int) -> None:
        self.calls.append(("remove", user_id, None))
        if isinstance(self.outcome, Exception):
            raise self.outcome


@pytest.fixture
def fake() -> FakeAvatars:
    return FakeAvatars()


@pytest.fixture
def member_client(
    app: Flask, client: FlaskClient, auth: AuthActions, make_user: MakeUser, fake: FakeAvatars
) -> tuple[FlaskClient, int]:
    """A logged-in member's client, with the fake blueprint mounted."""
    factories = replace(default_factories(), avatar_service=lambda: fake)  # type: ignore[arg-type,return-value]
    app.register_blueprint(
        create_account_blueprint(factories, name="fakeaccount", url_prefix="/fakesettings")
    )
    user = make_user("ann")
    auth.login("ann")
    return client, user.id


def post_upload(client: FlaskClient, data: bytes = b"picture bytes") -> Any:
    return client.post(
        "/fakesettings/avatar",
        data={
            "csrf_token": csrf_token(client, "/fakesettings/avatar"),
            "image": (io.BytesIO(data), "me.png"),
        },
        content_type="multipart/form-data",
    )


def test_the_upload_reaches_the_injected_service_as_a_stream_for_the_member(
    member_client: tuple[FlaskClient, int], fake: FakeAvatars
) -> None:
    client, user_id = member_client
    response = post_upload(client)
    assert response.status_code == 302
    assert response.location == "/fakesettings/avatar"
    assert fake.calls == [("replace", user_id, b"picture bytes")]


def test_the_services_refusal_becomes_a_field_error(
    member_client: tuple[FlaskClient, int], fake: FakeAvatars
) -> None:
    client, _ = member_client
    fake.outcome = InvalidImage("The fake does not like it.")
    response = post_upload(client)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="image-error"' in html and "The fake does not like it." in html


def test_remove_reaches_the_injected_service(
    member_client: tuple[FlaskClient, int], fake: FakeAvatars
) -> None:
    client, user_id = member_client
    token = csrf_token(client, "/fakesettings/avatar")
    response = client.post("/fakesettings/avatar/remove", data={"csrf_token": token})
    assert response.status_code == 302
    assert fake.calls == [("remove", user_id, None)]


def test_a_member_the_service_cannot_find_is_a_404_from_the_blueprints_one_handler(
    member_client: tuple[FlaskClient, int], fake: FakeAvatars
) -> None:
    client, _ = member_client
    fake.outcome = NotFound()
    token = csrf_token(client, "/fakesettings/avatar")
    response = client.post("/fakesettings/avatar/remove", data={"csrf_token": token})
    assert response.status_code == 404
    assert "<html" in response.get_data(as_text=True)  # the site's own page


def test_the_views_are_method_views_with_class_level_login_and_limit(app: Flask) -> None:
    view = app.view_functions["account.avatar"]
    assert view.view_class is AvatarPage  # type: ignore[attr-defined]
    assert app.view_functions["account.remove_avatar"].view_class is RemoveAvatar  # type: ignore[attr-defined]
    for cls in (AvatarPage, RemoveAvatar):
        assert len(cls.decorators) == 2 and cls.init_every_request is False
    assert RemoveAvatar.methods == {"POST"}
