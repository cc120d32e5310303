"""The auth services with in-memory fakes: no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from forumapp.auth.exceptions import StopAuthentication, StopValidation, TokenError
from forumapp.auth.ports import ClientInfo
from forumapp.auth.services import (
    BANNED,
    NOT_ACTIVATED,
    USERNAME_TAKEN,
    WRONG_CREDENTIALS,
    AccountActivator,
    AuthenticationManager,
    AuthSettings,
    PasswordResetService,
    ReauthenticationManager,
    Registration,
    RegistrationService,
)
from forumapp.auth.tokens import TokenService
from forumapp.events import MemberRegistered
from forumapp.users.passwords import PasswordPolicy
from tests.fakes import (
    FakeHasher,
    FakeTransaction,
    FakeUser,
    FixedClock,
    InMemoryAccessTokens,
    InMemorySessionStore,
    InMemoryUserStore,
    RecordingEvents,
    RecordingMailer,
)

CLIENT = ClientInfo("192.0.2.1", "pytest")
PASSWORD = "correct horse battery staple"


@dataclass
class Kit:
    users: InMemoryUserStore
    sessions: InMemorySessionStore
    hasher: FakeHasher
    mailer: RecordingMailer
    transaction: FakeTransaction
    clock: FixedClock
    tokens: TokenService
    settings: AuthSettings
    access_tokens: InMemoryAccessTokens

    def add_user(self, username: str = "alice", *, activated: bool = True) -> FakeUser:
        user = FakeUser(
            id=len(self.users.users) + 1,
            username=username,
            email=f"{username}@example.org",
            password_hash=self.hasher.hash(PASSWORD),
            activated=activated,
        )
        self.users.users[user.id] = user
        self.hasher.calls.clear()
        return user

    def authentication(self) -> AuthenticationManager:
        return AuthenticationManager(
            self.users, self.sessions, self.hasher, self.transaction, self.settings, self.clock
        )

    def registration(self) -> RegistrationService:
        return RegistrationService(
            self.users,
            self.hasher,
            PasswordPolicy(8, 1024),
            self.tokens,
            self.mailer,
            self.transaction,
            self.settings,
            self.clock,
        )

    def password_reset(self) -> PasswordResetService:
        return PasswordResetService(
            self.users,
            self.sessions,
            self.hasher,
            PasswordPolicy(8, 1024),
            self.tokens,
            self.mailer,
            self.transaction,
            self.settings,
            self.access_tokens,
            clock=self.clock,
        )

    def activator(self) -> AccountActivator:
        return AccountActivator(
            self.users, self.tokens, self.mailer, self.transaction, self.settings
        )


@pytest.fixture
def kit() -> Kit:
    clock = FixedClock()
    return Kit(
        users=InMemoryUserStore(),
        sessions=InMemorySessionStore(clock),
        hasher=FakeHasher(),
        mailer=RecordingMailer(),
        transaction=FakeTransaction(),
        clock=clock,
        tokens=TokenService("secret", clock),
        settings=AuthSettings(
            activation_required=True,
            session_lifetime=timedelta(days=1),
            remember_lifetime=timedelta(days=30),
            reset_token_max_age=3600,
            activation_token_max_age=86400,
        ),
        access_tokens=InMemoryAccessTokens(),
    )


# --- login -------------------------------------------------------------------------------


def test_login_by_username_or_email_opens_a_session(kit: Kit) -> None:
    user = kit.add_user()
    for login in ("alice", "ALICE", "Alice@Example.org"):
        result = kit.authentication().login(login, PASSWORD, remember=False, client=CLIENT)
        assert result.user is user
        assert kit.sessions.user_id(result.session_token) == user.id


def test_remember_me_session_lives_longer(kit: Kit) -> None:
    kit.add_user()
    short = kit.authentication().login("alice", PASSWORD, remember=False, client=CLIENT)
    long = kit.authentication().login("alice", PASSWORD, remember=True, client=CLIENT)
    kit.clock.advance(days=2)
    assert kit.sessions.user_id(short.session_token) is None
    assert kit.sessions.user_id(long.session_token) is not None


def test_unknown_user_and_wrong_password_get_the_same_message(kit: Kit) -> None:
    kit.add_user()
    with pytest.raises(StopAuthentication) as unknown:
        kit.authentication().login("nobody", PASSWORD, remember=False, client=CLIENT)
    with pytest.raises(StopAuthentication) as wrong:
        kit.authentication().login("alice", "wrong password", remember=False, client=CLIENT)
    assert unknown.value.reason == wrong.value.reason == WRONG_CREDENTIALS


def test_unknown_user_costs_one_password_verification(kit: Kit) -> None:
    kit.add_user()
    with pytest.raises(StopAuthentication):
        kit.authentication().login("nobody", PASSWORD, remember=False, client=CLIENT)
    unknown_calls = list(kit.hasher.calls)
    kit.hasher.calls.clear()
    with pytest.raises(StopAuthentication):
        kit.authentication().login("alice", "wrong password", remember=False, client=CLIENT)
    assert unknown_calls == kit.hasher.calls == ["verify"]


def test_failed_login_is_recorded_and_reset_by_success(kit: Kit) -> None:
    user = kit.add_user()
    with pytest.raises(StopAuthentication):
        kit.authentication().login("alice", "nope nope", remember=False, client=CLIENT)
    assert user.failed_logins == 1
    assert kit.transaction.commits == 1
    kit.authentication().login("alice", PASSWORD, remember=False, client=CLIENT)
    assert user.failed_logins == 0
    assert user.last_login == kit.clock.now


def test_unactivated_account_cannot_log_in(kit: Kit) -> None:
    kit.add_user(activated=False)
    with pytest.raises(StopAuthentication) as exc:
        kit.authentication().login("alice", PASSWORD, remember=False, client=CLIENT)
    assert exc.value.reason == NOT_ACTIVATED
    assert kit.sessions.sessions == {}


def test_unactivated_account_gets_the_generic_error_with_a_wrong_password(kit: Kit) -> None:
    kit.add_user(activated=False)
    with pytest.raises(StopAuthentication) as exc:
        kit.authentication().login("alice", "wrong password", remember=False, client=CLIENT)
    assert exc.value.reason == WRONG_CREDENTIALS


def test_banned_account_cannot_log_in(kit: Kit) -> None:
    kit.add_user().is_banned = True
    with pytest.raises(StopAuthentication) as exc:
        kit.authentication().login("alice", PASSWORD, remember=False, client=CLIENT)
    assert exc.value.reason == BANNED


def test_outdated_hash_is_upgraded_on_login(kit: Kit) -> None:
    user = kit.add_user()
    kit.hasher.rounds = 2
    kit.authentication().login("alice", PASSWORD, remember=False, client=CLIENT)
    assert user.password_hash == f"fake$2${PASSWORD}"


def test_logout_revokes_only_that_session(kit: Kit) -> None:
    kit.add_user()
    first = kit.authentication().login("alice", PASSWORD, remember=False, client=CLIENT)
    second = kit.authentication().login("alice", PASSWORD, remember=False, client=CLIENT)
    kit.authentication().logout(first.session_token)
    assert kit.sessions.user_id(first.session_token) is None
    assert kit.sessions.user_id(second.session_token) is not None


def test_reauthentication_checks_the_password(kit: Kit) -> None:
    user = kit.add_user()
    manager = ReauthenticationManager(kit.users, kit.hasher, kit.transaction, kit.clock)
    manager.reauthenticate(user, PASSWORD, client=CLIENT)
    with pytest.raises(StopAuthentication):
        manager.reauthenticate(user, "wrong password", client=CLIENT)
    assert user.failed_logins == 1


# --- registration ------------------------------------------------------------------------


def registration(
    username: str = "bob", email: str = "bob@example.org", password: str = PASSWORD
) -> Registration:
    return Registration(username=username, email=email, password=password, language="en")


def test_registration_creates_an_unactivated_account_and_mails_a_token(kit: Kit) -> None:
    kit.registration().register(registration())
    user = kit.users.find_by_login("bob")
    assert user is not None
    assert not user.activated
    assert [m.kind for m in kit.mailer.sent] == ["activation"]
    activated = kit.activator().activate(kit.mailer.sent[0].token or "")
    assert activated is user
    assert user.activated


def test_registration_without_activation_sends_a_welcome(kit: Kit) -> None:
    kit.settings = AuthSettings(**{**kit.settings.__dict__, "activation_required": False})
    kit.registration().register(registration())
    user = kit.users.find_by_login("bob")
    assert user is not None
    assert user.activated
    assert [m.kind for m in kit.mailer.sent] == ["welcome"]


def test_registration_with_a_known_email_creates_nothing_and_warns_the_owner(kit: Kit) -> None:
    kit.add_user("carol")
    kit.registration().register(registration(username="bob", email="CAROL@example.org"))
    assert len(kit.users.users) == 1
    assert [(m.kind, m.to) for m in kit.mailer.sent] == [
        ("registration_attempt", "carol@example.org")
    ]


def test_registration_tells_the_events_port_of_new_accounts_only(kit: Kit) -> None:
    events = RecordingEvents()
    kit.add_user("carol")
    service = RegistrationService(
        kit.users,
        kit.hasher,
        PasswordPolicy(8, 1024),
        kit.tokens,
        kit.mailer,
        kit.transaction,
        kit.settings,
        kit.clock,
        events,
    )
    service.register(registration(username="bob"))
    service.register(registration(username="dave", email="carol@example.org"))
    user = kit.users.find_by_login("bob")
    assert user is not None
    assert events.told == [MemberRegistered(user.id, "bob", activated=False)]


def test_registration_hashes_the_password_for_known_and_new_emails_alike(kit: Kit) -> None:
    kit.add_user("carol")
    kit.registration().register(registration(email="carol@example.org"))
    known = list(kit.hasher.calls)
    kit.hasher.calls.clear()
    kit.registration().register(registration(email="new@example.org"))
    assert known == kit.hasher.calls == ["hash"]


def test_registration_refuses_a_taken_username_case_insensitively(kit: Kit) -> None:
    kit.add_user("alice")
    with pytest.raises(StopValidation) as exc:
        kit.registration().register(registration(username="ALICE"))
    assert [(r.attribute, r.reason) for r in exc.value.reasons] == [("username", USERNAME_TAKEN)]


@pytest.mark.parametrize(
    "password", ["short", "password123", "bob", "bob@example.org", "BOB@EXAMPLE.ORG"]
)
def test_registration_refuses_weak_passwords(kit: Kit, password: str) -> None:
    with pytest.raises(StopValidation) as exc:
        kit.registration().register(registration(password=password))
    assert exc.value.reasons[0].attribute == "password"
    assert kit.users.users == {}


# --- password reset ----------------------------------------------------------------------


def test_reset_request_for_an_unknown_email_sends_nothing(kit: Kit) -> None:
    kit.password_reset().request_reset("nobody@example.org")
    assert kit.mailer.sent == []


def test_reset_sets_the_password_ends_sessions_and_tells_the_owner(kit: Kit) -> None:
    user = kit.add_user()
    session = kit.authentication().login("alice", PASSWORD, remember=True, client=CLIENT)
    kit.password_reset().request_reset("alice@example.org")
    token = kit.mailer.sent[0].token or ""
    kit.password_reset().reset_password(token, "a brand new passphrase", client=CLIENT)
    assert kit.hasher.verify(user.password_hash, "a brand new passphrase")
    assert kit.sessions.user_id(session.session_token) is None
    assert kit.mailer.sent[-1].kind == "password_changed"


def test_reset_revokes_api_tokens_and_names_them_in_the_notice(kit: Kit) -> None:
    alice, bob = kit.add_user(), kit.add_user("bob")
    kit.access_tokens.tokens = {alice.id: ["deploy", "backup"], bob.id: ["bot"]}
    kit.password_reset().request_reset("alice@example.org")
    kit.password_reset().reset_password(
        kit.mailer.sent[0].token or "", "a brand new passphrase", client=CLIENT
    )
    assert kit.access_tokens.tokens == {alice.id: [], bob.id: ["bot"]}
    assert kit.mailer.sent[-1].revoked_tokens == ("backup", "deploy")
    assert kit.transaction.commits == 1


def test_reset_token_works_once(kit: Kit) -> None:
    kit.add_user()
    kit.password_reset().request_reset("alice@example.org")
    token = kit.mailer.sent[0].token or ""
    kit.password_reset().reset_password(token, "a brand new passphrase", client=CLIENT)
    with pytest.raises(TokenError):
        kit.password_reset().reset_password(token, "another new passphrase", client=CLIENT)


def test_reset_token_dies_when_the_email_changes(kit: Kit) -> None:
    user = kit.add_user()
    kit.password_reset().request_reset("alice@example.org")
    user.email = "alice@elsewhere.example"
    with pytest.raises(TokenError):
        kit.password_reset().check_token(kit.mailer.sent[0].token or "")


def test_reset_token_expires(kit: Kit) -> None:
    kit.add_user()
    kit.password_reset().request_reset("alice@example.org")
    kit.clock.advance(seconds=3601)
    with pytest.raises(TokenError, match="expired"):
        kit.password_reset().check_token(kit.mailer.sent[0].token or "")


def test_reset_refuses_a_weak_new_password(kit: Kit) -> None:
    user = kit.add_user()
    kit.password_reset().request_reset("alice@example.org")
    with pytest.raises(StopValidation):
        kit.password_reset().reset_password(kit.mailer.sent[0].token or "", "alice", client=CLIENT)
    assert kit.hasher.verify(user.password_hash, PASSWORD)


def test_reset_activates_an_unactivated_account(kit: Kit) -> None:
    user = kit.add_user(activated=False)
    kit.password_reset().request_reset("alice@example.org")
    kit.password_reset().reset_password(
        kit.mailer.sent[0].token or "", "a brand new passphrase", client=CLIENT
    )
    assert user.activated


# --- activation --------------------------------------------------------------------------


def test_activation_token_works_once(kit: Kit) -> None:
    kit.add_user(activated=False)
    kit.activator().request_activation("alice@example.org")
    token = kit.mailer.sent[0].token or ""
    kit.activator().activate(token)
    with pytest.raises(TokenError):
        kit.activator().activate(token)


def test_activation_request_ignores_unknown_and_active_accounts(kit: Kit) -> None:
    kit.add_user("active")
    kit.activator().request_activation("active@example.org")
    kit.activator().request_activation("nobody@example.org")
    assert kit.mailer.sent == []


def test_reset_token_is_refused_for_activation(kit: Kit) -> None:
    kit.add_user(activated=False)
    kit.password_reset().request_reset("alice@example.org")
    with pytest.raises(TokenError):
        kit.activator().activate(kit.mailer.sent[0].token or "")
