"""Markdown of forum posts: rendered to sanitized HTML, quoted for replies, cut into excerpts."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import nh3
from linkify_it import LinkifyIt  # type: ignore[import-untyped]
from linkify_it.main import Match  # type: ignore[import-untyped]
from linkify_it.ucre import SRC_ZCC  # type: ignore[import-untyped]
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block import table as gfm_table
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from forumapp.forum.syntax import TOKEN_CLASSES, highlight_code
from forumapp.text import is_blank

#: Bump whenever the HTML for the same source changes, so stored renderings get redone.
#: 4: ``@name`` mentions link to the member's profile; links to paths of this site stay.
RENDERER_VERSION = 4

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
        "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = ("http:", "https:")
#: Table cells say their alignment with a class (``align`` is obsolete HTML).
_ALIGNMENTS = {"align-left", "align-center", "align-right"}
#: Table cells keep their alignment; spans only the Pygments classes of highlighted code.
_ATTRIBUTE_VALUES = {
    "th": {"class": _ALIGNMENTS},
    "td": {"class": _ALIGNMENTS},
    "span": {"class": set(TOKEN_CLASSES)},
}
LINK_PREFIXES = tuple(f"{scheme}:" for scheme in sorted(LINK_SCHEMES))
_LINK_REL = "nofollow ugc noopener"
_ASCII_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")

#: Table cells one post may make. markdown-it pads short rows to the header's width, so
#: without a budget a few kilobytes of pipes cost seconds of CPU and megabytes of HTML.
MAX_TABLE_CELLS = 10_000
_CELLS_LEFT = "forumapp_table_cells_left"


def _table_within_budget(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if not gfm_table(state, start_line, end_line, True):
        return False
    delimiter = start_line + 1
    delimiter_row = state.src[
        state.bMarks[delimiter] + state.tShift[delimiter] : state.eMarks[delimiter]
    ]
    width = sum(1 for cell in delimiter_row.split("|") if cell.strip())
    cells_left: int = state.env.get(_CELLS_LEFT, MAX_TABLE_CELLS)
    body_rows = cells_left // width - 1
    if body_rows < 0:
        return False
    if silent:
        return True
    # Rows past the budget are left to the following rules: they become a paragraph.
    gfm_table(state, start_line, min(end_line, start_line + 2 + body_rows), False)
    rows = state.line - start_line - 1
    state.env[_CELLS_LEFT] = cells_left - rows * width
    return True


#: Characters of link and image URLs and titles one post may make. A reference link repeats
#: its definition's URL at every use: without a budget 50 kB of "[a]" make 30 MB of HTML.
MAX_LINK_CHARACTERS = 100_000
_LINK_ATTRIBUTES = ("href", "src", "title")


def _links_within_budget(state: StateCore) -> None:
    left = MAX_LINK_CHARACTERS
    for block in state.tokens:
        for token in block.children or ():
            if token.type not in ("link_open", "image"):
                continue
            size = sum(len(str(token.attrs.get(name, ""))) for name in _LINK_ATTRIBUTES)
            if size > left:
                # Past the budget a link keeps its text and loses where it points.
                for name in _LINK_ATTRIBUTES:
                    token.attrs.pop(name, None)
            else:
                left -= size


#: Autolinked schemes. Others ("ftp:", protocol-relative "//") would lose their href to the
#: sanitizer anyway, and each is one more place a scan can start.
AUTOLINK_SCHEMES = ("http:", "https:", "mailto:")

# linkify-it reads a bracketed part of a URL path ("(", "[", "{") up to its closing bracket,
# past any further opening ones: every "(" of "http://a.b/(http://a.b/(..." re-read the rest
# of the post. Stopping at the next opening bracket as well makes those reads disjoint, so a
# post is read a bounded number of times whatever its shape. Nested brackets were never
# matched as a whole, so no real link loses anything.
_BRACKET_SCANS = {
    "\\((?:(?!" + SRC_ZCC + "|[)]).)*\\)": "\\((?:(?!" + SRC_ZCC + "|[()]).)*\\)",
    "\\[(?:(?!" + SRC_ZCC + "|\\]).)*\\]": "\\[(?:(?!" + SRC_ZCC + "|[\\[\\]]).)*\\]",
    "\\{(?:(?!" + SRC_ZCC + "|[}]).)*\\}": "\\{(?:(?!" + SRC_ZCC + "|[{}]).)*\\}",
}
_PATH_PATTERNS = ("src_path", "tpl_link_fuzzy", "tpl_link_no_ip_fuzzy")


class LinearLinkify(LinkifyIt):  # type: ignore[misc]
    """linkify-it with URL paths read in linear time and only :data:`AUTOLINK_SCHEMES`."""

    def __init__(self) -> None:
        schemes: dict[str, object] = {"ftp:": None, "//": None}
        super().__init__(schemes)

    def _on_compile(self) -> None:
        for name in _PATH_PATTERNS:
            pattern: str = self.re[name]
            for quadratic, linear in _BRACKET_SCANS.items():
                if quadratic not in pattern:
                    # A new linkify-it changed its patterns: look at them again.
                    raise RuntimeError(f"linkify-it's {name} has no {quadratic!r}")
                pattern = pattern.replace(quadratic, linear)
            self.re[name] = pattern


_linkify = LinearLinkify()

# The run of scheme characters (RFC 3986) that ends the text before "://".
_SCHEME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
_LONGEST_SCHEME = max(len(scheme) for scheme in AUTOLINK_SCHEMES) - 1


def _linkify_scheme_links(state: StateInline, silent: bool) -> bool:
    """markdown-it's inline ``linkify`` rule, in time linear in the post.

    markdown-it searches the whole pending text for the scheme before every "://" and hands
    linkify-it a copy of the rest of the post: twice quadratic on "a://a://a://...". Here
    the scheme is read backwards from the "://", at most a few characters, and linkify-it
    validates the link in place.
    """
    pos = state.pos
    src = state.src
    if state.linkLevel > 0 or not src.startswith("://", pos) or pos + 3 > state.posMax:
        return False
    pending = state.pending
    start = len(pending)
    # No further back than the longest scheme: a longer run is no scheme of ours.
    while (
        start > 0
        and len(pending) - start <= _LONGEST_SCHEME
        and pending[start - 1] in _SCHEME_CHARACTERS
    ):
        start -= 1
    scheme = pending[start:]
    if start > 0 and pending[start - 1] in _SCHEME_CHARACTERS:
        return False
    name = scheme.lower() + ":"
    if name not in AUTOLINK_SCHEMES:
        return False
    length = _linkify.test_schema_at(src, name, pos + 1)
    if not length:
        return False
    match = Match(src, name, pos - len(scheme), pos + 1 + length)
    _linkify.normalize(match)
    # A "*" ending the link belongs to the emphasis around it.
    url: str = match.url.rstrip("*")
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = pending[:start]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup = "linkify"
        token.info = "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup = "linkify"
        token.info = "auto"
    state.pos += len(url) - len(scheme)
    return True


def _link_tokens(url: str, text: str, level: int) -> list[Token]:
    return [
        Token("link_open", "a", 1, attrs={"href": url}, level=level, markup="linkify", info="auto"),
        Token("text", "", 0, level=level + 1, content=text),
        Token("link_close", "a", -1, level=level, markup="linkify", info="auto"),
    ]


def _split_at_links(state: StateCore, token: Token, after_escape: bool) -> list[Token]:
    """``token``, a text token, cut into text and links to the fuzzy links (example.com,
    a@example.com) and "mailto:" links linkify-it finds in it."""
    text = token.content
    if not _linkify.test(text):
        return [token]
    links: list[Match] = _linkify.match(text) or []
    # "http\://example.com" must not become "http:" and a link to "//example.com".
    if links and links[0].index == 0 and after_escape:
        links = links[1:]
    nodes: list[Token] = []
    done = 0
    for link in links:
        url = state.md.normalizeLink(link.url)
        if not state.md.validateLink(url):
            continue
        if not link.schema:
            # A bare host gets its "http://" for normalizing, then loses it again.
            shown = state.md.normalizeLinkText("http://" + link.text).removeprefix("http://")
        elif link.schema == "mailto:" and link.text.lower().startswith("mailto:"):
            shown = state.md.normalizeLinkText("mailto:" + link.text).removeprefix("mailto:")
        else:
            shown = state.md.normalizeLinkText(link.text)
        if link.index > done:
            nodes.append(Token("text", "", 0, content=text[done : link.index], level=token.level))
        nodes.extend(_link_tokens(url, shown, token.level))
        done = link.last_index
    if done < len(text):
        nodes.append(Token("text", "", 0, content=text[done:], level=token.level))
    return nodes


def _linkify_fuzzy_links(state: StateCore) -> None:
    """markdown-it's core ``linkify`` rule, in time linear in the post.

    markdown-it rebuilds a paragraph's whole token list for every text token that holds a
    link: quadratic on a paragraph of thousands of lines that each hold one
    ("x.co\nx.co\n..."). Here each paragraph's list is built once. Raw HTML is off, so
    no HTML link can hide text from linkification.
    """
    for block in state.tokens:
        # No pretest of the whole paragraph: it misses "_https://x" that the text "https://x"
        # inside the emphasis passes.
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        inside_link = 0
        for token in block.children:
            # Text of a Markdown link stays as written.
            if token.type == "link_open":
                inside_link += 1
            elif token.type == "link_close":
                inside_link -= 1
            if inside_link or token.type != "text":
                children.append(token)
                continue
            after_escape = bool(children) and children[-1].type == "text_special"
            children.extend(_split_at_links(state, token, after_escape))
        block.children = children


def _align_cells_without_style(state: StateCore) -> None:
    # markdown-it aligns table cells with style="text-align:…"; a class says the same
    # without letting any style attribute through the sanitizer (or the page's CSP).
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and "style" in token.attrs:
            style = str(token.attrs.pop("style"))
            token.attrs["class"] = "align-" + style.removeprefix("text-align:")


#: A mention: "@" and a username (forumapp.users.models.USERNAME_PATTERN), not inside a
#: word or an email address.
_MENTION = re.compile(r"@([A-Za-z0-9][A-Za-z0-9_.-]{0,31})")
_MENTION_MARKUP = "mention"
_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@")
#: The profile path a mention links to (the forum blueprint's ``/user/<username>``).
PROFILE_PATH = "/user/"


def _mention(state: StateInline, silent: bool) -> bool:
    """``@name`` as a link to the member's profile; the name is what usernames may hold,
    less a final "." or "-" (the end of a sentence)."""
    pos = state.pos
    if state.src[pos] != "@" or state.linkLevel > 0:
        return False
    if pos > 0 and state.src[pos - 1] in _NAME_CHARACTERS:
        return False
    match = _MENTION.match(state.src, pos, state.posMax)
    if match is None:
        return False
    name = match.group(1).rstrip(".-")
    if not name:
        return False
    if not silent:
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": PROFILE_PATH + name}
        token.markup = _MENTION_MARKUP
        token.meta = {"username": name}
        token = state.push("text", "", 0)
        token.content = "@" + name
        token = state.push("link_close", "a", -1)
        token.markup = _MENTION_MARKUP
    state.pos += 1 + len(name)
    return True


def build_parser() -> MarkdownIt:
    """A new parser with forumapp's rules (plugins add theirs to a copy of their own)."""
    parser = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": True, "typographer": False, "highlight": highlight_code},
    )
    parser.linkify = _linkify
    parser.enable(["table", "strikethrough", "linkify"])
    parser.inline.ruler.at("linkify", _linkify_scheme_links)
    parser.core.ruler.at("linkify", _linkify_fuzzy_links)
    parser.block.ruler.at("table", _table_within_budget, {"alt": ["paragraph", "reference"]})
    parser.core.ruler.push("align_cells_without_style", _align_cells_without_style)
    parser.core.ruler.push("links_within_budget", _links_within_budget)
    parser.inline.ruler.before("link", "mention", _mention)
    return parser


