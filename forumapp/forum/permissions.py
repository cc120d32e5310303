"""Who may do what in a forum: pure functions over an :class:`Actor`.

Views build the actor once per request; services receive it and call these checks, so
the HTML views, the API and the tests all apply the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forumapp.forum.models import Forum, Post, Topic


@dataclass(frozen=True)
class GroupFlags:
    """The permission flags of the actor's group."""

    admin: bool = False
    super_mod: bool = False
    mod: bool = False
    banned: bool = False
    guest: bool = True
    editpost: bool = False
    deletepost: bool = False
    deletetopic: bool = False
    posttopic: bool = False
    postreply: bool = False
    #: Moderators see soft-deleted topics and posts and hidden posts.
    viewhidden: bool = False
    #: Moderators may soft-delete, hide and restore topics and posts.
    makehidden: bool = False


@dataclass(frozen=True)
class Actor:
    """The person making a request: a member or a guest, with what they may see."""

    user_id: int | None
    username: str
    group_id: int
    flags: GroupFlags
    #: Forums this actor's group may see.
    visible_forums: frozenset[int] = field(default_factory=frozenset)
    #: Forums this actor moderates by appointment.
    moderated_forums: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_member(self) -> bool:
        """Logged in (banned members included)."""
        return self.user_id is not None

    @property
    def is_global_moderator(self) -> bool:
        """Admins and super moderators moderate every forum."""
        return self.flags.admin or self.flags.super_mod

    def moderates(self, forum_id: int) -> bool:
        """Whether the actor may moderate ``forum_id``."""
        if self.flags.banned or not self.is_member:
            return False
        return self.is_global_moderator or forum_id in self.moderated_forums

    def sees_removed(self, forum_id: int) -> bool:
        """Whether deleted and hidden content of ``forum_id`` shows to this actor: a
        moderator of it whose group has the ``viewhidden`` flag."""
        return self.flags.viewhidden and self.moderates(forum_id)

    def may_remove(self, forum_id: int) -> bool:
        """Whether the actor may soft-delete, hide and restore content of ``forum_id``: a
        moderator of it whose group has the ``makehidden`` flag."""
        return self.flags.makehidden and self.moderates(forum_id)

    def can_view_forum(self, forum_id: int) -> bool:
        """Whether the forum exists for this actor at all (otherwise: 404)."""
        return forum_id in self.visible_forums

    def can_view_topic(self, topic: Topic) -> bool:
        """Visible forum, and not deleted unless the actor sees removed content."""
        return self.can_view_forum(topic.forum_id) and (
            not topic.deleted or self.sees_removed(topic.forum_id)
        )

    def can_see_post_body(self, post: Post, forum_id: int) -> bool:
        """Deleted and hidden posts show their body only to who sees removed content."""
        return not (post.deleted or post.hidden) or self.sees_removed(forum_id)

    def _may_write(self) -> bool:
        return self.is_member and not self.flags.banned

    def can_post_topic(self, forum: Forum) -> bool:
        """Start a topic: the group's ``posttopic`` flag, in an open forum."""
        if not (self._may_write() and self.flags.posttopic and self.can_view_forum(forum.id)):
            return False
        return not forum.locked or self.moderates(forum.id)

    def can_reply(self, forum: Forum, topic: Topic) -> bool:
        """Reply: the ``postreply`` flag, in an open topic of an open forum."""
        if not (self._may_write() and self.flags.postreply and self.can_view_topic(topic)):
            return False
        if topic.deleted:
            return False
        return not (forum.locked or topic.locked) or self.moderates(forum.id)

    def can_edit_post(self, forum: Forum, topic: Topic, post: Post) -> bool:
        """Edit: moderators always; authors with ``editpost`` while the topic is open."""
        if not self.can_view_topic(topic) or post.deleted:
            return False
        if self.moderates(forum.id):
            return True
        return (
            self._may_write()
            and self.flags.editpost
            and post.user_id == self.user_id
            and not (topic.locked or forum.locked or post.hidden)
        )

    def can_delete_post(self, forum: Forum, topic: Topic, post: Post) -> bool:
        """Soft delete: moderators who may remove content always; authors with
        ``deletepost`` while the topic is open.

        The first post stands for the topic: deleting it needs ``deletetopic``.
        """
        return not post.deleted and self.may_take_back(forum, topic, post)

    def may_take_back(self, forum: Forum, topic: Topic, post: Post) -> bool:
        """The rights behind deleting ``post``, whether or not it is deleted now: who
        deleted a post may undo that only while they could still delete it."""
        if not self.can_view_topic(topic):
            return False
        if self.may_remove(forum.id):
            return True
        flag = self.flags.deletetopic if post.number == 1 else self.flags.deletepost
        return (
            self._may_write()
            and flag
            and post.user_id == self.user_id
            and not (topic.locked or forum.locked)
        )

    def can_report(self, topic: Topic) -> bool:
        """Any logged-in member who can see the post may report it."""
        return self.is_member and self.can_view_topic(topic)
