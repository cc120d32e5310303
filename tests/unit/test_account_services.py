"""``AccountDeleter`` and ``DataExporter`` without Flask: a real SQLite session (their work
is SQL, so a fake would test nothing), a recording mailer and a fixed clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.orm import Session

from forumapp.account.leaving.deletion import (
    LAST_ADMIN,
    POSTS_MUST_STAY,
    WRONG_CONFIRMATION,
    AccountDeleter,
    DeletionRequest,
    DeletionSettings,
    Departing,
)
from forumapp.account.leaving.export import FORMAT, DataExporter, profile_of
from forumapp.api.models import ApiToken
from forumapp.auth.models import AuthSession
from forumapp.auth.ports import ClientInfo, Notice
from forumapp.extensions import db
from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.forum.models import Category, Forum, Post, Topic, TopicRead
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.management.audit.models import AuditEntry
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.fakes import FixedClock


class RecordingGoodbyes:
    """A goodbye mailer that remembers whom it wrote to."""

    def __init__(self) -> None:
        self.sent: list[tuple[Departing, bool]] = []

    def send_goodbye(self, member: Departing, *, posts_removed: bool) -> None:
        self.sent.append((member, posts_removed))


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA foreign_keys=ON"))
    db.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(
            [
                Group(key=GroupKey.ADMIN, name="Administrator", admin=True),
                Group(key=GroupKey.MEMBER, name="Member"),
            ]
        )
        session.commit()
        yield session
    engine.dispose()


def add_user(session: Session, name: str, group: GroupKey = GroupKey.MEMBER) -> User:
    group_id = session.scalar(select(Group.id).where(Group.key == group))
    user = User(
        username=name,
        username_key=name.casefold(),
        email=f"{name}@example.org",
        email_key=f"{name}@example.org",
        password_hash="$argon2id$secret-hash",
        activated=True,
        group_id=group_id,
        date_joined=datetime(2025, 5, 1, tzinfo=UTC),
    )
    session.add(user)
    session.commit()
    return user


def add_topic(session: Session, author: User, posts: int = 1) -> Topic:
    forum = session.scalar(select(Forum)) or _add_forum(session)
    topic = Topic(forum_id=forum.id, user_id=author.id, author_name=author.username, title="T")
    session.add(topic)
    session.flush()
    for number in range(1, posts + 1):
        session.add(
            Post(
                topic_id=topic.id,
                number=number,
                user_id=author.id,
                author_name=author.username,
                content=f"post {number}",
                html="",
                renderer_version=1,
            )
        )
    session.commit()
    return topic


def _add_forum(session: Session) -> Forum:
    category = Category(title="C")
    session.add(category)
    session.flush()
    forum = Forum(category_id=category.id, title="F", topic_count=0, post_count=0)
    session.add(forum)
    session.flush()
    return forum


def deleter(
    session: Session, mailer: RecordingGoodbyes, *, removal_allowed: bool = False
) -> AccountDeleter:
    clock = FixedClock()
    return AccountDeleter(
        session, AuditLog(session, clock), mailer, DeletionSettings(removal_allowed), clock
    )


NOW = FixedClock()()
CLIENT = ClientInfo(
    "203.0.113.9", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
)


def as_auditor(user: User) -> Auditor:
    return Auditor(user.id, user.username, "192.0.2.7")


# --- AccountDeleter ------------------------------------------------------------------------


def test_deletion_removes_the_account_its_sessions_tokens_and_reading_state(
    session: Session,
) -> None:
    alice = add_user(session, "alice")
    topic = add_topic(session, alice, posts=2)
    session.add_all(
        [
            AuthSession(
                user_id=alice.id,
                token_hash="a" * 64,
                expires_at=datetime(2030, 1, 1, tzinfo=UTC),
            ),
            ApiToken(user_id=alice.id, name="ci", prefix="fa_x", token_hash="b" * 64, scope="read"),
            TopicRead(user_id=alice.id, topic_id=topic.id, read_at=datetime.now(UTC)),
        ]
    )
    session.commit()
    mailer = RecordingGoodbyes()
    deleted = deleter(session, mailer).delete(
        as_auditor(alice), DeletionRequest("alice", False), client=CLIENT
    )
    assert (deleted.username, deleted.posts_removed) == ("alice", False)
    for model in (User, AuthSession, ApiToken, TopicRead):
        assert session.scalar(select(func.count()).select_from(model)) == 0
    names = session.scalars(select(Post.author_name)).all()
    assert names == ["deleted user", "deleted user"]
    notice = Notice(NOW, "Firefox 128 on Ubuntu", "203.0.113.x")
    assert mailer.sent == [(Departing("alice", "alice@example.org", notice, language="en"), False)]


def test_the_audit_entry_names_the_member_as_the_actor(session: Session) -> None:
    alice = add_user(session, "alice")
    deleter(session, RecordingGoodbyes()).delete(
        as_auditor(alice), DeletionRequest("alice", False), client=CLIENT
    )
    entry = session.scalar(select(AuditEntry))
    assert entry is not None
    assert (entry.action, entry.actor_name, entry.ip_address) == (
        "account.delete",
        "alice",
        "192.0.2.7",
    )
    assert (entry.target_type, entry.target_label) == ("user", "alice")


@pytest.mark.parametrize("typed", ["", "alic", "alice2", "bob"])
def test_a_wrong_confirmation_deletes_nothing_and_sends_nothing(
    session: Session, typed: str
) -> None:
    alice = add_user(session, "alice")
    add_user(session, "bob")
    mailer = RecordingGoodbyes()
    with pytest.raises(InvalidInput) as caught:
        deleter(session, mailer).delete(
            as_auditor(alice), DeletionRequest(typed, False), client=CLIENT
        )
    assert (caught.value.field, caught.value.reason) == ("confirmation", WRONG_CONFIRMATION)
    assert session.get(User, alice.id) is not None
    assert mailer.sent == []


def test_removing_posts_needs_the_site_setting(session: Session) -> None:
    alice = add_user(session, "alice")
    add_topic(session, alice)
    with pytest.raises(InvalidInput) as caught:
        deleter(session, RecordingGoodbyes()).delete(
            as_auditor(alice), DeletionRequest("alice", True), client=CLIENT
        )
    assert (caught.value.field, caught.value.reason) == ("posts", POSTS_MUST_STAY)
    deleter(session, RecordingGoodbyes(), removal_allowed=True).delete(
        as_auditor(alice), DeletionRequest("alice", True), client=CLIENT
    )
    assert session.scalars(select(Topic.deleted)).all() == [True]


def test_the_last_admin_is_refused_and_nothing_changes(session: Session) -> None:
    root = add_user(session, "root", GroupKey.ADMIN)
    add_topic(session, root)
    mailer = RecordingGoodbyes()
    with pytest.raises(Forbidden) as caught:
        deleter(session, mailer).delete(
            as_auditor(root), DeletionRequest("root", False), client=CLIENT
        )
    assert caught.value.reason == LAST_ADMIN
    assert session.get(User, root.id) is not None
    assert session.scalars(select(Post.author_name)).all() == ["root"]
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
    assert mailer.sent == []


def test_an_admin_may_leave_while_another_admin_remains(session: Session) -> None:
    root = add_user(session, "root", GroupKey.ADMIN)
    add_user(session, "root2", GroupKey.ADMIN)
    deleter(session, RecordingGoodbyes()).delete(
        as_auditor(root), DeletionRequest("root", False), client=CLIENT
    )
    assert session.get(User, root.id) is None


def test_an_account_already_gone_is_not_found(session: Session) -> None:
    ghost = Auditor(404, "ghost", "")
    with pytest.raises(NotFound):
        deleter(session, RecordingGoodbyes()).delete(
            ghost, DeletionRequest("ghost", False), client=CLIENT
        )


# --- DataExporter ---------------------------------------------------------------------------


def exporter(session: Session, batch_size: int = 500) -> DataExporter:
    return DataExporter(session, FixedClock(datetime(2026, 3, 4, 5, 6, tzinfo=UTC)), batch_size)


def test_the_file_is_named_after_the_member_and_the_day(session: Session) -> None:
    alice = add_user(session, "alice")
    assert exporter(session).export(alice.id).filename == "forumapp-alice-2026-03-04.json"


def test_the_profile_leaves_out_credentials_and_lookup_copies(session: Session) -> None:
    alice = add_user(session, "alice")
    profile = profile_of(alice)
    assert profile["username"] == "alice"
    assert profile["group"] == "Member"
    assert not {"password_hash", "username_key", "email_key", "group_id"} & profile.keys()


def test_the_document_is_valid_json_across_batches(session: Session) -> None:
    alice = add_user(session, "alice")
    add_topic(session, alice, posts=7)
    document: dict[str, Any] = json.loads("".join(exporter(session, 2).export(alice.id).chunks))
    assert document["format"] == FORMAT
    assert document["exported_at"] == "2026-03-04T05:06:00+00:00"
    assert [post["number"] for post in document["posts"]] == list(range(1, 8))
    assert [topic["title"] for topic in document["topics"]] == ["T"]
    assert document["api_tokens"] == document["sessions"] == []


def test_the_export_holds_nothing_of_other_members(session: Session) -> None:
    alice, bob = add_user(session, "alice"), add_user(session, "bob")
    add_topic(session, bob, posts=3)
    document = json.loads("".join(exporter(session).export(alice.id).chunks))
    assert document["topics"] == document["posts"] == []


def test_an_unknown_member_has_no_export(session: Session) -> None:
    with pytest.raises(NotFound):
        exporter(session).export(404)


def test_token_dates_are_exported_without_any_part_of_the_secret(session: Session) -> None:
    alice = add_user(session, "alice")
    used = datetime(2026, 2, 1, tzinfo=UTC)
    session.add(
        ApiToken(
            user_id=alice.id,
            name="ci",
            prefix="fa_prefix",
            token_hash="c" * 64,
            scope="read",
            last_used_at=used,
            created_at=used - timedelta(days=1),
        )
    )
    session.commit()
    text = "".join(exporter(session).export(alice.id).chunks)
    assert json.loads(text)["api_tokens"] == [
        {
            "name": "ci",
            "scope": "read",
            "created_at": "2026-01-31T00:00:00+00:00",
            "last_used_at": "2026-02-01T00:00:00+00:00",
        }
    ]
    assert "fa_prefix" not in text and "c" * 64 not in text
