"""Cursor pagination: Link headers and body links agree, walking every page forwards and
backwards yields each visible item once in a stable order, and bad paging input is refused."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from forumapp.extensions import db
from forumapp.forum.structure import ForumStructure
from tests.api_support import NO_RATE_LIMITS, ApiClient, api_as, assert_problem, field_names
from tests.forum_world import World


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_RATE_LIMITS)


def links(response: TestResponse) -> dict[str, str]:
    """The ``Link`` header's targets by relation; they must equal the body's links."""
    found = {
        rel: url
        for url, rel in re.findall(r'<([^>]+)>;\s*rel="(\w+)"', response.headers.get("Link", ""))
    }
    body = response.get_json()
    assert {rel: body[rel] for rel in ("next", "prev") if body[rel]} == found
    return found


def ids(response: TestResponse) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


def walk(api: ApiClient, first_url: str, rel: str) -> tuple[list[list[int]], TestResponse]:
    """Follow ``rel`` links from ``first_url``; returns the pages' ids and the last answer."""
    response = api.get(first_url)
    pages = [ids(response)]
    while rel in links(response):
        response = api.get(links(response)[rel])
        pages.append(ids(response))
        assert len(pages) < 50, "the links never end"
    return pages, response


def cursor(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_topics_pages_go_newest_first_and_cover_every_visible_topic_once(
    client: FlaskClient, world: World
) -> None:
    topics = [world.topic(title=f"Topic {n}") for n in range(8)]
    world.topic("admin", forum=world.hidden_forum)  # never listed to a member
    api = api_as(world, client, "member")
    forward, last = walk(api, "/topics/?limit=3", "next")
    assert forward == [topics[7:4:-1], topics[4:1:-1], topics[1::-1]]
    assert last.get_json()["next"] is None
    backward, first = walk(api, links(last)["prev"], "prev")
    assert backward == forward[-2::-1]
    assert first.get_json()["prev"] is None
    assert ids(api.get("/topics/?limit=3")) == forward[0]


@pytest.mark.parametrize("resource", ["posts", "users", "forums", "categories"])
def test_other_lists_go_by_id_and_walk_back_to_the_start(
    client: FlaskClient, world: World, resource: str
) -> None:
    topic = world.topic()
    for _ in range(4):
        world.reply(topic)
    with world.app.app_context():
        for n in range(3):
            ForumStructure(db.session).create_category(f"Empty {n}")  # admins see these
    api = api_as(world, client, "admin")
    everything = ids(api.get(f"/{resource}/?limit=100"))
    assert everything == sorted(everything) and len(everything) >= 3
    forward, last = walk(api, f"/{resource}/?limit=2", "next")
    assert [i for page in forward for i in page] == everything
    assert all(len(page) == 2 for page in forward[:-1])
    if len(forward) > 1:
        backward, _ = walk(api, links(last)["prev"], "prev")
        assert backward == forward[-2::-1]


def test_a_first_page_has_no_prev_and_a_single_page_no_links(
    client: FlaskClient, world: World
) -> None:
    world.topic()
    response = ApiClient(client).get("/topics/")
    assert response.get_json()["next"] is None and response.get_json()["prev"] is None
    assert "Link" not in response.headers


def test_links_keep_the_filter_and_the_page_size(client: FlaskClient, world: World) -> None:
    in_b = [world.topic(forum=world.forum_b) for _ in range(3)]
    world.topic(forum=world.forum_a)
    api = ApiClient(client)
    pages, _ = walk(api, f"/topics/?forum_id={world.forum_b}&limit=2", "next")
    assert pages == [in_b[:0:-1], in_b[:1]]
    next_url = links(api.get(f"/topics/?forum_id={world.forum_b}&limit=2"))["next"]
    assert f"forum_id={world.forum_b}" in next_url and "limit=2" in next_url


def test_topics_written_meanwhile_do_not_shift_the_next_page(
    client: FlaskClient, world: World
) -> None:
    topics = [world.topic(title=f"Topic {n}") for n in range(5)]
    api = ApiClient(client)
    first = api.get("/topics/?limit=2")
    assert ids(first) == [topics[4], topics[3]]
    world.topic(title="Newer")
    world.topic(title="Newest")
    assert ids(api.get(links(first)["next"])) == [topics[2], topics[1]]


def test_posts_written_meanwhile_do_not_shift_the_next_page(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic()
    posts = [world.reply(topic) for _ in range(3)]
    api = ApiClient(client)
    first = api.get(f"/posts/?topic_id={topic}&limit=2")
    second_url = links(first)["next"]
    world.reply(topic)
    assert ids(api.get(second_url))[:2] == posts[1:3]
    # Going back from the second page gives the first page again.
    assert ids(api.get(links(api.get(second_url))["prev"])) == ids(first)


@pytest.mark.parametrize(
    "bad",
    [
        "!!!",
        "bm90IGpzb24",  # "not json"
        cursor([1]),
        cursor({"a": "7"}),
        cursor({"a": 0}),
        cursor({"a": True}),
        cursor({"a": 2**63}),
        cursor({"c": 1}),
        cursor({"a": 1, "b": 2}),
        "\u00e9t\u00e9",
    ],
)
def test_a_cursor_the_api_did_not_issue_is_a_400_problem(
    client: FlaskClient, world: World, bad: str
) -> None:
    response = ApiClient(client).get("/topics/", query_string={"cursor": bad})
    document = assert_problem(response, 400)
    assert [error["name"] for error in document["errors"]] == ["cursor"]


def test_an_overlong_cursor_is_refused_before_decoding(client: FlaskClient, world: World) -> None:
    response = ApiClient(client).get("/posts/", query_string={"cursor": "a" * 5000})
    assert field_names(response) == {"cursor"}


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-1", "1.5", "", str(2**64)])
def test_a_limit_outside_1_to_100_is_a_422_naming_it(
    client: FlaskClient, world: World, limit: str
) -> None:
    assert field_names(ApiClient(client).get("/users/", query_string={"limit": limit})) == {"limit"}


def test_limits_at_the_bounds_are_accepted(client: FlaskClient, world: World) -> None:
    api = ApiClient(client)
    assert len(ids(api.get("/users/?limit=1"))) == 1
    assert len(ids(api.get("/users/?limit=100"))) == 6


@pytest.mark.parametrize(
    ("path", "param"),
    [("/topics/", "page"), ("/users/", "forum_id"), ("/posts/", "order"), ("/forums/", "q")],
)
def test_unknown_query_parameters_are_a_422_naming_them(
    client: FlaskClient, world: World, path: str, param: str
) -> None:
    assert field_names(ApiClient(client).get(path, query_string={param: "1"})) == {param}


@pytest.mark.parametrize("value", ["abc", "0", str(2**63)])
def test_bad_filter_ids_are_a_422(client: FlaskClient, world: World, value: str) -> None:
    response = ApiClient(client).get("/topics/", query_string={"forum_id": value})
    assert field_names(response) == {"forum_id"}
