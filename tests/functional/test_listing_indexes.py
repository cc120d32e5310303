"""Forum pages for readers who do not see deleted topics are read from an index."""

from flask import Flask
from sqlalchemy import text

from forumapp.extensions import db
from tests.conftest import skip_on_postgresql
from tests.forum_world import World

# The statement ForumReader.forum_page runs for such readers, as SQLite sees it.
GUEST_LISTING = (
    "SELECT * FROM topics WHERE forum_id = :forum AND deleted IS 0"
    " ORDER BY sticky DESC, last_post_at DESC, id DESC LIMIT 10 OFFSET 9000"
)


@skip_on_postgresql("EXPLAIN QUERY PLAN is SQLite's")
def test_a_deep_forum_page_skips_its_offset_inside_the_visible_listing_index(
    app: Flask, world: World
) -> None:
    with app.app_context():
        plan = " ".join(
            str(row[3])
            for row in db.session.execute(
                text("EXPLAIN QUERY PLAN " + GUEST_LISTING), {"forum": world.forum_a}
            )
        )
    assert "ix_topics_forum_visible (forum_id=? AND deleted=?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
