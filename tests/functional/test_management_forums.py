"""The categories-and-forums area of the panel: who may open it, every action, what the
forum looks like afterwards (visibility, moderation, order, counters) and the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from forumapp.extensions import db
from forumapp.forum.errors import InvalidInput
from forumapp.forum.models import Category, Forum, Topic, forum_groups, forum_moderators
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.management.audit.models import AuditEntry
from forumapp.management.forums.services import ForumAdministration, ForumDraft
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.conftest import AuthActions, MakeUser
from tests.forum_world import World, ban
from tests.functional.test_forum_counters import stored_and_recounted
from tests.functional.test_forum_pages import login_as, post_form
from tests.functional.test_page_structure import check_page

# Pages (GET) and buttons (POST) of the area; {category} and {forum} are filled in.
PAGES = [
    "/admin/forums",
    "/admin/categories/new",
    "/admin/categories/{category}/edit",
    "/admin/categories/{category}/delete",
    "/admin/forums/new",
    "/admin/forums/{forum}/edit",
    "/admin/forums/{forum}/delete",
]
BUTTONS = ["/admin/categories/{category}/move", "/admin/forums/{forum}/move"]
#: Only administrators may open the area; everybody else logs in first or gets 403.
EXPECTED = {
    "guest": "login",
    "member": 403,
    "banned": 403,
    "moderator": 403,
    "super_moderator": 403,
    "admin": "ok",
}


@pytest.fixture
def category(world: World) -> int:
    """The world's one category ("General", holding forums A, B and the staff room)."""
    with world.app.app_context():
        category_id = db.session.scalar(select(Category.id).where(Category.title == "General"))
        assert category_id is not None
        return category_id


def as_admin(client: FlaskClient, auth: AuthActions, world: World) -> FlaskClient:
    login_as(auth, world, "admin")
    return client


def audit(app: Flask, action: str) -> list[AuditEntry]:
    """Audit entries of one action, oldest first (detached)."""
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
        db.session.expunge_all()
        return list(entries)


def field_errors(response: Any, field: str) -> str:
    """The errors shown next to a field (empty when it has none)."""
    page = response.get_data(as_text=True)
    if f'id="{field}-error">' not in page:
        return ""
    return str(page.split(f'id="{field}-error">', 1)[1].split("</ul>", 1)[0])


def forum_row(app: Flask, forum_id: int) -> Forum | None:
    with app.app_context():
        forum = db.session.get(Forum, forum_id)
        if forum is not None:
            db.session.expunge(forum)
        return forum


def post_count(app: Flask, user_id: int) -> int:
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return user.post_count


def group_id(app: Flask, key: GroupKey) -> int:
    with app.app_context():
        found = db.session.scalar(select(Group.id).where(Group.key == key))
        assert found is not None
        return found


def all_groups(app: Flask) -> list[str]:
    with app.app_context():
        return [str(g) for g in db.session.scalars(select(Group.id).order_by(Group.id))]


