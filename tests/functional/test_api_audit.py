"""Changes made through the API are audited like the panel's and the web moderators':
structure changes and moderation leave entries naming the token's member and address."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.management.audit.models import AuditEntry
from tests.api_support import NO_RATE_LIMITS, api_as, audit_actions
from tests.forum_world import World


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_RATE_LIMITS)


def test_structure_changes_are_audited_in_the_admins_name(
    client: FlaskClient, world: World
) -> None:
    admin = api_as(world, client, "admin")
    category = admin.post("/categories/", {"title": "News"}).get_json()["id"]
    assert admin.patch(f"/categories/{category}", {"title": "Announcements"}).status_code == 200
    forum = admin.post("/forums/", {"category_id": category, "title": "Releases"}).get_json()["id"]
    assert admin.patch(f"/forums/{forum}", {"locked": True}).status_code == 200
    assert admin.delete(f"/forums/{forum}").status_code == 204
    assert admin.delete(f"/categories/{category}").status_code == 204
    assert audit_actions(world.app) == [
        ("category.create", "category", category, "root"),
        ("category.update", "category", category, "root"),
        ("forum.create", "forum", forum, "root"),
        ("forum.update", "forum", forum, "root"),
        ("forum.delete", "forum", forum, "root"),
        ("category.delete", "category", category, "root"),
    ]


def test_moderation_is_audited_in_the_moderators_name(client: FlaskClient, world: World) -> None:
    topic = world.topic("member2")
    reply = world.reply(topic, "member2")
    moderator = api_as(world, client, "moderator")
    assert moderator.patch(f"/topics/{topic}", {"locked": True, "sticky": True}).status_code == 200
    assert moderator.patch(f"/posts/{reply}", {"hidden": True}).status_code == 200
    assert audit_actions(world.app) == [
        ("topic.lock", "topic", topic, "mod_a"),
        ("topic.pin", "topic", topic, "mod_a"),
        ("post.hide", "post", reply, "mod_a"),
    ]
    admin = api_as(world, client, "admin")
    assert admin.patch(f"/topics/{topic}", {"forum_id": world.forum_b}).status_code == 200
    assert audit_actions(world.app)[-1] == ("topic.move", "topic", topic, "root")


def test_entries_record_the_callers_account_and_address(client: FlaskClient, world: World) -> None:
    admin = api_as(world, client, "admin")
    admin.post("/categories/", {"title": "From afar"}, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    with world.app.app_context():
        entry = db.session.scalars(select(AuditEntry)).one()
        assert (entry.actor_id, entry.ip_address) == (world.users["admin"], "192.0.2.9")


def test_refused_and_unchanged_requests_leave_no_entries(client: FlaskClient, world: World) -> None:
    topic = world.topic("member2")
    api_as(world, client, "member").patch(f"/topics/{topic}", {"locked": True})
    api_as(world, client, "moderator").post("/categories/", {"title": "Not mine"})
    api_as(world, client, "moderator").patch(f"/topics/{topic}", {"locked": False})
    assert audit_actions(world.app) == []
