"""search: full-text index over post bodies and topic titles

Revision ID: 0003_search
Revises: 0002_forum
Create Date: 2026-11-22

SQLite: an FTS5 table, posts_fts(title, content), over the view posts_fts_source (each
post's body, and its topic's title on the first post). It stores only the index: the
text stays in posts and topics. Triggers keep it current; it is filled from the
existing rows here. PostgreSQL: GIN expression indexes on to_tsvector('simple', ...) of
posts.content and topics.title, which need no triggers. See forumapp/forum/fulltext.py.

Autogenerate ignores all of these (forumapp.forum.fulltext.include_object).
On SQLite, a later batch migration that recreates posts or topics drops their triggers
with the old table: such a migration must create the triggers below again.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_search'
down_revision = '0002_forum'
branch_labels = None
depends_on = None


# The title a post row `r` is indexed with: its topic's, on the first post only. The
# 'delete' command must be given exactly the values that were indexed.
def _title(r):
    return f"(SELECT title FROM topics WHERE id = {r}.topic_id AND {r}.number = 1)"


def _post_delete(r):
    return (f"INSERT INTO posts_fts(posts_fts, rowid, title, content) "
            f"VALUES ('delete', {r}.id, {_title(r)}, {r}.content);")


def _post_insert(r):
    return f"INSERT INTO posts_fts(rowid, title, content) VALUES ({r}.id, {_title(r)}, {r}.content);"


def _first_post_delete(title):
    return (f"INSERT INTO posts_fts(posts_fts, rowid, title, content) "
            f"SELECT 'delete', id, {title}, content FROM posts WHERE topic_id = old.id AND number = 1;")


def _first_post_insert(title):
    return (f"INSERT INTO posts_fts(rowid, title, content) "
            f"SELECT id, {title}, content FROM posts WHERE topic_id = new.id AND number = 1;")


_SQLITE_UPGRADE = [
    """CREATE VIEW posts_fts_source AS
    SELECT posts.id AS id, CASE WHEN posts.number = 1 THEN topics.title END AS title,
           posts.content AS content
    FROM posts JOIN topics ON topics.id = posts.topic_id""",
    "CREATE VIRTUAL TABLE posts_fts USING fts5(title, content, content='posts_fts_source', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER posts_fts_after_insert AFTER INSERT ON posts BEGIN {_post_insert('new')} END",
    f"CREATE TRIGGER posts_fts_after_delete AFTER DELETE ON posts BEGIN {_post_delete('old')} END",
    # Only when what is indexed changes: flags and counters cost nothing.
    "CREATE TRIGGER posts_fts_after_update AFTER UPDATE OF id, topic_id, number, content "
    f"ON posts BEGIN {_post_delete('old')} {_post_insert('new')} END",
    "CREATE TRIGGER topics_fts_after_update AFTER UPDATE OF id, title ON topics "
    f"BEGIN {_first_post_delete('old.title')} {_first_post_insert('new.title')} END",
    # Posts deleted with their topic (ON DELETE CASCADE) no longer see its title: index
    # the first post without it beforehand, so that their own trigger finds what it expects.
    "CREATE TRIGGER topics_fts_before_delete BEFORE DELETE ON topics BEGIN "
    f"{_first_post_delete('old.title')} "
    "INSERT INTO posts_fts(rowid, title, content) "
    "SELECT id, NULL, content FROM posts WHERE topic_id = old.id AND number = 1; END",
    "INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')",
]
_SQLITE_TRIGGERS = ["posts_fts_after_insert", "posts_fts_after_delete", "posts_fts_after_update",
                    "topics_fts_after_update", "topics_fts_before_delete"]
_GIN_INDEXES = [("ix_posts_content_search", "posts", "content"),
                ("ix_topics_title_search", "topics", "title")]


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_UPGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        for name, table, column in _GIN_INDEXES:
            op.create_index(name, table, [sa.text(f"to_tsvector('simple'::regconfig, {column})")],
                            postgresql_using="gin")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS posts_fts")
        op.execute("DROP VIEW IF EXISTS posts_fts_source")
    elif dialect == "postgresql":
        for name, table, _ in _GIN_INDEXES:
            op.drop_index(name, table_name=table)
