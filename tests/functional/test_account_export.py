"""``/settings/export``: the download's headers and contents, what never goes in it, its
query count and its rate limit."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.account.leaving.export import DataExporter
from forumapp.api.models import ApiToken
from forumapp.api.tokens import TokenScope, TokenService
from forumapp.extensions import db
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from tests.conftest import AuthActions, csrf_token
from tests.forum_world import World
from tests.functional.test_forum_query_counts import counted_queries


def download(client: FlaskClient) -> Any:
    """Press the page's download button."""
    token = csrf_token(client, "/settings/export")
    return client.post("/settings/export", data={"csrf_token": token})


def issue_token(app: Flask, user_id: int, name: str) -> str:
    """Create an API token for the member; returns its secret."""
    with app.app_context():
        service = TokenService(db.session, utcnow, max_tokens=5)
        return service.issue(user_id, name, TokenScope.READ).secret


def test_export_page_explains_the_contents_and_needs_a_login(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    assert client.get("/settings/export").status_code == 302
    auth.login("alice")
    page = client.get("/settings/export").get_data(as_text=True)
    assert "What the file holds" in page
    assert 'action="/settings/export"' in page
    assert 'aria-current="page"' in page  # the settings menu marks this page


def test_export_downloads_a_json_attachment_named_after_the_member_and_date(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    response = download(client)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r"attachment; filename=forumapp-alice-\d{4}-\d{2}-\d{2}\.json", disposition)
    assert response.headers["Cache-Control"] == "no-store"


def test_export_holds_profile_topics_posts_tokens_and_sessions(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member", title="My topic", content="**first** words")
    reply = world.reply(topic, "member", "a reply of mine")
    world.reply(topic, "member2", "not mine")
    issue_token(app, world.users["member"], "backup script")
    auth.login("alice")
    data = json.loads(download(client).get_data(as_text=True))
    profile = data["profile"]
    assert profile["username"] == "alice"
    assert profile["email"] == "alice@example.org"
    assert profile["group"] == "Member"
    assert profile["language"] == "en"
    assert profile["date_joined"]
    assert [t["title"] for t in data["topics"]] == ["My topic"]
    assert data["topics"][0]["forum"] == "Forum A"
    assert [p["markdown"] for p in data["posts"]] == ["**first** words", "a reply of mine"]
    assert data["posts"][1]["id"] == reply
    assert data["posts"][1]["topic"] == "My topic"
    assert data["posts"][1]["forum"] == "Forum A"
    assert {"created_at", "edited_at"} <= data["posts"][1].keys()
    assert [t["name"] for t in data["api_tokens"]] == ["backup script"]
    assert len(data["sessions"]) == 1
    assert data["passkeys"] == []
    assert data["sessions"][0]["user_agent"] is not None


def test_export_never_contains_secrets_or_hashes(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    secret = issue_token(app, world.users["member"], "ci")
    auth.login("alice")
    text = download(client).get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, world.users["member"])
        assert user is not None
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        assert token is not None
        forbidden = [user.password_hash, token.token_hash, token.prefix, secret]
    for value in forbidden:
        assert value not in text
    assert "password" not in text
    assert "token_hash" not in text


def test_export_query_count_does_not_grow_with_the_number_of_posts(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    topic = world.topic("member")
    download(client)  # warm-up

    def queries() -> int:
        token = csrf_token(client, "/settings/export")
        with counted_queries(app) as statements:
            response = client.post("/settings/export", data={"csrf_token": token})
            response.get_data()  # the rows are read while the body streams
        return len(statements)

    few = queries()
    for n in range(30):
        world.reply(topic, "member", f"reply {n}")
    app.config["ACCOUNT_EXPORT_LIMIT"] = "100 per hour"
    many = queries()
    assert few == many


def test_export_is_complete_when_posts_span_several_batches(app: Flask, world: World) -> None:
    topic = world.topic("member")
    for n in range(7):
        world.reply(topic, "member", f"reply {n}")
    with app.app_context():
        export = DataExporter(db.session, utcnow, batch_size=3).export(world.users["member"])
        document = json.loads("".join(export.chunks))
    assert len(document["posts"]) == 8


@pytest.mark.parametrize("config_overrides", [{"ACCOUNT_EXPORT_LIMIT": "2 per hour"}])
def test_export_is_rate_limited_per_member(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    assert download(client).status_code == 200
    assert download(client).status_code == 200
    assert download(client).status_code == 429
    # Looking at the page is not a download.
    assert client.get("/settings/export").status_code == 200
