"""PostgreSQL: keep each post's search vector in a column, with its topic title on first posts

Revision ID: 0011_posts_search_vector
Revises: 0010_topics_visible_listing
Create Date: 2026-11-21

Until now search matched the GIN expression indexes of 0003, on to_tsvector('simple', ...)
of posts.content and topics.title, and ranked by computing to_tsvector again for every
match. On a million posts a common word took about 0.4 s alone and seconds under load:
PostgreSQL had to fetch all of a word's matches (a fifth of the posts) to merge body and
title matches before it could keep the newest.

posts.search_vector now holds what a post is searched by: its body, and on the first
post its topic's title (label A) as well. Triggers keep it current: on posts when the
body, position or topic changes, on topics when the title changes. One GIN index covers
it, and the newest matches of a common word are read newest first from the primary key,
each checked against the stored vector, instead of collecting them all. Ranking reads the
stored vector too. The column is PostgreSQL's only: SQLite keeps its FTS5 index (0003).

Autogenerate ignores the column, its index and the triggers
(forumapp.forum.fulltext.include_object).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0011_posts_search_vector"
down_revision = "0010_topics_visible_listing"
branch_labels = None
depends_on = None

_TITLED = ("setweight(to_tsvector('simple'::regconfig, coalesce({title}, '')), 'A') "
           "|| to_tsvector('simple'::regconfig, {content})")
_BODY = "to_tsvector('simple'::regconfig, {content})"

_UPGRADE = [
    "ALTER TABLE posts ADD COLUMN search_vector tsvector",
    "UPDATE posts SET search_vector = CASE WHEN posts.number = 1 THEN "
    + _TITLED.format(title="topics.title", content="posts.content")
    + " ELSE " + _BODY.format(content="posts.content") + " END "
    "FROM topics WHERE topics.id = posts.topic_id",
    "CREATE INDEX ix_posts_search_vector ON posts USING gin (search_vector)",
    "DROP INDEX ix_posts_content_search",
    "DROP INDEX ix_topics_title_search",
    f"""CREATE FUNCTION posts_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.number = 1 THEN
        NEW.search_vector := {_TITLED.format(
            title="(SELECT title FROM topics WHERE id = NEW.topic_id)", content="NEW.content")};
    ELSE
        NEW.search_vector := {_BODY.format(content="NEW.content")};
    END IF;
    RETURN NEW;
END $$""",
    "CREATE TRIGGER posts_search_vector BEFORE INSERT OR UPDATE OF content, number, topic_id "
    "ON posts FOR EACH ROW EXECUTE FUNCTION posts_search_vector()",
    f"""CREATE FUNCTION topics_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE posts SET search_vector = {_TITLED.format(title="NEW.title", content="content")}
    WHERE topic_id = NEW.id AND number = 1;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER topics_search_vector AFTER UPDATE OF title ON topics "
    "FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) "
    "EXECUTE FUNCTION topics_search_vector()",
]

_DOWNGRADE = [
    "DROP TRIGGER topics_search_vector ON topics",
    "DROP FUNCTION topics_search_vector()",
    "DROP TRIGGER posts_search_vector ON posts",
    "DROP FUNCTION posts_search_vector()",
    "CREATE INDEX ix_topics_title_search ON topics "
    "USING gin (to_tsvector('simple'::regconfig, title))",
    "CREATE INDEX ix_posts_content_search ON posts "
    "USING gin (to_tsvector('simple'::regconfig, content))",
    "DROP INDEX ix_posts_search_vector",
    "ALTER TABLE posts DROP COLUMN search_vector",
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in _UPGRADE:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in _DOWNGRADE:
            op.execute(statement)
