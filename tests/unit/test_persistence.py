"""Units of work: what :func:`forumapp.persistence.atomic` leaves behind when they fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from forumapp.persistence import atomic


def test_a_unit_of_work_whose_commit_fails_is_rolled_back(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'notes.sqlite3'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (body TEXT)")
    session = Session(engine)

    def write_then_lose_the_connection() -> None:
        with atomic(session):
            session.execute(text("INSERT INTO notes VALUES ('half written')"))
            # The connection dies between the write and the commit.
            session.connection().connection.dbapi_connection.close()  # type: ignore[union-attr]

    with pytest.raises(SQLAlchemyError):
        write_then_lose_the_connection()
    # The session is usable again, for the error page and the next unit of work, and
    # nothing of the failed one was kept.
    assert session.scalar(text("SELECT count(*) FROM notes")) == 0
    with atomic(session):
        session.execute(text("INSERT INTO notes VALUES ('whole')"))
    assert session.scalar(text("SELECT count(*) FROM notes")) == 1
    session.close()
    engine.dispose()
