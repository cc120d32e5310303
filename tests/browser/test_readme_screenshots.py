"""The README's screenshots, taken at 1280x900 (and a phone's 390x844) from a demo forum
(``forumapp demo``'s tiny scale plus one topic that shows off Markdown, and one open
report: the demo's own are marked handled), and a visitor's
tour of those pages, in the light and the dark theme, checked with axe-core like every
journey.

Every run saves them as ``test-artifacts/browser/readme/<name>.png``; with
``UPDATE_README_SCREENSHOTS=1`` they also replace the ones in ``docs/screenshots/``:

    UPDATE_README_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_readme_screenshots.py
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from sqlalchemy import select, update

from forumapp.auth.factories import password_hasher
from forumapp.demo.builder import DEMO_PASSWORD, SCALES, DemoBuilder
from forumapp.extensions import db
from forumapp.forum.actor import load_actor
from forumapp.forum.factories import posting_service_factory
from forumapp.forum.models import Forum, Report
from forumapp.forum.moderation import ModerationService
from forumapp.forum.posting import PostingService
from forumapp.messages.factories import conversation_service_factory
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User

if TYPE_CHECKING:
    from tests.browser.browsing import Browser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")

WIDTH, HEIGHT = 1280, 900
PHONE_WIDTH, PHONE_HEIGHT = 390, 844
README_FOLDER = Path("docs") / "screenshots"
MARKDOWN_TITLE = "Markdown in posts: a quick tour"
MARKDOWN_POST = """\
Posts are written in **Markdown**, so a few characters go a long way:

- **bold**, *italic* and ~~strikethrough~~
- `inline code` and links such as https://example.org
- quotes, lists, tables and code blocks

> Quote someone with the *Quote* link under their post.

```python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```