_parser = build_parser()


#: The relative links a post may hold: a permalink, as quotes link their source, and a
#: profile, as mentions link their member (a username as USERNAME_PATTERN has it).
_SITE_LINK = re.compile(r"/post/[0-9]+|/user/[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")


def _is_site_path(value: str) -> bool:
    # Nothing else: "//host" or "/\\host" are another host to browsers, "/post/1/../x"
    # any page of the site, and relative paths mean nothing in a post shown on many pages.
    return _SITE_LINK.fullmatch(value) is not None


def _url_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute not in ("href", "src"):
        return value
    schemes = IMAGE_SCHEMES if tag == "img" else LINK_PREFIXES
    if value.lower().startswith(schemes) or (tag == "a" and _is_site_path(value)):
        return value
    # Anything else, a relative path or a scheme the sanitizer might read as one, goes.
    return None


def render_markdown(source: str) -> str:
    """Safe HTML for a post body; raw HTML in ``source`` is shown as text, never passed on."""
    return render_with(_parser, source)


def render_with(parser: MarkdownIt, source: str) -> str:
    """Safe HTML for ``source`` rendered by ``parser``: whatever rules it holds, the
    result is sanitized like every post."""
    return nh3.clean(
        parser.render(source),
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=_ATTRIBUTE_VALUES,
        attribute_filter=_url_filter,
        url_schemes=set(LINK_SCHEMES),
        # Relative URLs include "//evil.example", which url_schemes alone lets through:
        # _url_filter keeps only permalinks and profiles ("/post/12", "/user/alice").
        url_relative="pass_through",
        link_rel=_LINK_REL,
    )


