"""The member list and who's online, through the test client; and the reading pages'
fixed query counts and indexes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from forumapp.extensions import db
from forumapp.forum.factories import PRESENCE_KEY
from forumapp.forum.presence import Presence
from forumapp.sqltypes import utcnow
from forumapp.users.models import User
from tests.conftest import ON_POSTGRESQL, AuthActions, MakeUser
from tests.fakes import FixedClock
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as
from tests.functional.test_forum_query_counts import counted_queries, queries_for
from tests.functional.test_listing_indexes import plan_of, statement_of
from tests.functional.test_reading_pages import listed_titles, text_of


def member_names(page: str) -> list[str]:
    """The names on a page of the member list, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        part.split('">', 1)[1].split("</a>", 1)[0]
        for part in body.split('<a class="title" href="/user/')[1:]
    ]


def set_posts(app: Flask, counts: dict[str, int]) -> None:
    """Give members post counts, by name."""
    with app.app_context():
        for name, count in counts.items():
            db.session.execute(update(User).where(User.username == name).values(post_count=count))
        db.session.commit()


# /members -----------------------------------------------------------------------------


def test_members_sort_by_name_join_date_and_posts(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    for name in ("carol", "Alice", "bob"):
        make_user(name)
    make_user("dormant", activated=False)
    set_posts(app, {"carol": 5, "Alice": 1, "bob": 9})
    assert member_names(text_of(client, "/members")) == ["Alice", "bob", "carol"]
    assert member_names(text_of(client, "/members?sort=name&order=desc")) == [
        "carol",
        "bob",
        "Alice",
    ]
    assert member_names(text_of(client, "/members?sort=joined&order=asc")) == [
        "carol",
        "Alice",
        "bob",
    ]
    assert member_names(text_of(client, "/members?sort=posts&order=desc")) == [
        "bob",
        "carol",
        "Alice",
    ]
    page = text_of(client, "/members?sort=posts&order=asc")
    assert member_names(page) == ["Alice", "carol", "bob"]
    assert 'aria-sort="ascending"' in page


def test_members_search_by_name_prefix_in_any_case(
    client: FlaskClient, make_user: MakeUser
) -> None:
    for name in ("anna", "Annabel", "bob", "ann_b"):
        make_user(name)
    assert member_names(text_of(client, "/members?q=ANN")) == ["ann_b", "anna", "Annabel"]
    assert member_names(text_of(client, "/members?q=annab")) == ["Annabel"]
    assert "No member\u2019s name starts with \u201czed\u201d" in text_of(client, "/members?q=zed")


def test_members_page_through_the_list(
    app: Flask, client: FlaskClient, make_user: MakeUser
) -> None:
    app.config["MEMBERS_PER_PAGE"] = 2
    for name in ("m1", "m2", "m3", "m4", "m5"):
        make_user(name)
    assert member_names(text_of(client, "/members?page=2")) == ["m3", "m4"]
    page = text_of(client, "/members?sort=name&order=desc&page=3")
    assert member_names(page) == ["m1"]
    # The page links keep the sort.
    assert 'href="/members?page=2&amp;sort=name&amp;order=desc"' in page


@pytest.mark.parametrize(
    "query",
    [
        "sort=email",
        "order=sideways",
        "q=" + "x" * 200,
        "q=a%00b",
        "q=a%0Ab",
        "page=-3",
        "sort=posts&sort=name",
    ],
)
def test_bad_member_list_arguments_give_the_default_list_never_an_error(
    client: FlaskClient, make_user: MakeUser, query: str
) -> None:
    make_user("alice")
    page = text_of(client, f"/members?{query}")
    assert member_names(page) == ["alice"]


def test_the_member_list_can_be_closed_to_guests(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    app.config["MEMBER_LIST_FOR_GUESTS"] = False
    response = client.get("/members")
    assert response.status_code == 302 and "/auth/login" in response.location
    assert 'href="/members"' not in text_of(client, "/")
    login_as(auth, world, "member")
    assert "alice" in member_names(text_of(client, "/members"))


# Who's online -------------------------------------------------------------------------


def updates_to_users(statements: list[str]) -> list[str]:
    """The statements that write the users table."""
    return [s for s in statements if s.lstrip().upper().startswith("UPDATE USERS")]


def test_whos_online_names_members_seen_lately_and_counts_guests(
    app: Flask, world: World, auth: AuthActions
) -> None:
    app.config["PRESENCE_FLUSH_SECONDS"] = 86400
    bob, guest, carol = app.test_client(), app.test_client(), app.test_client()
    for n, client in enumerate((bob, guest, carol), start=1):
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{n}"
    login_as(AuthActions(bob), world, "member2")  # a guest until logged in
    text_of(bob, "/")
    text_of(guest, "/new")
    text_of(carol, "/")
    page = text_of(carol, "/")
    assert "1 member and 2 guests in the last 15 minutes:" in page
    box = page.split('id="online-title"', 1)[1].split("</section>", 1)[0]
    assert '<a href="/user/bob">' in box
    # A member sees themself at once.
    alice = app.test_client()
    login_as(AuthActions(alice), world, "member")
    assert '<a href="/user/alice">' in text_of(alice, "/").split('id="online-title"', 1)[1]


def test_whos_online_writes_no_row_per_request_and_one_statement_per_flush(
    app: Flask, world: World
) -> None:
    # The worker's record, on a clock of the test's (the app builds it on first use).
    clock = FixedClock(utcnow())
    app.extensions[PRESENCE_KEY] = Presence(clock, timedelta(minutes=15), timedelta(minutes=1))
    clients = []
    for role in ("member", "member2", "moderator"):
        client = app.test_client()
        login_as(AuthActions(client), world, role)
        clients.append(client)
    with counted_queries(app) as statements:
        for client in clients * 3:
            text_of(client, "/new")
    assert updates_to_users(statements) == []
    with app.app_context():
        seen = db.session.scalars(select(User.last_seen).where(User.id.in_(world.users.values())))
        assert set(seen) == {None}

    # Once the flush is due, the next request writes every pending time in one statement.
    clock.advance(minutes=1)
    with counted_queries(app) as statements:
        text_of(clients[0], "/new")
    assert len(updates_to_users(statements)) == 1
    with app.app_context():
        rows = db.session.execute(
            select(User.username, User.last_seen).where(User.last_seen.is_not(None))
        ).all()
    assert sorted(name for name, _ in rows) == ["alice", "bob", "mod_a"]


def test_a_member_back_after_a_while_keeps_the_end_of_the_previous_visit(
    app: Flask, world: World, auth: AuthActions, client: FlaskClient
) -> None:
    app.config["PRESENCE_FLUSH_SECONDS"] = 0
    earlier = utcnow() - timedelta(hours=6)
    alice = world.users["member"]
    with app.app_context():
        db.session.execute(update(User).where(User.id == alice).values(last_seen=earlier))
        db.session.commit()
    login_as(auth, world, "member")
    text_of(client, "/new")
    text_of(client, "/new")  # within the visit: the previous one's end stays
    with app.app_context():
        user = db.session.get(User, alice)
        assert user is not None
        assert user.last_visit_at == earlier
        assert user.last_seen is not None and user.last_seen > earlier


# Query counts and indexes -------------------------------------------------------------


def grow_readers(world: World, make_user: MakeUser, n: int, batch: str) -> None:
    """Add ``n`` members and ``n`` topics by bob."""
    for i in range(n):
        make_user(f"reader{batch}{i}")
        world.topic("member2", title=f"Grown {batch}{i}")


@pytest.mark.parametrize("config_overrides", [{"PRESENCE_FLUSH_SECONDS": 86400}])
@pytest.mark.parametrize("role", ["guest", "member"])
def test_reading_page_query_counts_do_not_grow_with_data(
    app: Flask,
    client: FlaskClient,
    world: World,
    auth: AuthActions,
    make_user: MakeUser,
    role: str,
    config_overrides: dict[str, Any],
) -> None:
    app.config.update(TOPICS_PER_PAGE=5, MEMBERS_PER_PAGE=5)
    paths = ["/", "/new", "/members", "/members?sort=posts&order=desc&q=r"]
    if role == "member":
        login_as(auth, world, role)
        paths.append("/unread")
    grow_readers(world, make_user, 2, "a")
    small = {path: queries_for(app, client, path) for path in paths}
    grow_readers(world, make_user, 12, "b")
    large = {path: queries_for(app, client, path) for path in paths}
    assert small == large
    assert max(large.values()) <= 8, large
    if role == "member":
        assert listed_titles(text_of(client, "/unread"))  # the listing is not empty


@pytest.mark.parametrize(
    ("path", "marker", "index"),
    [
        ("/new", "ORDER BY topics.created_at DESC", "ix_topics_created_at"),
        ("/unread", "ORDER BY topics.last_post_at DESC", "ix_topics_last_post_at"),
        ("/members?sort=posts&order=desc", "ORDER BY users.post_count DESC", "ix_users_post_count"),
        ("/members?sort=joined", "ORDER BY users.date_joined", "ix_users_date_joined"),
        ("/members?q=al", "ORDER BY users.username_key", "username_key"),
        ("/", "users.last_seen >", "ix_users_last_seen"),
    ],
)
def test_reading_listings_are_read_from_indexes(
    app: Flask,
    client: FlaskClient,
    world: World,
    auth: AuthActions,
    path: str,
    marker: str,
    index: str,
) -> None:
    world.topic()
    login_as(auth, world, "member")
    plan = plan_of(app, *statement_of(app, client, path, marker))
    assert index in plan, plan
    if not ON_POSTGRESQL:
        assert "TEMP B-TREE" not in plan, plan
