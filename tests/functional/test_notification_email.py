"""Notification email over real SMTP: one sent at once, a digest, and their one-click
unsubscribe links (RFC 8058) followed as a mail client follows them; forged links."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp.extensions import db
from forumapp.notifications.models import EmailChoice
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
