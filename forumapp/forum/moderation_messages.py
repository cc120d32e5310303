"""What a moderator reads after an action: real counts, and plurals that agree."""

from __future__ import annotations

from flask_babel import gettext, ngettext

from forumapp.forum.moderation import PostAction, TopicAction, TopicsChanged


def topics_changed_message(changed: TopicsChanged) -> str:
    """ "2 topics moved to Support", "1 topic locked", or why nothing changed."""
    count = changed.count
    # Whole sentences per action: the participle agrees with the noun in many languages.
    match changed.action:
        case TopicAction.LOCK:
            if not count:
                return gettext("No topic locked: the selected ones already were.")
            return ngettext("%(num)s topic locked.", "%(num)s topics locked.", count)
        case TopicAction.UNLOCK:
            if not count:
                return gettext("No topic unlocked: the selected ones already were.")
            return ngettext("%(num)s topic unlocked.", "%(num)s topics unlocked.", count)
        case TopicAction.PIN:
            if not count:
                return gettext("No topic pinned: the selected ones already were.")
            return ngettext("%(num)s topic pinned.", "%(num)s topics pinned.", count)
        case TopicAction.UNPIN:
            if not count:
                return gettext("No topic unpinned: the selected ones already were.")
            return ngettext("%(num)s topic unpinned.", "%(num)s topics unpinned.", count)
        case TopicAction.DELETE:
            if not count:
                return gettext("No topic deleted: the selected ones already were.")
            return ngettext("%(num)s topic deleted.", "%(num)s topics deleted.", count)
        case TopicAction.RESTORE:
            if not count:
                return gettext("No topic restored: the selected ones already were.")
            return ngettext("%(num)s topic restored.", "%(num)s topics restored.", count)
        case TopicAction.MOVE:
            if not count:
                return gettext("No topic moved: the selected ones already were.")
            return ngettext(
                "%(num)s topic moved to %(forum)s.",
                "%(num)s topics moved to %(forum)s.",
                count,
                forum=changed.target_forum_title,
            )


def post_action_message(action: PostAction) -> str:
    """What happened to the post."""
    match action:
        case PostAction.DELETE:
            return gettext("The post is deleted.")
        case PostAction.RESTORE:
            return gettext("The post is restored.")
        case PostAction.HIDE:
            return gettext("The post is hidden.")
        case PostAction.UNHIDE:
            return gettext("The post is shown again.")
