"""The permission rules as pure functions of an Actor: no database, no Flask."""

from __future__ import annotations

from dataclasses import replace

import pytest

from forumapp.forum.models import Forum, Post, Topic
from forumapp.forum.permissions import Actor, GroupFlags

MEMBER = GroupFlags(guest=False, editpost=True, deletepost=True, posttopic=True, postreply=True)
GUEST = GroupFlags()
BANNED = GroupFlags(guest=False, banned=True)
MODERATOR = GroupFlags(
    guest=False,
    mod=True,
    viewhidden=True,
    makehidden=True,
    editpost=True,
    deletepost=True,
    deletetopic=True,
    posttopic=True,
    postreply=True,
)
SUPER_MOD = GroupFlags(
    guest=False, super_mod=True, mod=True, editpost=True, posttopic=True, postreply=True
)

FORUM, OTHER_FORUM, HIDDEN_FORUM = 1, 2, 3


def actor(
    flags: GroupFlags, user_id: int | None = 10, moderates: frozenset[int] = frozenset()
) -> Actor:
    return Actor(user_id, "someone", 1, flags, frozenset({FORUM, OTHER_FORUM}), moderates)


def forum(forum_id: int = FORUM, *, locked: bool = False) -> Forum:
    return Forum(id=forum_id, locked=locked)


def topic(*, forum_id: int = FORUM, locked: bool = False, deleted: bool = False) -> Topic:
    return Topic(id=5, forum_id=forum_id, locked=locked, deleted=deleted)


def post(
    *, author: int | None = 10, number: int = 2, deleted: bool = False, hidden: bool = False
) -> Post:
    return Post(id=7, user_id=author, number=number, deleted=deleted, hidden=hidden)


def test_guests_read_but_never_write() -> None:
    guest = actor(GUEST, user_id=None)
    assert guest.can_view_forum(FORUM)
    assert not guest.can_post_topic(forum())
    assert not guest.can_reply(forum(), topic())
    assert not guest.can_report(topic())


def test_hidden_forums_do_not_exist_for_the_actor() -> None:
    member = actor(MEMBER)
    assert not member.can_view_forum(HIDDEN_FORUM)
    assert not member.can_view_topic(topic(forum_id=HIDDEN_FORUM))
    assert not member.can_post_topic(forum(HIDDEN_FORUM))


def test_banned_members_cannot_write() -> None:
    banned = actor(BANNED)
    assert not banned.can_post_topic(forum())
    assert not banned.can_reply(forum(), topic())
    assert not banned.can_edit_post(forum(), topic(), post())
    assert not banned.moderates(FORUM)


def test_locks_stop_members_but_not_moderators() -> None:
    member, moderator = actor(MEMBER), actor(MODERATOR, moderates=frozenset({FORUM}))
    assert not member.can_reply(forum(), topic(locked=True))
    assert not member.can_post_topic(forum(locked=True))
    assert not member.can_edit_post(forum(), topic(locked=True), post())
    assert moderator.can_reply(forum(), topic(locked=True))
    assert moderator.can_post_topic(forum(locked=True))


def test_authors_edit_and_delete_their_own_posts_only() -> None:
    member = actor(MEMBER)
    assert member.can_edit_post(forum(), topic(), post())
    assert member.can_delete_post(forum(), topic(), post())
    assert not member.can_edit_post(forum(), topic(), post(author=99))
    assert not member.can_delete_post(forum(), topic(), post(author=99))
    assert not member.can_edit_post(forum(), topic(), post(hidden=True))


def test_deleting_a_first_post_needs_deletetopic() -> None:
    assert not actor(MEMBER).can_delete_post(forum(), topic(), post(number=1))
    assert actor(GroupFlags(guest=False, deletetopic=True)).can_delete_post(
        forum(), topic(), post(number=1)
    )


@pytest.mark.parametrize(
    ("flags", "moderates", "forum_id", "expected"),
    [
        (MODERATOR, frozenset({FORUM}), FORUM, True),
        (MODERATOR, frozenset({FORUM}), OTHER_FORUM, False),
        (MODERATOR, frozenset(), FORUM, False),
        (SUPER_MOD, frozenset(), OTHER_FORUM, True),
        (MEMBER, frozenset({FORUM}), FORUM, True),  # appointed members moderate too
    ],
)
def test_who_moderates_a_forum(
    flags: GroupFlags, moderates: frozenset[int], forum_id: int, expected: bool
) -> None:
    assert actor(flags, moderates=moderates).moderates(forum_id) is expected


def test_deleted_topics_and_hidden_posts_show_to_moderators_only() -> None:
    member, moderator = actor(MEMBER), actor(MODERATOR, moderates=frozenset({FORUM}))
    assert not member.can_view_topic(topic(deleted=True))
    assert moderator.can_view_topic(topic(deleted=True))
    assert not member.can_see_post_body(post(hidden=True), FORUM)
    assert moderator.can_see_post_body(post(hidden=True), FORUM)
    assert not moderator.can_reply(forum(), topic(deleted=True))


def test_viewhidden_decides_whether_a_moderator_sees_removed_content() -> None:
    on = actor(MODERATOR, moderates=frozenset({FORUM}))
    off = actor(replace(MODERATOR, viewhidden=False), moderates=frozenset({FORUM}))
    assert on.can_view_topic(topic(deleted=True))
    assert on.can_see_post_body(post(deleted=True), FORUM)
    assert not off.can_view_topic(topic(deleted=True))
    assert not off.can_see_post_body(post(hidden=True), FORUM)
    # The flag is about the forums one moderates: elsewhere it shows nothing.
    assert not on.can_view_topic(topic(forum_id=OTHER_FORUM, deleted=True))
    # Members with the flag but no appointment see nothing removed either.
    assert not actor(replace(MEMBER, viewhidden=True)).can_view_topic(topic(deleted=True))


def test_makehidden_decides_whether_a_moderator_may_remove_content() -> None:
    on = actor(MODERATOR, moderates=frozenset({FORUM}))
    off = actor(replace(MODERATOR, makehidden=False), moderates=frozenset({FORUM}))
    assert on.may_remove(FORUM) and not on.may_remove(OTHER_FORUM)
    assert not off.may_remove(FORUM)
    others_post = post(author=99)
    assert on.can_delete_post(forum(), topic(), others_post)
    assert not off.can_delete_post(forum(), topic(), others_post)
