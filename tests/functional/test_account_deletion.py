"""``/settings/delete``: a member deletes their own account through the real pages."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forumapp.api.models import ApiToken
from forumapp.auth.models import AuthSession
from forumapp.config_rules import configuration_problems
from forumapp.extensions import db
from forumapp.forum.models import Forum, Post, Topic
from forumapp.management.audit.models import AuditEntry
from forumapp.users.groups import GroupKey
from forumapp.users.models import User
from tests.conftest import AuthActions, csrf_token, register
from tests.forum_world import World
from tests.functional.test_account_export import issue_token
from tests.functional.test_auth_security import (
    REMEMBER_COOKIE,
    SESSION_COOKIE,
    copy_cookie,
    is_logged_in,
)
from tests.functional.test_forum_counters import stored_and_recounted
from tests.functional.test_forum_pages import login_as
from tests.functional.test_management_settings import save
from tests.functional.test_page_structure import check_page

ALLOW_REMOVAL = {"ACCOUNT_DELETE_POSTS_ALLOWED": True}


def delete_account(client: FlaskClient, confirmation: str = "alice", **fields: str) -> Any:
    """Submit the delete form as a person would."""
    token = csrf_token(client, "/settings/delete")
    data = {"csrf_token": token, "confirmation": confirmation, **fields}
    return client.post("/settings/delete", data=data)


def forum_counts(app: Flask, forum_id: int) -> tuple[int, int]:
    """A forum's stored topic and post counts."""
    with app.app_context():
        forum = db.session.get(Forum, forum_id)
        assert forum is not None
        return forum.topic_count, forum.post_count


def counters_are_right(app: Flask) -> None:
    """What ``forumapp check`` would verify: every stored counter equals a fresh recount."""
    stored, fresh = stored_and_recounted(app)
    assert stored == fresh


@pytest.mark.parametrize("path", ["/settings/delete", "/settings/export"])
def test_export_and_deletion_need_a_fresh_login(
    client: FlaskClient, world: World, auth: AuthActions, path: str
) -> None:
    assert client.get(path).status_code == 302
    auth.login("alice")
    with client.session_transaction() as session:
        session.pop("_fresh_at")
    token = csrf_token(client, "/auth/reauth")
    data = {"csrf_token": token, "confirmation": "alice"}
    for response in (client.get(path), client.post(path, data=data)):
        assert response.status_code == 302
        assert "/auth/reauth" in response.headers["Location"]


