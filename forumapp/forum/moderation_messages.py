"""What a moderator reads after an action: real counts, and plurals that agree."""

from __future__ import annotations

from forumapp.forum.moderation import PostAction, TopicAction, TopicsChanged

#: The past participle of each topic action, as the message says it.
_DONE: dict[TopicAction, str] = {
    TopicAction.LOCK: "locked",
    TopicAction.UNLOCK: "unlocked",
    TopicAction.PIN: "pinned",
    TopicAction.UNPIN: "unpinned",
    TopicAction.DELETE: "deleted",
    TopicAction.RESTORE: "restored",
    TopicAction.MOVE: "moved",
}

_POST_DONE: dict[PostAction, str] = {
    PostAction.DELETE: "The post is deleted.",
    PostAction.RESTORE: "The post is restored.",
    PostAction.HIDE: "The post is hidden.",
    PostAction.UNHIDE: "The post is shown again.",
}


def topic_count(count: int) -> str:
    """ "1 topic", "2 topics", "0 topics"."""
    return f"{count} topic" if count == 1 else f"{count} topics"


def topics_changed_message(changed: TopicsChanged) -> str:
    """ "2 topics moved to Support", "1 topic locked", or why nothing changed."""
    done = _DONE[changed.action]
    if not changed.count:
        return f"No topic {done}: the selected ones already were."
    if changed.action is TopicAction.MOVE:
        return f"{topic_count(changed.count)} {done} to {changed.target_forum_title}."
    return f"{topic_count(changed.count)} {done}."


def post_action_message(action: PostAction) -> str:
    """What happened to the post."""
    return _POST_DONE[action]
