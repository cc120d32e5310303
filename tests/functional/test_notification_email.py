"""Notification email over real SMTP: one sent at once, a digest, and their one-click
unsubscribe links (RFC 8058) followed as a mail client follows them; forged links."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from forumapp.extensions import db
from forumapp.jobs.factories import MAIL_JOB, jobs_of
from forumapp.jobs.models import Job
from forumapp.notifications.kinds import Kind
from forumapp.notifications.models import EmailChoice
from forumapp.notifications.schedule import DAILY_DIGESTS_JOB, PRUNE_JOB, WEEKLY_DIGESTS_JOB
from forumapp.notifications.work import NOTIFY_JOB
from tests.forum_world import World
from tests.functional.test_email_smtp import assert_well_formed, path_of
from tests.notification_support import members
from tests.smtp import ReceivedMail, SmtpSink


@pytest.fixture
def config_overrides(smtp_sink: SmtpSink) -> dict[str, Any]:
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_sink.port,
        "MAIL_TIMEOUT": 5,
    }


def unsubscribe_link(mail: ReceivedMail) -> str:
    header = str(mail.message["List-Unsubscribe"]).strip()  # a long field is folded
    assert header.startswith("<") and header.endswith(">")
    link = header[1:-1]
    assert link in mail.text
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return link


def one_click(client: FlaskClient, link: str) -> Any:
    """What a mail client does with the header: a POST of the RFC's body, no cookie."""
    return client.post(path_of(link), data={"List-Unsubscribe": "One-Click"})


def email_mode(app: Flask, user_id: int, kind: str) -> str | None:
    with app.app_context():
        choice = db.session.get(EmailChoice, (user_id, kind))
        return choice.mode if choice else None


def test_an_immediate_email_unsubscribes_with_one_click(
    world: World, app: Flask, smtp_sink: SmtpSink
) -> None:
    alice, bob = members(world)
    bob.start_topic(world.forum_a, content="What do you think, @alice?")
    (mail,) = smtp_sink.wait_for(1)
    assert_well_formed(mail, "alice@example.org", "bob mentioned you in “Hello”")
    (open_link,) = [link for link in mail.links() if re.search(r"/notifications/\d+$", link)]
    opened = alice.client.get(path_of(open_link))
    assert opened.status_code == 302 and "/post/" in opened.location

    stranger = app.test_client()  # no login, no CSRF token: the link is the authority
    link = unsubscribe_link(mail)
    confirm = stranger.get(path_of(link))
    assert confirm.status_code == 200 and "Someone mentions me" in confirm.get_data(as_text=True)
    assert email_mode(app, alice.user_id, "mention") is None  # a GET changes nothing
    assert one_click(stranger, link).status_code == 200
    assert email_mode(app, alice.user_id, "mention") == "never"

    smtp_sink.clear()
    bob.start_topic(world.forum_a, title="Again", content="@alice once more")
    assert len(alice.notifications()) == 2
    assert smtp_sink.received == []


def test_a_digest_gathers_the_day_and_unsubscribes_with_one_click(
    world: World, app: Flask, smtp_sink: SmtpSink
) -> None:
    alice, bob = members(world)
    alice.watch("forum", world.forum_a, "watching")
    for title in ("First news", "Second news"):
        bob.start_topic(world.forum_a, title=title)
    assert smtp_sink.received == []  # new topics go in the daily digest by default
    result = app.test_cli_runner().invoke(args=["notify", "send-digests", "daily"])
    assert result.exit_code == 0 and "Sent 1 daily digest." in result.output
    (mail,) = smtp_sink.wait_for(1)
    assert_well_formed(mail, "alice@example.org", "Your day: 2 notifications")
    assert "bob started “First news”" in mail.text and "Second news" in mail.text

    again = app.test_cli_runner().invoke(args=["notify", "send-digests", "daily"])
    assert "Sent 0 daily digests." in again.output  # each line is mailed once
    assert one_click(app.test_client(), unsubscribe_link(mail)).status_code == 200
    assert email_mode(app, alice.user_id, "new_topic") == "never"


@pytest.mark.parametrize("change", ["forged", "altered", "cut"])
def test_a_forged_or_altered_unsubscribe_link_is_refused(
    world: World, app: Flask, smtp_sink: SmtpSink, change: str
) -> None:
    alice, bob = members(world)
    bob.start_topic(world.forum_a, content="@alice")
    (mail,) = smtp_sink.wait_for(1)
    path = path_of(unsubscribe_link(mail))
    token = path.rsplit("/", 1)[1]
    payload, _, signature = token.partition(".")
    tampered = {
        "forged": f"WzIsWyJtZW50aW9uIl1d.{signature}",  # bob, with alice's signature
        "altered": f"{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}",
        "cut": payload,
    }[change]
    client = app.test_client()
    for method in (client.get, client.post):
        response = method(f"/notifications/unsubscribe/{tampered}")
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.get_data(as_text=True)
    assert email_mode(app, alice.user_id, "mention") is None
    assert email_mode(app, bob.user_id, "mention") is None


def test_a_reply_is_one_notification_job_whatever_the_audience(
    world: World, app: Flask, smtp_sink: SmtpSink
) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)
    with app.app_context():
        before = db.session.scalar(select(func.max(Job.id))) or 0
    bob.reply(topic, "@alice")  # alice both watches the topic and is mentioned
    with app.app_context():
        kinds = db.session.scalars(select(Job.kind).where(Job.id > before).order_by(Job.id))
        # The event's job, then the mail job its fan-out made (the mention, at once).
        assert list(kinds) == [NOTIFY_JOB, MAIL_JOB]
    (mail,) = smtp_sink.wait_for(1)
    assert_well_formed(mail, "alice@example.org", mail.message["Subject"])


def test_the_digests_and_the_pruning_are_periodic_jobs(
    world: World, app: Flask, smtp_sink: SmtpSink
) -> None:
    periodic = {job.name: job for job in jobs_of(app).periodic}
    assert {DAILY_DIGESTS_JOB, WEEKLY_DIGESTS_JOB, PRUNE_JOB} <= set(periodic)
    alice, bob = members(world)
    alice.watch("forum", world.forum_a, "watching")
    choices = {f"email_{kind.value}": "never" for kind in Kind}
    saved = alice.post("/settings/notifications", **{**choices, "email_new_topic": "weekly"})
    assert saved.status_code == 302
    bob.start_topic(world.forum_a, title="Weekly news")
    with app.app_context():  # as the consumer's scheduler runs it
        periodic[WEEKLY_DIGESTS_JOB].work()
    (mail,) = smtp_sink.wait_for(1)
    assert "Weekly news" in mail.text
