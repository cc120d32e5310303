"""Search as people expect it: highlighted excerpts, filters, sorting, the header box."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp.extensions import db
from forumapp.forum.models import Post
from forumapp.forum.search import NO_DATES, UNKNOWN_FORUM
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as
from tests.functional.test_search import first_post, hits, search
from tests.functional.test_search import queries_for as warm_queries_for
from tests.production.backends import ON_POSTGRESQL

NO_AUTHOR = "No member has this username."
BAD_DAY = "Enter a date as YYYY-MM-DD, such as 2024-05-31."


def written_at(app: Flask, post_id: int, moment: datetime) -> None:
    with app.app_context():
        post = db.session.get(Post, post_id)
        assert post is not None
        post.created_at = moment
        db.session.commit()


def excerpts(page: str) -> list[str]:
    return re.findall(r'<p class="excerpt">(.*?)</p>', page, re.S)


def test_excerpts_mark_the_matching_words(client: FlaskClient, world: World) -> None:
    filler = " ".join(["padding"] * 80)
    world.topic(title="Long read", content=f"Start **here**. {filler} The needle is _here_.")
    (excerpt,) = excerpts(search(client, "needle"))
    assert "The <mark>needle</mark> is _here_." in excerpt
    # FTS5 says where it left text out; ts_headline does not.
    assert excerpt.startswith("…") or ON_POSTGRESQL
    # Markdown source reads as text: no emphasis markers.
    assert "**" not in excerpt


def test_every_term_is_marked_in_any_case(client: FlaskClient, world: World) -> None:
    world.topic(content="Citric acid descales a Kettle quickly.")
    (excerpt,) = excerpts(search(client, "kettle CITRIC"))
    assert "<mark>Citric</mark>" in excerpt
    assert "<mark>Kettle</mark>" in excerpt


def test_a_title_match_shows_the_start_of_the_body(client: FlaskClient, world: World) -> None:
    world.topic(title="Walrus facts", content="Tusks grow all their lives.")
    page = search(client, "walrus")
    assert excerpts(page) == ["Tusks grow all their lives."]
    assert "Walrus facts" in page


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "<mark>forged</mark>",
        "</p><svg onload=alert(1)>",
    ],
)
def test_html_in_a_post_and_in_the_query_never_becomes_markup(
    client: FlaskClient, world: World, payload: str
) -> None:
    world.topic(title="Payloads", content=f"{payload} walrus {payload}")
    for query in ("walrus", f"walrus {payload}"):
        page = search(client, query)
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<svg onload" not in page
    results = search(client, "walrus").partition('class="search-results"')[2]
    # The marks are the database's only: one for the one matching word.
    assert results.count("<mark>") == results.count("</mark>") == 1
    assert "<mark>walrus</mark>" in results
    # PostgreSQL's parser leaves tags out of its excerpts; FTS5 keeps them, as text.
    assert "&lt;" in results or ON_POSTGRESQL


def test_results_show_author_avatar_and_a_valid_time(client: FlaskClient, world: World) -> None:
    topic = world.topic(title="Marmalade", content="Seville oranges")
    page = search(client, "oranges")
    assert f'href="/post/{first_post(world.app, topic)}">Marmalade</a>' in page
    assert "by alice" in page
    assert 'class="avatar avatar-32"' in page.partition('class="search-results"')[2]
    stamps = re.findall(r'<time datetime="([^"]+)"', page)
    assert stamps
    for stamp in stamps:
        # HTML's valid global date and time strings: at most three fractional digits.
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?(Z|[+-]\d\d:\d\d)", stamp)


def test_results_filter_by_date_range(app: Flask, client: FlaskClient, world: World) -> None:
    topic = world.topic(content="walrus in spring")
    spring = first_post(app, topic)
    summer = world.reply(topic, content="walrus in summer")
    written_at(app, spring, datetime(2024, 4, 10, 12, tzinfo=UTC))
    written_at(app, summer, datetime(2024, 7, 10, 12, tzinfo=UTC))
    assert hits(search(client, "walrus", date_from="2024-05-01")) == [summer]
    assert hits(search(client, "walrus", date_to="2024-05-01")) == [spring]
    both = search(client, "walrus", date_from="2024-04-10", date_to="2024-07-10")
    assert sorted(hits(both)) == sorted([spring, summer])
    assert hits(search(client, "walrus", date_from="2024-04-11", date_to="2024-07-09")) == []


def test_days_begin_and_end_in_the_readers_zone(
    app: Flask, client: FlaskClient, world: World
) -> None:
    post = first_post(app, world.topic(content="walrus at night"))
    # 20:00 on 1 May in UTC is 05:00 on 2 May in Tokyo.
    written_at(app, post, datetime(2024, 5, 1, 20, tzinfo=UTC))
    assert hits(search(client, "walrus", date_from="2024-05-01", date_to="2024-05-01")) == [post]
    app.config["DEFAULT_TIMEZONE"] = "Asia/Tokyo"
    assert hits(search(client, "walrus", date_from="2024-05-01", date_to="2024-05-01")) == []
    assert hits(search(client, "walrus", date_from="2024-05-02", date_to="2024-05-02")) == [post]


def test_topics_only_matches_titles_and_first_posts(client: FlaskClient, world: World) -> None:
    titled = world.topic(title="Walrus facts", content="Tusks")
    reply = world.reply(titled, content="a walrus reply")
    opening = world.topic(title="Seals", content="Not a walrus, a seal")
    everything = hits(search(client, "walrus"))
    assert sorted(everything) == sorted(
        [first_post(world.app, titled), reply, first_post(world.app, opening)]
    )
    topics = hits(search(client, "walrus", topics_only="y"))
    assert sorted(topics) == sorted([first_post(world.app, titled), first_post(world.app, opening)])


def test_results_sort_by_relevance_or_newest_first(client: FlaskClient, world: World) -> None:
    topic = world.topic(title="Walrus walrus walrus", content="walrus walrus walrus")
    best = first_post(world.app, topic)
    newest = world.reply(topic, content=f"one walrus among {' '.join(['words'] * 40)}")
    assert hits(search(client, "walrus")) == [best, newest]
    assert hits(search(client, "walrus", sort="relevance")) == [best, newest]
    page = search(client, "walrus", sort="date")
    assert hits(page) == [newest, best]
    assert '<option selected value="date">' in page


def test_page_links_keep_the_filters(app: Flask, client: FlaskClient, world: World) -> None:
    app.config["SEARCH_RESULTS_PER_PAGE"] = 1
    topic = world.topic(forum=world.forum_b, title="Walrus", content="walrus")
    world.reply(topic, "member", content="walrus two")
    params = {
        "forum": str(world.forum_b),
        "author": "alice",
        "date_from": "2000-01-01",
        "date_to": "2990-12-31",
        "sort": "date",
    }
    page = search(client, "walrus", **params)
    assert "2 results" in page
    (link,) = set(re.findall(r'href="(/search\?[^"]*page=2[^"]*)"', page))
    link = link.replace("&amp;", "&")
    for name, value in {**params, "q": "walrus"}.items():
        assert f"{name}={value}" in link
    assert "topics_only" not in link
    second = client.get(link).get_data(as_text=True)
    assert len(hits(second)) == 1
    topics = search(client, "walrus", topics_only="y", **params)
    assert "1 result " in topics


def errors_of(page: str) -> str:
    return page.partition('class="form-errors"')[2].partition("</div>")[0]


def refused(client: FlaskClient, **params: Any) -> str:
    """A search whose filters are refused: a 200 page with the form, and no results."""
    response = client.get("/search", query_string={"q": "walrus", **params})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'class="form-errors" role="alert"' in page
    assert "results for" not in page and "No results" not in page
    return page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"author": "nobody"}, NO_AUTHOR),
        ({"author": "ali ce"}, NO_AUTHOR),
        ({"date_from": "2024-06-01", "date_to": "2024-05-31"}, NO_DATES),
        ({"date_from": "31/05/2024"}, BAD_DAY),
        ({"date_to": "2024-02-30"}, BAD_DAY),
        ({"date_to": "yesterday"}, BAD_DAY),
        ({"date_from": "0001-01-01"}, "Choose a day between 1970 and 9998."),
        ({"date_to": "9999-12-31"}, "Choose a day between 1970 and 9998."),
        ({"forum": "999999"}, UNKNOWN_FORUM),
        ({"forum": "abc"}, UNKNOWN_FORUM),
        ({"forum": "-1"}, UNKNOWN_FORUM),
        ({"forum": str(10**30)}, UNKNOWN_FORUM),
        ({"sort": "random"}, "Not a valid choice."),
    ],
)
def test_bad_filter_values_get_a_clear_message(
    client: FlaskClient, world: World, params: dict[str, str], message: object
) -> None:
    world.topic(content="walrus")
    page = refused(client, **params)
    assert str(message) in page


def test_a_forbidden_forum_behaves_as_an_unknown_one(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    world.topic("admin", forum=world.hidden_forum, title="Staff", content="walrus")
    login_as(auth, world, "member")
    hidden = refused(client, forum=str(world.hidden_forum))
    unknown = refused(client, forum="999999")
    assert str(UNKNOWN_FORUM) in hidden
    assert errors_of(hidden) == errors_of(unknown)
    assert "Staff room" not in hidden


def test_the_search_page_with_every_filter_runs_a_fixed_number_of_queries(
    app: Flask, client: FlaskClient, world: World
) -> None:
    path = (
        f"/search?q=walrus&forum={world.forum_a}&author=bob&date_from=2000-01-01"
        "&date_to=2990-01-01&topics_only=y&sort=date"
    )
    topic = world.topic("member2", title="Walrus", content="walrus")
    small = warm_queries_for(app, client, path)
    for _ in range(3):
        world.topic("member2", title="Walrus", content="walrus")
        world.reply(topic, "member2", content="walrus again")
    large = warm_queries_for(app, client, path)
    assert "4 results" in search(
        client, "walrus", forum=world.forum_a, author="bob", topics_only="y", sort="date"
    )
    assert small == large
    # As without filters, and the author's account.
    assert large <= 6


@pytest.mark.parametrize("path", ["/", "/auth/login", "/auth/register", "/search"])
def test_every_page_has_the_search_box_in_its_header(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    page = response.get_data(as_text=True)
    header = page.partition('<header class="site-header">')[2].partition("</header>")[0]
    assert 'role="search"' in header
    assert 'method="get" action="/search"' in header
    assert '<label for="header-q"' in header
    assert 'name="q"' in header
