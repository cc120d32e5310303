"""Forum and topic pages are read from indexes, whatever page is asked for.

The statements are the ones the pages run (captured while requesting them), so a change
in the reading code that loses an index fails here. PostgreSQL is told to avoid sorts and
full scans where it can: on test-sized tables it would rightly prefer them, and the
question is whether an index *can* give each page in order. Its statistics and visibility
map are brought up to date first, as autovacuum would on a live forum: the tables are
shared by the whole run, and whatever an earlier test left in them must not pick the plan.
"""

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection

from forumapp.extensions import db
from tests.conftest import ON_POSTGRESQL
from tests.forum_world import World
from tests.functional.test_forum_query_counts import counted_queries


def plan_of(app: Flask, statement: str, parameters: Any) -> str:
    """The database's plan for ``statement`` as one string."""
    with app.app_context():
        if ON_POSTGRESQL:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as vacuum:
                vacuum.exec_driver_sql("VACUUM (ANALYZE) topics, posts")
        return _explain(db.engine.connect(), statement, parameters)


def _explain(connection: Connection, statement: str, parameters: Any) -> str:
    with connection:
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        if ON_POSTGRESQL:
            for setting in ("seqscan", "bitmapscan", "sort", "incremental_sort"):
                cursor.execute(f"SET enable_{setting} = off")
            cursor.execute("EXPLAIN " + statement, parameters)
            return "\n".join(str(row[0]) for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(row[3]) for row in cursor.fetchall())


def statement_of(app: Flask, client: FlaskClient, path: str, marker: str) -> tuple[str, Any]:
    """The one statement holding ``marker`` that requesting ``path`` runs, and its values."""
    parameters: list[Any] = []
    with counted_queries(app, parameters) as statements:
        assert client.get(path).status_code == 200
    found = [pair for pair in zip(statements, parameters, strict=True) if marker in pair[0]]
    assert len(found) == 1, statements
    return found[0]


def test_a_deep_forum_page_skips_its_offset_inside_the_visible_listing_index(
    app: Flask, client: FlaskClient, world: World
) -> None:
    for n in range(3):
        world.topic(title=f"Topic {n}")
    plan = plan_of(app, *statement_of(app, client, f"/forum/{world.forum_a}?page=2", "OFFSET"))
    if ON_POSTGRESQL:
        # The skipped topics' ids come from the index alone; only the page's rows are read.
        assert "Index Only Scan Backward using ix_topics_forum_visible" in plan, plan
    else:
        assert "COVERING INDEX ix_topics_forum_visible (forum_id=? AND deleted=?)" in plan, plan


def test_a_topic_page_reads_its_range_of_post_numbers_from_the_index(
    app: Flask, client: FlaskClient, world: World
) -> None:
    topic = world.topic()
    plan = plan_of(app, *statement_of(app, client, f"/topic/{topic}", "posts.number BETWEEN"))
    if ON_POSTGRESQL:
        assert "Index Scan using uq_posts_topic_id" in plan, plan
    else:  # the index of the UNIQUE (topic_id, number) constraint
        assert "posts USING INDEX sqlite_autoindex_posts_1 (topic_id=? AND number>?" in plan, plan
    # In number order from the index: no sort, however many posts the topic has.
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
