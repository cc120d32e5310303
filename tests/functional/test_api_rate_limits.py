"""The API's rate limits with small limits switched on: per token, per client address
across tokens, and the forum's flood control on writing topics and posts.

Each test's app gets its own limiter storage (see test_rate_limits.py on the one
process-wide Limiter); with FORUMAPP_TEST_RATELIMIT_STORAGE_URI they count in Redis.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from forumapp.forum.limits import FLOOD_MESSAGE
from tests.api_support import ApiClient, assert_problem, issue_token, topic_state
from tests.forum_world import World
from tests.functional.test_flood_control import told

PER_CALLER, PER_ADDRESS, POSTS = 5, 8, 2


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {
        "API_RATE_LIMIT": f"{PER_CALLER} per minute",
        "API_ADDRESS_RATE_LIMIT": f"{PER_ADDRESS} per minute",
        "FORUM_POST_LIMIT": f"{POSTS} per minute",
    }


def from_address(api: ApiClient, address: str, path: str = "/topics/") -> TestResponse:
    return api.get(path, environ_base={"REMOTE_ADDR": address})


def statuses(responses: list[TestResponse]) -> list[int]:
    return [response.status_code for response in responses]


def test_answers_describe_the_tightest_limit(client: FlaskClient, world: World) -> None:
    api = ApiClient(client, issue_token(world.app, world.users["member"]))
    first, second = api.get("/topics/"), api.get(f"/forums/{world.forum_a}")
    assert first.headers["RateLimit-Limit"] == str(PER_CALLER)
    assert int(first.headers["RateLimit-Remaining"]) == PER_CALLER - 1
    assert int(second.headers["RateLimit-Remaining"]) == PER_CALLER - 2
    assert 0 < int(first.headers["RateLimit-Reset"]) <= 60


def test_a_token_over_its_limit_gets_429_with_retry_after(
    client: FlaskClient, world: World
) -> None:
    api = ApiClient(client, issue_token(world.app, world.users["member"]))
    assert statuses([api.get("/topics/") for _ in range(PER_CALLER)]) == [200] * PER_CALLER
    refused = api.get("/users/")
    assert_problem(refused, 429)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert_problem(api.post("/topics/", {"forum_id": 1, "title": "Late", "content": "x"}), 429)


def test_each_token_has_its_own_bucket(client: FlaskClient, world: World) -> None:
    first = ApiClient(client, issue_token(world.app, world.users["member"]))
    second = ApiClient(client, issue_token(world.app, world.users["member"]))
    for _ in range(PER_CALLER):
        first.get("/topics/")
    assert_problem(first.get("/topics/"), 429)
    assert second.get("/topics/").status_code == 200


def test_guests_are_counted_per_address(client: FlaskClient, world: World) -> None:
    guest = ApiClient(client)
    assert statuses([from_address(guest, "10.0.0.1") for _ in range(PER_CALLER)]) == [200] * 5
    assert_problem(from_address(guest, "10.0.0.1"), 429)
    assert from_address(guest, "10.0.0.2").status_code == 200


def test_one_address_is_limited_across_all_its_tokens(client: FlaskClient, world: World) -> None:
    tokens = [
        ApiClient(client, issue_token(world.app, world.users[role]))
        for role in ("member", "member2", "moderator")
    ]
    answers = [from_address(api, "10.0.0.7") for api in tokens for _ in range(3)]
    # 3 + 3 + 2 requests fit in the address's budget of 8; the ninth does not.
    assert statuses(answers) == [200] * PER_ADDRESS + [429]
    assert_problem(answers[-1], 429)
    # The same tokens from another address still have room.
    assert from_address(tokens[2], "10.0.0.8").status_code == 200


def test_writing_posts_is_flood_controlled(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    api = ApiClient(client, issue_token(world.app, world.users["member2"]))
    replies = [api.post("/posts/", {"topic_id": topic, "content": f"#{n}"}) for n in range(3)]
    assert statuses(replies) == [201, 201, 429]
    document = assert_problem(replies[-1], 429)
    assert told(FLOOD_MESSAGE, document["detail"]) > 0
    assert "Retry-After" in replies[-1].headers
    assert topic_state(world.app, topic).post_count == 1 + POSTS


def test_refused_writes_do_not_count_against_the_flood_budget(
    client: FlaskClient, world: World
) -> None:
    api = ApiClient(client, issue_token(world.app, world.users["member2"]))
    for _ in range(2):
        response = api.post("/topics/", {"forum_id": world.forum_a, "title": "x", "content": "x"})
        assert response.status_code == 422
    new = {"forum_id": world.forum_a, "title": "Fine title", "content": "x"}
    assert statuses([api.post("/topics/", new) for _ in range(POSTS)]) == [201] * POSTS


def test_flood_control_counts_the_member_not_the_token(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    first = ApiClient(client, issue_token(world.app, world.users["member2"]))
    second = ApiClient(client, issue_token(world.app, world.users["member2"]))
    for _ in range(POSTS):
        assert first.post("/posts/", {"topic_id": topic, "content": "x"}).status_code == 201
    # A fresh token of the same member does not buy a fresh flood budget.
    assert_problem(second.post("/posts/", {"topic_id": topic, "content": "x"}), 429)


def test_reading_is_not_flood_controlled(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    api = ApiClient(client, issue_token(world.app, world.users["member2"]))
    for _ in range(POSTS):
        api.post("/posts/", {"topic_id": topic, "content": "x"})
    assert api.get(f"/topics/{topic}").status_code == 200
