"""The look through the test client: theme choice, formatted counts and times, staff
links, feeds, favicon, description, phone-ready listings and compressed responses."""

from __future__ import annotations

import gzip
import re
from datetime import timedelta
from typing import Any

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forumapp.extensions import db
from forumapp.forum.models import Forum, Post, Report, Topic
from forumapp.look.staff import StaffLinks
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form
from tests.functional.test_forum_query_counts import queries_for

PREFERENCES = {"language": "en", "timezone": "UTC", "posts_per_page": ""}


def html_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def theme_of(app: Flask, user_id: int) -> str:
    with app.app_context():
        theme = db.session.scalar(select(User.theme).where(User.id == user_id))
        assert theme is not None
        return theme


# Theme


def test_guests_follow_the_system_theme(client: FlaskClient, world: World) -> None:
    page = html_of(client, "/")
    assert "data-theme" not in page.split("<head>")[0]
    assert '<meta name="color-scheme" content="light dark">' in page


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_a_member_chooses_a_theme_and_every_page_carries_it(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, theme: str
) -> None:
    login_as(auth, world, "member")
    assert 'name="theme"' in html_of(client, "/settings/preferences")
    response = post_form(client, "/settings/preferences", **PREFERENCES, theme=theme)
    assert response.status_code == 302
    assert theme_of(app, world.users["member"]) == theme
    for path in ("/", f"/forum/{world.forum_a}", "/settings/preferences"):
        assert f'<html lang="en" dir="ltr" data-theme="{theme}">' in html_of(client, path)


def test_the_automatic_theme_sets_no_attribute(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World
) -> None:
    login_as(auth, world, "member")
    post_form(client, "/settings/preferences", **PREFERENCES, theme="dark")
    post_form(client, "/settings/preferences", **PREFERENCES, theme="auto")
    assert theme_of(app, world.users["member"]) == "auto"
    assert "data-theme" not in html_of(client, "/").split("<head>")[0]


@pytest.mark.parametrize("bad", ["purple", "dark\x00", "auto " * 3, "<script>"])
def test_an_unknown_theme_is_refused_and_nothing_is_written(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, bad: str
) -> None:
    login_as(auth, world, "member")
    response = post_form(
        client, "/settings/preferences", **{**PREFERENCES, "timezone": "Europe/Paris"}, theme=bad
    )
    assert response.status_code in (200, 400)
    assert theme_of(app, world.users["member"]) == "auto"
    with app.app_context():
        assert db.session.get(User, world.users["member"]).timezone is None  # type: ignore[union-attr]
    if response.status_code == 200:
        assert 'class="form-errors"' in response.get_data(as_text=True)


# Counts and times


def test_counts_have_thousands_separators_and_plurals(
    app: Flask, client: FlaskClient, world: World
) -> None:
    topic = world.topic()
    with app.app_context():
        db.session.execute(update(Forum).where(Forum.id == world.forum_a).values(post_count=1234))
        db.session.execute(update(Topic).where(Topic.id == topic).values(views=56789))
        db.session.commit()
    index = html_of(client, "/")
    assert ">1,234</td>" in index
    assert "1 topic, 1,234 posts." in index
    assert ">56,789</td>" in html_of(client, f"/forum/{world.forum_a}")
    assert "0 replies" in html_of(client, f"/topic/{topic}")
    world.reply(topic)
    assert "1 reply ·" in html_of(client, f"/topic/{topic}")


def test_times_read_relative_with_the_full_date_on_hover(
    app: Flask, client: FlaskClient, world: World
) -> None:
    topic = world.topic()
    with app.app_context():
        three_hours_ago = utcnow() - timedelta(hours=3, minutes=1)
        db.session.execute(
            update(Post).where(Post.topic_id == topic).values(created_at=three_hours_ago)
        )
        db.session.commit()
    page = html_of(client, f"/topic/{topic}")
    found = re.search(r'<time datetime="([^"]+)" title="([^"]+)">3 hours ago</time>', page)
    assert found is not None, page
    assert found.group(1) == three_hours_ago.isoformat(timespec="seconds")
    # The full date as English writes it: "Friday, December 4, 2026, 6:17:50 PM UTC".
    assert (
        f"{three_hours_ago:%A, %B} {three_hours_ago.day}, {three_hours_ago.year}," in found.group(2)
    )


