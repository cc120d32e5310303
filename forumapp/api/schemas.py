"""What the API accepts and returns, as pydantic models.

The same models validate request bodies, serialize responses and, through their JSON
Schema (the dialect of OpenAPI 3.1), describe the API in ``/api/v1/openapi.json``. Limits
are the web forms' limits, taken from the same constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from forumapp.forum.forms import CONTENT_MAX_LENGTH
from forumapp.forum.ids import MAX_ID
from forumapp.forum.markdown import shows_nothing
from forumapp.forum.models import TITLE_MAX_LENGTH
from forumapp.text import (
    CONTROL_CHARACTERS,
    CONTROL_CLASS,
    MULTILINE_CONTROL_CLASS,
    MULTILINE_WHITESPACE,
    NOTHING_VISIBLE,
    has_control_characters,
    is_blank,
    visible_text_pattern,
)

DESCRIPTION_MAX_LENGTH = 5_000


@dataclass(frozen=True)
class Documented:
    """Puts in a type's JSON Schema what its validators check, so generated clients and
    fuzzers know the rules: a ``pattern`` and a sentence for people."""

    pattern: str
    rule: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The type's own schema with the pattern and the rule added."""
        schema = handler(core_schema)
        schema["pattern"] = self.pattern
        schema["description"] = self.rule
        return schema


def _single_line(value: str) -> str:
    if has_control_characters(value):
        raise ValueError(CONTROL_CHARACTERS)
    return value


def _multi_line(value: str) -> str:
    if has_control_characters(value, MULTILINE_WHITESPACE):
        raise ValueError(CONTROL_CHARACTERS)
    return value


def _visible(value: str) -> str:
    if is_blank(value):
        raise ValueError(NOTHING_VISIBLE)
    return value


def _visible_post(value: str) -> str:
    if shows_nothing(value):
        raise ValueError(NOTHING_VISIBLE)
    return value


def _integral(value: object) -> object:
    # JSON Schema counts 2.0 as an integer, and so do generated clients: take it as 2.
    # Strings and booleans stay refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=True), BeforeValidator(_integral)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=TITLE_MAX_LENGTH),
    AfterValidator(_single_line),
    AfterValidator(_visible),
    Documented(
        visible_text_pattern(CONTROL_CLASS),
        "One line: 3 characters or more once surrounding whitespace is trimmed, no control "
        "characters, and not only whitespace or invisible characters (zero-width spaces "
        "and joiners, direction marks and the like).",
    ),
]
Content = Annotated[
    str,
    StringConstraints(min_length=1, max_length=CONTENT_MAX_LENGTH),
    AfterValidator(_multi_line),
    AfterValidator(_visible_post),
    Documented(
        visible_text_pattern(MULTILINE_CONTROL_CLASS),
        "Markdown. No control characters except tab and line breaks; it must show "
        "something: not only whitespace or invisible characters, and not Markdown that "
        "renders to nothing (such as `&nbsp;` or an empty link).",
    ),
]
Description = Annotated[
    str,
    StringConstraints(max_length=DESCRIPTION_MAX_LENGTH),
    AfterValidator(_multi_line),
    Documented(
        f"^[^{MULTILINE_CONTROL_CLASS}]*$",
        "No control characters except tab and line breaks.",
    ),
]
Flag = Annotated[bool, Field(strict=True)]


class Output(BaseModel):
    """A representation the API returns."""

    model_config = ConfigDict(frozen=True)


