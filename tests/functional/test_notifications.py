"""Notifications through the test client: watching, replies grouped per topic, mentions,
quotes, moderation and reports, the list, the bell and the settings page."""

from __future__ import annotations

import html
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.forum.models import Report
from forumapp.management.factories import report_desk_factory
from forumapp.notifications.kinds import SENT, Kind
from forumapp.notifications.models import EmailChoice, TopicWatch
from tests.forum_world import World
from tests.notification_support import Member, members


def kinds(member: Member) -> list[str]:
    return [line.kind for line in member.notifications()]


def test_replies_in_a_topic_i_started_are_one_growing_line(world: World) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)  # watched: members watch the topics they start
    for n in range(3):
        bob.reply(topic, f"Reply {n}")
    (line,) = alice.notifications()
    assert (line.kind, line.event_count, line.actor_name) == (Kind.REPLY, 3, "bob")
    page = html.unescape(alice.page())
    assert "bob and 2 other replies in “Hello”" in page
    assert bob.notifications() == []  # nobody is told of their own posts


def test_a_reply_after_reading_starts_a_new_line(world: World) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)
    bob.reply(topic)
    (first,) = alice.notifications()
    alice.client.get(f"/notifications/{first.id}")
    bob.reply(topic)
    assert [line.read_at is None for line in alice.notifications()] == [True, False]


def test_opening_a_notification_marks_it_read_and_goes_to_the_post(world: World) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)
    post = bob.reply(topic)
    (line,) = alice.notifications()
    response = alice.client.get(f"/notifications/{line.id}")
    assert response.status_code == 302
    assert response.location.endswith(f"/post/{post}")
    assert alice.notifications()[0].read_at is not None


def test_a_notification_of_someone_else_is_not_found(world: World) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)
    bob.reply(topic)
    (line,) = alice.notifications()
    assert bob.client.get(f"/notifications/{line.id}").status_code == 404
    assert alice.notifications()[0].read_at is None


def test_mark_all_read_is_a_post_and_clears_the_bell(world: World) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)
    bob.reply(topic)
    assert 'class="bell bell-unread"' in alice.page("/")
    assert alice.client.get("/notifications/mark-all-read").status_code == 405
    assert alice.client.post("/notifications/mark-all-read").status_code == 400  # no CSRF
    assert alice.post("/notifications/mark-all-read").status_code == 302
    assert all(line.read_at for line in alice.notifications())
    assert "bell-unread" not in alice.page("/")


def test_a_mention_notifies_and_links_to_the_profile(world: World) -> None:
    alice, bob = members(world)
    topic = bob.start_topic(world.forum_a, content="Hi @alice, look")
    assert kinds(alice) == [Kind.MENTION]
    assert '<a href="/user/alice"' in bob.page(f"/topic/{topic}")


@pytest.mark.parametrize("config_overrides", [{"NOTIFICATIONS_MAX_MENTIONS": 1}])
def test_only_the_first_mentions_of_a_post_notify(world: World) -> None:
    alice, bob = members(world)
    Member(world, "moderator", "mod_a")
    bob.start_topic(world.forum_a, content="@mod_a and @alice")
    assert kinds(alice) == []
    moderator_lines = Member(world, "moderator", "mod_a").notifications()
    assert [line.kind for line in moderator_lines] == [Kind.MENTION]


def test_a_quote_notifies_the_quoted_author_once(world: World) -> None:
    alice, bob = members(world)
    topic = bob.start_topic(world.forum_a)
    alice.watch("topic", topic, "muted")
    first = alice.reply(topic, "Something quotable")
    alice.watch("topic", topic, "tracking")
    quote = f"> **[alice](/post/{first}) wrote:**\n> Something quotable\n\nIndeed, @alice."
    bob.reply(topic, quote)
    # Mentioned and quoted in one post: one line, the most personal kind.
    assert kinds(alice) == [Kind.MENTION]
    bob.reply(topic, f"> **[alice](/post/{first}) wrote:**\n> Something quotable")
    assert kinds(alice) == [Kind.QUOTE, Kind.MENTION]


def test_a_muted_topic_notifies_nothing_not_even_mentions(world: World) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)
    assert alice.watch("topic", topic, "muted").status_code == 302
    bob.reply(topic, "@alice are you there?")
    assert alice.notifications() == []


