"""Moderation journeys in a real browser: a moderator moves two topics in bulk and undoes
a deletion, and works through the reports queue in place. Every page on the way (the
forum page with its bulk form, the confirmation page, the queue and its resolved tab) is
checked with axe-core."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from forumapp.extensions import db
from forumapp.forum.models import Post, Report
from forumapp.forum.moderation import ModerationService
from forumapp.forum.structure import ForumStructure
from forumapp.sqltypes import utcnow
from tests.conftest import PASSWORD
from tests.forum_world import World
from tests.functional.test_moderation_tools import topics

if TYPE_CHECKING:
    from tests.browser.browsing import Browser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")


def log_in_as_moderator(web: Browser) -> None:
    web.open("/auth/login")
    web.log_in("mod_a", PASSWORD)
    web.expect_logged_in("mod_a")


def test_moderator_moves_two_topics_in_bulk_and_undoes_a_delete(
    browser: Browser, world: World
) -> None:
    with world.app.app_context():
        structure = ForumStructure(db.session)
        help_desk = structure.create_category("Help")
        support = structure.create_forum(
            help_desk.id, "Support", moderators=[world.users["moderator"]]
        ).id
    first, second, third = (world.topic("member2", title=f"Question {n}") for n in (1, 2, 3))
    web = browser
    log_in_as_moderator(web)

    # Tick two topics, choose "Move" and the target forum from the list, apply.
    web.open(f"/forum/{world.forum_a}")
    web.find(f"#select-{first}").click()
    web.find(f"#select-{second}").click()
    web.choose("action", "move")
    web.choose("target_forum_id", str(support))
    web.submit(web.find("main form.moderation-form"), button="Apply")
    web.expect_text(".flashes", "2 topics moved to Support.")
    assert [t.forum_id for t in topics(world, first, second, third)] == [
        support,
        support,
        world.forum_a,
    ]

    # "Select all" (shown by the script) ticks what is left; delete it, confirming first.
    web.open(f"/forum/{world.forum_a}")
    toggle = web.find("[data-select-all-toggle]")
    assert toggle.is_displayed()
    toggle.click()
    assert web.find(f"#select-{third}").is_selected()
    web.choose("action", "delete")
    web.submit(web.find("main form.moderation-form"), button="Apply")
    web.expect_text("h1", "Delete 1 topic?")
    web.expect_text("main", "Question 3")
    web.submit(button="Delete")
    web.expect_path(f"/forum/{world.forum_a}")
    web.expect_text(".flashes", "1 topic deleted.")
    assert topics(world, third)[0].deleted

    # Undo, from the message area.
    web.submit(web.find(".flashes form.undo-form"), button="Undo")
    web.expect_text(".flashes", "1 topic restored.")
    assert not topics(world, third)[0].deleted
    assert "Deleted by" not in web.text("main table")


def test_moderator_handles_reports_in_place(browser: Browser, world: World) -> None:
    topic = world.topic("member2", title="Selling things")
    harmless = world.reply(topic, "member2", "I *like* boats.")
    spam = world.reply(topic, "member2", "Cheap **watches** at example.test")
    with world.app.app_context():
        moderation = ModerationService(db.session, utcnow)
        moderation.report(world.actor("member"), harmless, "Off topic?")
        moderation.report(world.actor("member"), spam, "Spam")
        reports = dict(db.session.execute(select(Report.post_id, Report.id)).all())
    web = browser
    log_in_as_moderator(web)
    web.open("/admin/reports")
    web.expect_text("h1", "Reports")
    card = f"#report-{reports[spam]}"
    assert web.text(f"{card} .reported-content strong") == "watches"
    web.expect_text(card, "Reported by alice")

    # Dismiss the first with a note.
    first = f"#report-{reports[harmless]}"
    web.type("note", "Fine, it is about boats")
    web.submit(web.find(f"{first} form"), button="Dismiss")
    web.expect_text(".flashes", "The report is dismissed.")
    assert not web.has(first)

    # Delete the reported post of the other.
    web.submit(web.find(f"{card} form"), button="Delete post")
    web.expect_text(".flashes", "The post is deleted and the report resolved.")
    web.expect_text("main", "No open reports.")
    with world.app.app_context():
        post = db.session.get(Post, spam)
        assert post is not None and post.deleted

    # The resolved tab says who did what.
    web.follow("Resolved", within="main")
    web.expect_text(first, "Dismissed by mod_a")
    web.expect_text(first, "Fine, it is about boats")
    web.expect_text(card, "Post deleted by mod_a")