| You type     | You get    |
|--------------|------------|
| `**bold**`   | **bold**   |
| `*italic*`   | *italic*   |
| `~~struck~~` | ~~struck~~ |
"""
MARKDOWN_REPLY = "Thanks, the table trick is *exactly* what I was looking for."
SEARCH_QUERY = "table"
REPORTED_POST = "Great tables here! Cheap **watches** and more at shop.example.test"
REPORT_REASON = "Spam link at the end of the post."
CONVERSATION_SUBJECT = "Meetup in March?"
CONVERSATION_TEXT = "Are you coming to the Python meetup? We could talk about the table trick."


def test_readme_screenshots(browser: Browser, app: Flask, request: pytest.FixtureRequest) -> None:
    member = build_demo_forum(app)
    web = browser
    # The page area itself is 1280x900, whatever the window decorations take.
    web.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    web.driver.execute_cdp_cmd("Emulation.setScrollbarsHidden", {"hidden": True})
    shots = request.config.rootpath / "test-artifacts" / "browser" / "readme"
    shots.mkdir(parents=True, exist_ok=True)

    def shoot(name: str, size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
        path = shots / f"{name}.png"
        assert web.driver.save_screenshot(str(path))
        assert png_size(path) == size

    web.open("/")
    web.follow("Register", within="header")
    web.expect_text("h1", "Create an account")
    shoot("register")

    web.follow("Log in", within="header")
    web.log_in(member, DEMO_PASSWORD)
    web.expect_logged_in(member)
    web.open("/")  # without the "Welcome back" message
    web.expect_text("main", "Statistics")
    shoot("forum-index")

    web.follow("Python")
    web.follow(MARKDOWN_TITLE)
    web.expect_text("h1", MARKDOWN_TITLE)
    assert web.has("article.post .post-body table")
    assert web.has("article.post .post-body pre code")
    shoot("topic-markdown")
    topic_path = web.path

    # The same topic in the dark theme, as a system set to dark shows it.
    web.driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "dark"}]},
    )
    web.open(topic_path)
    assert web.has("pre code span.k")
    shoot("topic-dark")

    # A phone: the header folded into its menu, the listing rows labelled.
    web.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": PHONE_HEIGHT, "deviceScaleFactor": 1, "mobile": True},
    )
    web.driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "light"}]},
    )
    web.open("/")
    web.follow("Python")
    shoot("phone", (PHONE_WIDTH, PHONE_HEIGHT))
    web.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    web.open(topic_path)

    # The account area: the settings menu beside the security page and its login history.
    web.follow("Settings", within="header nav")
    web.follow("Security", within="nav.settings-menu")
    web.expect_text("h1", "Security")
    assert web.has("main table.listing tbody tr")
    shoot("settings")

    # Search from the header's box: results with the matching words marked.
    web.type("q", SEARCH_QUERY)
    web.submit(web.find("header form[role=search]"))
    web.expect_text("h1", "Search")
    assert web.has("main mark")
    # The results, below the filters.
    web.driver.execute_script("document.getElementById('results-title').scrollIntoView()")
    shoot("search")

    # The member's notifications (a mention, replies, a private message) and inbox.
    web.open("/notifications")
    web.expect_text("h1", "Notifications")
    assert len(web.find_all("main ul.notification-list > li")) >= 2
    shoot("notifications")
    web.open("/messages/")
    web.expect_text("main", CONVERSATION_SUBJECT)
    shoot("inbox")

    # The reports queue, as staff just logged in find it.
    web.log_out()
    web.follow("Log in", within="header")
    web.log_in("demo_admin", DEMO_PASSWORD)
    web.expect_logged_in("demo_admin")
    web.open("/admin/reports")
    web.expect_text("h1", "Reports")
    web.expect_text("main", REPORT_REASON)
    assert len(web.find_all("main article.report")) == 1
    shoot("reports")

    if os.environ.get("UPDATE_README_SCREENSHOTS") == "1":
        readme = request.config.rootpath / README_FOLDER
        readme.mkdir(parents=True, exist_ok=True)
        for shot in sorted(shots.glob("*.png")):
            shutil.copyfile(shot, readme / shot.name)


def build_demo_forum(app: Flask) -> str:
    """The tiny demo forum and a Markdown topic in "Python"; returns a member's name."""
    with app.test_request_context():
        summary = DemoBuilder(db.session, password_hasher(), utcnow).build(SCALES["tiny"], seed=5)
        forum_id = db.session.scalar(select(Forum.id).where(Forum.title == "Python"))
        assert forum_id is not None
        posting = PostingService(db.session, utcnow)
        author, replier = (
            db.session.scalars(select(User).where(User.username == name)).one()
            for name in ("mod_greta", summary.sample_member)
        )
        topic = posting.create_topic(
            load_actor(author.id, author.username, author.group),
            forum_id,
            MARKDOWN_TITLE,
            MARKDOWN_POST,
        )
        replier_actor = load_actor(replier.id, replier.username, replier.group)
        posting.reply(replier_actor, topic.id, MARKDOWN_REPLY)
        # One open report, of a spam reply: the demo's own are marked handled.
        spammer = db.session.scalars(
            select(User)
            .join(Group, Group.id == User.group_id)
            .where(Group.key == GroupKey.MEMBER, User.username != summary.sample_member)
            .order_by(User.id)
            .limit(1)
        ).one()
        db.session.execute(update(Report).values(handled_at=utcnow()))
        spam = posting.reply(
            load_actor(spammer.id, spammer.username, spammer.group), topic.id, REPORTED_POST
        )
        ModerationService(db.session, utcnow).report(replier_actor, spam.id, REPORT_REASON)
        # What reaches the member: a private message, then a reply and a mention in the
        # topic they replied to (through the factories, so that notifications are made).
        author_actor = load_actor(author.id, author.username, author.group)
        conversation_service_factory().start(
            author_actor, [replier.username], CONVERSATION_SUBJECT, CONVERSATION_TEXT
        )
        posting_with_events = posting_service_factory()
        posting_with_events.reply(author_actor, topic.id, "Glad it helped!")
        posting_with_events.reply(
            load_actor(spammer.id, spammer.username, spammer.group),
            topic.id,
            f"@{replier.username} do you have an example with alignment?",
        )
        return summary.sample_member


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height
