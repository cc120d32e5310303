"""The :class:`~forumapp.events.Events` port over the plugins' event hooks."""

from __future__ import annotations

from forumapp.events import MemberBanned, MemberRegistered, PostSaved, TopicCreated
from forumapp.plugins.host import PluginHost


class PluginEvents:
    """Tells each loaded plugin that implements the matching hook; one that raises is
    disabled and the others are still told."""

    def __init__(self, host: PluginHost) -> None:
        self._host = host

    def user_registered(self, event: MemberRegistered) -> None:
        """Call ``forumapp_user_registered``."""
        self._host.call("forumapp_user_registered", event=event)

    def topic_created(self, event: TopicCreated) -> None:
        """Call ``forumapp_topic_created``."""
        self._host.call("forumapp_topic_created", event=event)

    def post_saved(self, event: PostSaved) -> None:
        """Call ``forumapp_post_saved``."""
        self._host.call("forumapp_post_saved", event=event)

    def member_banned(self, event: MemberBanned) -> None:
        """Call ``forumapp_member_banned``."""
        self._host.call("forumapp_member_banned", event=event)
