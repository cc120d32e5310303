"""search: an index of first posts alone, for searches of topics only

Revision ID: 0028_search_first_posts
Revises: 0027_notifications
Create Date: 2026-12-04

A search of topics only (titles and first posts) read every match of the whole index and
kept the first posts among them: a word common in replies but not in first posts cost
about a second on a million posts. First posts now have an index of their own.

SQLite: the FTS5 table first_posts_fts(title, content) over the view
first_posts_fts_source (each first post's body and its topic's title), kept by triggers
as posts_fts is (0003): on posts when a first post is written, edited or deleted (or a
post's number or topic changes), on topics when a title changes or a topic is deleted.
It is filled from the existing rows here ('rebuild'). PostgreSQL: a partial GIN index on
posts.search_vector (0011) WHERE number = 1, which PostgreSQL keeps itself.

Autogenerate ignores both (forumapp.forum.fulltext.include_object). On SQLite, a later
batch migration that recreates posts or topics must create these triggers again.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0028_search_first_posts"
down_revision = "0027_notifications"
branch_labels = None
depends_on = None


# The 'delete' command must be given exactly the values that were indexed. A post whose
# topic is gone (deleted with it, by cascade) was taken out by the topic's trigger.
def _post_delete(r):
    return ("INSERT INTO first_posts_fts(first_posts_fts, rowid, title, content) "
            f"SELECT 'delete', {r}.id, title, {r}.content FROM topics "
            f"WHERE id = {r}.topic_id AND {r}.number = 1;")


def _post_insert(r):
    return ("INSERT INTO first_posts_fts(rowid, title, content) "
            f"SELECT {r}.id, title, {r}.content FROM topics "
            f"WHERE id = {r}.topic_id AND {r}.number = 1;")


def _topic_delete(title):
    return ("INSERT INTO first_posts_fts(first_posts_fts, rowid, title, content) "
            f"SELECT 'delete', id, {title}, content FROM posts "
            "WHERE topic_id = old.id AND number = 1;")


def _topic_insert(title):
    return ("INSERT INTO first_posts_fts(rowid, title, content) "
            f"SELECT id, {title}, content FROM posts WHERE topic_id = new.id AND number = 1;")


_SQLITE_UPGRADE = [
    """CREATE VIEW first_posts_fts_source AS
    SELECT posts.id AS id, topics.title AS title, posts.content AS content
    FROM posts JOIN topics ON topics.id = posts.topic_id WHERE posts.number = 1""",
    "CREATE VIRTUAL TABLE first_posts_fts USING fts5(title, content, "
    "content='first_posts_fts_source', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER first_posts_fts_after_insert AFTER INSERT ON posts "
    f"WHEN new.number = 1 BEGIN {_post_insert('new')} END",
    "CREATE TRIGGER first_posts_fts_after_delete AFTER DELETE ON posts "
    f"WHEN old.number = 1 BEGIN {_post_delete('old')} END",
    # Only when what is indexed changes: flags and counters cost nothing.
    "CREATE TRIGGER first_posts_fts_after_update AFTER UPDATE OF id, topic_id, number, content "
    f"ON posts WHEN old.number = 1 OR new.number = 1 "
    f"BEGIN {_post_delete('old')} {_post_insert('new')} END",
    "CREATE TRIGGER first_posts_fts_topic_after_update AFTER UPDATE OF id, title ON topics "
    f"BEGIN {_topic_delete('old.title')} {_topic_insert('new.title')} END",
    "CREATE TRIGGER first_posts_fts_topic_before_delete BEFORE DELETE ON topics "
    f"BEGIN {_topic_delete('old.title')} END",
    "INSERT INTO first_posts_fts(first_posts_fts) VALUES ('rebuild')",
]
_SQLITE_TRIGGERS = ["first_posts_fts_after_insert", "first_posts_fts_after_delete",
                    "first_posts_fts_after_update", "first_posts_fts_topic_after_update",
                    "first_posts_fts_topic_before_delete"]
_POSTGRESQL_INDEX = "ix_posts_search_vector_first"


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_UPGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX {_POSTGRESQL_INDEX} ON posts USING gin (search_vector) "
                   "WHERE number = 1")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS first_posts_fts")
        op.execute("DROP VIEW IF EXISTS first_posts_fts_source")
    elif dialect == "postgresql":
        op.execute(f"DROP INDEX {_POSTGRESQL_INDEX}")