def test_every_time_element_has_at_most_three_fractional_digits(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    topic = world.topic()
    login_as(auth, world, "member")
    pages = ["/", f"/forum/{world.forum_a}", f"/topic/{topic}", "/user/alice",
             "/settings/sessions", "/settings/security", "/search?q=First"]  # fmt: skip
    stamps = [s for path in pages for s in re.findall(r'datetime="([^"]*)"', html_of(client, path))]
    assert len(stamps) >= 5
    for stamp in stamps:
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)", stamp
        )


# Staff links


def open_report(app: Flask, world: World, topic: int) -> None:
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic))
        db.session.add(Report(post_id=post_id, reporter_id=world.users["member"], reason="spam"))
        db.session.commit()


@pytest.mark.parametrize(
    ("role", "admin_link", "moderation_link"),
    [("member", False, False), ("moderator", False, True), ("admin", True, True)],
)
def test_staff_see_their_links_with_the_open_report_count(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    role: str,
    admin_link: bool,
    moderation_link: bool,
) -> None:
    topic = world.topic()
    open_report(app, world, topic)
    open_report(app, world, topic)
    login_as(auth, world, role)
    header = html_of(client, "/").split("</header>")[0]
    assert ('href="/admin/">Admin</a>' in header) is admin_link
    expected = '>Moderation <span class="badge">2<span class="visually-hidden"> open reports</span>'
    assert (expected in header) is moderation_link


