"""The first-run setup service with fakes: no Flask, no database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from forumapp.forum.errors import InvalidInput, NotFound
from forumapp.management.audit.log import Auditor
from forumapp.persistence import PersistenceError
from forumapp.setup.services import FirstRunSetup, SetupRequest, WrongSetupCode
from forumapp.users.models import User
from forumapp.users.services import AccountError

CODE = "abcd-efgh-jkmn-pqrs"


class FakeSession:
    """Records what is added; commits, rollbacks and flushes are counted."""

    def __init__(self, fail_commit: Exception | None = None) -> None:
        self.added: list[Any] = []
        self.commits = 0
        self.rollbacks = 0
        self.fail_commit = fail_commit

    def add(self, item: Any) -> None:
        item.id = len(self.added) + 1
        self.added.append(item)

    def flush(self) -> None:
        """Nothing to send."""

    def commit(self) -> None:
        if self.fail_commit is not None:
            raise self.fail_commit
        self.commits += 1

    def rollback(self) -> None:
        self.rollbacks += 1


@dataclass
class FakeAccounts:
    """Admin accounts: whether one exists, and new ones built without checks."""

    admin_exists: bool = False
    refusal: AccountError | None = None

    def has_admin(self) -> bool:
        return self.admin_exists

    def new_admin(self, username: str, email: str, password: str) -> User:
        if self.refusal is not None:
            raise self.refusal
        return User(username=username, email=email, password_hash="hash:" + password)


@dataclass
class FakeCode:
    """A setup code kept in memory."""

    code: str | None = "abcdefghjkmnpqrs"
    claims: int = 0

    def pending(self) -> bool:
        return self.code is not None

    def matches(self, code: str) -> bool:
        return self.code is not None and code.replace("-", "") == self.code

    def claim(self) -> bool:
        self.claims += 1
        taken, self.code = self.code, None
        return taken is not None

    def restore(self, code: str) -> None:
        self.code = code.replace("-", "")


@dataclass
class FakeSettings:
    """Records the values staged and who staged them."""

    staged: list[tuple[Auditor, Mapping[str, Any]]] = field(default_factory=list)

    def stage(
        self, auditor: Auditor, current: Mapping[str, Any], values: Mapping[str, Any]
    ) -> list[str]:
        self.staged.append((auditor, values))
        return [key for key in values if current.get(key) != values[key]]


def request(code: str = CODE, **fields: str) -> SetupRequest:
    """A setup form as the owner fills it in."""
    values = {
        "site_name": "Climbers",
        "username": "owner",
        "email": "owner@example.org",
        "password": "pw",
        "ip_address": "192.0.2.1",
        **fields,
    }
    return SetupRequest(code=code, **values)


def service(
    session: FakeSession | None = None,
    accounts: FakeAccounts | None = None,
    code: FakeCode | None = None,
    settings: FakeSettings | None = None,
) -> FirstRunSetup:
    """The service over the given fakes (fresh ones where omitted)."""
    return FirstRunSetup(
        session or FakeSession(),  # type: ignore[arg-type]
        accounts or FakeAccounts(),
        code or FakeCode(),
        settings or FakeSettings(),
    )


def test_complete_adds_the_admin_and_stages_the_site_name_in_one_commit() -> None:
    session, code, settings = FakeSession(), FakeCode(), FakeSettings()

    user = service(session, code=code, settings=settings).complete(request(), "forumapp")

    assert session.added == [user]
    assert session.commits == 1
    assert settings.staged == [(Auditor(1, "owner", "192.0.2.1"), {"SITE_NAME": "Climbers"})]
    assert not code.pending()


def test_a_wrong_code_is_refused_before_anything_is_claimed() -> None:
    session, code = FakeSession(), FakeCode()

    with pytest.raises(WrongSetupCode):
        service(session, code=code).complete(request("zzzz-zzzz-zzzz-zzzz"), "forumapp")

    assert code.claims == 0
    assert session.added == []


@pytest.mark.parametrize(
    ("accounts", "code"),
    [(FakeAccounts(admin_exists=True), FakeCode()), (FakeAccounts(), FakeCode(code=None))],
    ids=["admin-exists", "no-code"],
)
def test_setup_is_closed_once_an_admin_exists_or_without_a_code(
    accounts: FakeAccounts, code: FakeCode
) -> None:
    setup = service(accounts=accounts, code=code)

    with pytest.raises(NotFound):
        setup.ensure_open()
    with pytest.raises(NotFound):
        setup.complete(request(), "forumapp")


def test_a_code_claimed_by_another_submission_closes_setup() -> None:
    code = FakeCode()
    code.claim = lambda: False  # type: ignore[method-assign]
    session = FakeSession()

    with pytest.raises(NotFound):
        service(session, code=code).complete(request(), "forumapp")

    assert session.added == []


def test_refused_account_fields_become_invalid_input_and_keep_the_code() -> None:
    code = FakeCode()
    accounts = FakeAccounts(refusal=AccountError("Too short.", "password"))

    with pytest.raises(InvalidInput) as refused:
        service(accounts=accounts, code=code).complete(request(), "forumapp")

    assert (refused.value.field, refused.value.reason) == ("password", "Too short.")
    assert code.pending() and code.claims == 0


def test_a_bad_site_name_is_invalid_input_before_the_code_is_claimed() -> None:
    code = FakeCode()

    with pytest.raises(InvalidInput) as refused:
        service(code=code).complete(request(site_name="a\nb"), "forumapp")

    assert refused.value.field == "site_name"
    assert code.claims == 0


def test_a_failed_save_rolls_back_and_puts_the_code_back() -> None:
    session = FakeSession(fail_commit=PersistenceError("UNIQUE constraint failed"))
    code = FakeCode()

    with pytest.raises(InvalidInput) as refused:
        service(session, code=code).complete(request(), "forumapp")

    assert refused.value.field == "username"
    assert session.rollbacks == 1
    assert code.pending() and code.matches(CODE)