class Input(BaseModel):
    """A request body: unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


# -- Categories -----------------------------------------------------------------------------


class Category(Output):
    """A heading that groups forums on the index."""

    id: int
    title: str
    description: str
    position: int
    url: str = Field(description="The category's page on the forum.")


class CategoryCreate(Input):
    """A new category (administrators); it goes after the existing ones."""

    title: Title
    description: Description = ""


class CategoryUpdate(Input):
    """Fields of a category to change (administrators)."""

    title: Title | None = None
    description: Description | None = None


# -- Forums ---------------------------------------------------------------------------------


class Forum(Output):
    """A board of topics."""

    id: int
    category_id: int
    title: str
    description: str
    position: int
    locked: bool
    topic_count: int
    post_count: int
    last_topic_id: int | None
    last_post_id: int | None
    last_post_at: datetime | None
    url: str


class ForumCreate(Input):
    """A new forum (administrators), visible to every group, at the end of its category."""

    category_id: Id
    title: Title
    description: Description = ""
    locked: Flag = False


class ForumUpdate(Input):
    """Fields of a forum to change (administrators); a new category moves it there."""

    category_id: Id | None = None
    title: Title | None = None
    description: Description | None = None
    locked: Flag | None = None


# -- Topics ---------------------------------------------------------------------------------


class Topic(Output):
    """A conversation: a title and its posts."""

    id: int
    forum_id: int
    title: str
    user_id: int | None = Field(description="The author; null once the account is deleted.")
    author_name: str
    created_at: datetime
    locked: bool
    sticky: bool
    deleted: bool = Field(description="Only moderators see deleted topics.")
    post_count: int
    reply_count: int
    views: int
    first_post_id: int | None
    last_post_id: int | None
    last_post_at: datetime
    last_poster_name: str
    url: str


class TopicCreate(Input):
    """A new topic with its first post."""

    forum_id: Id
    title: Title
    content: Content


class TopicUpdate(Input):
    """Change a topic: its title (its author or a moderator), or as a moderator lock,
    pin or move it."""

    title: Title | None = None
    locked: Flag | None = None
    sticky: Flag | None = None
    forum_id: Id | None = Field(default=None, description="Move the topic to this forum.")


# -- Posts ----------------------------------------------------------------------------------


class Post(Output):
    """One message of a topic, numbered from 1 in the order written."""

    id: int
    topic_id: int
    number: int
    user_id: int | None
    author_name: str
    content: str | None = Field(
        description="The Markdown source; null for deleted or hidden posts, except to moderators."
    )
    html: str | None = Field(description="The sanitized HTML the forum shows.")
    created_at: datetime
    edited_at: datetime | None
    edited_by: str | None
    deleted: bool
    hidden: bool
    url: str


class PostCreate(Input):
    """A reply at the end of a topic."""

    topic_id: Id
    content: Content


class PostUpdate(Input):
    """New text of a post (its author or a moderator), or hide/unhide it (moderators)."""

    content: Content | None = None
    hidden: Flag | None = None


# -- Members --------------------------------------------------------------------------------


class User(Output):
    """A member's public profile."""

    id: int
    username: str
    group: str
    joined: datetime
    post_count: int
    url: str


class Me(User):
    """The member the request authenticates as, with what only they see."""

    email: str
    language: str
    token_scope: str | None = Field(
        description="`read` or `write` when authenticated by a token; null for a browser session."
    )


# -- Plugins (administrators only) -----------------------------------------------------------


class Plugin(Output):
    """An enabled plugin and its settings' current values."""

    name: str
    version: str
    summary: str
    settings: dict[str, str | int | bool]


class PluginList(Output):
    """The plugins running in this worker, by name."""

    items: list[Plugin]


# -- Lists and query strings ----------------------------------------------------------------


class PageQuery(Input):
    """Cursor pagination, common to every list."""

    limit: int = Field(default=25, ge=1, le=100, description="Items per page.")
    cursor: str | None = Field(
        default=None,
        max_length=200,
        description="Opaque; take it from a `Link` header (`rel=next` or `rel=prev`).",
    )


class TopicQuery(PageQuery):
    """Topics, newest first; optionally of one forum."""

    forum_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Only the topics of this forum."
    )


class PostQuery(PageQuery):
    """Posts in the order written; optionally of one topic."""

    topic_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Only the posts of this topic."
    )


class ForumQuery(PageQuery):
    """Forums; optionally of one category."""

    category_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Only the forums of this category."
    )
