"""What a moderator reads after an action: real counts, and plurals that agree."""

from __future__ import annotations

from flask_babel import gettext, ngettext

from forumapp.forum.moderation import PostAction, TopicAction, TopicsChanged


def topics_changed_message(changed: TopicsChanged) -> str:
    """ "2 topics moved to Support", "1 topic locked", or why nothing changed."""
    n = changed.count
    text: str
    # A whole sentence per action: in many languages the participle agrees with the noun.
    match changed.action:
        case TopicAction.LOCK:
            text = (
                ngettext("%(num)s topic locked.", "%(num)s topics locked.", n)
                if n
                else gettext("No topic locked: the selected ones already were.")
            )
        case TopicAction.UNLOCK:
            text = (
                ngettext("%(num)s topic unlocked.", "%(num)s topics unlocked.", n)
                if n
                else gettext("No topic unlocked: the selected ones already were.")
            )
        case TopicAction.PIN:
            text = (
                ngettext("%(num)s topic pinned.", "%(num)s topics pinned.", n)
                if n
                else gettext("No topic pinned: the selected ones already were.")
            )
        case TopicAction.UNPIN:
            text = (
                ngettext("%(num)s topic unpinned.", "%(num)s topics unpinned.", n)
                if n
                else gettext("No topic unpinned: the selected ones already were.")
            )
        case TopicAction.DELETE:
            text = (
                ngettext("%(num)s topic deleted.", "%(num)s topics deleted.", n)
                if n
                else gettext("No topic deleted: the selected ones already were.")
            )
        case TopicAction.RESTORE:
            text = (
                ngettext("%(num)s topic restored.", "%(num)s topics restored.", n)
                if n
                else gettext("No topic restored: the selected ones already were.")
            )
        case TopicAction.MOVE:
            forum = changed.target_forum_title
            text = (
                ngettext(
                    "%(num)s topic moved to %(forum)s.",
                    "%(num)s topics moved to %(forum)s.",
                    n,
                    forum=forum,
                )
                if n
                else gettext("No topic moved: the selected ones already were.")
            )
    return text


def post_action_message(action: PostAction) -> str:
    """What happened to the post."""
    text: str
    match action:
        case PostAction.DELETE:
            text = gettext("The post is deleted.")
        case PostAction.RESTORE:
            text = gettext("The post is restored.")
        case PostAction.HIDE:
            text = gettext("The post is hidden.")
        case PostAction.UNHIDE:
            text = gettext("The post is shown again.")
    return text
