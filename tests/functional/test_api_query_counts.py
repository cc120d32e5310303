"""Every API list and item costs a fixed number of SQL queries, whatever it holds."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from forumapp.extensions import db
from forumapp.forum.structure import ForumStructure
from tests.api_support import NO_RATE_LIMITS, ApiClient, api_as
from tests.conftest import MakeUser
from tests.forum_world import World
from tests.functional.test_forum_query_counts import counted_queries


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_RATE_LIMITS)


def grow(world: World, make_user: MakeUser, amount: int) -> dict[str, str]:
    """``amount`` more of every kind; returns a path to the newest item of each."""
    topic = world.topic("member2", title="Growing")
    with world.app.app_context():
        structure = ForumStructure(db.session)
        category = structure.create_category("Grown")
        for n in range(amount):
            structure.create_category(f"Category {n}")
            forum = structure.create_forum(category.id, f"Forum {n}").id
    for n in range(amount):
        last_topic = world.topic("member2", title=f"Topic {n}")
        last_post = world.reply(topic, "member2")
        user = make_user(f"user{amount}x{n}")
    return {
        "categories": f"/categories/{category.id}",
        "forums": f"/forums/{forum}",
        "topics": f"/topics/{last_topic}",
        "posts": f"/posts/{last_post}",
        "users": f"/users/{user.id}",
    }


def queries(api: ApiClient, path: str) -> int:
    api.get(path)  # warm-up: a token's first use is recorded, workers cache the guest actor
    with counted_queries(api.client.application) as statements:
        assert api.get(path).status_code == 200
    return len(statements)


def measure(api: ApiClient, items: dict[str, str]) -> dict[str, int]:
    counts = {}
    for resource, item in items.items():
        counts[f"{resource}/"] = queries(api, f"/{resource}/?limit=100")
        counts[resource + "/<id>"] = queries(api, item)
    counts["me"] = queries(api, "/me") if api.secret else 0
    return counts


#: What each answer costs a guest (whose actor the worker keeps): one query for the page
#: or the item; topics add one for their first posts' ids, for a whole page at once.
OWN_QUERIES = {
    "categories/": 1,
    "categories/<id>": 1,
    "forums/": 1,
    "forums/<id>": 1,
    "topics/": 2,
    "topics/<id>": 2,
    "posts/": 1,
    "posts/<id>": 1,
    "users/": 1,
    "users/<id>": 1,
}
#: A token costs three more: the token, its member, and the member's group.
TOKEN_QUERIES = 3
EXPECTED = {
    "guest": {**OWN_QUERIES, "me": 0},
    "member": {**{path: n + TOKEN_QUERIES for path, n in OWN_QUERIES.items()}, "me": 3},
    "admin": {**{path: n + TOKEN_QUERIES for path, n in OWN_QUERIES.items()}, "me": 3},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_api_query_counts_do_not_grow_with_data(
    client: FlaskClient, world: World, make_user: MakeUser, role: str
) -> None:
    api = api_as(world, client, role)
    small = measure(api, grow(world, make_user, 2))
    large = measure(api, grow(world, make_user, 30))
    assert small == large
    assert large == EXPECTED[role]
