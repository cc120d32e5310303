"""Post Markdown with the enabled plugins' rules (the ``forumapp_markdown`` hook)."""

from __future__ import annotations

import threading

from markdown_it import MarkdownIt

from forumapp.forum.markdown import build_parser, render_markdown, render_with
from forumapp.plugins.host import PluginHost

HOOK = "forumapp_markdown"


class PluginMarkdown:
    """Renders posts with forumapp's rules plus those of the loaded plugins that add some.

    One parser is built per set of such plugins and kept; a plugin that raises while
    adding its rules is disabled and the parser is built without it.
    """

    def __init__(self, host: PluginHost) -> None:
        self._host = host
        self._parsers: dict[frozenset[str], MarkdownIt] = {}
        self._lock = threading.Lock()

    def render(self, source: str) -> str:
        """Safe HTML for a post body."""
        plugins = self._host.implements(HOOK)
        if not plugins:
            return render_markdown(source)
        return render_with(self._parser(plugins), source)

    def _parser(self, plugins: frozenset[str]) -> MarkdownIt:
        with self._lock:
            while plugins not in self._parsers:
                parser = build_parser()
                self._host.call(HOOK, only=plugins, parser=parser)
                survivors = self._host.implements(HOOK)
                if survivors == plugins:
                    self._parsers[plugins] = parser
                else:
                    # One raised halfway through: its rules may be half added. Start over
                    # without it.
                    plugins = survivors
            return self._parsers[plugins]