def test_deletion_without_csrf_token_changes_nothing(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    response = client.post("/settings/delete", data={"confirmation": "alice"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, world.users["member"]) is not None


def test_deletion_keeping_posts_shows_them_as_deleted_user_with_counts_right(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member", title="Alice's topic", content="Alice opened this")
    world.reply(topic, "member2", "Bob answered")
    world.reply(topic, "member", "Alice had the last word")
    before = forum_counts(app, world.forum_a)
    auth.login("alice")
    response = delete_account(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "The account alice is deleted." in home
    page = client.get(f"/topic/{topic}").get_data(as_text=True)
    assert "Alice had the last word" in page
    assert "deleted user" in page
    assert ">alice<" not in page
    assert forum_counts(app, world.forum_a) == before
    with app.app_context():
        assert db.session.get(User, world.users["member"]) is None
        stored = db.session.get(Topic, topic)
        assert stored is not None and stored.last_poster_name == "deleted user"
    counters_are_right(app)


@pytest.mark.parametrize("config_overrides", [ALLOW_REMOVAL])
def test_deletion_removing_posts_keeps_every_counter_right(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    own_topic = world.topic("member", title="Alice's topic")
    world.reply(own_topic, "member2", "Bob in Alice's topic")
    other_topic = world.topic("member2", forum=world.forum_b, title="Bob's topic")
    world.reply(other_topic, "member", "Alice in Bob's topic")
    world.topic("member2", title="Bob again")
    auth.login("alice")
    assert delete_account(client, posts="remove").status_code == 302
    assert forum_counts(app, world.forum_a) == (1, 1)  # only "Bob again" is left
    assert forum_counts(app, world.forum_b) == (1, 1)  # Bob's topic without Alice's reply
    assert "Alice in Bob's topic" not in client.get(f"/topic/{other_topic}").get_data(as_text=True)
    assert client.get(f"/topic/{own_topic}").status_code == 404
    with app.app_context():
        bob = db.session.get(User, world.users["member2"])
        assert bob is not None and bob.post_count == 2  # his reply went with Alice's topic
    counters_are_right(app)


def test_removing_posts_is_refused_when_the_site_keeps_them(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic("member", content="Alice's words")
    auth.login("alice")
    assert 'value="remove"' not in client.get("/settings/delete").get_data(as_text=True)
    response = delete_account(client, posts="remove")
    assert response.status_code == 200
    assert "This forum keeps the posts of deleted accounts" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.users["member"]) is not None
        assert db.session.scalar(select(Post.deleted).where(Post.topic_id == topic)) is False


@pytest.mark.parametrize("config_overrides", [ALLOW_REMOVAL])
def test_posts_are_kept_unless_removal_is_chosen(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    world.topic("member", content="Alice's words")
    auth.login("alice")
    assert 'value="remove"' in client.get("/settings/delete").get_data(as_text=True)
    assert delete_account(client).status_code == 302
    assert forum_counts(app, world.forum_a) == (1, 1)
    counters_are_right(app)


@pytest.mark.parametrize("typed", ["", "alicia", "bob"])
def test_wrong_typed_confirmation_is_a_field_error(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, typed: str
) -> None:
    auth.login("alice")
    response = delete_account(client, typed)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="confirmation-error"' in page
    assert "Type your username exactly as shown to confirm." in page
    with app.app_context():
        assert db.session.get(User, world.users["member"]) is not None


def test_confirmation_ignores_case_like_usernames_do(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    assert delete_account(client, "ALICE").status_code == 302
    with app.app_context():
        assert db.session.get(User, world.users["member"]) is None


def test_last_admin_cannot_delete_their_account(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("root")
    response = delete_account(client, "root")
    assert response.status_code == 403
    assert "only administrator" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world.users["admin"]) is not None


def test_an_admin_can_leave_when_another_admin_remains(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, make_user: Any
) -> None:
    make_user("second_admin", group=GroupKey.ADMIN)
    auth.login("root")
    assert delete_account(client, "root").status_code == 302


@pytest.mark.parametrize("cookie", [SESSION_COOKIE, REMEMBER_COOKIE])
def test_copied_session_cookie_is_dead_after_deletion(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, cookie: str
) -> None:
    auth.login("alice", remember_me="y")
    thief = app.test_client()
    copy_cookie(client, thief, cookie)
    assert is_logged_in(thief)
    assert delete_account(client).status_code == 302
    assert not is_logged_in(thief)
    assert not is_logged_in(client)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuthSession)) == 0


def test_deletion_ends_api_tokens_and_is_in_the_audit_log(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    issue_token(app, world.users["member"], "ci")
    auth.login("alice")
    assert delete_account(client).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.delete"))
        assert entry is not None
        assert (entry.actor_name, entry.target_label) == ("alice", "alice")
        assert entry.details == "posts kept as deleted user"
    auth.login("root")
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "account.delete" in audit


def test_goodbye_email_goes_to_the_address(
    client: FlaskClient, world: World, auth: AuthActions, outbox: list[Any]
) -> None:
    auth.login("alice")
    assert delete_account(client).status_code == 302
    [message] = outbox
    assert message.to == ["alice@example.org"]
    assert "deleted" in message.subject
    assert "http://forum.test/" in message.body


def test_username_is_free_again_after_deletion(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    assert delete_account(client).status_code == 302
    assert register(client, "alice", "alice@example.org").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "alice")) is not None


def test_admins_allow_removing_posts_in_the_settings_panel(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    assert save(client, ACCOUNT_DELETE_POSTS_ALLOWED="y").status_code == 302  # type: ignore[attr-defined]
    auth.logout()
    auth.login("alice")
    assert 'value="remove"' in client.get("/settings/delete").get_data(as_text=True)


@pytest.mark.parametrize("value", ["yes", 1, "false"])
def test_the_posts_setting_must_be_true_or_false(value: object) -> None:
    problems = configuration_problems({"ACCOUNT_DELETE_POSTS_ALLOWED": value})
    assert any(problem.startswith("ACCOUNT_DELETE_POSTS_ALLOWED ") for problem in problems)
    assert configuration_problems({"ACCOUNT_DELETE_POSTS_ALLOWED": True}) == []


@pytest.mark.parametrize("config_overrides", [{}, ALLOW_REMOVAL])
def test_export_and_delete_pages_are_well_formed_and_accessible(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    auth.login("alice")
    for path in ("/settings/export", "/settings/delete"):
        response = client.get(path)
        assert response.status_code == 200, path
        check_page(response.get_data(as_text=True), path)
    with_errors = delete_account(client, "nobody", posts="remove")
    check_page(with_errors.get_data(as_text=True), "/settings/delete (errors)")