def test_guests_get_no_staff_links(client: FlaskClient, world: World) -> None:
    header = html_of(client, "/").split("</header>")[0]
    assert "Moderation" not in header and "Admin" not in header


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_links_cost_at_most_one_query_per_page(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: World,
    role: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app.config.update(VIEW_COUNT_FLUSH_EVERY=10**9)
    topic = world.topic()
    paths = ["/", f"/forum/{world.forum_a}", f"/topic/{topic}"]
    login_as(auth, world, role)
    staff = [queries_for(app, client, path) for path in paths]
    # The same pages with a report count that costs nothing.
    with monkeypatch.context() as patch:
        patch.setattr(StaffLinks, "open_reports", lambda self: 0)
        free = [queries_for(app, client, path) for path in paths]
    for path, with_count, without in zip(paths, staff, free, strict=True):
        assert with_count - without == 1, (path, with_count, without)
    # And the count stays one query however many reports are open.
    for _ in range(5):
        open_report(app, world, topic)
    assert [queries_for(app, client, path) for path in paths] == staff


# Header, footer, head


def test_the_header_menu_is_a_disclosure_before_a_nav_list(client: FlaskClient) -> None:
    header = html_of(client, "/").split("</header>")[0]
    assert re.search(
        r'<details class="site-menu"><summary>Menu</summary></details>\s*'
        r'<nav class="site-nav" aria-label="Main">\s*<ul class="nav-list">',
        header,
    )


def test_the_footer_names_the_site_and_links_feeds_and_api_docs(
    app: Flask, client: FlaskClient
) -> None:
    footer = html_of(client, "/").split('<footer class="site-footer">')[1]
    assert f"<strong>{app.config['SITE_NAME']}</strong>" in footer
    assert 'href="/feeds"' in footer and 'href="/api/v1/docs"' in footer
    assert "powered by" not in footer


def test_pages_carry_the_description_and_the_favicons(app: Flask, client: FlaskClient) -> None:
    app.config["SITE_DESCRIPTION"] = 'Walruses & "friends"'
    page = html_of(client, "/auth/login")
    assert '<meta name="description" content="Walruses &amp; &#34;friends&#34;">' in page
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert 'href="/static/favicon.png" type="image/png"' in page
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200


def test_favicon_ico_answers(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/x-icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO signature
        assert "max-age=86400" in response.headers["Cache-Control"]


# Listings on phones


def test_every_listing_cell_names_its_column(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World
) -> None:
    topic = world.topic()
    login_as(auth, world, "admin")
    pages = ["/", "/category/1", f"/forum/{world.forum_a}", "/settings/sessions",
             "/settings/security", "/settings/tokens"]  # fmt: skip
    cells = 0
    for path in pages:
        page = html_of(client, path)
        for table in re.findall(r'<table class="listing.*?</table>', page, re.S):
            heads = re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", table)
            for cell in re.findall(r"<td(?![^>]*colspan)[^>]*>", table):
                cells += 1
                label = re.search(r'data-label="([^"]+)"', cell)
                assert label is not None, (path, cell)
                assert any(label.group(1) in re.sub("<[^>]+>", "", h) for h in heads), (path, cell)
    assert cells >= 10
    assert topic


# Feeds


def test_forum_and_topic_pages_advertise_their_feeds(client: FlaskClient, world: World) -> None:
    topic = world.topic()
    forum_page = html_of(client, f"/forum/{world.forum_a}").split("</head>")[0]
    assert (
        '<link rel="alternate" type="application/atom+xml" title="New topics in Forum A" '
        f'href="/forum/{world.forum_a}/feed.atom">'
    ) in forum_page
    topic_page = html_of(client, f"/topic/{topic}").split("</head>")[0]
    assert (
        f'type="application/atom+xml" title="New posts in Hello" href="/topic/{topic}/feed.atom"'
        in topic_page
    )


def test_forum_feed_entries_carry_the_first_post(client: FlaskClient, world: World) -> None:
    world.topic(content="Walruses *love* <b>clams</b> and sunshine.")
    feed = client.get(f"/forum/{world.forum_a}/feed.atom").get_data(as_text=True)
    assert "<summary>Walruses love &lt;b&gt;clams&lt;/b&gt; and sunshine.</summary>" in feed
    assert '<content type="html">&lt;p&gt;Walruses &lt;em&gt;love&lt;/em&gt;' in feed


def test_a_topic_whose_first_post_is_hidden_has_no_summary(
    app: Flask, client: FlaskClient, world: World
) -> None:
    topic = world.topic(content="Secret words")
    with app.app_context():
        db.session.execute(update(Post).where(Post.topic_id == topic).values(hidden=True))
        db.session.commit()
    feed = client.get(f"/forum/{world.forum_a}/feed.atom").get_data(as_text=True)
    assert "<entry>" in feed and "Secret words" not in feed and "<summary>" not in feed


def test_the_forum_feed_costs_the_same_queries_for_any_number_of_entries(
    app: Flask, client: FlaskClient, world: World
) -> None:
    world.topic()
    path = f"/forum/{world.forum_a}/feed.atom"
    few = queries_for(app, client, path)
    for n in range(8):
        world.topic(title=f"Topic {n}")
    assert queries_for(app, client, path) == few


def test_the_feeds_page_lists_every_visible_forum_feed(client: FlaskClient, world: World) -> None:
    page = html_of(client, "/feeds")
    assert f'href="/forum/{world.forum_a}/feed.atom"' in page
    assert f'href="/forum/{world.forum_b}/feed.atom"' in page
    assert f'href="/forum/{world.hidden_forum}/feed.atom"' not in page


# Highlighting


def test_code_blocks_in_posts_are_highlighted(client: FlaskClient, world: World) -> None:
    topic = world.topic(content="```python\nimport this\n```\n")
    page = html_of(client, f"/topic/{topic}")
    assert '<pre><code><span class="kn">import</span>' in page
    assert 'href="/static/css/highlight.css"' in page
    assert "style=" not in page.split("<body>")[1]


# Compression


def fetch(client: FlaskClient, path: str, encoding: str | None) -> Any:
    headers = {"Accept-Encoding": encoding} if encoding else {}
    return client.get(path, headers=headers)


@pytest.mark.parametrize("path", ["/", "/api/v1/openapi.json", "/forum/1/feed.atom"])
def test_text_responses_are_compressed_when_asked(
    client: FlaskClient, world: World, path: str
) -> None:
    world.topic(content="Enough words to pass the minimum size for compression. " * 10)
    plain = fetch(client, path, None)
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    zipped = fetch(client, path, "gzip")
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert len(zipped.data) < len(plain.data)
    assert gzip.decompress(zipped.data)[:20] == plain.data[:20]
    squeezed = fetch(client, path, "br, gzip")
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.data)[:20] == plain.data[:20]


def test_static_text_files_are_compressed_as_they_stream(client: FlaskClient) -> None:
    with fetch(client, "/static/css/forumapp.css", None) as plain:
        css = plain.data
        assert "Content-Encoding" not in plain.headers
    with fetch(client, "/static/css/forumapp.css", "br") as squeezed:
        assert squeezed.headers["Content-Encoding"] == "br"
        assert brotli.decompress(squeezed.data) == css


def test_pages_that_must_not_be_stored_are_never_compressed(client: FlaskClient) -> None:
    # BREACH: the login page carries credentials-related tokens and is marked no-store.
    response = fetch(client, "/auth/login", "gzip, br")
    assert "no-store" in response.headers["Cache-Control"]
    assert "Content-Encoding" not in response.headers


@pytest.mark.parametrize("config_overrides", [{"COMPRESS_REGISTER": False}])
def test_compression_can_be_left_to_a_reverse_proxy(client: FlaskClient) -> None:
    response = fetch(client, "/api/v1/openapi.json", "gzip, br")
    assert "Content-Encoding" not in response.headers
