"""The read side of the forum: index, forum and topic pages, permalinks, profiles.

Every method issues a fixed number of queries whatever the size of the forum: listings
come from indexed, denormalized columns maintained on write, and a topic page is a range
of post numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import defer, undefer

from forumapp.forum.errors import NotFound
from forumapp.forum.models import Category, Forum, ForumRead, Post, Topic, TopicRead
from forumapp.forum.permissions import Actor
from forumapp.persistence import DbSession
from forumapp.users.models import Group, User


@dataclass(frozen=True)
class Reader:
    """Who reads, for unread markers: ``None`` for guests."""

    user_id: int
    #: Everything at or before this moment counts as read: the join date, "mark all
    #: read", or the start of the unread window, whichever is latest.
    baseline: datetime


@dataclass(frozen=True)
class ForumRow:
    """A forum on the index."""

    forum: Forum
    unread: bool


@dataclass(frozen=True)
class CategorySection:
    """A category and its visible forums."""

    category: Category
    forums: list[ForumRow]


@dataclass(frozen=True)
class IndexView:
    """The forum index."""

    sections: list[CategorySection]
    topic_total: int
    post_total: int


@dataclass(frozen=True)
class Pagination:
    """Page numbers of a listing."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers to link, with ``None`` for a gap: 1 … 4 5 [6] 7 8 … 20."""
        shown = {1, self.pages, *range(self.page - size, self.page + size + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        result: list[int | None] = []
        for previous, number in zip([0, *numbers], numbers, strict=False):
            if number - previous > 1 and previous:
                result.append(None)
            result.append(number)
        return result


@dataclass(frozen=True)
class TopicRow:
    """A topic on a forum page."""

    topic: Topic
    unread: bool
    #: The topic starter's avatar (``users.avatar_key``), read in the same query.
    starter_avatar_key: str | None = None


@dataclass(frozen=True)
class ForumView:
    """One page of a forum."""

    forum: Forum
    category: Category
    topics: list[TopicRow]
    pagination: Pagination
    moderator: bool


@dataclass(frozen=True)
class PostAuthor:
    """What a post shows about its author."""

    username: str
    group_name: str
    post_count: int
    joined: datetime | None
    exists: bool
    #: The author's signature, rendered when they saved it ("" for none).
    signature_html: str = ""
    user_id: int | None = None
    avatar_key: str | None = None


@dataclass(frozen=True)
class PostRow:
    """A post on a topic page."""

    post: Post
    author: PostAuthor
    visible_body: bool


@dataclass(frozen=True)
class TopicView:
    """One page of a topic."""

    topic: Topic
    forum: Forum
    posts: list[PostRow]
    pagination: Pagination
    moderator: bool


@dataclass(frozen=True)
class Profile:
    """A member's public profile."""

    user: User
    group_name: str
    topics: list[Topic]
    posts: list[tuple[Post, Topic]]


Clock = Callable[[], datetime]


def page_count(total: int, per_page: int) -> int:
    """The number of pages ``total`` items fill."""
    return max(1, math.ceil(total / per_page))


class ForumReader:
    """Loads what the forum pages show, restricted to what the actor may see."""

    def __init__(self, session: DbSession, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def index(
        self, actor: Actor, reader: Reader | None, category_id: int | None = None
    ) -> IndexView:
        """Categories with their visible forums, in order (one query, two for members);
        only one category's when ``category_id`` is given."""
        query = (
            select(Forum, Category)
            .join(Category, Category.id == Forum.category_id)
            .where(Forum.id.in_(actor.visible_forums))
            .order_by(Category.position, Category.id, Forum.position, Forum.id)
        )
        if category_id is not None:
            query = query.where(Category.id == category_id)
        rows = self._session.execute(query).all()
        if category_id is not None and not rows:
            raise NotFound  # no such category, or none of its forums is visible
        unread = self._unread_forums(reader, [forum.id for forum, _ in rows])
        sections: list[CategorySection] = []
        for forum, category in rows:
            if not sections or sections[-1].category.id != category.id:
                sections.append(CategorySection(category, []))
            sections[-1].forums.append(ForumRow(forum, forum.id in unread))
        return IndexView(
            sections,
            topic_total=sum(forum.topic_count for forum, _ in rows),
            post_total=sum(forum.post_count for forum, _ in rows),
        )

    def forum_page(
        self, actor: Actor, reader: Reader | None, forum_id: int, page: int, per_page: int
    ) -> ForumView:
        """A page of topics: sticky first, then by last activity."""
        if not actor.can_view_forum(forum_id):
            raise NotFound
        row = self._session.execute(
            select(Forum, Category)
            .join(Category, Category.id == Forum.category_id)
            .where(Forum.id == forum_id)
        ).first()
        if row is None:
            raise NotFound
        forum, category = row
        moderator = actor.moderates(forum_id)
        query = select(Topic.id).where(Topic.forum_id == forum_id)
        total = forum.topic_count
        if actor.sees_removed(forum_id):
            total = (
                self._session.scalar(
                    select(func.count()).select_from(Topic).where(Topic.forum_id == forum_id)
                )
                or 0
            )
        else:
            # "= false", not "IS false": PostgreSQL reads only an equality from an index,
            # and the page's order then comes from ix_topics_forum_visible without a sort.
            query = query.where(Topic.deleted == false())
        page = min(max(page, 1), page_count(total, per_page))
        order = (Topic.sticky.desc(), Topic.last_post_at.desc(), Topic.id.desc())
        # The page's ids first, then their rows: the ids of a deep page's skipped topics
        # are read from the index alone, where PostgreSQL would fetch every skipped row.
        chosen = query.order_by(*order).limit(per_page).offset((page - 1) * per_page).subquery()
        rows = self._session.execute(
            select(Topic, User.avatar_key)
            .join(chosen, chosen.c.id == Topic.id)
            .outerjoin(User, User.id == Topic.user_id)
            .order_by(*order)
        ).all()
        topics = [topic for topic, _ in rows]
        unread = self._unread_topics(reader, forum_id, topics)
        return ForumView(
            forum,
            category,
            [TopicRow(topic, topic.id in unread, key) for topic, key in rows],
            Pagination(page, per_page, total),
            moderator,
        )

    def topic_page(self, actor: Actor, topic_id: int, page: int, per_page: int) -> TopicView:
        """A page of posts: the numbers ``(page-1)*per_page+1 .. page*per_page``."""
        row = self._session.execute(
            select(Topic, Forum).join(Forum, Forum.id == Topic.forum_id).where(Topic.id == topic_id)
        ).first()
        if row is None or not actor.can_view_topic(row[0]):
            raise NotFound
        topic, forum = row
        pagination = Pagination(1, per_page, topic.post_number_seq)
        page = min(max(page, 1), pagination.pages)
        first = (page - 1) * per_page + 1
        rows = self._session.execute(
            select(
                Post,
                User.username,
                User.post_count,
                User.date_joined,
                Group.name,
                User.signature_html,
                User.avatar_key,
            )
            # The page shows each post's stored HTML: its Markdown source can stay behind.
            .options(defer(Post.content, raiseload=True))
            .outerjoin(User, User.id == Post.user_id)
            .outerjoin(Group, Group.id == User.group_id)
            .where(Post.topic_id == topic_id, Post.number.between(first, first + per_page - 1))
            .order_by(Post.number)
            # The range holds per_page numbers at most, but PostgreSQL's estimate for the
            # first page of a long topic was tens of thousands of rows (the topic's share
            # of posts times the share of low numbers), and it planned a parallel hash join.
            .limit(per_page)
        ).all()
        posts = [
            PostRow(
                post,
                _author(post, username, group_name, post_count, joined, signature, avatar_key),
                actor.can_see_post_body(post, forum.id),
            )
            for post, username, post_count, joined, group_name, signature, avatar_key in rows
        ]
        return TopicView(
            topic,
            forum,
            posts,
            Pagination(page, per_page, topic.post_number_seq),
            actor.moderates(forum.id),
        )

    def post_location(self, actor: Actor, post_id: int, per_page: int) -> tuple[int, int]:
        """The topic id and page number of a post, for permalinks."""
        row = self._session.execute(
            select(Post.number, Topic)
            .join(Topic, Topic.id == Post.topic_id)
            .where(Post.id == post_id)
        ).first()
        if row is None or not actor.can_view_topic(row[1]):
            raise NotFound
        number, topic = row
        return topic.id, (number - 1) // per_page + 1

    def first_unread_post(self, actor: Actor, reader: Reader, topic_id: int) -> int:
        """The id of the first post the member has not read yet (the last post if none).

        Posts count as read up to the member's reading position in the topic, and up to
        "mark forum read", "mark all read" or the unread window, whichever is latest.
        """
        row = self._session.execute(
            select(Topic, TopicRead.last_number, ForumRead.cleared_at)
            .outerjoin(
                TopicRead,
                and_(TopicRead.topic_id == Topic.id, TopicRead.user_id == reader.user_id),
            )
            .outerjoin(
                ForumRead,
                and_(ForumRead.forum_id == Topic.forum_id, ForumRead.user_id == reader.user_id),
            )
            .where(Topic.id == topic_id)
        ).first()
        if row is None or not actor.can_view_topic(row[0]):
            raise NotFound
        topic, read_up_to, cleared = row
        baseline = max(reader.baseline, cleared) if cleared else reader.baseline
        post_id = self._session.scalar(
            select(Post.id)
            .where(
                Post.topic_id == topic_id,
                Post.number > (read_up_to or 0),
                Post.created_at > baseline,
            )
            .order_by(Post.number)
            .limit(1)
        ) or self._session.scalar(
            select(Post.id).where(Post.topic_id == topic_id, Post.number == topic.post_number_seq)
        )
        if post_id is None:
            raise NotFound
        return post_id

    def profile(self, actor: Actor, username_key: str, limit: int = 10) -> Profile:
        """A member's profile with their latest visible topics and posts."""
        row = self._session.execute(
            select(User, Group.name)
            # The page shows the rendered "about"; its Markdown source can stay behind.
            .options(undefer(User.about_html))
            .join(Group, Group.id == User.group_id)
            .where(User.username_key == username_key, User.activated.is_(True))
        ).first()
        if row is None:
            raise NotFound
        user, group_name = row
        visible = actor.visible_forums
        topics = self._session.scalars(
            select(Topic)
            .where(Topic.user_id == user.id, Topic.deleted.is_(False), Topic.forum_id.in_(visible))
            .order_by(Topic.created_at.desc())
            .limit(limit)
        ).all()
        posts = self._session.execute(
            select(Post, Topic)
            .join(Topic, Topic.id == Post.topic_id)
            .where(
                Post.user_id == user.id,
                Post.deleted.is_(False),
                Post.hidden.is_(False),
                Topic.deleted.is_(False),
                Topic.forum_id.in_(visible),
            )
            .order_by(Post.created_at.desc())
            .limit(limit)
        ).all()
        return Profile(user, group_name, list(topics), [(post, topic) for post, topic in posts])

    def recent_topics(
        self, actor: Actor, forum_id: int, limit: int
    ) -> tuple[Forum, list[tuple[Topic, Post | None]]]:
        """The newest topics of a forum, each with its first post (``None`` once that is
        deleted or hidden), for its feed: one query for them all."""
        forum = self._session.get(Forum, forum_id) if actor.can_view_forum(forum_id) else None
        if forum is None:
            raise NotFound
        rows = self._session.execute(
            select(Topic, Post)
            .outerjoin(
                Post,
                and_(
                    Post.topic_id == Topic.id,
                    Post.number == 1,
                    Post.deleted.is_(False),
                    Post.hidden.is_(False),
                ),
            )
            .where(Topic.forum_id == forum_id, Topic.deleted.is_(False))
            .order_by(Topic.created_at.desc())
            .limit(limit)
        ).all()
        return forum, [(topic, post) for topic, post in rows]

    def recent_posts(self, actor: Actor, topic_id: int, limit: int) -> tuple[Topic, list[Post]]:
        """The newest visible posts of a topic, for its feed."""
        topic = self._session.get(Topic, topic_id)
        if topic is None or not actor.can_view_topic(topic) or topic.deleted:
            raise NotFound
        posts = self._session.scalars(
            select(Post)
            .where(Post.topic_id == topic_id, Post.deleted.is_(False), Post.hidden.is_(False))
            .order_by(Post.number.desc())
            .limit(limit)
        ).all()
        return topic, list(posts)

    def _unread_forums(self, reader: Reader | None, forum_ids: Sequence[int]) -> set[int]:
        """Forums with a topic the member has not read to its end (one query)."""
        if reader is None or not forum_ids:
            return set()
        rows = self._session.scalars(
            select(Topic.forum_id)
            .distinct()
            .outerjoin(
                TopicRead,
                and_(TopicRead.topic_id == Topic.id, TopicRead.user_id == reader.user_id),
            )
            .outerjoin(
                ForumRead,
                and_(ForumRead.forum_id == Topic.forum_id, ForumRead.user_id == reader.user_id),
            )
            .where(
                Topic.last_post_at > reader.baseline,
                Topic.forum_id.in_(forum_ids),
                Topic.deleted.is_(False),
                or_(ForumRead.cleared_at.is_(None), Topic.last_post_at > ForumRead.cleared_at),
                or_(
                    TopicRead.last_number.is_(None),
                    TopicRead.last_number < Topic.post_number_seq,
                ),
            )
        )
        return set(rows)

    def _unread_topics(
        self, reader: Reader | None, forum_id: int, topics: Sequence[Topic]
    ) -> set[int]:
        if reader is None or not topics:
            return set()
        rows = self._session.execute(
            select(TopicRead.topic_id, TopicRead.last_number, ForumRead.cleared_at)
            .select_from(Topic)
            .outerjoin(
                TopicRead,
                and_(TopicRead.topic_id == Topic.id, TopicRead.user_id == reader.user_id),
            )
            .outerjoin(
                ForumRead,
                and_(ForumRead.forum_id == forum_id, ForumRead.user_id == reader.user_id),
            )
            .where(Topic.id.in_([topic.id for topic in topics]))
        ).all()
        read_upto = {topic_id: number for topic_id, number, _ in rows if topic_id is not None}
        cleared = next((at for _, _, at in rows if at is not None), None)
        baseline = max(reader.baseline, cleared) if cleared else reader.baseline
        return {
            topic.id
            for topic in topics
            if _after(topic.last_post_at, baseline)
            and topic.post_number_seq > read_upto.get(topic.id, 0)
        }


def _after(moment: datetime | None, baseline: datetime) -> bool:
    return moment is not None and moment > baseline


def _author(
    post: Post,
    username: str | None,
    group_name: str | None,
    post_count: int | None,
    joined: datetime | None,
    signature_html: str | None,
    avatar_key: str | None,
) -> PostAuthor:
    if username is None:  # the account was deleted
        return PostAuthor(post.author_name, "Deleted user", 0, None, exists=False)
    return PostAuthor(
        username,
        group_name or "",
        post_count or 0,
        joined,
        True,
        signature_html=signature_html or "",
        user_id=post.user_id,
        avatar_key=avatar_key,
    )
