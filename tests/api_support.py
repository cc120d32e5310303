"""Helpers for the HTTP-level tests of the JSON API (tests/functional/test_api_*.py).

Callers are built per role of :mod:`tests.forum_world`: a guest sends no credentials,
every other role sends a personal access token issued straight through the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Any, TypeVar

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from forumapp.api.tokens import TokenScope, TokenService
from forumapp.extensions import db
from forumapp.forum.models import Post, Topic
from forumapp.management.audit.models import AuditEntry
from forumapp.sqltypes import utcnow
from tests.forum_world import World, ban

API = "/api/v1"
PROBLEM_JSON = "application/problem+json"

#: Configuration of the API test modules that are not about rate limits.
NO_RATE_LIMITS: dict[str, Any] = {"RATELIMIT_ENABLED": False}

_token_names = (f"token {n}" for n in count(1))


def issue_token(
    app: Flask, user_id: int, scope: TokenScope = TokenScope.WRITE, name: str | None = None
) -> str:
    """A new personal access token of the member; returns its secret."""
    with app.app_context():
        service = TokenService(db.session, utcnow)
        return service.issue(user_id, name or next(_token_names), scope).secret


def bearer(secret: str) -> dict[str, str]:
    """The ``Authorization`` header of a token."""
    return {"Authorization": f"Bearer {secret}"}


@dataclass
class ApiClient:
    """A test client that sends a token (or nothing, as a guest) with every request."""

    client: FlaskClient
    secret: str | None = None

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        """``method`` on ``path`` below ``/api/v1`` (or an absolute ``http://`` URL)."""
        all_headers = {**(bearer(self.secret) if self.secret else {}), **(headers or {})}
        url = path if path.startswith("http") else API + path
        if json is not None:
            kwargs["json"] = json
        return self.client.open(url, method=method, headers=all_headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.request("POST", path, json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.request("PATCH", path, json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", path, **kwargs)


def api_as(
    world: World, client: FlaskClient, role: str, scope: TokenScope = TokenScope.WRITE
) -> ApiClient:
    """An API client acting as ``role`` through a token (none for ``guest``); the banned
    role's token is issued before the ban, as a member's would be."""
    if role == "guest":
        return ApiClient(client)
    secret = issue_token(world.app, world.users[role], scope)
    if role == "banned":
        ban(world.app, world.users["banned"])
    return ApiClient(client, secret)


def assert_problem(response: TestResponse, status: int, kind: str | None = None) -> dict[str, Any]:
    """Check an RFC 9457 answer; returns its document."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == PROBLEM_JSON
    document = response.get_json(force=True)
    assert document["status"] == status
    assert document["title"] and document["detail"]
    if kind is not None:
        assert document["type"] == f"{API}/problems/{kind}"
    return dict(document)


def field_names(response: TestResponse) -> set[str]:
    """The names of the fields a 422 refused."""
    return {error["name"] for error in assert_problem(response, 422)["errors"]}


M = TypeVar("M")


def stored(app: Flask, model: type[M], item_id: int) -> M:
    """A row as stored now (detached)."""
    with app.app_context():
        row = db.session.get(model, item_id)
        assert row is not None, (model, item_id)
        db.session.expunge(row)
        return row


def post_state(app: Flask, post_id: int) -> Post:
    """A post as stored now."""
    return stored(app, Post, post_id)


def topic_state(app: Flask, topic_id: int) -> Topic:
    """A topic as stored now."""
    return stored(app, Topic, topic_id)


def audit_actions(app: Flask) -> list[tuple[str, str, int | None, str]]:
    """``(action, target_type, target_id, actor_name)`` of every audit entry, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            select(
                AuditEntry.action,
                AuditEntry.target_type,
                AuditEntry.target_id,
                AuditEntry.actor_name,
            ).order_by(AuditEntry.id)
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]