def test_a_muted_forum_mutes_its_topics(world: World) -> None:
    alice, bob = members(world)
    alice.watch("forum", world.forum_a, "muted")
    bob.start_topic(world.forum_a, content="@alice hello")
    assert alice.notifications() == []


def test_watching_a_forum_notifies_of_new_topics(world: World) -> None:
    alice, bob = members(world)
    assert alice.watch("forum", world.forum_a, "watching").status_code == 302
    assert "selected>Watching" in alice.page(f"/forum/{world.forum_a}")
    bob.start_topic(world.forum_a, title="News")
    bob.start_topic(world.forum_b, title="Elsewhere")
    (line,) = alice.notifications()
    assert (line.kind, line.subject) == (Kind.NEW_TOPIC, "News")


def test_the_topic_author_hears_of_replies_when_only_tracking(world: World) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)
    alice.watch("topic", topic, "tracking")
    bob.reply(topic)
    bob.reply(topic)
    (line,) = alice.notifications()
    assert (line.kind, line.event_count) == (Kind.TOPIC_REPLY, 2)


def test_replying_tracks_by_default_and_watches_when_chosen(world: World) -> None:
    alice, bob = members(world)
    topic = bob.start_topic(world.forum_a)
    alice.reply(topic)
    with world.app.app_context():
        assert db.session.get(TopicWatch, (alice.user_id, topic)) is None
    alice.post("/settings/notifications", watch_created="y", watch_replied="y", **_email_fields())
    alice.reply(topic)
    with world.app.app_context():
        watch = db.session.get(TopicWatch, (alice.user_id, topic))
        assert watch is not None and watch.level == "watching"


def test_members_who_cannot_see_the_forum_are_not_notified(world: World) -> None:
    alice, _ = members(world)
    admin = Member(world, "admin", "root")
    admin.start_topic(world.hidden_forum, content="Only staff: @alice")
    assert alice.notifications() == []


def test_watching_a_hidden_forum_or_topic_is_not_found(world: World) -> None:
    alice, _ = members(world)
    assert alice.watch("forum", world.hidden_forum, "watching").status_code == 404
    admin = Member(world, "admin", "root")
    topic = admin.start_topic(world.hidden_forum)
    assert alice.watch("topic", topic, "watching").status_code == 404


@pytest.mark.parametrize("level", ["", "loud", "watching\x00"])
def test_an_unknown_watch_level_is_a_400_and_changes_nothing(world: World, level: str) -> None:
    alice, _ = members(world)
    topic = alice.start_topic(world.forum_a)
    assert alice.watch("topic", topic, level).status_code == 400
    with world.app.app_context():
        watch = db.session.get(TopicWatch, (alice.user_id, topic))
        assert watch is not None and watch.level == "watching"


def test_watching_needs_a_csrf_token_and_a_login(world: World, client: Any) -> None:
    alice, _ = members(world)
    topic = alice.start_topic(world.forum_a)
    assert alice.client.post(f"/topic/{topic}/watch", data={"level": "muted"}).status_code == 400
    response = client.post(f"/topic/{topic}/watch", data={"level": "muted"})
    assert response.status_code in (302, 400)
    with world.app.app_context():
        watch = db.session.get(TopicWatch, (alice.user_id, topic))
        assert watch is not None and watch.level == "watching"


def test_a_moderator_hiding_my_post_tells_me(world: World) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)
    post = bob.reply(topic)
    moderator = Member(world, "moderator", "mod_a")
    assert moderator.post(f"/post/{post}/moderate", action="hide").status_code == 302
    lines = bob.notifications()
    assert [(line.kind, line.detail) for line in lines] == [(Kind.MODERATION, "post.hide")]
    assert "A moderator hid your post" in html.unescape(bob.page())


def test_a_resolved_report_tells_its_reporter_how_and_the_author_what_was_done(
    world: World, app: Flask
) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)
    post = bob.reply(topic)
    alice.post(f"/post/{post}/report", reason="Spam")
    # The panel's reports page needs a fresh password confirmation: the desk it calls,
    # as the app's factory builds it, is what is under test.
    with app.test_request_context():
        report = db.session.scalar(select(Report.id))
        assert report is not None
        report_desk_factory().delete_post(world.actor("admin"), report)
    assert Kind.REPORT_RESOLVED in kinds(alice)
    assert "was handled: post deleted" in html.unescape(alice.page())
    assert Kind.MODERATION in kinds(bob)
    assert "deleted your post" in html.unescape(bob.page())


