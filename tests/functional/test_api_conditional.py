"""Conditional requests: strong ETags on items and lists, 304 for an unchanged copy, and
412 for a change made against a version that is no longer current (no lost updates)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api_support import NO_RATE_LIMITS, api_as, assert_problem, post_state, topic_state
from tests.forum_world import World


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_RATE_LIMITS)


@pytest.mark.parametrize(
    "path", ["/topics/", "/posts/", "/forums/", "/categories/", "/users/", "/me", "/topics/{t}"]
)
def test_an_unchanged_representation_answers_304(
    client: FlaskClient, world: World, path: str
) -> None:
    topic = world.topic()
    api = api_as(world, client, "member")
    first = api.get(path.format(t=topic))
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    again = api.get(path.format(t=topic), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    other = api.get(path.format(t=topic), headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_a_changed_item_answers_200_with_a_new_etag(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    api = api_as(world, client, "member")
    etag = api.get(f"/topics/{topic}").headers["ETag"]
    listing_etag = api.get("/topics/").headers["ETag"]
    world.reply(topic, "member2")
    changed = api.get(f"/topics/{topic}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["reply_count"] == 1
    assert api.get("/topics/", headers={"If-None-Match": listing_etag}).status_code == 200


def test_callers_who_see_different_things_get_different_etags(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic()
    reply = world.reply(topic, "member2", "rude")
    moderator = api_as(world, client, "moderator")
    assert moderator.patch(f"/posts/{reply}", {"hidden": True}).status_code == 200
    seen_by_moderator = moderator.get(f"/posts/{reply}").headers["ETag"]
    member = api_as(world, client, "member")
    as_member = member.get(f"/posts/{reply}", headers={"If-None-Match": seen_by_moderator})
    assert as_member.status_code == 200
    assert as_member.get_json()["content"] is None


def test_representations_vary_by_credentials_and_are_private(
    client: FlaskClient, world: World
) -> None:
    response = api_as(world, client, "member").get("/topics/")
    assert {"Authorization", "Cookie"} <= set(response.vary)
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(
    client: FlaskClient, world: World, method: str
) -> None:
    topic = world.topic()
    post = world.reply(topic, "member", "original")
    api = api_as(world, client, "member")
    stale = api.get(f"/posts/{post}").headers["ETag"]
    world.reply(topic, "member2")  # does not change this post: its ETag stays
    assert api.get(f"/posts/{post}").headers["ETag"] == stale
    assert api.patch(f"/posts/{post}", {"content": "second"}).status_code == 200
    response = api.request(
        method, f"/posts/{post}", json={"content": "third"}, headers={"If-Match": stale}
    )
    assert_problem(response, 412, "precondition-failed")
    state = post_state(world.app, post)
    assert (state.content, state.deleted) == ("second", False)


def test_the_current_etag_lets_the_change_through(client: FlaskClient, world: World) -> None:
    post = world.reply(world.topic(), "member", "original")
    api = api_as(world, client, "member")
    etag = api.get(f"/posts/{post}").headers["ETag"]
    changed = api.patch(f"/posts/{post}", {"content": "edited"}, headers={"If-Match": etag})
    assert changed.status_code == 200
    new_etag = changed.headers["ETag"]
    assert new_etag != etag
    assert api.get(f"/posts/{post}").headers["ETag"] == new_etag
    deleted = api.delete(f"/posts/{post}", headers={"If-Match": new_etag})
    assert deleted.status_code == 204
    assert post_state(world.app, post).deleted


def test_if_match_star_succeeds_on_an_existing_item(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    api = api_as(world, client, "member")
    response = api.patch(f"/topics/{topic}", {"title": "Starred"}, headers={"If-Match": "*"})
    assert response.status_code == 200
    assert topic_state(world.app, topic).title == "Starred"


def test_if_match_on_a_missing_item_is_404(client: FlaskClient, world: World) -> None:
    api = api_as(world, client, "admin")
    assert_problem(api.patch("/topics/4242", {"title": "Nope"}, headers={"If-Match": "*"}), 404)


def test_if_match_with_several_etags_accepts_any_current_one(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic()
    api = api_as(world, client, "member")
    etag = api.get(f"/topics/{topic}").headers["ETag"]
    header = f'"0000", {etag}'
    assert (
        api.patch(f"/topics/{topic}", {"title": "Listed"}, headers={"If-Match": header}).status_code
        == 200
    )


def test_two_editors_cannot_overwrite_each_other(client: FlaskClient, world: World) -> None:
    topic = world.topic("member")
    post = world.reply(topic, "member", "shared draft")
    editor_a = api_as(world, client, "member")
    editor_b = api_as(world, client, "moderator")
    etag_a = editor_a.get(f"/posts/{post}").headers["ETag"]
    etag_b = editor_b.get(f"/posts/{post}").headers["ETag"]
    assert etag_a == etag_b  # both see the same representation of this post

    saved = editor_a.patch(
        f"/posts/{post}", {"content": "A's version"}, headers={"If-Match": etag_a}
    )
    assert saved.status_code == 200
    lost = editor_b.patch(
        f"/posts/{post}", {"content": "B's version"}, headers={"If-Match": etag_b}
    )
    assert_problem(lost, 412)
    assert post_state(world.app, post).content == "A's version"

    # B reads again and retries against the current version.
    fresh = editor_b.get(f"/posts/{post}")
    assert fresh.get_json()["content"] == "A's version"
    retried = editor_b.patch(
        f"/posts/{post}", {"content": "B's version"}, headers={"If-Match": fresh.headers["ETag"]}
    )
    assert retried.status_code == 200
    assert post_state(world.app, post).content == "B's version"


def test_a_refused_precondition_on_a_structure_change_keeps_it(
    client: FlaskClient, world: World
) -> None:
    admin = api_as(world, client, "admin")
    created = admin.post("/categories/", {"title": "Original"})
    location, etag = created.headers["Location"], created.headers["ETag"]
    assert admin.get(location).headers["ETag"] == etag  # the 201's ETag is the item's
    assert admin.patch(location, {"title": "First"}, headers={"If-Match": etag}).status_code == 200
    assert_problem(admin.delete(location, headers={"If-Match": etag}), 412)
    assert admin.get(location).get_json()["title"] == "First"
