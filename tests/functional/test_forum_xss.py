"""The XSS corpus in titles, posts, usernames and search queries comes back inert on
every page that shows it."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import register
from tests.forum_world import World
from tests.unit.test_markdown import inspect
from tests.unit.xss_corpus import PAYLOADS

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}
_SPACE_AND_CONTROLS = re.compile(r"[\x00-\x20\x7f]+")


def assert_page_inert(page: str, payload: str) -> None:
    """forumapp ships no JavaScript at all: any script, handler or script URL is injected."""
    seen = inspect(page)
    assert "script" not in seen.tags, payload
    for tag, name, value in seen.attributes:
        assert not name.startswith("on"), (payload, tag, name)
        assert name != "style", (payload, tag)
        if name in URL_ATTRIBUTES and value:
            url = _SPACE_AND_CONTROLS.sub("", html.unescape(value)).lower()
            scheme = url.split(":", 1)[0] if re.match(r"^[a-z][a-z0-9+.-]*:", url) else ""
            assert scheme in ("", "http", "https", "mailto"), (payload, tag, value)
            assert not url.startswith("//") or url.startswith("//forum.test"), (payload, value)


@pytest.fixture
def many_topics(app: Flask, world: World) -> list[int]:
    app.config["POSTS_PER_PAGE"] = 200
    return [
        world.topic(title=(payload.strip() or "x")[:150], content=payload) for payload in PAYLOADS
    ]


def test_payloads_in_titles_and_posts_are_inert(
    client: FlaskClient, world: World, many_topics: list[int]
) -> None:
    pages = ["/", f"/forum/{world.forum_a}", f"/forum/{world.forum_a}?page=2", "/user/alice"]
    for topic_id, payload in zip(many_topics, PAYLOADS, strict=True):
        assert_page_inert(client.get(f"/topic/{topic_id}").get_data(as_text=True), payload)
    for path in pages:
        assert_page_inert(client.get(path).get_data(as_text=True), path)


@pytest.mark.parametrize("payload", PAYLOADS[:40])
def test_payloads_in_search_queries_are_inert(
    client: FlaskClient, world: World, payload: str
) -> None:
    response = client.get("/search", query_string={"q": payload[:200], "author": payload[:32]})
    assert response.status_code in (200, 400)
    assert_page_inert(response.get_data(as_text=True), payload)


@pytest.mark.parametrize("payload", PAYLOADS[:40])
def test_payloads_as_usernames_are_refused_and_echoed_inert(
    client: FlaskClient, payload: str
) -> None:
    response = register(client, username=payload[:32] or "x", email="x@example.org")
    assert response.status_code == 200  # refused: usernames are letters, digits and . _ -
    assert_page_inert(response.get_data(as_text=True), payload)
