"""Every endpoint and method of /api/v1 at the HTTP level: statuses, bodies, headers."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from forumapp.api.tokens import TokenScope
from tests.api_support import (
    NO_RATE_LIMITS,
    PROBLEM_JSON,
    ApiClient,
    api_as,
    assert_problem,
    post_state,
    topic_state,
)
from tests.forum_world import World


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_RATE_LIMITS)


FIELDS = {
    "categories": {"id", "title", "description", "position", "url"},
    "forums": {
        "id",
        "category_id",
        "title",
        "description",
        "position",
        "locked",
        "topic_count",
        "post_count",
        "last_topic_id",
        "last_post_id",
        "last_post_at",
        "url",
    },
    "topics": {
        "id",
        "forum_id",
        "title",
        "user_id",
        "author_name",
        "created_at",
        "locked",
        "sticky",
        "deleted",
        "post_count",
        "reply_count",
        "views",
        "first_post_id",
        "last_post_id",
        "last_post_at",
        "last_poster_name",
        "url",
    },
    "posts": {
        "id",
        "topic_id",
        "number",
        "user_id",
        "author_name",
        "content",
        "html",
        "created_at",
        "edited_at",
        "edited_by",
        "deleted",
        "hidden",
        "url",
    },
    "users": {"id", "username", "group", "joined", "post_count", "url"},
}


@pytest.mark.parametrize("resource", list(FIELDS))
def test_collections_and_their_items_answer_guests_with_the_documented_fields(
    client: FlaskClient, world: World, resource: str
) -> None:
    world.reply(world.topic())
    guest = ApiClient(client)
    listing = guest.get(f"/{resource}/")
    assert listing.status_code == 200
    assert listing.mimetype == "application/json"
    body = listing.get_json()
    assert set(body) == {"items", "next", "prev"}
    assert body["items"], resource
    for item in body["items"]:
        assert set(item) == FIELDS[resource]
    first = body["items"][0]
    single = guest.get(f"/{resource}/{first['id']}")
    assert single.status_code == 200
    assert single.get_json() == first


def test_each_kind_links_to_its_web_page(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    guest = ApiClient(client)
    body = guest.get(f"/topics/{topic}").get_json()
    assert body["url"].endswith(f"/topic/{topic}")
    assert (
        guest.get(f"/posts/{body['first_post_id']}")
        .get_json()["url"]
        .endswith(f"/post/{body['first_post_id']}")
    )
    assert (
        guest.get(f"/forums/{world.forum_a}").get_json()["url"].endswith(f"/forum/{world.forum_a}")
    )
    assert guest.get(f"/users/{world.users['member']}").get_json()["url"].endswith("/user/alice")


def test_filters_narrow_lists_to_one_parent(client: FlaskClient, world: World) -> None:
    in_a, in_b = world.topic(), world.topic(forum=world.forum_b)
    reply = world.reply(in_b)
    guest = ApiClient(client)
    topics = guest.get("/topics/", query_string={"forum_id": world.forum_b}).get_json()["items"]
    assert [t["id"] for t in topics] == [in_b]
    posts = guest.get("/posts/", query_string={"topic_id": in_b}).get_json()["items"]
    assert [p["id"] for p in posts][-1] == reply
    assert all(p["topic_id"] == in_b for p in posts)
    assert in_a not in [t["id"] for t in guest.get("/topics/?forum_id=2").get_json()["items"]]
    forums = guest.get("/forums/", query_string={"category_id": 999}).get_json()
    assert forums["items"] == []


def test_creating_a_topic_answers_201_with_its_location(client: FlaskClient, world: World) -> None:
    member = api_as(world, client, "member")
    data = {"forum_id": world.forum_a, "title": "Via the API", "content": "**Hello**"}
    response = member.post("/topics/", data)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["title"], body["forum_id"], body["author_name"]) == ("Via the API", 1, "alice")
    assert (body["post_count"], body["reply_count"], body["deleted"]) == (1, 0, False)
    assert response.headers["Location"].endswith(f"/api/v1/topics/{body['id']}")
    assert response.headers["ETag"]
    assert member.get(response.headers["Location"]).get_json() == body
    first = member.get(f"/posts/{body['first_post_id']}").get_json()
    assert first["content"] == "**Hello**"
    assert "<strong>Hello</strong>" in first["html"]


def test_replying_answers_201_and_counts_the_reply(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    member2 = api_as(world, client, "member2")
    response = member2.post("/posts/", {"topic_id": topic, "content": "A reply"})
    assert response.status_code == 201
    body = response.get_json()
    assert (body["topic_id"], body["number"], body["author_name"]) == (topic, 2, "bob")
    assert response.headers["Location"].endswith(f"/api/v1/posts/{body['id']}")
    assert member2.get(f"/topics/{topic}").get_json()["reply_count"] == 1


def test_editing_a_post_records_the_edit(client: FlaskClient, world: World) -> None:
    post = world.reply(world.topic())
    member = api_as(world, client, "member")
    response = member.patch(f"/posts/{post}", {"content": "Corrected"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["content"], body["edited_by"]) == ("Corrected", "alice")
    assert body["edited_at"] is not None
    assert post_state(world.app, post).content == "Corrected"


def test_retitling_a_topic_changes_its_title(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    response = api_as(world, client, "member").patch(f"/topics/{topic}", {"title": "Renamed"})
    assert response.status_code == 200
    assert response.get_json()["title"] == "Renamed"
    assert topic_state(world.app, topic).title == "Renamed"


def test_an_empty_patch_changes_nothing_and_answers_the_item(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic()
    member = api_as(world, client, "member")
    before = member.get(f"/topics/{topic}")
    response = member.patch(f"/topics/{topic}", {})
    assert response.status_code == 200
    assert response.get_json() == before.get_json()


def test_deleting_a_reply_answers_204_and_hides_its_text(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    post = world.reply(topic, "member2", "Oops")
    member2 = api_as(world, client, "member2")
    response = member2.delete(f"/posts/{post}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert post_state(world.app, post).deleted
    body = member2.get(f"/posts/{post}").get_json()
    assert (body["deleted"], body["content"], body["html"]) == (True, None, None)


def test_deleting_a_topic_answers_204_and_it_disappears(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    assert api_as(world, client, "moderator").delete(f"/topics/{topic}").status_code == 204
    assert topic_state(world.app, topic).deleted
    member = api_as(world, client, "member")
    assert_problem(member.get(f"/topics/{topic}"), 404)
    assert topic not in [t["id"] for t in member.get("/topics/").get_json()["items"]]


def test_admin_manages_categories(client: FlaskClient, world: World) -> None:
    admin = api_as(world, client, "admin")
    created = admin.post("/categories/", {"title": "News", "description": "From us"})
    assert created.status_code == 201
    body = created.get_json()
    assert (body["title"], body["description"]) == ("News", "From us")
    location = created.headers["Location"]
    assert location.endswith(f"/api/v1/categories/{body['id']}")
    changed = admin.patch(location, {"title": "Announcements"})
    assert changed.status_code == 200
    assert changed.get_json() == {**body, "title": "Announcements"}
    assert admin.delete(location).status_code == 204
    assert_problem(admin.get(location), 404)


def test_a_category_with_forums_cannot_be_deleted(client: FlaskClient, world: World) -> None:
    admin = api_as(world, client, "admin")
    category = admin.get(f"/forums/{world.forum_a}").get_json()["category_id"]
    assert_problem(admin.delete(f"/categories/{category}"), 409, "category-not-empty")
    assert admin.get(f"/categories/{category}").status_code == 200


def test_admin_manages_forums(client: FlaskClient, world: World) -> None:
    admin = api_as(world, client, "admin")
    category = admin.post("/categories/", {"title": "Projects"}).get_json()["id"]
    created = admin.post("/forums/", {"category_id": category, "title": "Gardening"})
    assert created.status_code == 201
    body = created.get_json()
    assert (body["category_id"], body["title"], body["locked"], body["topic_count"]) == (
        category,
        "Gardening",
        False,
        0,
    )
    location = created.headers["Location"]
    assert location.endswith(f"/api/v1/forums/{body['id']}")
    # Visible to every group, members included.
    assert api_as(world, client, "member").get(location).status_code == 200
    changed = admin.patch(location, {"locked": True, "description": "Closed"})
    assert changed.status_code == 200
    assert (changed.get_json()["locked"], changed.get_json()["description"]) == (True, "Closed")
    assert admin.delete(location).status_code == 204
    assert_problem(admin.get(location), 404)


def test_a_forum_with_topics_cannot_be_deleted(client: FlaskClient, world: World) -> None:
    world.topic()
    admin = api_as(world, client, "admin")
    assert_problem(admin.delete(f"/forums/{world.forum_a}"), 409, "forum-not-empty")
    assert admin.get(f"/forums/{world.forum_a}").status_code == 200


def test_me_describes_the_token_owner(client: FlaskClient, world: World) -> None:
    response = api_as(world, client, "member", TokenScope.READ).get("/me")
    assert response.status_code == 200
    assert response.get_json() == {
        "id": world.users["member"],
        "username": "alice",
        "group": "Member",
        "joined": response.get_json()["joined"],
        "post_count": 0,
        "url": "http://forum.test/user/alice",
        "email": "alice@example.org",
        "language": "en",
        "token_scope": "read",
    }


def test_me_asks_guests_to_authenticate(client: FlaskClient, world: World) -> None:
    response = ApiClient(client).get("/me")
    assert_problem(response, 401, "authentication-required")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_users_show_public_fields_only(client: FlaskClient, world: World) -> None:
    users = ApiClient(client).get("/users/").get_json()["items"]
    assert [u["username"] for u in users] == ["alice", "bob", "mallory", "mod_a", "mod_b", "root"]
    assert all("email" not in user for user in users)


def test_users_that_are_not_activated_are_not_listed(
    client: FlaskClient, world: World, make_user: Any
) -> None:
    pending = make_user("pending", activated=False)
    guest = ApiClient(client)
    assert "pending" not in [u["username"] for u in guest.get("/users/").get_json()["items"]]
    assert_problem(guest.get(f"/users/{pending.id}"), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/users/"),
        ("PATCH", "/users/1"),
        ("DELETE", "/users/1"),
        ("PUT", "/topics/1"),
        ("DELETE", "/topics/"),
        ("POST", "/me"),
        ("POST", "/openapi.json"),
    ],
)
def test_methods_a_resource_does_not_offer_answer_405_with_allow(
    client: FlaskClient, world: World, method: str, path: str
) -> None:
    response = api_as(world, client, "admin").request(method, path, json={})
    assert_problem(response, 405)
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert method not in allowed
    assert "GET" in allowed


@pytest.mark.parametrize(
    "path", ["/nothing", "/topics/abc", "/topics/0", "/topics/-1", "/topics/999999", "/me/x"]
)
def test_unknown_urls_under_the_api_answer_404_problems(
    client: FlaskClient, world: World, path: str
) -> None:
    assert_problem(ApiClient(client).get(path), 404)


def test_head_answers_like_get_without_a_body(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    guest = ApiClient(client)
    get, head = guest.get(f"/topics/{topic}"), guest.request("HEAD", f"/topics/{topic}")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["ETag"] == get.headers["ETag"]


def test_the_openapi_document_describes_every_resource(client: FlaskClient, world: World) -> None:
    response = ApiClient(client).get("/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    for resource in FIELDS:
        assert any(path.rstrip("/").endswith(resource) for path in document["paths"]), resource


def test_the_docs_page_is_html_for_people(client: FlaskClient, world: World) -> None:
    response = ApiClient(client).get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "openapi.json" in response.get_data(as_text=True)


def test_errors_are_never_cached(client: FlaskClient, world: World) -> None:
    response = ApiClient(client).get("/topics/424242")
    assert response.mimetype == PROBLEM_JSON
    assert response.headers["Cache-Control"] == "no-store"
