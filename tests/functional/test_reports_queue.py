"""The reports queue: what each report shows, the actions that resolve it in place, the
resolved tab, and its query count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.forum.models import MemberWarning, Post, Report, Topic
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from forumapp.users.models import User
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import any_csrf_token, login_as, post_form
from tests.functional.test_forum_query_counts import counted_queries
from tests.functional.test_moderation_tools import set_group_flags


def reported_reply(
    client: FlaskClient, world: World, auth: AuthActions, content: str = "buy cheap pills"
) -> tuple[int, int]:
    """A reply by bob in Forum A, reported by alice; returns the post and report ids."""
    topic = world.topic(title="Pharmacy talk")
    reply = world.reply(topic, "member2", content)
    login_as(auth, world, "member")
    assert post_form(client, f"/post/{reply}/report", reason="Spam, clearly").status_code == 302
    auth.logout()
    with world.app.app_context():
        report_id = db.session.scalar(select(Report.id).where(Report.post_id == reply))
    assert report_id is not None
    return reply, report_id


def resolve(client: FlaskClient, report_id: int, action: str, **data: Any) -> Any:
    return post_form(client, "/admin/reports", report_id=str(report_id), action=action, **data)


def report_row(world: World, report_id: int) -> Report:
    with world.app.app_context():
        report = db.session.get(Report, report_id)
        assert report is not None
        db.session.expunge(report)
        return report


def queue(client: FlaskClient, status: str | None = None) -> str:
    path = "/admin/reports" + (f"?status={status}" if status else "")
    return str(client.get(path).get_data(as_text=True))


def test_each_open_report_shows_the_post_reporter_reason_and_time(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    reported_reply(client, world, auth, "**buy** cheap pills <script>alert(1)</script>")
    login_as(auth, world, "moderator")
    page = queue(client)
    assert "<strong>buy</strong> cheap pills" in page  # rendered
    assert "<script>alert(1)" not in page  # sanitized
    assert "Reported by alice" in page
    assert "Spam, clearly" in page
    assert "<time" in page
    for action in ("dismiss", "delete_post", "lock_topic", "warn", "suspend"):
        assert f'value="{action}"' in page


def test_dismissing_resolves_and_keeps_who_when_and_how(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    reply, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "moderator")
    response = resolve(client, report_id, "dismiss", note="Not spam")
    assert response.status_code == 302
    report = report_row(world, report_id)
    assert (report.resolution, report.note, report.handled_by_id) == (
        "dismissed",
        "Not spam",
        world.users["moderator"],
    )
    assert report.handled_at is not None
    assert "Spam, clearly" not in queue(client)
    resolved = queue(client, "resolved")
    assert "Dismissed</strong> by mod_a" in resolved and "Not spam" in resolved
    with world.app.app_context():
        assert not db.session.get(Post, reply).deleted  # type: ignore[union-attr]


def test_deleting_the_post_from_the_queue(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    reply, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "moderator")
    assert resolve(client, report_id, "delete_post").status_code == 302
    with world.app.app_context():
        post = db.session.get(Post, reply)
        assert post is not None and post.deleted and post.deleted_by == "mod_a"
    assert report_row(world, report_id).resolution == "post_deleted"
    assert "Post deleted</strong> by mod_a" in queue(client, "resolved")


def test_locking_the_topic_from_the_queue(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    reply, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "moderator")
    assert resolve(client, report_id, "lock_topic").status_code == 302
    with world.app.app_context():
        topic = db.session.scalar(select(Topic).join(Post).where(Post.id == reply))
        assert topic is not None and topic.locked
    assert report_row(world, report_id).resolution == "topic_locked"


def test_warning_the_author_records_and_emails_it(
    client: FlaskClient, world: World, auth: AuthActions, outbox: list[Any]
) -> None:
    _, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "moderator")
    assert resolve(client, report_id, "warn", note="No advertising here").status_code == 302
    with world.app.app_context():
        warning = db.session.scalar(select(MemberWarning))
        assert warning is not None
        assert (warning.user_id, warning.moderator_name, warning.reason, warning.report_id) == (
            world.users["member2"],
            "mod_a",
            "No advertising here",
            report_id,
        )
    [mail] = outbox
    assert mail.to == ["bob@example.org"] or "bob" in mail.to[0]
    assert "No advertising here" in mail.body
    assert "http://" in mail.body or "https://" in mail.body
    assert "Author warned</strong> by mod_a" in queue(client, "resolved")


def test_a_warning_needs_a_reason_and_nothing_is_resolved_without_one(
    client: FlaskClient, world: World, auth: AuthActions, outbox: list[Any]
) -> None:
    _, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "moderator")
    response = client.post(
        "/admin/reports",
        data={
            "csrf_token": any_csrf_token(client),
            "report_id": str(report_id),
            "action": "warn",
            "note": "",
        },
        follow_redirects=True,
    )
    assert "Say what the warning is about." in response.get_data(as_text=True)
    assert report_row(world, report_id).handled_at is None
    assert outbox == []


def test_suspending_the_author_uses_a_temporary_ban(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    _, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "moderator")
    assert resolve(client, report_id, "suspend", days="7", note="Spam again").status_code == 302
    with world.app.app_context():
        bob = db.session.get(User, world.users["member2"])
        assert bob is not None and bob.group.key == GroupKey.BANNED
        assert bob.banned_until is not None
        assert timedelta(days=6) < bob.banned_until - utcnow() <= timedelta(days=7)
    report = report_row(world, report_id)
    assert (report.resolution, report.note) == ("author_suspended", "7 days: Spam again")


@pytest.mark.parametrize("days", ["0", "366", "-1", "seven"])
def test_a_suspension_length_out_of_range_is_refused(
    client: FlaskClient, world: World, auth: AuthActions, days: str
) -> None:
    _, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "moderator")
    response = resolve(client, report_id, "suspend", days=days)
    assert response.status_code == 302
    assert report_row(world, report_id).handled_at is None
    with world.app.app_context():
        assert db.session.get(User, world.users["member2"]).group.key == GroupKey.MEMBER  # type: ignore[union-attr]


def test_suspending_needs_the_mod_banuser_flag(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    _, report_id = reported_reply(client, world, auth)
    set_group_flags(world.app, GroupKey.MOD, mod_banuser=False)
    login_as(auth, world, "moderator")
    assert 'value="suspend"' not in queue(client)
    assert resolve(client, report_id, "suspend", days="3").status_code == 403
    assert report_row(world, report_id).handled_at is None


def test_another_forums_moderator_cannot_resolve_the_report(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    reply, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "other_moderator")
    assert "Spam, clearly" not in queue(client)
    assert resolve(client, report_id, "delete_post").status_code == 404
    with world.app.app_context():
        assert not db.session.get(Post, reply).deleted  # type: ignore[union-attr]
    assert report_row(world, report_id).handled_at is None


@pytest.mark.parametrize(
    "data",
    [
        {"report_id": "999999", "action": "dismiss"},
        {"report_id": "abc", "action": "dismiss"},
        {"report_id": "", "action": "dismiss"},
        {"report_id": "REPORT", "action": "explode"},
    ],
)
def test_unknown_reports_and_actions_are_refused(
    client: FlaskClient, world: World, auth: AuthActions, data: dict[str, str]
) -> None:
    _, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "moderator")
    if data["report_id"] == "REPORT":
        data = {**data, "report_id": str(report_id)}
    response = post_form(client, "/admin/reports", **data)
    assert response.status_code in (400, 404)
    assert report_row(world, report_id).handled_at is None


def test_an_already_resolved_report_cannot_be_resolved_again(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    _, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "moderator")
    assert resolve(client, report_id, "dismiss").status_code == 302
    assert resolve(client, report_id, "delete_post").status_code == 404
    assert report_row(world, report_id).resolution == "dismissed"


def test_members_cannot_resolve_reports(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    _, report_id = reported_reply(client, world, auth)
    login_as(auth, world, "member")
    assert resolve(client, report_id, "dismiss").status_code == 403
    assert report_row(world, report_id).handled_at is None


def _report_many(app: Flask, world: World, count: int) -> None:
    with app.app_context():
        topic = db.session.get(Topic, world.topic(title="Busy"))
        assert topic is not None
    for n in range(count):
        reply = world.reply(topic.id, "member2", f"reply {n}")
        with app.app_context():
            db.session.add(
                Report(
                    post_id=reply,
                    reporter_id=world.users["member"],
                    reason=f"reason {n}",
                    created_at=utcnow(),
                )
            )
            db.session.commit()


@pytest.mark.parametrize("status", [None, "resolved"])
def test_the_queue_query_count_does_not_grow_with_reports(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, status: str | None
) -> None:
    login_as(auth, world, "moderator")

    def count() -> int:
        queue(client, status)  # warm-up
        with counted_queries(app) as statements:
            queue(client, status)
        return len(statements)

    _report_many(app, world, 2)
    if status:
        _resolve_all(app, world)
    small = count()
    _report_many(app, world, 12)
    if status:
        _resolve_all(app, world)
    assert count() == small


def _resolve_all(app: Flask, world: World) -> None:
    with app.app_context():
        for report in db.session.scalars(select(Report).where(Report.handled_at.is_(None))):
            report.handled_at = utcnow()
            report.handled_by_id = world.users["moderator"]
            report.resolution = "dismissed"
        db.session.commit()
