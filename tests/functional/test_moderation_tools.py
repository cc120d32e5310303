"""Topic tools, bulk actions, Undo, deleted markers and the moderation flags, over HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from forumapp.extensions import db
from forumapp.forum.models import Topic
from forumapp.forum.structure import ForumStructure
from forumapp.management.audit.models import AuditEntry
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import any_csrf_token, login_as, post_form
from tests.functional.test_forum_query_counts import counted_queries
from tests.functional.test_management_users import group_id


def set_group_flags(app: Flask, key: GroupKey, **flags: bool) -> None:
    """Change a built-in group's permission flags."""
    with app.app_context():
        db.session.execute(update(Group).where(Group.key == key).values(**flags))
        db.session.commit()


def support_forum(world: World) -> int:
    """A second forum that the moderator of Forum A moderates too, in its own category."""
    with world.app.app_context():
        structure = ForumStructure(db.session)
        category = structure.create_category("Help")
        return structure.create_forum(
            category.id, "Support", moderators=[world.users["moderator"]]
        ).id


def topics(world: World, *ids: int) -> list[Topic]:
    with world.app.app_context():
        rows = db.session.scalars(select(Topic).where(Topic.id.in_(ids)).order_by(Topic.id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def moderate(client: FlaskClient, forum_id: int, *topic_ids: int, **data: Any) -> Any:
    """POST the bulk form and follow the redirect; returns the final response."""
    return client.post(
        f"/forum/{forum_id}/moderate",
        data={
            "csrf_token": any_csrf_token(client),
            "topic_ids": [str(t) for t in topic_ids],
            **data,
        },
        follow_redirects=True,
    )


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


def test_a_moderator_moves_two_topics_in_bulk_and_is_told_where(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    support = support_forum(world)
    first, second, third = (world.topic(title=f"Topic {n}") for n in range(3))
    login_as(auth, world, "moderator")
    response = moderate(
        client, world.forum_a, first, second, action="move", target_forum_id=support
    )
    assert "2 topics moved to Support." in text_of(response)
    assert [t.forum_id for t in topics(world, first, second, third)] == [
        support,
        support,
        world.forum_a,
    ]
    with world.app.app_context():
        moves = db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "topic.move")
        )
    assert moves == 2  # one entry per topic moved


def test_the_move_list_offers_only_forums_the_moderator_may_move_to_by_category(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    support = support_forum(world)
    world.topic()
    login_as(auth, world, "moderator")
    page = text_of(client.get(f"/forum/{world.forum_a}"))
    select_html = page[page.index('<select name="target_forum_id"') :]
    select_html = select_html[: select_html.index("</select>")]
    assert re.findall(r'<optgroup label="([^"]+)">', select_html) == ["Help"]
    assert re.findall(r'<option value="(\d+)">', select_html) == [str(support)]
    assert 'type="number"' not in page  # no id box


def test_messages_give_real_counts_with_plurals_that_agree(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    one, two = world.topic(title="One"), world.topic(title="Two")
    login_as(auth, world, "moderator")
    assert "1 topic locked." in text_of(moderate(client, world.forum_a, one, action="lock"))
    # Only the topic that was not locked yet counts.
    assert "1 topic locked." in text_of(moderate(client, world.forum_a, one, two, action="lock"))
    assert "2 topics pinned." in text_of(moderate(client, world.forum_a, one, two, action="pin"))
    assert "No topic unpinned" not in text_of(moderate(client, world.forum_a, one, action="unpin"))
    nothing = text_of(moderate(client, world.forum_a, one, action="unpin"))
    assert "No topic unpinned: the selected ones already were." in nothing


def test_the_word_pin_is_used_and_stick_is_gone(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    login_as(auth, world, "moderator")
    for path in (f"/forum/{world.forum_a}", f"/topic/{topic}"):
        page = text_of(client.get(path))
        assert 'value="pin"' in page
        assert "stick" not in page.lower().replace("sticky", "")
    assert (
        client.post(
            f"/forum/{world.forum_a}/moderate",
            data={"csrf_token": any_csrf_token(client), "topic_ids": str(topic), "action": "stick"},
        ).status_code
        == 400
    )


def test_deleting_asks_for_confirmation_and_changes_nothing_before(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    one, two = world.topic(title="Spam one"), world.topic(title="Spam two")
    login_as(auth, world, "moderator")
    page = text_of(moderate(client, world.forum_a, one, two, action="delete"))
    assert "Delete 2 topics?" in page
    assert "Spam one" in page and "Spam two" in page
    assert 'name="confirm" value="y"' in page
    assert not any(t.deleted for t in topics(world, one, two))


def test_undo_restores_exactly_what_the_delete_changed(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    earlier, one, two = (world.topic(title=f"T{n}") for n in range(3))
    login_as(auth, world, "moderator")
    moderate(client, world.forum_a, earlier, action="delete", confirm="y")
    page = text_of(moderate(client, world.forum_a, earlier, one, two, action="delete", confirm="y"))
    assert "2 topics deleted." in page
    undo = page[page.index('class="flash flash-info undo-form"') :]
    undo = undo[: undo.index("</form>")]
    assert 'name="action" value="restore"' in undo
    assert re.findall(r'name="topic_ids" value="(\d+)"', undo) == [str(one), str(two)]
    assert 'name="csrf_token"' in undo
    assert [t.deleted_by for t in topics(world, earlier, one, two)] == ["mod_a"] * 3
    # The offer shows once.
    assert "undo-form" not in text_of(client.get(f"/forum/{world.forum_a}"))

    page = text_of(moderate(client, world.forum_a, one, two, action="restore"))
    assert "2 topics restored." in page
    state = topics(world, earlier, one, two)
    assert [t.deleted for t in state] == [True, False, False]
    assert [(t.deleted_by, t.deleted_at) for t in state[1:]] == [(None, None), (None, None)]


def test_the_undo_form_needs_a_csrf_token(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    login_as(auth, world, "moderator")
    moderate(client, world.forum_a, topic, action="delete", confirm="y")
    response = client.post(
        f"/forum/{world.forum_a}/moderate", data={"action": "restore", "topic_ids": str(topic)}
    )
    assert response.status_code == 400
    assert topics(world, topic)[0].deleted


def test_staff_see_a_deleted_by_marker_and_members_never_see_deleted_content(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic(title="Gone topic")
    kept = world.topic(title="Kept topic")
    reply = world.reply(kept, "member2", "gone reply")
    login_as(auth, world, "moderator")
    moderate(client, world.forum_a, topic, action="delete", confirm="y")
    post_form(client, f"/post/{reply}/moderate", action="delete")
    listing = text_of(client.get(f"/forum/{world.forum_a}"))
    assert "Gone topic" in listing and "Deleted by mod_a" in listing
    topic_page = text_of(client.get(f"/topic/{topic}"))
    assert "This topic was deleted by mod_a" in topic_page
    assert 'value="restore"' in topic_page
    kept_page = text_of(client.get(f"/topic/{kept}"))
    assert "gone reply" in kept_page and "Deleted by mod_a" in kept_page
    auth.logout()
    login_as(auth, world, "member")
    assert "Gone topic" not in text_of(client.get(f"/forum/{world.forum_a}"))
    assert client.get(f"/topic/{topic}").status_code == 404
    kept_page = text_of(client.get(f"/topic/{kept}"))
    assert "gone reply" not in kept_page and "Deleted by" not in kept_page


def test_an_empty_selection_is_refused_with_a_message(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    login_as(auth, world, "moderator")
    page = text_of(moderate(client, world.forum_a, action="lock"))
    assert "Select at least one topic." in page
    assert not topics(world, topic)[0].locked


def test_an_unknown_topic_refuses_the_whole_selection(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    login_as(auth, world, "moderator")
    response = moderate(client, world.forum_a, topic, 999_999, action="lock")
    assert response.status_code == 404
    assert not topics(world, topic)[0].locked


def test_topics_of_a_forum_one_does_not_moderate_are_refused_as_a_whole(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    own, foreign = world.topic(), world.topic(forum=world.forum_b)
    login_as(auth, world, "moderator")
    assert moderate(client, world.forum_b, foreign, action="lock").status_code == 403
    assert moderate(client, world.forum_a, own, foreign, action="lock").status_code == 404
    assert not any(t.locked for t in topics(world, own, foreign))


@pytest.mark.parametrize("target", ["forum_b", "hidden_forum", "999999", "same"])
def test_a_forged_target_forum_is_refused(
    client: FlaskClient, world: World, auth: AuthActions, target: str
) -> None:
    topic = world.topic()
    login_as(auth, world, "moderator")
    value = {"forum_b": world.forum_b, "hidden_forum": world.hidden_forum, "same": world.forum_a}
    page = text_of(
        moderate(
            client, world.forum_a, topic, action="move", target_forum_id=value.get(target, target)
        )
    )
    assert "move topics to that forum" in page or "Choose another forum" in page
    assert topics(world, topic)[0].forum_id == world.forum_a


def test_a_target_forum_that_is_not_an_id_is_a_400(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic()
    login_as(auth, world, "moderator")
    response = post_form(
        client,
        f"/forum/{world.forum_a}/moderate",
        action="move",
        topic_ids=str(topic),
        target_forum_id="2 OR 1=1",
    )
    assert response.status_code == 400


def test_the_topic_page_has_the_tools_with_a_forum_list(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    support_forum(world)
    topic = world.topic()
    login_as(auth, world, "moderator")
    page = text_of(client.get(f"/topic/{topic}"))
    assert 'aria-labelledby="topic-tools-title"' in page
    assert '<label for="move-target">Move to</label>' in page
    assert '<optgroup label="Help">' in page
    for label in (">Lock<", ">Pin<", ">Delete…<", ">Move<"):
        assert label in page
    auth.logout()
    login_as(auth, world, "member")
    assert "topic-tools" not in text_of(client.get(f"/topic/{topic}"))


# --- the permission flags --------------------------------------------------------------


@pytest.mark.parametrize("viewhidden", [True, False])
def test_viewhidden_lets_moderators_see_deleted_content(
    client: FlaskClient, world: World, auth: AuthActions, viewhidden: bool
) -> None:
    topic = world.topic(title="Deleted topic")
    login_as(auth, world, "moderator")
    moderate(client, world.forum_a, topic, action="delete", confirm="y")
    set_group_flags(world.app, GroupKey.MOD, viewhidden=viewhidden)
    assert (client.get(f"/topic/{topic}").status_code == 200) is viewhidden
    assert ("Deleted topic" in text_of(client.get(f"/forum/{world.forum_a}"))) is viewhidden


@pytest.mark.parametrize("makehidden", [True, False])
def test_makehidden_lets_moderators_delete_hide_and_restore(
    client: FlaskClient, world: World, auth: AuthActions, makehidden: bool
) -> None:
    topic = world.topic()
    reply = world.reply(topic, "member2")
    set_group_flags(world.app, GroupKey.MOD, makehidden=makehidden)
    login_as(auth, world, "moderator")
    page = text_of(client.get(f"/topic/{topic}"))
    assert ('value="delete"' in page) is makehidden
    assert ('value="hide"' in page) is makehidden
    deleted = client.post(
        f"/forum/{world.forum_a}/moderate",
        data={
            "csrf_token": any_csrf_token(client),
            "topic_ids": str(topic),
            "action": "delete",
            "confirm": "y",
        },
    )
    assert deleted.status_code == (302 if makehidden else 403)
    assert topics(world, topic)[0].deleted is makehidden
    hidden = post_form(client, f"/post/{reply}/moderate", action="hide")
    assert hidden.status_code == (302 if makehidden else 403)
    # Locking needs no such flag.
    assert "1 topic locked." in text_of(moderate(client, world.forum_a, topic, action="lock"))


@pytest.mark.parametrize("mod_edituser", [True, False])
def test_mod_edituser_lets_moderators_edit_members_accounts(
    client: FlaskClient, world: World, auth: AuthActions, mod_edituser: bool
) -> None:
    set_group_flags(world.app, GroupKey.MOD, mod_edituser=mod_edituser, mod_banuser=False)
    target = world.users["member"]
    login_as(auth, world, "moderator")
    member_group = str(group_id(world, GroupKey.MEMBER))
    response = post_form(
        client,
        f"/admin/users/{target}/edit",
        username="alice",
        email="alice.new@example.org",
        group_id=member_group,
        activated="y",
    )
    assert response.status_code == (302 if mod_edituser else 403)
    with world.app.app_context():
        user = db.session.get(User, target)
        assert user is not None
        assert (user.email == "alice.new@example.org") is mod_edituser
    users_page = client.get("/admin/users")
    assert users_page.status_code == (200 if mod_edituser else 403)
    if mod_edituser:
        assert f"/admin/users/{target}/edit" in text_of(users_page)
        assert f"/admin/users/{target}/ban" not in text_of(users_page)  # no mod_banuser


def test_moderators_editing_members_never_change_groups_or_touch_staff(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    target = world.users["member"]
    login_as(auth, world, "moderator")
    page = text_of(client.get(f"/admin/users/{target}/edit"))
    assert 'name="group_id"' in page and "<select" not in page.split("group_id")[0][-200:]
    promoted = post_form(
        client,
        f"/admin/users/{target}/edit",
        username="alice",
        email="alice@example.org",
        group_id=str(group_id(world, GroupKey.ADMIN)),
        activated="y",
    )
    assert "Only administrators can change a member" in text_of(promoted)
    assert client.get(f"/admin/users/{world.users['admin']}/edit").status_code == 403
    with world.app.app_context():
        user = db.session.get(User, target)
        assert user is not None and user.group.key == GroupKey.MEMBER


@pytest.mark.parametrize("page", ["forum", "topic"])
def test_moderator_pages_with_the_tools_keep_a_fixed_query_count(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, page: str
) -> None:
    app.config.update(TOPICS_PER_PAGE=10, POSTS_PER_PAGE=10, VIEW_COUNT_FLUSH_EVERY=10**9)
    support_forum(world)
    login_as(auth, world, "moderator")
    first = world.topic(title="First")

    def count() -> int:
        path = f"/forum/{world.forum_a}" if page == "forum" else f"/topic/{first}"
        client.get(path)  # warm-up
        with counted_queries(app) as statements:
            body = text_of(client.get(path))
        assert 'name="target_forum_id"' in body  # the tools are on the page
        return len(statements)

    def grow(topics: int) -> None:
        for n in range(topics):
            topic = world.topic("member2", title=f"Topic {n}")
            world.reply(first, "member2")
            if n % 2:
                moderate(client, world.forum_a, topic, action="delete", confirm="y")

    grow(2)
    small = count()
    grow(14)
    with app.app_context():
        ForumStructure(db.session).create_forum(
            ForumStructure(db.session).create_category("More").id,
            "Elsewhere",
            moderators=[world.users["moderator"]],
        )
    assert count() == small