def test_the_list_pages_through_old_notifications(
    world: World, app: Flask, config_overrides: dict[str, Any]
) -> None:
    app.config["NOTIFICATIONS_PER_PAGE"] = 2
    alice, bob = members(world)
    for n in range(3):
        bob.start_topic(world.forum_a, title=f"Topic {n}", content="@alice")
    first, second = alice.page(), alice.page("/notifications?page=2")
    assert "Topic 2" in first and "Topic 1" in first and "Topic 0" not in first
    assert 'rel="next"' in first
    assert "Topic 0" in second and 'rel="prev"' in second and 'rel="next"' not in second


def _email_fields(**chosen: str) -> dict[str, str]:
    fields = {f"email_{kind.value}": "never" for kind in Kind}
    fields.update(chosen)
    return fields


def test_the_settings_page_saves_email_choices(world: World) -> None:
    alice, _ = members(world)
    page = alice.page("/settings/notifications")
    assert 'aria-current="page"' in page and "Email me when" in page
    response = alice.post(
        "/settings/notifications", watch_created="y", **_email_fields(email_mention="weekly")
    )
    assert response.status_code == 302
    with world.app.app_context():
        choice = db.session.get(EmailChoice, (alice.user_id, "mention"))
        assert choice is not None and choice.mode == "weekly"


@pytest.mark.parametrize("value", ["hourly", "never\x07", ""])
def test_an_unknown_email_choice_is_a_field_error(world: World, value: str) -> None:
    alice, _ = members(world)
    response = alice.post("/settings/notifications", **_email_fields(email_mention=value))
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.scalar(select(EmailChoice.user_id)) is None


def test_an_immediate_email_carries_one_click_unsubscribe_headers(
    world: World, outbox: list[Any]
) -> None:
    alice, bob = members(world)
    bob.start_topic(world.forum_a, content="Ping @alice")
    (message,) = outbox
    assert message.to == ["alice@example.org"]
    assert "bob mentioned you in “Hello”" in message.subject
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://forum.test/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body
    (line,) = alice.notifications()
    assert line.mail_status == SENT


def test_mail_goes_out_once_per_unread_line(world: World, outbox: list[Any]) -> None:
    alice, bob = members(world)
    choices = _email_fields(email_reply="immediate")
    alice.post("/settings/notifications", watch_created="y", **choices)
    topic = alice.start_topic(world.forum_a)
    bob.reply(topic)
    bob.reply(topic)
    assert len(outbox) == 1


@pytest.mark.parametrize("page", ["0", "-3", "abc", "9" * 40, "2\x00"])
def test_any_page_argument_gets_a_page(world: World, page: str) -> None:
    alice, _ = members(world)
    assert alice.client.get("/notifications", query_string={"page": page}).status_code in (
        200,
        400,
    )


def test_a_private_message_is_a_notification_that_opens_its_conversation(world: World) -> None:
    alice, bob = members(world)
    response = bob.post("/messages/new", recipients="alice", subject="Lunch", content="Noon?")
    assert response.status_code == 302, response.get_data(as_text=True)
    (line,) = alice.notifications()
    assert (line.kind, line.actor_name, line.subject) == (Kind.PRIVATE_MESSAGE, "bob", "Lunch")
    assert "bob sent you a private message: “Lunch”" in html.unescape(alice.page())
    opened = alice.client.get(f"/notifications/{line.id}")
    assert (opened.status_code, opened.location) == (302, response.location)
    assert bob.notifications() == []  # the sender hears nothing of their own message


def test_nothing_reaches_a_member_from_someone_they_blocked(world: World) -> None:
    alice, bob = members(world)
    topic = alice.start_topic(world.forum_a)
    assert alice.post("/user/bob/block").status_code == 302
    bob.reply(topic, "@alice, see this")
    bob.start_topic(world.forum_a, content="Quoting @alice")
    assert alice.notifications() == []
    assert alice.post("/user/bob/unblock").status_code == 302
    bob.reply(topic)
    assert kinds(alice) == [Kind.REPLY]