def forum_order(app: Flask) -> list[str]:
    """Forum titles in the order of the index (categories first)."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(Forum.title)
                .join(Category, Category.id == Forum.category_id)
                .order_by(Category.position, Category.id, Forum.position, Forum.id)
            )
        )


def settings_of(app: Flask, forum_id: int, **changes: Any) -> dict[str, Any]:
    """The edit form of a forum as it stands, with ``changes`` applied."""
    with app.app_context():
        forum = db.session.get(Forum, forum_id)
        assert forum is not None
        groups = db.session.scalars(
            select(forum_groups.c.group_id).where(forum_groups.c.forum_id == forum_id)
        ).all()
        moderators = db.session.scalars(
            select(User.username)
            .join(forum_moderators, forum_moderators.c.user_id == User.id)
            .where(forum_moderators.c.forum_id == forum_id)
        ).all()
        data: dict[str, Any] = {
            "category_id": str(forum.category_id),
            "title": forum.title,
            "description": forum.description,
            "groups": [str(g) for g in groups],
            "moderators": ", ".join(moderators),
        }
        if forum.locked:
            data["locked"] = "y"
    return {**data, **changes}


# Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(EXPECTED))
def test_role_matrix_over_the_area(
    client: FlaskClient,
    world: World,
    auth: AuthActions,
    make_user: MakeUser,
    category: int,
    role: str,
) -> None:
    if role == "super_moderator":
        make_user("supermod", group=GroupKey.SUPER_MOD)
        assert auth.login("supermod").status_code == 302
    elif role != "guest":
        login_as(auth, world, role)
    expected = EXPECTED[role]
    for template in PAGES + BUTTONS:
        url = template.format(category=category, forum=world.forum_b)
        if template in BUTTONS:
            response = post_form(client, url, direction="up")
        else:
            response = client.get(url)
        if expected == "login":
            assert response.status_code == 302, url
            assert response.location.startswith("/auth/login"), url
        elif expected == "ok":
            assert response.status_code == (302 if template in BUTTONS else 200), url
        else:
            assert response.status_code == expected, url


def test_only_admins_see_the_area_in_the_panel_navigation(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "moderator")
    assert 'href="/admin/forums"' not in client.get("/admin/users").get_data(as_text=True)
    auth.logout()
    as_admin(client, auth, world)
    assert 'href="/admin/forums"' in client.get("/admin/").get_data(as_text=True)


def test_a_stale_login_is_sent_to_reauth(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, category: int
) -> None:
    as_admin(client, auth, world)
    app.config["REAUTH_WINDOW_SECONDS"] = -1
    response = client.get(f"/admin/categories/{category}/edit")
    assert response.status_code == 302
    assert response.location.startswith("/auth/reauth?next=/admin/categories/")
    moved = post_form(client, f"/admin/forums/{world.forum_b}/move", direction="up")
    assert moved.location.startswith("/auth/reauth")
    assert forum_order(app)[:2] == ["Forum A", "Forum B"]


def test_every_page_is_well_formed_and_accessible(
    client: FlaskClient, world: World, auth: AuthActions, category: int
) -> None:
    as_admin(client, auth, world)
    for template in PAGES:
        url = template.format(category=category, forum=world.forum_a)
        response = client.get(url)
        assert response.status_code == 200, url
        check_page(response.get_data(as_text=True), url)
    # With errors shown next to the fields, too.
    invalid = post_form(client, "/admin/forums/new", title="", moderators="nobody")
    check_page(invalid.get_data(as_text=True), "/admin/forums/new (invalid)")
    invalid = post_form(client, f"/admin/forums/{world.forum_a}/delete", topics="move")
    check_page(invalid.get_data(as_text=True), "/admin/forums/delete (invalid)")


def test_every_post_needs_a_csrf_token(
    client: FlaskClient, world: World, auth: AuthActions, category: int
) -> None:
    as_admin(client, auth, world)
    for template in [*PAGES[1:], *BUTTONS]:
        url = template.format(category=category, forum=world.forum_a)
        assert client.post(url, data={"title": "x", "direction": "up"}).status_code == 400, url
    assert forum_row(world.app, world.forum_a) is not None


def test_unknown_and_impossible_ids_answer_404(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    as_admin(client, auth, world)
    for url in (
        "/admin/categories/999999/edit",
        "/admin/categories/999999/delete",
        "/admin/forums/999999/edit",
        "/admin/forums/999999/delete",
        f"/admin/forums/{10**20}/edit",
        "/admin/forums/0/edit",
        "/admin/forums/-1/edit",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        "/admin/categories/999999/edit",
        "/admin/categories/999999/move",
        "/admin/forums/999999/move",
        "/admin/forums/999999/delete",
    ):
        assert post_form(client, url, title="T", direction="up", topics="remove").status_code == (
            404
        ), url


# Categories -----------------------------------------------------------------------------


def test_create_and_edit_a_category(client: FlaskClient, world: World, auth: AuthActions) -> None:
    as_admin(client, auth, world)
    response = post_form(
        client, "/admin/categories/new", title="Off topic", description="Anything goes"
    )
    assert response.status_code == 302
    with world.app.app_context():
        created = db.session.scalar(select(Category).where(Category.title == "Off topic"))
        assert created is not None
        assert created.description == "Anything goes"
        new_id = created.id
    assert response.location == f"/admin/forums#category-{new_id}"
    page = client.get("/admin/forums").get_data(as_text=True)
    assert "The category Off topic is created." in page
    general = page.index('<h2 id="category-1">General</h2>')
    assert general < page.index(f'<h2 id="category-{new_id}">Off topic</h2>')  # new ones go last

    edit = client.get(f"/admin/categories/{new_id}/edit").get_data(as_text=True)
    assert 'value="Off topic"' in edit
    assert post_form(
        client, f"/admin/categories/{new_id}/edit", title="Chatter", description=""
    ).status_code == (302)
    [create] = audit(world.app, "category.create")
    assert (create.target_id, create.target_label, create.actor_name) == (
        new_id,
        "Off topic",
        "root",
    )
    [update] = audit(world.app, "category.update")
    assert "'Off topic' → 'Chatter'" in update.details
    assert "description" in update.details
    # Saving without a change records nothing.
    post_form(client, f"/admin/categories/{new_id}/edit", title="Chatter", description="")
    assert len(audit(world.app, "category.update")) == 1


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Give it a title."),
        ("   ", "Give it a title."),
        ("x" * 151, "Use at most 150 characters."),
        ("bad\x00title", "Remove the control characters from this field."),
    ],
)
def test_category_titles_are_validated_next_to_the_field(
    client: FlaskClient, world: World, auth: AuthActions, title: str, message: str
) -> None:
    as_admin(client, auth, world)
    response = post_form(client, "/admin/categories/new", title=title)
    assert response.status_code == 200
    assert f"<li>{message}</li>" in field_errors(response, "title")
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert audit(world.app, "category.create") == []


def test_reorder_categories_and_forums(
    client: FlaskClient, world: World, auth: AuthActions, category: int
) -> None:
    as_admin(client, auth, world)
    post_form(client, "/admin/categories/new", title="Second")
    with world.app.app_context():
        second = db.session.scalar(select(Category.id).where(Category.title == "Second"))
    post_form(client, "/admin/forums/new", **settings_of(world.app, world.forum_a, title="C"))
    with world.app.app_context():
        forum_c = db.session.scalar(select(Forum.id).where(Forum.title == "C"))
    post_form(
        client,
        f"/admin/forums/{forum_c}/edit",
        **settings_of(world.app, forum_c, category_id=str(second)),
    )
    assert forum_order(world.app) == ["Forum A", "Forum B", "Staff room", "C"]

    response = post_form(client, f"/admin/categories/{second}/move", direction="up")
    assert response.status_code == 302
    assert response.location == f"/admin/forums#category-{second}"
    assert forum_order(world.app) == ["C", "Forum A", "Forum B", "Staff room"]
    # The forum index shows the same order.
    as_shown = client.get("/").get_data(as_text=True)
    assert as_shown.index(">C<") < as_shown.index("Forum A") < as_shown.index("Forum B")

    response = post_form(client, f"/admin/forums/{world.forum_b}/move", direction="up")
    assert response.location == f"/admin/forums#forum-{world.forum_b}"
    assert forum_order(world.app) == ["C", "Forum B", "Forum A", "Staff room"]
    post_form(client, f"/admin/forums/{world.forum_a}/move", direction="down")
    assert forum_order(world.app) == ["C", "Forum B", "Staff room", "Forum A"]
    # Already first: nothing changes and nothing is recorded.
    assert post_form(client, f"/admin/forums/{forum_c}/move", direction="up").status_code == 302
    assert forum_order(world.app) == ["C", "Forum B", "Staff room", "Forum A"]
    assert [e.details for e in audit(world.app, "forum.move")] == ["up", "down"]
    assert [e.target_id for e in audit(world.app, "category.move")] == [second]


def test_moving_needs_a_direction(client: FlaskClient, world: World, auth: AuthActions) -> None:
    as_admin(client, auth, world)
    for direction in ("", "sideways", "UP"):
        url = f"/admin/forums/{world.forum_a}/move"
        assert post_form(client, url, direction=direction).status_code == 400


def test_the_overview_offers_only_the_moves_that_exist(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    as_admin(client, auth, world)
    page = client.get("/admin/forums").get_data(as_text=True)
    assert page.count("Move up<span") == 2  # Forum B and the staff room
    assert page.count("Move down<span") == 2  # Forum A and Forum B
    assert "the category General" in page  # edit and delete, with a hidden name
    assert 'Move up<span class="visually-hidden"> the category' not in page


def test_delete_an_empty_category(client: FlaskClient, world: World, auth: AuthActions) -> None:
    as_admin(client, auth, world)
    post_form(client, "/admin/categories/new", title="Empty")
    with world.app.app_context():
        empty = db.session.scalar(select(Category.id).where(Category.title == "Empty"))
    confirm = client.get(f"/admin/categories/{empty}/delete").get_data(as_text=True)
    assert "It has no forums." in confirm
    response = post_form(client, f"/admin/categories/{empty}/delete")
    assert response.status_code == 302
    with world.app.app_context():
        assert db.session.get(Category, empty) is None
    [entry] = audit(world.app, "category.delete")
    assert (entry.target_label, entry.details) == ("Empty", "it had no forums")


def test_delete_a_category_moving_its_forums(
    client: FlaskClient, world: World, auth: AuthActions, category: int
) -> None:
    topic = world.topic(forum=world.forum_a)
    as_admin(client, auth, world)
    # No other category yet: the page says what to do instead of offering the button.
    lonely = client.get(f"/admin/categories/{category}/delete").get_data(as_text=True)
    assert "need another category" in lonely
    assert "Delete the category</button>" not in lonely

    post_form(client, "/admin/categories/new", title="New home")
    with world.app.app_context():
        home = db.session.scalar(select(Category.id).where(Category.title == "New home"))
    refused = post_form(client, f"/admin/categories/{category}/delete", target_category_id="")
    assert refused.status_code == 200
    assert "Choose the category its forums move to." in refused.get_data(as_text=True)
    itself = post_form(
        client, f"/admin/categories/{category}/delete", target_category_id=str(category)
    )
    assert "Not a valid choice." in itself.get_data(as_text=True)
    with world.app.app_context():
        assert db.session.get(Category, category) is not None

    response = post_form(
        client, f"/admin/categories/{category}/delete", target_category_id=str(home)
    )
    assert response.status_code == 302
    with world.app.app_context():
        assert db.session.get(Category, category) is None
        moved = db.session.scalars(
            select(Forum.category_id).where(
                Forum.id.in_([world.forum_a, world.forum_b, world.hidden_forum])
            )
        ).all()
        assert set(moved) == {home}
    assert forum_order(world.app) == ["Forum A", "Forum B", "Staff room"]
    assert client.get(f"/topic/{topic}").status_code == 200
    [entry] = audit(world.app, "category.delete")
    assert entry.details == f"3 forum(s) moved to 'New home' (#{home})"


# Forums ---------------------------------------------------------------------------------


def test_create_a_forum_with_groups_and_moderators(
    client: FlaskClient, world: World, auth: AuthActions, category: int
) -> None:
    as_admin(client, auth, world)
    form = client.get(f"/admin/forums/new?category={category}").get_data(as_text=True)
    assert f'<option selected value="{category}">General</option>' in form
    assert form.count('name="groups" type="checkbox"') == len(all_groups(world.app))
    assert form.count("checked") == len(all_groups(world.app))  # visible to all by default
    response = post_form(
        client,
        "/admin/forums/new",
        category_id=str(category),
        title="Announcements",
        description="News from the team",
        locked="y",
        groups=[str(group_id(world.app, GroupKey.MEMBER)), str(group_id(world.app, GroupKey.MOD))],
        moderators="BOB, bob mod_a",
    )
    assert response.status_code == 302
    with world.app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.title == "Announcements"))
        assert forum is not None
        assert (forum.locked, forum.description, forum.position) == (True, "News from the team", 3)
        new_id = forum.id
    assert response.location == f"/admin/forums#forum-{new_id}"
    page = client.get("/admin/forums").get_data(as_text=True)
    assert "Moderator, Member" in page
    assert "bob, mod_a" in page
    [entry] = audit(world.app, "forum.create")
    assert entry.target_id == new_id
    assert entry.details == "in 'General'; visible to: Moderator, Member; moderators: bob, mod_a"
    # Guests do not see it; members do, and as it is locked only its moderators post.
    auth.logout()
    assert client.get(f"/forum/{new_id}").status_code == 404
    login_as(auth, world, "member2")
    assert client.get(f"/forum/{new_id}").status_code == 200
    assert client.get(f"/forum/{new_id}/new-topic").status_code == 200  # bob moderates it


def test_changing_visibility_hides_a_forum_from_a_group(
    client: FlaskClient, world: World, auth: AuthActions, app: Flask
) -> None:
    topic = world.topic(forum=world.forum_a)
    member_browser = app.test_client()
    login_as(AuthActions(member_browser), world, "member")
    assert member_browser.get(f"/forum/{world.forum_a}").status_code == 200
    as_admin(client, auth, world)
    staff = [str(group_id(app, GroupKey.ADMIN)), str(group_id(app, GroupKey.MOD))]
    response = post_form(
        client,
        f"/admin/forums/{world.forum_a}/edit",
        **settings_of(app, world.forum_a, groups=staff),
    )
    assert response.status_code == 302
    for path in (f"/forum/{world.forum_a}", f"/topic/{topic}", f"/forum/{world.forum_a}/new-topic"):
        assert member_browser.get(path).status_code == 404, path
    assert "Forum A" not in member_browser.get("/").get_data(as_text=True)
    assert client.get(f"/forum/{world.forum_a}").status_code == 200
    [entry] = audit(app, "forum.groups")
    assert entry.details.startswith("visible to: Administrator, Moderator (was: ")
    assert audit(app, "forum.update") == []  # nothing else changed
    # And back.
    everyone = all_groups(app)
    post_form(
        client,
        f"/admin/forums/{world.forum_a}/edit",
        **settings_of(app, world.forum_a, groups=everyone),
    )
    assert member_browser.get(f"/topic/{topic}").status_code == 200


def test_appointing_a_moderator_lets_them_moderate(
    client: FlaskClient, world: World, auth: AuthActions, app: Flask
) -> None:
    topic = world.topic(forum=world.forum_b, role="member2")
    alice = app.test_client()
    login_as(AuthActions(alice), world, "member")
    lock = {"action": "lock", "topic_ids": str(topic)}
    assert post_form(alice, f"/forum/{world.forum_b}/moderate", **lock).status_code == 403

    as_admin(client, auth, world)
    edit = f"/admin/forums/{world.forum_b}/edit"
    assert 'value="mod_b"' in client.get(edit).get_data(as_text=True)
    response = post_form(client, edit, **settings_of(app, world.forum_b, moderators="mod_b, Alice"))
    assert response.status_code == 302
    assert post_form(alice, f"/forum/{world.forum_b}/moderate", **lock).status_code == 302
    with app.app_context():
        locked = db.session.get(Topic, topic)
        assert locked is not None and locked.locked
    [entry] = audit(app, "forum.moderators")
    assert entry.details == "appointed: alice"

    post_form(client, edit, **settings_of(app, world.forum_b, moderators="mod_b"))
    unlock = {"action": "unlock", "topic_ids": str(topic)}
    assert post_form(alice, f"/forum/{world.forum_b}/moderate", **unlock).status_code == 403
    assert [e.details for e in audit(app, "forum.moderators")] == [
        "appointed: alice",
        "removed: alice",
    ]


def test_edit_a_forums_title_lock_and_category(
    client: FlaskClient, world: World, auth: AuthActions, app: Flask
) -> None:
    as_admin(client, auth, world)
    post_form(client, "/admin/categories/new", title="Elsewhere")
    with app.app_context():
        elsewhere = db.session.scalar(select(Category.id).where(Category.title == "Elsewhere"))
    response = post_form(
        client,
        f"/admin/forums/{world.forum_a}/edit",
        **settings_of(
            app, world.forum_a, title="Forum Alpha", locked="y", category_id=str(elsewhere)
        ),
    )
    assert response.status_code == 302
    forum = forum_row(app, world.forum_a)
    assert forum is not None
    assert (forum.title, forum.locked, forum.category_id) == ("Forum Alpha", True, elsewhere)
    [entry] = audit(app, "forum.update")
    assert entry.details == (
        "category: 'General' → 'Elsewhere'; title: 'Forum A' → 'Forum Alpha'; locked: False → True"
    )
    assert audit(app, "forum.groups") == audit(app, "forum.moderators") == []
    auth.logout()
    login_as(auth, world, "member")
    assert client.get(f"/forum/{world.forum_a}/new-topic").status_code == 403


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"groups": []}, "groups", "Choose at least one group."),
        ({"groups": ["999999"]}, "groups", "&#39;999999&#39; is not a valid choice"),
        ({"groups": ["x"]}, "groups", "Invalid choice(s)"),
        (
            {"moderators": "nobody, alice, ghost"},
            "moderators",
            "No member is called nobody, ghost.",
        ),
        # A name typed into the message is text: escaped, never markup.
        ({"moderators": "<b>x</b>"}, "moderators", "No member is called &lt;b&gt;x&lt;/b&gt;."),
        ({"moderators": "mallory"}, "moderators", "Banned members cannot moderate: mallory."),
        ({"moderators": "a" * 33}, "moderators", "Usernames have at most 32 characters."),
        ({"moderators": ",".join(f"u{n}" for n in range(51))}, "moderators", "at most 50"),
        ({"category_id": "999999"}, "category_id", "Not a valid choice."),
        ({"category_id": str(10**30)}, "category_id", "Not a valid choice."),
        ({"category_id": "abc"}, "category_id", "Invalid Choice: could not coerce."),
        ({"title": ""}, "title", "Give it a title."),
        ({"description": "d" * 2001}, "description", "Use at most 2000 characters."),
    ],
)
def test_forum_settings_are_validated_next_to_the_field(
    client: FlaskClient,
    world: World,
    auth: AuthActions,
    app: Flask,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    ban(app, world.users["banned"])
    as_admin(client, auth, world)
    before = settings_of(app, world.forum_a)
    response = post_form(
        client, f"/admin/forums/{world.forum_a}/edit", **settings_of(app, world.forum_a, **changes)
    )
    assert response.status_code == 200
    assert message in field_errors(response, field)
    assert settings_of(app, world.forum_a) == before
    assert audit(app, "forum.update") == audit(app, "forum.groups") == []


def test_a_new_forum_needs_a_category_first(
    client: FlaskClient, world: World, auth: AuthActions, app: Flask
) -> None:
    with app.app_context():
        db.session.execute(text("DELETE FROM categories"))
        db.session.commit()
    as_admin(client, auth, world)
    assert "Create a category" in client.get("/admin/forums/new").get_data(as_text=True)
    assert "There are no categories yet." in client.get("/admin/forums").get_data(as_text=True)
    refused = post_form(client, "/admin/forums/new", title="X", groups=all_groups(app))
    assert refused.status_code == 200
    assert audit(app, "forum.create") == []


def test_delete_a_forum_moving_its_topics(
    client: FlaskClient, world: World, auth: AuthActions, app: Flask
) -> None:
    moved_topic = world.topic(forum=world.forum_a, title="Moving house")
    world.reply(moved_topic, "member2")
    world.topic(forum=world.forum_a, title="Second")
    staying = world.topic(forum=world.forum_b, role="member2", title="Staying")
    counts = {role: post_count(app, world.users[role]) for role in ("member", "member2")}
    assert counts == {"member": 2, "member2": 2}

    as_admin(client, auth, world)
    confirm = client.get(f"/admin/forums/{world.forum_a}/delete").get_data(as_text=True)
    assert "It holds 2 topics with 3 posts" in confirm
    assert f'value="{world.forum_a}"' not in confirm  # not a target for itself
    response = post_form(
        client,
        f"/admin/forums/{world.forum_a}/delete",
        topics="move",
        target_forum_id=str(world.forum_b),
    )
    assert response.status_code == 302
    assert forum_row(app, world.forum_a) is None
    target = forum_row(app, world.forum_b)
    assert target is not None
    assert (target.topic_count, target.post_count) == (3, 4)
    assert client.get(f"/topic/{moved_topic}").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Topic.forum_id).where(Topic.id == staying)) == (
            world.forum_b
        )
    assert {role: post_count(app, world.users[role]) for role in counts} == counts
    stored, fresh = stored_and_recounted(app)
    assert stored == fresh
    [entry] = audit(app, "forum.delete")
    assert (entry.target_id, entry.target_label) == (world.forum_a, "Forum A")
    assert entry.details == f"move: 2 topic(s) to 'Forum B' (#{world.forum_b})"


def test_delete_a_forum_removing_its_topics(
    client: FlaskClient, world: World, auth: AuthActions, app: Flask
) -> None:
    doomed = world.topic(forum=world.forum_a, title="Doomed", content="xylophonist")
    world.reply(doomed, "member2")
    world.reply(doomed, "member")
    world.topic(forum=world.forum_b, title="Kept")
    world.reply(world.topic(forum=world.forum_b, role="member2"), "member")
    login_as(AuthActions(client), world, "moderator")
    hidden = world.reply(doomed, "member2", "hidden by a moderator")
    post_form(client, f"/post/{hidden}/moderate", action="hide")
    auth.logout()
    assert post_count(app, world.users["member"]) == 4
    assert post_count(app, world.users["member2"]) == 2

    as_admin(client, auth, world)
    refused = post_form(client, f"/admin/forums/{world.forum_a}/delete")
    assert "Choose what happens to its topics." in refused.get_data(as_text=True)
    response = post_form(client, f"/admin/forums/{world.forum_a}/delete", topics="remove")
    assert response.status_code == 302
    assert forum_row(app, world.forum_a) is None
    assert client.get(f"/topic/{doomed}").status_code == 404
    assert client.get(f"/forum/{world.forum_a}").status_code == 404
    assert post_count(app, world.users["member"]) == 2
    assert post_count(app, world.users["member2"]) == 1
    stored, fresh = stored_and_recounted(app)
    assert stored == fresh
    assert "No results" in client.get("/search?q=xylophonist").get_data(as_text=True)
    [entry] = audit(app, "forum.delete")
    assert entry.details == "remove: 1 topic(s) with their posts"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"topics": "move"}, "Choose the forum its topics move to."),
        ({"topics": "move", "target_forum_id": "{forum_a}"}, "Not a valid choice."),
        ({"topics": "move", "target_forum_id": "999999"}, "Not a valid choice."),
        ({"topics": "move", "target_forum_id": "x"}, "Invalid Choice: could not coerce."),
        ({"topics": "burn"}, "Not a valid choice."),
    ],
)
def test_deleting_a_forum_validates_the_choice(
    client: FlaskClient,
    world: World,
    auth: AuthActions,
    data: dict[str, str],
    message: str,
) -> None:
    topic = world.topic(forum=world.forum_a)
    as_admin(client, auth, world)
    filled = {name: value.format(forum_a=world.forum_a) for name, value in data.items()}
    response = post_form(client, f"/admin/forums/{world.forum_a}/delete", **filled)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert forum_row(world.app, world.forum_a) is not None
    assert client.get(f"/topic/{topic}").status_code == 200
    assert audit(world.app, "forum.delete") == []


def test_the_audit_log_lists_the_area_actions(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    as_admin(client, auth, world)
    post_form(client, "/admin/categories/new", title="Audited")
    post_form(client, f"/admin/forums/{world.forum_b}/move", direction="up")
    post_form(client, f"/admin/forums/{world.forum_b}/delete", topics="remove")
    page = client.get("/admin/audit").get_data(as_text=True)
    for action in ("category.create", "forum.move", "forum.delete"):
        assert f"<code>{action}</code>" in page
    filtered = client.get("/admin/audit?action=forum.delete").get_data(as_text=True)
    assert "remove: 0 topic(s)" in filtered
    assert "category.create</code>" not in filtered


def test_a_reference_deleted_meanwhile_is_a_form_error_not_a_500(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks pass, then a concurrent request deletes the category before the insert."""
    with app.app_context():
        service = ForumAdministration(db.session, AuditLog(db.session, utcnow))
        gone = Category(id=999, title="Gone")
        monkeypatch.setattr(service, "_check", lambda draft: (gone, {}))
        draft = ForumDraft(999, "Orphan", "", False, frozenset({1}), ())
        with pytest.raises(InvalidInput) as refused:
            service.create_forum(Auditor(None, "test", ""), draft)
        assert refused.value.field == "form"
        assert db.session.scalar(select(Forum).where(Forum.title == "Orphan")) is None
    assert audit(app, "forum.create") == []
