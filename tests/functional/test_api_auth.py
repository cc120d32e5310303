"""Who may call the API: guests read, tokens read or write by scope, browser sessions write
only with their CSRF token, and a Bearer request is judged by its token alone."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from forumapp.api.models import ApiToken
from forumapp.api.tokens import TokenScope, TokenService
from forumapp.extensions import db
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from tests.api_support import (
    NO_RATE_LIMITS,
    ApiClient,
    assert_problem,
    issue_token,
    topic_state,
)
from tests.conftest import AuthActions, csrf_token
from tests.forum_world import World


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_RATE_LIMITS)


def new_topic(world: World) -> dict[str, Any]:
    return {"forum_id": world.forum_a, "title": "By API", "content": "Hello"}


def test_guests_read_what_guests_may_see(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    guest = ApiClient(client)
    assert guest.get(f"/topics/{topic}").status_code == 200
    assert [t["id"] for t in guest.get("/topics/").get_json()["items"]] == [topic]


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/topics/"), ("POST", "/posts/"), ("PATCH", "/posts/1"), ("DELETE", "/posts/1")],
)
def test_guest_writes_ask_for_a_bearer_token(
    client: FlaskClient, world: World, method: str, path: str
) -> None:
    world.topic()
    response = ApiClient(client).request(method, path, json={"topic_id": 1, "content": "x"})
    assert_problem(response, 401, "authentication-required")
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="forumapp"'


@pytest.mark.parametrize(
    "header",
    [
        "Basic YWxpY2U6c2VjcmV0",
        "Bearer",
        "Bearer    ",
        "Token fa_abc",
        "fa_only-the-secret",
        "Bearer fa_" + "x" * 43,
        "Bearer not-a-token-at-all",
        "Bearer " + "é" * 50,
    ],
)
def test_malformed_or_unknown_tokens_are_refused_as_invalid(
    client: FlaskClient, world: World, header: str
) -> None:
    response = client.get("/api/v1/topics/", headers={"Authorization": header})
    assert_problem(response, 401, "invalid-token")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_revoked_token_stops_working(client: FlaskClient, world: World) -> None:
    secret = issue_token(world.app, world.users["member"])
    api = ApiClient(client, secret)
    assert api.get("/me").status_code == 200
    with world.app.app_context():
        token_id = db.session.query(ApiToken.id).scalar()
        TokenService(db.session, utcnow).revoke(world.users["member"], token_id)
    response = api.get("/me")
    assert_problem(response, 401, "invalid-token")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_a_read_token_reads_but_may_not_write(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    reader = ApiClient(client, issue_token(world.app, world.users["member"], TokenScope.READ))
    assert reader.get(f"/topics/{topic}").status_code == 200
    for response in (
        reader.post("/topics/", new_topic(world)),
        reader.post("/posts/", {"topic_id": topic, "content": "x"}),
        reader.patch(f"/topics/{topic}", {"title": "Renamed"}),
        reader.delete(f"/topics/{topic}"),
    ):
        assert_problem(response, 403, "insufficient-scope")
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert topic_state(world.app, topic).title == "Hello"


def test_a_write_token_writes(client: FlaskClient, world: World) -> None:
    writer = ApiClient(client, issue_token(world.app, world.users["member"], TokenScope.WRITE))
    assert writer.post("/topics/", new_topic(world)).status_code == 201


def test_a_browser_session_reads_as_its_member(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    assert auth.login("alice").status_code == 302
    me = ApiClient(client).get("/me")
    assert me.status_code == 200
    assert (me.get_json()["username"], me.get_json()["token_scope"]) == ("alice", None)


def test_a_browser_session_writes_only_with_its_csrf_token(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    assert auth.login("alice").status_code == 302
    session = ApiClient(client)
    refused = session.post("/topics/", new_topic(world))
    assert_problem(refused, 403, "csrf-token-missing")
    wrong = session.post("/topics/", new_topic(world), headers={"X-CSRFToken": "forged"})
    assert_problem(wrong, 403, "csrf-token-missing")
    assert session.get("/topics/").get_json()["items"] == []

    token = csrf_token(client, "/settings/tokens")
    created = session.post("/topics/", new_topic(world), headers={"X-CSRFToken": token})
    assert created.status_code == 201
    assert created.get_json()["author_name"] == "alice"


def test_a_session_patch_and_delete_need_the_csrf_token_too(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    post = world.reply(world.topic())
    assert auth.login("alice").status_code == 302
    session = ApiClient(client)
    assert_problem(session.patch(f"/posts/{post}", {"content": "x"}), 403, "csrf-token-missing")
    assert_problem(session.delete(f"/posts/{post}"), 403, "csrf-token-missing")
    token = {"X-CSRFToken": csrf_token(client, "/settings/tokens")}
    assert session.patch(f"/posts/{post}", {"content": "x"}, headers=token).status_code == 200
    assert session.delete(f"/posts/{post}", headers=token).status_code == 204


def test_a_bearer_request_ignores_the_session_cookie(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    # Logged in as the admin in the browser, but the script's token is alice's read token.
    assert auth.login("root").status_code == 302
    secret = issue_token(world.app, world.users["member"], TokenScope.READ)
    api = ApiClient(client, secret)
    assert api.get("/me").get_json()["username"] == "alice"
    assert_problem(api.get(f"/forums/{world.hidden_forum}"), 404)
    token = csrf_token(client, "/settings/tokens")
    response = api.post("/categories/", {"title": "Nope"}, headers={"X-CSRFToken": token})
    assert_problem(response, 403, "insufficient-scope")
    # A bad token is not rescued by the valid session either.
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer fa_wrong"})
    assert_problem(bad, 401, "invalid-token")


def test_a_token_of_an_account_that_is_deactivated_is_refused(
    client: FlaskClient, world: World
) -> None:
    secret = issue_token(world.app, world.users["member"])
    with world.app.app_context():
        user = db.session.get(User, world.users["member"])
        assert user is not None
        user.activated = False
        db.session.commit()
    assert_problem(ApiClient(client, secret).get("/me"), 403, "account-disabled")
