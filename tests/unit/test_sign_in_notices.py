"""The new sign-in notice of the login service, over fakes (no Flask, no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import cast

import pytest

from forumapp.auth.agents import describe_user_agent, time_in_zone
from forumapp.auth.ports import AuthUser, ClientInfo, Notice
from forumapp.auth.services import AuthenticationManager
from forumapp.auth.sign_in_notices import TemplateSignInNotices
from forumapp.persistence import PersistenceError
from tests.fakes import FakeUser, FixedClock
from tests.unit.test_auth_services import CLIENT, PASSWORD, Kit, kit

__all__ = ["kit"]  # the auth services' fixture, used here too

FIREFOX = ClientInfo(
    "203.0.113.9", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
)


@dataclass
class RecordingSignInNotices:
    """Records the notices; ``opted_out`` are the ids of members who turned them off."""

    opted_out: set[int] = field(default_factory=set)
    sent: list[tuple[str, Notice]] = field(default_factory=list)

    def wanted(self, user: AuthUser) -> bool:
        return user.id not in self.opted_out

    def send_new_device(self, user: AuthUser, notice: Notice) -> None:
        self.sent.append((user.email, notice))


class FailingSessions:
    """A session store whose writes fail, as a lost database would."""

    def create(self, *_: object) -> str:
        raise PersistenceError("the database went away")


def manager(kit: Kit, notices: RecordingSignInNotices) -> AuthenticationManager:
    return AuthenticationManager(
        kit.users,
        kit.sessions,
        kit.hasher,
        kit.transaction,
        kit.settings,
        kit.clock,
        sign_in_notices=notices,
    )


def test_a_login_from_a_new_device_sends_what_when_and_which_browser(kit: Kit) -> None:
    alice = kit.add_user()
    notices = RecordingSignInNotices()
    manager(kit, notices).login("alice", PASSWORD, remember=False, client=FIREFOX)
    [(to, notice)] = notices.sent
    assert to == alice.email
    assert notice == Notice(kit.clock(), "Firefox 128 on Ubuntu", "203.0.113.x")


def test_a_login_from_a_device_that_knows_the_account_sends_nothing(kit: Kit) -> None:
    alice = kit.add_user()
    notices = RecordingSignInNotices()
    manager(kit, notices).login(
        "alice", PASSWORD, remember=False, client=CLIENT, known_accounts=(9, alice.id)
    )
    assert notices.sent == []


def test_a_device_that_knows_other_accounts_only_is_new(kit: Kit) -> None:
    kit.add_user()
    notices = RecordingSignInNotices()
    manager(kit, notices).login(
        "alice", PASSWORD, remember=False, client=CLIENT, known_accounts=(9,)
    )
    assert len(notices.sent) == 1


def test_the_opt_out_is_honoured(kit: Kit) -> None:
    alice = kit.add_user()
    notices = RecordingSignInNotices(opted_out={alice.id})
    manager(kit, notices).login("alice", PASSWORD, remember=False, client=CLIENT)
    assert notices.sent == []


def test_a_wrong_password_sends_no_notice(kit: Kit) -> None:
    kit.add_user()
    notices = RecordingSignInNotices()
    with pytest.raises(Exception, match="Wrong"):
        manager(kit, notices).login("alice", "nope", remember=False, client=CLIENT)
    assert notices.sent == []


def test_a_login_that_rolls_back_sends_no_notice(kit: Kit) -> None:
    kit.add_user()
    notices = RecordingSignInNotices()
    broken = AuthenticationManager(
        kit.users,
        FailingSessions(),  # type: ignore[arg-type]
        kit.hasher,
        kit.transaction,
        kit.settings,
        kit.clock,
        sign_in_notices=notices,
    )
    with pytest.raises(PersistenceError):
        broken.login("alice", PASSWORD, remember=False, client=CLIENT)
    assert kit.transaction.rollbacks == 1
    assert notices.sent == []


@dataclass
class Member(FakeUser):
    """An account with forumapp's opt-out field."""

    notify_new_sign_in: bool = True


def test_forumapp_skips_a_first_login_and_members_who_opted_out() -> None:
    notices = TemplateSignInNotices(deliver=print, link=str, site_name="x")
    seen = FixedClock()()
    assert notices.wanted(Member(1, "a", "a@x", "h", True, last_login=seen))
    assert not notices.wanted(Member(1, "a", "a@x", "h", True, last_login=None))
    opted_out = Member(1, "a", "a@x", "h", True, notify_new_sign_in=False, last_login=seen)
    assert not notices.wanted(opted_out)
    # A host app's accounts without those fields get the notice.
    assert notices.wanted(cast(AuthUser, SimpleNamespace(id=1, email="a@x")))


def test_notice_times_show_the_members_zone_unless_it_is_utc_or_unknown() -> None:
    moment = FixedClock()()
    assert time_in_zone(moment, "Asia/Tokyo") == "2026-01-01 21:00 Asia/Tokyo"
    assert time_in_zone(moment, "UTC") == ""
    assert time_in_zone(moment, None) == ""
    assert time_in_zone(moment, "Mars/Olympus") == ""
    assert describe_user_agent(FIREFOX.user_agent) == "Firefox 128 on Ubuntu"