def shows_nothing(source: str) -> bool:
    """Whether a post written as ``source`` would show nothing: no visible character
    once rendered (``&nbsp;`` counts as the space it stands for), no image, no rule."""
    if is_blank(source):
        return True
    rendered = render_markdown(source)
    if "<img" in rendered or "<hr" in rendered:
        return False
    return is_blank(html.unescape(nh3.clean(rendered, tags=set())))


#: A quote keeps about this many characters of the quoted post: a reply answers a point,
#: and a whole long post quoted back only makes the topic longer.
QUOTE_MAX_CHARS = 1500
#: The line that stands for the part of a long post left out of its quote.
QUOTE_CUT_MARK = "[…]"
# An underscore starts emphasis only next to something other than a letter or digit.
_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_OTHER_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,/:;<=>?@\[\\\]^`{|}~])""")


def quote_markdown(author: str, source: str, permalink: str | None = None) -> str:
    """Markdown for a reply box that quotes ``source`` by ``author``, ready to type under.

    The format is agreed with code that looks for quotes in posts: the first line is
    ``> **[alice](/post/123) wrote:**`` (``> **alice wrote:**`` without a ``permalink``),
    then an empty quoted line and the quoted text, every line prefixed by ``> ``, cut after about
    :data:`QUOTE_MAX_CHARS` characters, then a blank line.
    """
    name = _markdown_literal(" ".join(author.split()))
    who = f"[{name}]({permalink})" if permalink else name
    lines = _cut(source.replace("\r\n", "\n").replace("\r", "\n").strip("\n")).split("\n")
    quoted = "\n".join(f"> {line}" for line in ["", *lines])
    # The blank line ends the quote: text typed right below it would otherwise continue
    # the quoted paragraph (a lazy continuation line).
    return f"> **{who} wrote:**\n{quoted}\n\n"


def _markdown_literal(text: str) -> str:
    # Usernames (letters, digits, "_", ".", "-") come out as they are, so the quote's
    # first line names the member as written; anything else that Markdown reads is escaped.
    escaped = _OTHER_PUNCTUATION.sub(r"\\\1", text)
    return _LONE_UNDERSCORE.sub(r"\\_", escaped)


def _cut(text: str) -> str:
    """``text`` up to about :data:`QUOTE_MAX_CHARS` characters: at the last paragraph
    break before the limit, else the last line break, else the last space."""
    if len(text) <= QUOTE_MAX_CHARS:
        return text
    head = text[:QUOTE_MAX_CHARS]
    for boundary in ("\n\n", "\n", " "):
        cut = head.rfind(boundary)
        if cut > QUOTE_MAX_CHARS // 2:
            head = head[:cut]
            break
    return f"{head.rstrip()}\n\n{QUOTE_CUT_MARK}"


def plain_text(source: str, limit: int = 200) -> str:
    """A plain-text excerpt of at most ``limit`` characters, for feeds and search snippets.

    The result is text, not HTML: escape it like any other text when putting it in markup.
    """
    return text_of_html(_parser.render(source), limit)


def text_of_html(fragment: str, limit: int = 200) -> str:
    """The text of an HTML fragment (such as a post's stored rendering), as
    :func:`plain_text` cuts it. A fragment cut short mid-tag loses only that tag.

    Reading the stored HTML costs a fraction of rendering the Markdown source again.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    text = " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1] != " ":
        head = head.rpartition(" ")[0] or head
    return head.rstrip() + "…"


@dataclass(frozen=True)
class References:
    """Whom a post mentions and which posts it quotes, in the order written."""

    #: Usernames after "@", outside quotations (a quoted mention was the quoted post's).
    mentions: tuple[str, ...]
    #: Ids of the posts whose permalink (``/post/<id>``) a quotation links to.
    quoted_posts: tuple[int, ...]


_POST_PATH = re.compile(r"/post/([0-9]{1,18})(?:[#?].*)?")


def references(source: str) -> References:
    """The mentions and quotations of a post, read from markdown-it's tokens (so that
    code, link texts and escaped "@" never count)."""
    mentions: dict[str, None] = {}
    quoted: dict[int, None] = {}
    depth = 0
    for block in _parser.parse(source):
        if block.type == "blockquote_open":
            depth += 1
        elif block.type == "blockquote_close":
            depth -= 1
        for token in block.children or ():
            if token.type != "link_open":
                continue
            if token.markup == _MENTION_MARKUP and not depth:
                mentions.setdefault(str(token.meta["username"]), None)
            elif depth and (match := _POST_PATH.fullmatch(str(token.attrs.get("href", "")))):
                quoted.setdefault(int(match.group(1)), None)
    return References(tuple(mentions), tuple(quoted))
