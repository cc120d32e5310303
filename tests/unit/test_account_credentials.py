"""The credentials services (password, email address, sessions) with in-memory fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forumapp.account.credentials.email_change import (
    ADDRESS_TAKEN_SINCE,
    SAME_ADDRESS,
    EmailChanger,
)
from forumapp.account.credentials.password_change import SAME_PASSWORD, PasswordChanger
from forumapp.account.credentials.sessions import SessionManager
from forumapp.auth.agents import approximate_address, describe_user_agent
from forumapp.auth.exceptions import StopValidation, TokenError
from forumapp.auth.ports import ClientInfo
from forumapp.auth.services import WRONG_PASSWORD, AuthSettings
from forumapp.auth.tokens import EXPIRED, INVALID
from forumapp.forum.errors import NotFound
from forumapp.users.passwords import PasswordPolicy
from tests.fakes import (
    FakeHasher,
    FakeTransaction,
    FakeUser,
    FixedClock,
    InMemoryAccessTokens,
    InMemoryDeviceSessions,
    InMemoryEmailAccounts,
    InMemoryEmailChanges,
    InMemorySessionStore,
    RecordingNotices,
)

OLD = "correct horse battery staple"
NEW = "another quite long passphrase"
FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CLIENT = ClientInfo("203.0.113.7", FIREFOX)
SETTINGS = AuthSettings(
    activation_required=True,
    session_lifetime=timedelta(days=1),
    remember_lifetime=timedelta(days=30),
    reset_token_max_age=3600,
    activation_token_max_age=3600,
)


class World:
    """One member, alice, with two sessions and an API token, and every fake."""

    def __init__(self) -> None:
        self.clock = FixedClock()
        self.users = InMemoryEmailAccounts()
        self.alice = FakeUser(1, "alice", "alice@example.org", f"fake$1${OLD}")
        self.users.users[1] = self.alice
        self.sessions = InMemorySessionStore(self.clock)
        self.phone = self.sessions.create(self.alice, timedelta(days=1), CLIENT)
        self.laptop = self.sessions.create(self.alice, timedelta(days=1), CLIENT)
        self.tokens = InMemoryAccessTokens()
        self.tokens.tokens[1] = ["backup"]
        self.notices = RecordingNotices()
        self.transaction = FakeTransaction()
        self.changes = InMemoryEmailChanges()

    def password_changer(self) -> PasswordChanger:
        return PasswordChanger(
            self.users,
            self.sessions,
            FakeHasher(),
            PasswordPolicy(min_length=8, max_length=1024),
            self.notices,
            self.transaction,
            SETTINGS,
            self.clock,
            access_tokens=self.tokens,
        )

    def email_changer(self) -> EmailChanger:
        return EmailChanger(
            self.users,
            self.changes,
            self.sessions,
            self.notices,
            self.transaction,
            self.clock,
            timedelta(hours=1),
        )


@pytest.fixture
def world() -> World:
    return World()


def test_a_password_change_rotates_this_session_and_ends_every_other_credential(
    world: World,
) -> None:
    token = world.password_changer().change(world.alice, OLD, NEW, client=CLIENT, remember=True)
    assert world.alice.password_hash == f"fake$1${NEW}"
    assert world.sessions.user_id(world.phone) is None
    assert world.sessions.user_id(world.laptop) is None
    assert world.sessions.user_id(token) == 1
    assert world.sessions.sessions[token][1] == world.clock() + SETTINGS.remember_lifetime
    assert world.tokens.tokens[1] == []
    [notice] = world.notices.sent
    assert (notice.kind, notice.to, notice.token) == (
        "password_changed",
        "alice@example.org",
        "backup",
    )
    assert notice.notice is not None and notice.notice.browser == "Firefox 128 on Ubuntu"
    assert world.transaction.commits == 1


def test_a_wrong_current_password_changes_nothing(world: World) -> None:
    with pytest.raises(StopValidation) as raised:
        world.password_changer().change(world.alice, "wrong", NEW, client=CLIENT, remember=False)
    [reason] = raised.value.reasons
    assert (reason.attribute, reason.reason) == ("current_password", WRONG_PASSWORD)
    assert world.alice.password_hash == f"fake$1${OLD}"
    assert world.sessions.user_id(world.phone) == 1
    assert world.notices.sent == []


@pytest.mark.parametrize("new", ["short", OLD])
def test_a_new_password_follows_the_registration_rules(world: World, new: str) -> None:
    with pytest.raises(StopValidation) as raised:
        world.password_changer().change(world.alice, OLD, new, client=CLIENT, remember=False)
    assert {reason.attribute for reason in raised.value.reasons} == {"password"}
    if new == OLD:
        assert raised.value.reasons[0].reason == SAME_PASSWORD
    assert world.transaction.commits == 0


def request(world: World, address: str = "new@example.org") -> tuple[str, str]:
    world.email_changer().request_change(world.alice, address, CLIENT)
    confirmation, notice = world.notices.sent
    assert confirmation.token is not None and notice.token is not None
    return confirmation.token, notice.token


def test_an_email_change_waits_for_the_new_address_and_tells_the_old(world: World) -> None:
    confirm, _cancel = request(world)
    assert [(sent.kind, sent.to) for sent in world.notices.sent] == [
        ("confirm_email", "new@example.org"),
        ("email_change_requested", "alice@example.org"),
    ]
    assert world.alice.email == "alice@example.org"
    assert world.email_changer().check_confirmation(confirm) == "new@example.org"
    world.email_changer().confirm(confirm, CLIENT)
    assert world.alice.email == "new@example.org"
    assert (world.notices.sent[-1].kind, world.notices.sent[-1].to) == (
        "email_changed",
        "alice@example.org",
    )


def test_an_email_change_link_works_once(world: World) -> None:
    confirm, _cancel = request(world)
    world.email_changer().confirm(confirm, CLIENT)
    with pytest.raises(TokenError, match=str(INVALID)):
        world.email_changer().confirm(confirm, CLIENT)


def test_an_email_change_link_expires(world: World) -> None:
    confirm, cancel = request(world)
    world.clock.advance(hours=1)
    with pytest.raises(TokenError, match=str(EXPIRED)):
        world.email_changer().confirm(confirm, CLIENT)
    with pytest.raises(TokenError, match=str(EXPIRED)):
        world.email_changer().cancel(cancel)
    assert world.alice.email == "alice@example.org"


def test_a_newer_request_voids_the_links_of_the_older(world: World) -> None:
    first, _ = request(world, "first@example.org")
    world.notices.sent.clear()
    request(world, "second@example.org")
    with pytest.raises(TokenError, match=str(INVALID)):
        world.email_changer().confirm(first, CLIENT)


def test_a_link_is_bound_to_the_address_it_was_asked_from(world: World) -> None:
    confirm, _ = request(world)
    world.alice.email = "changed-meanwhile@example.org"
    with pytest.raises(TokenError, match=str(INVALID)):
        world.email_changer().confirm(confirm, CLIENT)


def test_cancelling_keeps_the_address_and_ends_every_session(world: World) -> None:
    confirm, cancel = request(world)
    user = world.email_changer().cancel(cancel)
    assert user is world.alice
    assert world.sessions.user_id(world.phone) is None
    assert world.sessions.user_id(world.laptop) is None
    with pytest.raises(TokenError, match=str(INVALID)):
        world.email_changer().confirm(confirm, CLIENT)


def test_a_taken_address_gets_a_notice_and_no_link(world: World) -> None:
    world.users.users[2] = FakeUser(2, "bob", "bob@example.org", "fake$1$x")
    world.email_changer().request_change(world.alice, "BOB@example.org", CLIENT)
    [sent] = world.notices.sent
    assert (sent.kind, sent.to, sent.token) == ("address_in_use", "bob@example.org", None)
    assert world.changes.changes == {}


def test_an_address_taken_after_the_request_cannot_be_confirmed(world: World) -> None:
    confirm, _ = request(world)
    world.users.users[2] = FakeUser(2, "bob", "New@Example.org", "fake$1$x")
    with pytest.raises(TokenError, match=str(ADDRESS_TAKEN_SINCE)):
        world.email_changer().confirm(confirm, CLIENT)
    assert world.alice.email == "alice@example.org"


def test_the_current_address_is_refused(world: World) -> None:
    with pytest.raises(StopValidation) as raised:
        world.email_changer().request_change(world.alice, "ALICE@example.org", CLIENT)
    assert raised.value.reasons[0].reason == SAME_ADDRESS


def test_the_session_list_marks_this_device_first_and_ends_only_own_sessions() -> None:
    store = InMemoryDeviceSessions()
    other = store.add(1, "other", FIREFOX, "198.51.100.9")
    store.add(1, "mine", "", "2001:db8:5:6::1")
    bobs = store.add(2, "bobs")
    manager = SessionManager(store, FakeTransaction())
    devices = manager.sessions_of(1, "mine")
    assert [(d.current, d.browser, d.address) for d in devices] == [
        (True, "Unknown browser", "2001:db8:5::/48"),
        (False, "Firefox 128 on Ubuntu", "198.51.100.x"),
    ]
    with pytest.raises(NotFound):
        manager.end(1, bobs)
    manager.end(1, other)
    assert [d.id for d in manager.sessions_of(1, "mine")] == [2]
    store.add(1, "third")
    assert manager.end_others(1, "mine") == 1
    assert [s.id for s in store.live_sessions(2)] == [bobs]


@pytest.mark.parametrize(
    ("address", "shown"),
    [("192.0.2.200", "192.0.2.x"), ("2001:db8::1", "2001:db8::/48"), ("", "Unknown address")],
)
def test_addresses_are_shown_approximately(address: str, shown: str) -> None:
    assert approximate_address(address) == shown


def test_unknown_user_agents_are_named_plainly() -> None:
    assert describe_user_agent("curl/8.0") == "curl 8"
    assert describe_user_agent("") == "Unknown browser"
