"""forumapp-emoji: ``:smile:`` in a post becomes 😄.

A forumapp plugin (entry point ``emoji`` of the ``forumapp_plugins`` group) implementing
the ``forumapp_markdown`` hook: it adds one core rule to the markdown-it parser posts are
rendered with. Only text is replaced, so code keeps its colons, and forumapp sanitizes the
HTML after every rule ran.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from forumapp.plugins import hookimpl

#: The shortcodes the plugin knows, as most chat tools spell them.
SHORTCODES = {
    "smile": "😄",
    "grin": "😁",
    "wink": "😉",
    "heart": "❤️",
    "thumbsup": "👍",
    "+1": "👍",
    "thumbsdown": "👎",
    "-1": "👎",
    "tada": "🎉",
    "rocket": "🚀",
    "eyes": "👀",
    "thinking": "🤔",
    "fire": "🔥",
    "warning": "⚠️",
    "check": "✅",
    "x": "❌",
    "question": "❓",
    "bulb": "💡",
    "coffee": "☕",
    "wave": "👋",
}

_SHORTCODE = re.compile(r":([a-z0-9_+-]{1,32}):")


def replace_shortcodes(text: str) -> str:
    """``text`` with each known ``:name:`` replaced by its emoji; others stay."""
    return _SHORTCODE.sub(lambda match: SHORTCODES.get(match.group(1), match.group(0)), text)


def _emoji_rule(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            # Code spans are "code_inline" tokens, and link URLs are attributes: only the
            # words people read change.
            if token.type == "text" and ":" in token.content:
                token.content = replace_shortcodes(token.content)


@hookimpl
def forumapp_markdown(parser: MarkdownIt) -> None:
    """Turn shortcodes into emoji in every post rendered from now on."""
    parser.core.ruler.push("emoji_shortcodes", _emoji_rule)
