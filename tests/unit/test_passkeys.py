"""Passkeys with in-memory fakes and a software authenticator: registration, renaming,
removal, and the second step of a login. py_webauthn checks the answers for real; no
Flask, no database."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from forumapp.auth.exceptions import SecondStepExpired, StopAuthentication
from forumapp.auth.passkeys.ceremony import RelyingParty
from forumapp.auth.passkeys.service import (
    NOT_REGISTERED,
    PASSKEY,
    PasskeyError,
    PasskeyService,
    PasskeySettings,
)
from forumapp.auth.second_factor.combined import AnySecondFactor
from forumapp.auth.second_factor.ports import CodeProof, LoginOutcome, PasskeyProof, PendingLogin
from forumapp.auth.services import (
    PASSKEY_NEEDED,
    PASSKEY_NOT_RECOGNISED,
    PASSKEY_REFUSED,
    PASSWORDLESS,
    WRONG_PASSKEY,
    WRONG_PASSWORD,
    AuthenticationManager,
    AuthSettings,
    LoginResult,
    ReauthenticationManager,
)
from forumapp.forum.errors import NotFound
from tests.fakes import (
    FakeHasher,
    FakeTransaction,
    FakeUser,
    FixedClock,
    InMemorySessionStore,
    InMemoryUserStore,
)
from tests.passkey_support import (
    ORIGIN,
    FixedSecondFactor,
    InMemoryPasskeyChallenges,
    InMemoryPasskeyStore,
    SoftAuthenticator,
)
from tests.second_factor_fakes import (
    InMemoryChallengeStore,
    RecordingHistory,
    RecordingSecondFactorMailer,
)
from tests.unit.test_second_factor import CLIENT, PASSWORD, START

RP = RelyingParty.from_external_url(ORIGIN + "/", "Walrus forum")


@dataclass
class Kit:
    clock: FixedClock = field(default_factory=lambda: FixedClock(START))
    store: InMemoryPasskeyStore = field(default_factory=InMemoryPasskeyStore)
    challenges: InMemoryPasskeyChallenges = field(default_factory=InMemoryPasskeyChallenges)
    totp: FixedSecondFactor = field(default_factory=FixedSecondFactor)
    mailer: RecordingSecondFactorMailer = field(default_factory=RecordingSecondFactorMailer)
    transaction: FakeTransaction = field(default_factory=FakeTransaction)
    users: InMemoryUserStore = field(default_factory=InMemoryUserStore)
    hasher: FakeHasher = field(default_factory=FakeHasher)
    pending_logins: InMemoryChallengeStore = field(default_factory=InMemoryChallengeStore)
    history: RecordingHistory = field(default_factory=RecordingHistory)
    authenticator: SoftAuthenticator = field(default_factory=SoftAuthenticator)

    def __post_init__(self) -> None:
        self.sessions = InMemorySessionStore(self.clock)
        self.user = FakeUser(1, "alice", "alice@example.org", self.hasher.hash(PASSWORD))
        self.other = FakeUser(2, "bob", "bob@example.org", self.hasher.hash(PASSWORD))
        self.users.users.update({1: self.user, 2: self.other})

    def service(self, rp: RelyingParty = RP) -> PasskeyService:
        return PasskeyService(
            self.store,
            self.challenges,
            self.totp,
            self.mailer,
            self.transaction,
            PasskeySettings(rp),
            self.clock,
        )

    def manager(self) -> AuthenticationManager:
        settings = AuthSettings(True, timedelta(days=1), timedelta(days=30), 3600, 3600)
        return AuthenticationManager(
            self.users,
            self.sessions,
            self.hasher,
            self.transaction,
            settings,
            self.clock,
            second_factor=AnySecondFactor(self.service()),
            challenges=self.pending_logins,
            history=self.history,
            passkeys=self.service(),
        )

    def register(self, name: str = "Laptop", user: FakeUser | None = None) -> None:
        owner = user or self.user
        options = self.service().registration_options(owner)
        self.service().register(owner, name, self.authenticator.create(options))

    def pending(self) -> PendingLogin:
        result = self.manager().login("alice", PASSWORD, remember=False, client=CLIENT)
        assert isinstance(result, PendingLogin)
        return result


@pytest.fixture
def kit() -> Kit:
    return Kit()


def test_a_registered_passkey_is_listed_with_its_name(kit: Kit) -> None:
    kit.register("Work laptop")
    [passkey] = kit.service().passkeys(kit.user)
    assert (passkey.name, passkey.created_at, passkey.transports) == (
        "Work laptop",
        START,
        ("internal",),
    )
    assert kit.service().enabled_for(kit.user)
    assert not kit.service().enabled_for(kit.other)


def test_registration_options_ask_for_a_discoverable_credential_and_exclude_known_ones(
    kit: Kit,
) -> None:
    kit.register()
    options = json.loads(kit.service().registration_options(kit.user))
    assert options["rp"] == {"id": "localhost", "name": "Walrus forum"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert [c["id"] for c in options["excludeCredentials"]] == [
        kit.store.for_user(1)[0].credential_id
    ]


def test_a_registration_challenge_is_single_use(kit: Kit) -> None:
    options = kit.service().registration_options(kit.user)
    answer = kit.authenticator.create(options)
    kit.service().register(kit.user, "Laptop", answer)
    with pytest.raises(PasskeyError) as caught:
        kit.service().register(kit.user, "Laptop again", answer)
    assert caught.value.reason == NOT_REGISTERED
    assert len(kit.store.rows) == 1


def test_a_registration_challenge_is_bound_to_the_member_it_was_made_for(kit: Kit) -> None:
    answer = kit.authenticator.create(kit.service().registration_options(kit.user))
    with pytest.raises(PasskeyError):
        kit.service().register(kit.other, "Stolen", answer)
    assert kit.store.rows == {}


def test_a_registration_challenge_expires(kit: Kit) -> None:
    answer = kit.authenticator.create(kit.service().registration_options(kit.user))
    kit.clock.advance(minutes=6)
    with pytest.raises(PasskeyError):
        kit.service().register(kit.user, "Late", answer)


def test_an_answer_from_another_origin_is_refused(kit: Kit) -> None:
    kit.authenticator.origin = "https://evil.example"
    with pytest.raises(PasskeyError):
        kit.register()
    assert kit.store.rows == {}


@pytest.mark.parametrize("answer", ["", "not json", "[]", '{"response": {}}', "x" * 20_000])
def test_malformed_registration_answers_are_refused_not_crashed_on(kit: Kit, answer: str) -> None:
    kit.service().registration_options(kit.user)
    with pytest.raises(PasskeyError):
        kit.service().register(kit.user, "Junk", answer)


def test_a_member_can_have_several_passkeys_and_rename_one(kit: Kit) -> None:
    kit.register("Laptop")
    kit.authenticator = SoftAuthenticator()
    kit.register("Phone")
    _, second = kit.service().passkeys(kit.user)
    kit.service().rename(kit.user, second.id, "Old phone")
    assert [p.name for p in kit.service().passkeys(kit.user)] == ["Laptop", "Old phone"]


def test_another_members_passkey_is_not_found(kit: Kit) -> None:
    kit.register()
    passkey_id = kit.store.for_user(1)[0].id
    with pytest.raises(NotFound):
        kit.service().rename(kit.other, passkey_id, "Mine now")
    with pytest.raises(NotFound):
        kit.service().remove(kit.other, passkey_id, client=CLIENT)
    with pytest.raises(NotFound):
        kit.service().passkey(kit.other, passkey_id)


def test_removing_the_last_second_factor_sends_the_two_factor_off_notice(kit: Kit) -> None:
    kit.register("Laptop")
    kit.authenticator = SoftAuthenticator()
    kit.register("Phone")
    first, second = kit.service().passkeys(kit.user)
    kit.service().remove(kit.user, first.id, client=CLIENT)
    assert kit.mailer.sent == []
    kit.service().remove(kit.user, second.id, client=CLIENT)
    assert kit.mailer.sent == [("two_factor_disabled", "alice@example.org", None)]


def test_removing_a_passkey_while_an_authenticator_app_stays_sends_nothing(kit: Kit) -> None:
    kit.register()
    kit.totp.on = True
    kit.service().remove(kit.user, kit.store.for_user(1)[0].id, client=CLIENT)
    assert kit.mailer.sent == []


# -- the second step of a login -------------------------------------------------------------


def test_a_member_with_only_a_passkey_has_a_second_step(kit: Kit) -> None:
    kit.register()
    assert kit.manager().offers_passkey(kit.pending().token)
    assert kit.sessions.sessions == {}


def test_a_passkey_completes_the_pending_login_and_moves_its_sign_count(kit: Kit) -> None:
    kit.register()
    pending = kit.pending()
    options = kit.manager().passkey_options(pending.token)
    assert [c["id"] for c in json.loads(options)["allowCredentials"]] == [
        kit.store.for_user(1)[0].credential_id
    ]
    answer = kit.authenticator.get(options)
    result = kit.manager().complete_second_step(pending.token, PasskeyProof(answer), client=CLIENT)
    assert kit.sessions.user_id(result.session_token) == kit.user.id
    attempt = kit.history.attempts[-1]
    assert (attempt.outcome, attempt.second_factor) == (LoginOutcome.SUCCESS, PASSKEY)
    [passkey] = kit.store.for_user(1)
    assert (passkey.sign_count, passkey.last_used_at) == (1, START)


def test_a_login_challenge_is_single_use(kit: Kit) -> None:
    kit.register()
    options = kit.manager().passkey_options(kit.pending().token)
    answer = kit.authenticator.get(options)
    kit.manager().complete_second_step(kit.pending().token, PasskeyProof(answer), client=CLIENT)
    with pytest.raises(StopAuthentication) as caught:
        kit.manager().complete_second_step(kit.pending().token, PasskeyProof(answer), client=CLIENT)
    assert caught.value.reason == WRONG_PASSKEY


def test_a_sign_count_that_did_not_move_on_is_refused(kit: Kit) -> None:
    kit.register()
    first = kit.authenticator.get(kit.manager().passkey_options(kit.pending().token))
    kit.manager().complete_second_step(kit.pending().token, PasskeyProof(first), client=CLIENT)
    pending = kit.pending()
    # A clone of the authenticator answers with the count the original already used.
    cloned = kit.authenticator.get(kit.manager().passkey_options(pending.token), count_up=False)
    with pytest.raises(StopAuthentication):
        kit.manager().complete_second_step(pending.token, PasskeyProof(cloned), client=CLIENT)


def test_another_members_passkey_does_not_complete_a_login(kit: Kit) -> None:
    kit.register()
    intruder = SoftAuthenticator()
    kit.authenticator = intruder
    kit.register("Bob's", user=kit.other)
    pending = kit.pending()
    answer = intruder.get(kit.manager().passkey_options(pending.token))
    with pytest.raises(StopAuthentication):
        kit.manager().complete_second_step(pending.token, PasskeyProof(answer), client=CLIENT)
    assert kit.history.attempts[-1].outcome is LoginOutcome.SECOND_FACTOR_FAILED


def test_a_typed_code_is_no_passkey_answer(kit: Kit) -> None:
    kit.register()
    assert kit.service().check(kit.user, CodeProof("123456")) is None


def test_passkey_options_of_a_login_that_is_gone_are_refused(kit: Kit) -> None:
    kit.register()
    with pytest.raises(SecondStepExpired):
        kit.manager().passkey_options("no such login")


def test_the_relying_party_comes_from_the_external_url() -> None:
    rp = RelyingParty.from_external_url("https://forum.example.org:8443/", "Walrus")
    assert (rp.id, rp.origin) == ("forum.example.org", "https://forum.example.org:8443")


# -- passwordless sign-in ---------------------------------------------------------------------


def sign_in(kit: Kit, key: SoftAuthenticator | None = None) -> LoginResult:
    options = kit.manager().passkey_sign_in_options()
    return kit.manager().login_with_passkey((key or kit.authenticator).get(options), client=CLIENT)


def test_sign_in_options_name_no_credential_and_require_user_verification(kit: Kit) -> None:
    options = json.loads(kit.manager().passkey_sign_in_options())
    assert options["allowCredentials"] == []
    assert options["userVerification"] == "required"


def test_a_passkey_alone_signs_in_and_is_recorded_as_passwordless(kit: Kit) -> None:
    kit.register()
    result = sign_in(kit)
    assert kit.sessions.user_id(result.session_token) == kit.user.id
    attempt = kit.history.attempts[-1]
    assert (attempt.outcome, attempt.second_factor) == (LoginOutcome.SUCCESS, PASSWORDLESS)


def test_a_sign_in_without_user_verification_is_refused(kit: Kit) -> None:
    kit.register()
    kit.authenticator.user_verified = False
    with pytest.raises(StopAuthentication) as caught:
        sign_in(kit)
    assert caught.value.reason == PASSKEY_NOT_RECOGNISED


def test_an_unknown_passkey_gets_the_same_answer_as_a_bad_one(kit: Kit) -> None:
    kit.register()
    with pytest.raises(StopAuthentication) as unknown:
        sign_in(kit, SoftAuthenticator())
    kit.authenticator.origin = "https://evil.example"
    with pytest.raises(StopAuthentication) as bad:
        sign_in(kit)
    assert unknown.value.reason == bad.value.reason == PASSKEY_NOT_RECOGNISED


def test_a_sign_in_challenge_is_single_use(kit: Kit) -> None:
    kit.register()
    answer = kit.authenticator.get(kit.manager().passkey_sign_in_options())
    kit.manager().login_with_passkey(answer, client=CLIENT)
    with pytest.raises(StopAuthentication):
        kit.manager().login_with_passkey(answer, client=CLIENT)


def test_a_login_challenge_does_not_answer_a_sign_in(kit: Kit) -> None:
    kit.register()
    options = kit.manager().passkey_options(kit.pending().token)
    with pytest.raises(StopAuthentication):
        kit.manager().login_with_passkey(kit.authenticator.get(options), client=CLIENT)


def test_a_banned_member_is_not_signed_in_by_a_passkey(kit: Kit) -> None:
    kit.register()
    kit.user.is_banned = True
    with pytest.raises(StopAuthentication):
        sign_in(kit)
    assert kit.sessions.sessions == {}
    assert kit.history.attempts[-1].outcome is LoginOutcome.FAILURE


# -- confirming the password before a sensitive page ------------------------------------------


def reauthentication(kit: Kit) -> ReauthenticationManager:
    return ReauthenticationManager(
        kit.users, kit.hasher, kit.transaction, kit.clock, passkeys=kit.service()
    )


def test_a_passkey_only_account_is_confirmed_by_password_and_passkey_together(kit: Kit) -> None:
    kit.register()
    manager = reauthentication(kit)
    assert manager.offers_passkey(kit.user) and not manager.needs_code(kit.user)
    with pytest.raises(StopAuthentication, match=PASSKEY_NEEDED[:20]):
        manager.reauthenticate(kit.user, PASSWORD, client=CLIENT)
    answer = kit.authenticator.get(manager.passkey_options(kit.user))
    with pytest.raises(StopAuthentication, match=str(WRONG_PASSWORD)):
        manager.reauthenticate(kit.user, "wrong", answer=answer, client=CLIENT)
    # The wrong password spent nothing: the same answer still confirms with the right one.
    manager.reauthenticate(kit.user, PASSWORD, answer=answer, client=CLIENT)
    with pytest.raises(StopAuthentication, match=str(PASSKEY_REFUSED)):
        manager.reauthenticate(kit.user, PASSWORD, answer=answer, client=CLIENT)


def test_an_account_without_passkeys_gets_no_reauth_options(kit: Kit) -> None:
    manager = reauthentication(kit)
    assert not manager.offers_passkey(kit.user)
    with pytest.raises(StopAuthentication):
        manager.passkey_options(kit.user)
    manager.reauthenticate(kit.user, PASSWORD, client=CLIENT)


def test_another_members_challenge_and_passkey_do_not_confirm(kit: Kit) -> None:
    kit.register()
    kit.authenticator = SoftAuthenticator()
    kit.register(user=kit.other)
    manager = reauthentication(kit)
    answer = kit.authenticator.get(manager.passkey_options(kit.other))
    with pytest.raises(StopAuthentication, match=str(PASSKEY_REFUSED)):
        manager.reauthenticate(kit.user, PASSWORD, answer=answer, client=CLIENT)
