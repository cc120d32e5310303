"""Titles and messages that show nothing are field errors, in the API and the web forms
alike: whitespace (Unicode's too), zero-width and other invisible characters, and Markdown
that renders to nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forumapp.api.schemas import PostCreate, TopicCreate
from forumapp.extensions import db
from forumapp.forum.models import Post
from forumapp.text import NOTHING_VISIBLE, is_blank
from tests.api_support import NO_RATE_LIMITS, api_as, field_names, post_state, topic_state
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form

#: Text made only of characters that show nothing.
BLANK_TEXTS = [
    "   ",
    "\n\t\r\n ",
    "\u3000\u00a0\u2003\u202f",  # ideographic, no-break, em and narrow no-break spaces
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width space and joiners, word joiner, BOM
    "\u200e\u200f\u2066\u2069\u00ad\u3164\u2800",  # direction marks and isolates, soft
    # hyphen, Hangul filler, blank braille
]
#: Markdown that renders to nothing visible.
EMPTY_MARKDOWN = ["&nbsp;&#8203;", "[](https://example.org)", ">  "]
VISIBLE_TEXTS = [
    "ok!",
    " \u200bHi\u200b ",
    "\u00e9t\u00e9",
    "---",
    "![a](https://example.org/a.png)",
]


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_RATE_LIMITS)


def post_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Post)) or 0


@pytest.mark.parametrize("blank", BLANK_TEXTS + EMPTY_MARKDOWN)
def test_api_messages_that_show_nothing_are_422_naming_content(
    client: FlaskClient, world: World, blank: str
) -> None:
    topic = world.topic()
    own = world.reply(topic, "member", "Mine")
    api = api_as(world, client, "member")
    before = post_count(world.app)
    assert field_names(api.post("/posts/", {"topic_id": topic, "content": blank})) == {"content"}
    new_topic = {"forum_id": world.forum_a, "title": "A title", "content": blank}
    assert field_names(api.post("/topics/", new_topic)) == {"content"}
    assert field_names(api.patch(f"/posts/{own}", {"content": blank})) == {"content"}
    assert post_count(world.app) == before
    assert post_state(world.app, own).content == "Mine"


@pytest.mark.parametrize("blank", BLANK_TEXTS)
def test_api_titles_that_show_nothing_are_422_naming_title(
    client: FlaskClient, world: World, blank: str
) -> None:
    topic = world.topic("member")
    api = api_as(world, client, "member")
    title = blank * 3  # long enough for the length rule: only visibility refuses it
    new_topic = {"forum_id": world.forum_a, "title": title, "content": "Text"}
    assert field_names(api.post("/topics/", new_topic)) == {"title"}
    assert field_names(api.patch(f"/topics/{topic}", {"title": title})) == {"title"}
    assert topic_state(world.app, topic).title != title


@pytest.mark.parametrize("blank", BLANK_TEXTS + EMPTY_MARKDOWN)
def test_web_forms_refuse_messages_that_show_nothing_as_field_errors(
    client: FlaskClient, world: World, auth: AuthActions, blank: str
) -> None:
    topic = world.topic("member")
    reply = world.reply(topic, "member", "Mine")
    login_as(auth, world, "member")
    before = post_count(world.app)
    forms = [
        (f"/topic/{topic}/reply", {"content": blank}),
        (f"/forum/{world.forum_a}/new-topic", {"title": "A title", "content": blank}),
        (f"/post/{reply}/edit", {"content": blank}),
    ]
    for path, data in forms:
        response = post_form(client, path, submit="Post", **data)
        assert response.status_code == 200, path  # the form again, with the error
        assert str(NOTHING_VISIBLE) in response.get_data(as_text=True), path
    assert post_count(world.app) == before
    assert post_state(world.app, reply).content == "Mine"


@pytest.mark.parametrize("blank", BLANK_TEXTS)
def test_web_forms_refuse_titles_that_show_nothing_as_field_errors(
    client: FlaskClient, world: World, auth: AuthActions, blank: str
) -> None:
    topic = world.topic("member")
    login_as(auth, world, "member")
    first = world_first_post(world, topic)
    title = "\u200b\u2800\u3164" + blank.strip()  # survives trimming, still shows nothing
    for path, data in [
        (f"/forum/{world.forum_a}/new-topic", {"title": title, "content": "Text"}),
        (f"/post/{first}/edit", {"title": title, "content": "Text"}),
    ]:
        response = post_form(client, path, submit="Post", **data)
        assert response.status_code == 200, path
        assert str(NOTHING_VISIBLE) in response.get_data(as_text=True), path
    assert topic_state(world.app, topic).title != title


def world_first_post(world: World, topic_id: int) -> int:
    with world.app.app_context():
        post_id = db.session.scalar(
            select(Post.id).where(Post.topic_id == topic_id, Post.number == 1)
        )
        assert post_id is not None
        return post_id


@pytest.mark.parametrize("text", BLANK_TEXTS + VISIBLE_TEXTS)
def test_the_documented_patterns_state_the_visibility_rule(text: str) -> None:
    # Generated clients and fuzzers read the pattern; it must agree with the validators.
    for model, field in ((TopicCreate, "title"), (PostCreate, "content")):
        pattern = model.model_json_schema()["properties"][field]["pattern"]
        assert (re.search(pattern, text) is None) == is_blank(text), (field, text)
