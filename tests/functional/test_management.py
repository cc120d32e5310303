"""The management panel: who may open what, fresh logins, bans that end sessions, and
the audit log."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp.extensions import db
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from tests.conftest import PASSWORD, AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form

# guest → log in; member, banned → 403; moderator without mod_banuser → 403 except none;
# the built-in Moderator group may ban members, so it sees the member list.
EXPECTED = {
    "guest": {
        "/admin/": "login",
        "/admin/users": "login",
        "/admin/audit": "login",
        "/admin/users/{member}/ban": "login",
    },
    "member": {
        "/admin/": 403,
        "/admin/users": 403,
        "/admin/audit": 403,
        "/admin/users/{member}/ban": 403,
    },
    "moderator": {
        "/admin/": 403,
        "/admin/users": 200,
        "/admin/audit": 403,
        "/admin/users/{member}/ban": 200,
    },
    "admin": {
        "/admin/": 200,
        "/admin/users": 200,
        "/admin/audit": 200,
        "/admin/users/{member}/ban": 200,
    },
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_role_matrix_over_the_panel(
    client: FlaskClient, world: World, auth: AuthActions, role: str
) -> None:
    if role != "guest":
        login_as(auth, world, role)
    for template, expected in EXPECTED[role].items():
        url = template.format(member=world.users["member2"])
        response = client.get(url)
        if expected == "login":
            assert response.status_code == 302, url
            assert response.location.startswith("/auth/login"), url
        else:
            assert response.status_code == expected, url


def test_a_stale_login_is_sent_to_reauth_first(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    app.config["REAUTH_WINDOW_SECONDS"] = -1
    response = client.get("/admin/users?q=a")
    assert response.status_code == 302
    assert response.location == "/auth/reauth?next=/admin/users?q%3Da"
    app.config["REAUTH_WINDOW_SECONDS"] = 600
    with client.session_transaction() as session:
        session.pop("_fresh_at")
    reauth = client.post(
        "/auth/reauth?next=/admin/users", data={"password": PASSWORD, "csrf_token": _token(client)}
    )
    assert reauth.location == "/admin/users"
    assert client.get("/admin/users").status_code == 200


def _token(client: FlaskClient) -> str:
    page = client.get("/auth/reauth").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_a_ban_logs_the_member_out_at_once_and_keeps_them_out(
    app: Flask, world: World, auth: AuthActions
) -> None:
    member_browser = app.test_client()
    login_as(AuthActions(member_browser), world, "member")
    topic = world.topic()
    assert "Logged in as" in member_browser.get("/").get_data(as_text=True)
    admin_browser = app.test_client()
    login_as(AuthActions(admin_browser), world, "admin")
    response = post_form(admin_browser, f"/admin/users/{world.users['member']}/ban", reason="spam")
    assert response.status_code == 302
    # The member's open browser session is over, and so is posting and logging in again.
    assert "Logged in as" not in member_browser.get("/").get_data(as_text=True)
    reply = post_form(member_browser, f"/topic/{topic}/reply", content="still here?", submit="1")
    assert reply.status_code == 302
    assert reply.location.startswith("/auth/login")
    again = AuthActions(member_browser).login("alice")
    assert "This account is banned." in again.get_data(as_text=True)
    # Unbanned: back to normal.
    assert (
        post_form(admin_browser, f"/admin/users/{world.users['member']}/unban").status_code == 302
    )
    assert AuthActions(member_browser).login("alice").status_code == 302


def test_moderators_cannot_ban_staff_and_nobody_bans_themselves(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "moderator")
    assert post_form(client, f"/admin/users/{world.users['admin']}/ban").status_code == 403
    assert (
        post_form(client, f"/admin/users/{world.users['other_moderator']}/ban").status_code == 403
    )
    assert post_form(client, f"/admin/users/{world.users['moderator']}/ban").status_code == 403
    assert post_form(client, f"/admin/users/{world.users['member']}/ban").status_code == 302


def test_bans_need_a_csrf_token_and_an_existing_member(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    assert client.post(f"/admin/users/{world.users['member']}/ban").status_code == 400
    assert post_form(client, "/admin/users/999999/ban").status_code == 404
    assert client.get(f"/admin/users/{10**20}/ban").status_code == 404


def test_the_audit_log_records_who_did_what_and_filters(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    post_form(client, f"/admin/users/{world.users['member']}/ban", reason="spamming <b>links</b>")
    post_form(client, f"/admin/users/{world.users['member']}/unban")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "user.ban" in page
    assert "user.unban" in page
    assert "spamming &lt;b&gt;links&lt;/b&gt;" in page
    assert "root" in page
    filtered = client.get("/admin/audit?action=user.unban").get_data(as_text=True)
    assert "spamming" not in filtered
    assert "user.unban" in filtered
    assert "Nothing recorded" in client.get("/admin/audit?actor=nobody").get_data(as_text=True)


def test_the_dashboard_counts_and_charts(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    world.reply(topic)
    login_as(auth, world, "admin")
    page = client.get("/admin/").get_data(as_text=True)
    assert "<dt>Posts</dt><dd>2</dd>" in page
    assert page.count("<svg") == 2
    assert "Posts per day" in page
    assert "total: 2" in page


def test_the_member_list_searches_by_name_and_email(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    page = client.get("/admin/users?q=BOB").get_data(as_text=True)
    assert "bob@example.org" in page
    assert "alice@example.org" not in page
    assert "No members match." in client.get("/admin/users?q=%25_zzz").get_data(as_text=True)


def test_moderation_actions_are_in_the_audit_log(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic(title="Watched topic")
    reply = world.reply(topic, "member2")
    login_as(auth, world, "moderator")
    post_form(client, f"/forum/{world.forum_a}/moderate", action="lock", topic_ids=str(topic))
    post_form(client, f"/post/{reply}/moderate", action="hide")
    auth.logout()
    login_as(auth, world, "admin")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "topic.lock" in page
    assert "Watched topic" in page
    assert "post.hide" in page
    assert "mod_a" in page


def test_the_reports_area_shows_open_and_handled_reports(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    reply = world.reply(topic, "member2")
    login_as(auth, world, "member")
    post_form(client, f"/post/{reply}/report", reason="off-topic rant")
    auth.logout()
    login_as(auth, world, "moderator")
    assert "off-topic rant" in client.get("/admin/reports").get_data(as_text=True)
    page = client.get("/admin/reports").get_data(as_text=True)
    report_id = re.search(r'name="report_id" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    assert (
        post_form(client, "/admin/reports", report_id=report_id, note="moved it").status_code == 302
    )
    assert "off-topic rant" not in client.get("/admin/reports").get_data(as_text=True)
    handled = client.get("/admin/reports?status=handled").get_data(as_text=True)
    assert "off-topic rant" in handled
    assert "moved it" in handled


def test_a_temporary_ban_ends_by_itself(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    target = world.users["member"]
    past = post_form(client, f"/admin/users/{target}/ban", until="2020-01-01", reason="")
    assert "Choose a date in the future" in past.get_data(as_text=True)
    assert post_form(client, f"/admin/users/{target}/ban", until="2999-01-01").status_code == 302
    assert "This account is banned." in AuthActions(app.test_client()).login("alice").get_data(
        as_text=True
    )
    with app.app_context():
        db.session.get(User, target).banned_until = utcnow()  # type: ignore[union-attr]
        db.session.commit()
    app.config["SETTINGS_CHECK_SECONDS"] = 0
    client.get("/")  # any request lets the worker lift bans that ended
    assert AuthActions(app.test_client()).login("alice").status_code == 302
    assert "user.ban_expired" in client.get("/admin/audit").get_data(as_text=True)
