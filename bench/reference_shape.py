"""The reference shape of issue 7, FlaskBB's benchmark data, built with forumapp's demo code.

50 accounts, one category with 3 forums, 200 topics, 2,000 posts, one of them a
1,000-post topic. ``forumapp demo`` only knows its fixed scales and its 11-forum layout,
so this module gives :class:`~forumapp.demo.builder.DemoBuilder` a custom
:class:`~forumapp.demo.plan.DemoScale` (which ``build`` accepts as it is) and a
3-forum layout (through its one forum-creating step; see bench/README.md for the small
change to ``forumapp/demo/builder.py`` that would make this a constructor argument).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from forumapp import create_app
from forumapp.auth.factories import password_hasher
from forumapp.database import upgrade_schema
from forumapp.demo.builder import DemoBuilder
from forumapp.demo.cli import bulk_load_pragmas
from forumapp.demo.layout import LAYOUT, Cast, CategorySpec, ForumSpec
from forumapp.demo.plan import DemoScale
from forumapp.demo.posts import Board
from forumapp.extensions import db
from forumapp.forum.models import Category, Forum, Post, Topic
from forumapp.forum.structure import ForumStructure
from forumapp.sqltypes import utcnow
from forumapp.users.models import User

#: The demo adds four staff accounts and one banned member to ``members``: 50 in all.
REFERENCE_SCALE = DemoScale(members=45, topics=200, posts=2_000, long_topic_posts=1_000, bodies=40)


def _spec(theme: str) -> ForumSpec:
    return next(spec for category in LAYOUT for spec in category.forums if spec.theme == theme)


#: Three forums open to guests, one of them home to the long topic.
REFERENCE_LAYOUT: tuple[CategorySpec, ...] = (
    CategorySpec(
        "Community",
        "Three forums, as in FlaskBB's benchmark data.",
        (_spec("introductions"), _spec("python"), _spec("offtopic")),
    ),
)


class ReferenceShapeBuilder(DemoBuilder):
    """:class:`DemoBuilder` writing into :data:`REFERENCE_LAYOUT` instead of the demo's."""

    def _create_forums(self, cast: Cast) -> list[Board]:
        # Open to every group, without appointed moderators (staff still moderate).
        structure = ForumStructure(self._session)
        boards: list[Board] = []
        for position, category_spec in enumerate(REFERENCE_LAYOUT):
            category = structure.create_category(
                category_spec.title, category_spec.description, position
            )
            for forum_position, spec in enumerate(category_spec.forums):
                forum = structure.create_forum(
                    category.id, spec.title, spec.description, position=forum_position
                )
                boards.append(Board(forum.id, spec, None))
        return boards


def build_reference(seed: int) -> dict[str, Any]:
    """Build the reference shape into the app's (empty) database; returns what it holds."""
    app = create_app()
    upgrade_schema(app)
    with app.app_context():
        with (
            db.engine.connect() as connection,
            bulk_load_pragmas(connection),
            Session(bind=connection) as session,
        ):
            builder = ReferenceShapeBuilder(session, password_hasher(), utcnow)
            summary = builder.build(REFERENCE_SCALE, seed)
        counts = {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("users", User),
                ("categories", Category),
                ("forums", Forum),
                ("topics", Topic),
                ("posts", Post),
            )
        }
        db.session.remove()
    return {
        "built_by": "bench/reference_shape.py",
        "demo_scale": asdict(REFERENCE_SCALE),
        "counts": counts,
        "long_topic_id": summary.long_topic_id,
    }
