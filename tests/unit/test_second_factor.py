"""Two-factor login with in-memory fakes: TOTP windows, replay, recovery codes, pending
logins and their attempt budget, the login history. No Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from forumapp.auth.agents import describe_user_agent
from forumapp.auth.exceptions import SecondStepExpired, StopAuthentication
from forumapp.auth.ports import ClientInfo
from forumapp.auth.second_factor import recovery, totp
from forumapp.auth.second_factor.ports import CodeProof, LoginOutcome, PendingLogin
from forumapp.auth.second_factor.sealing import SecretBox, SecretUnreadable
from forumapp.auth.second_factor.service import (
    ALREADY_ON,
    ENROLMENT_EXPIRED,
    RECOVERY,
    TOTP,
    TwoFactorError,
    TwoFactorService,
    TwoFactorSettings,
)
from forumapp.auth.services import (
    CODE_NEEDED,
    WRONG_CODE,
    AuthenticationManager,
    AuthSettings,
    LoginResult,
    ReauthenticationManager,
)
from tests.fakes import (
    FakeHasher,
    FakeTransaction,
    FakeUser,
    FixedClock,
    InMemorySessionStore,
    InMemoryUserStore,
)
from tests.second_factor_fakes import (
    InMemoryChallengeStore,
    InMemorySecondFactorStore,
    RecordingHistory,
    RecordingSecondFactorMailer,
)

CLIENT = ClientInfo("192.0.2.1", "pytest")
PASSWORD = "correct horse battery staple"
#: A moment exactly at the start of a 30-second step.
START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


@dataclass
class Kit:
    clock: FixedClock = field(default_factory=lambda: FixedClock(START))
    users: InMemoryUserStore = field(default_factory=InMemoryUserStore)
    store: InMemorySecondFactorStore = field(default_factory=InMemorySecondFactorStore)
    challenges: InMemoryChallengeStore = field(default_factory=InMemoryChallengeStore)
    history: RecordingHistory = field(default_factory=RecordingHistory)
    mailer: RecordingSecondFactorMailer = field(default_factory=RecordingSecondFactorMailer)
    transaction: FakeTransaction = field(default_factory=FakeTransaction)
    hasher: FakeHasher = field(default_factory=FakeHasher)
    box: SecretBox = field(default_factory=lambda: SecretBox("test secret key"))

    def __post_init__(self) -> None:
        self.sessions = InMemorySessionStore(self.clock)
        self.user = FakeUser(1, "alice", "alice@example.org", self.hasher.hash(PASSWORD))
        self.users.users[1] = self.user

    def service(self) -> TwoFactorService:
        return TwoFactorService(
            self.store,
            self.box,
            self.mailer,
            self.transaction,
            TwoFactorSettings(issuer="Walrus forum"),
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
            second_factor=self.service(),
            challenges=self.challenges,
            history=self.history,
        )

    def enrol(self) -> tuple[str, list[str]]:
        """Turn two-factor login on; the secret and the recovery codes."""
        enrolment = self.service().start_enrolment(self.user)
        codes = self.service().confirm_enrolment(
            self.user, enrolment.sealed, code_at(enrolment.secret, self.clock()), client=CLIENT
        )
        # The confirming code is spent: move to the next step for a fresh one.
        self.clock.advance(seconds=30)
        return enrolment.secret, codes

    def pending(self, *, remember: bool = False) -> PendingLogin:
        result = self.manager().login("alice", PASSWORD, remember=remember, client=CLIENT)
        assert isinstance(result, PendingLogin)
        return result


@pytest.fixture
def kit() -> Kit:
    return Kit()


# -- TOTP ----------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-30, 0, 30])
def test_a_code_is_accepted_within_one_step_either_side(offset: int) -> None:
    secret = totp.new_secret()
    code = code_at(secret, START + timedelta(seconds=offset))
    assert totp.matching_step(secret, code, START) == totp.time_step(START) + offset // 30


@pytest.mark.parametrize("offset", [-60, 60, 3600])
def test_a_code_outside_the_window_is_refused(offset: int) -> None:
    secret = totp.new_secret()
    assert (
        totp.matching_step(secret, code_at(secret, START + timedelta(seconds=offset)), START)
        is None
    )


def test_codes_typed_with_spaces_or_dashes_are_accepted_and_junk_is_refused() -> None:
    secret = totp.new_secret()
    code = code_at(secret, START)
    assert totp.matching_step(secret, f"{code[:3]} {code[3:]}", START) is not None
    assert totp.matching_step(secret, f"{code[:3]}-{code[3:]}", START) is not None
    for junk in ("", "12345", "1234567", "abcdef", "١٢٣٤٥٦"):
        assert totp.matching_step(secret, junk, START) is None


def test_steps_up_to_the_last_used_one_never_match_again() -> None:
    secret = totp.new_secret()
    code = code_at(secret, START)
    step = totp.time_step(START)
    assert totp.matching_step(secret, code, START, after=step - 1) == step
    assert totp.matching_step(secret, code, START, after=step) is None


def test_the_qr_code_is_an_inline_svg_with_a_title() -> None:
    uri = totp.provisioning_uri(totp.new_secret(), "alice", "Walrus forum")
    assert uri.startswith("otpauth://totp/Walrus%20forum:alice?")
    svg = totp.qr_code_svg(uri, "QR code for alice")
    assert svg.startswith("<svg") and "<title>QR code for alice</title>" in svg


def test_sealed_secrets_open_only_with_the_same_key_and_within_their_age() -> None:
    box = SecretBox("one key")
    sealed = box.seal("JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in sealed
    assert box.open(sealed) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(SecretUnreadable):
        SecretBox("another key").open(sealed)
    with pytest.raises(SecretUnreadable):
        box.open(sealed, max_age=-1)


# -- enrolment -----------------------------------------------------------------------------


def test_enrolment_stores_nothing_until_a_code_confirms_it(kit: Kit) -> None:
    enrolment = kit.service().start_enrolment(kit.user)
    assert kit.store.totps == {}
    with pytest.raises(TwoFactorError):
        kit.service().confirm_enrolment(kit.user, enrolment.sealed, "000000", client=CLIENT)
    assert kit.store.totps == {}
    codes = kit.service().confirm_enrolment(
        kit.user, enrolment.sealed, code_at(enrolment.secret, START), client=CLIENT
    )
    assert len(codes) == recovery.COUNT == len(set(codes))
    assert kit.service().status(kit.user).enabled


def test_the_secret_is_stored_encrypted(kit: Kit) -> None:
    secret, _ = kit.enrol()
    stored = kit.store.totps[kit.user.id].sealed_secret
    assert secret not in stored
    assert kit.box.open(stored) == secret


def test_recovery_codes_are_stored_hashed(kit: Kit) -> None:
    _, codes = kit.enrol()
    stored = set(kit.store.codes[kit.user.id])
    assert not stored & set(codes)
    assert stored == {recovery.code_hash(code) for code in codes}


def test_an_old_set_up_page_cannot_enable_two_factor(kit: Kit) -> None:
    enrolment = kit.service().start_enrolment(kit.user)
    settings = TwoFactorSettings(issuer="x", enrolment_max_age=-1)
    service = TwoFactorService(kit.store, kit.box, kit.mailer, kit.transaction, settings, kit.clock)
    with pytest.raises(TwoFactorError, match=str(ENROLMENT_EXPIRED)):
        service.confirm_enrolment(
            kit.user, enrolment.sealed, code_at(enrolment.secret, START), client=CLIENT
        )


def test_enrolling_twice_is_refused(kit: Kit) -> None:
    kit.enrol()
    with pytest.raises(TwoFactorError, match=str(ALREADY_ON)):
        kit.service().start_enrolment(kit.user)


def test_disabling_removes_the_factor_and_mails_a_notice(kit: Kit) -> None:
    kit.enrol()
    kit.service().disable(kit.user, client=CLIENT)
    assert not kit.service().enabled_for(kit.user)
    assert kit.store.codes == {}
    assert kit.mailer.sent == [
        ("two_factor_enabled", "alice@example.org", None),
        ("two_factor_disabled", "alice@example.org", None),
    ]


class PasskeysLeft:
    """The account still has a passkey after the app goes."""

    def enabled_for(self, user: object) -> bool:
        return True


def test_disabling_the_app_while_a_passkey_remains_says_two_factor_login_stays_on(
    kit: Kit,
) -> None:
    kit.enrol()
    service = TwoFactorService(
        kit.store,
        kit.box,
        kit.mailer,
        kit.transaction,
        TwoFactorSettings(issuer="Walrus forum"),
        kit.clock,
        others=PasskeysLeft(),
    )
    assert service.disable(kit.user, client=CLIENT) is True
    assert kit.mailer.sent[-1] == ("authenticator_removed", "alice@example.org", None)
    # Without another factor the notice says the password alone logs in now.
    kit.enrol()
    assert kit.service().disable(kit.user, client=CLIENT) is False
    assert kit.mailer.sent[-1] == ("two_factor_disabled", "alice@example.org", None)


def test_regenerated_recovery_codes_replace_the_old_ones(kit: Kit) -> None:
    _, old = kit.enrol()
    new = kit.service().regenerate_recovery_codes(kit.user)
    assert not set(old) & set(new)
    assert kit.service().check(kit.user, CodeProof(old[0])) is None
    assert kit.service().check(kit.user, CodeProof(new[0])) == RECOVERY


# -- replay and recovery codes -------------------------------------------------------------


def test_a_code_can_never_be_used_twice(kit: Kit) -> None:
    secret, _ = kit.enrol()
    code = code_at(secret, kit.clock())
    assert kit.service().check(kit.user, CodeProof(code)) == TOTP
    assert kit.service().check(kit.user, CodeProof(code)) is None
    # Not even in the next step, where it is still inside the window.
    kit.clock.advance(seconds=30)
    assert kit.service().check(kit.user, CodeProof(code)) is None


def test_an_older_code_is_refused_once_a_newer_one_was_used(kit: Kit) -> None:
    secret, _ = kit.enrol()
    older = code_at(secret, kit.clock() - timedelta(seconds=30))
    assert kit.service().check(kit.user, CodeProof(code_at(secret, kit.clock()))) == TOTP
    assert kit.service().check(kit.user, CodeProof(older)) is None


def test_recovery_codes_are_single_use(kit: Kit) -> None:
    _, codes = kit.enrol()
    assert kit.service().check(kit.user, CodeProof(codes[0].upper())) == RECOVERY
    assert kit.service().check(kit.user, CodeProof(codes[0])) is None
    assert kit.service().status(kit.user).recovery_codes_left == recovery.COUNT - 1


def test_codes_of_an_account_without_a_second_factor_are_refused(kit: Kit) -> None:
    assert kit.service().check(kit.user, CodeProof("123456")) is None


# -- the login in two steps ----------------------------------------------------------------


def test_without_a_second_factor_the_password_opens_a_session(kit: Kit) -> None:
    result = kit.manager().login("alice", PASSWORD, remember=False, client=CLIENT)
    assert isinstance(result, LoginResult)
    assert [a.outcome for a in kit.history.attempts] == [LoginOutcome.SUCCESS]


def test_no_session_is_issued_before_the_second_step(kit: Kit) -> None:
    kit.enrol()
    pending = kit.pending()
    assert pending.user_id == kit.user.id
    assert kit.sessions.sessions == {}
    assert kit.history.attempts == []


def test_the_right_code_completes_the_login_once(kit: Kit) -> None:
    secret, _ = kit.enrol()
    pending = kit.pending(remember=True)
    result = kit.manager().complete_second_step(
        pending.token, code_at(secret, kit.clock()), client=CLIENT
    )
    assert result.remember is True
    assert kit.sessions.user_id(result.session_token) == kit.user.id
    attempt = kit.history.attempts[-1]
    assert (attempt.outcome, attempt.second_factor) == (LoginOutcome.SUCCESS, TOTP)
    kit.clock.advance(seconds=30)
    with pytest.raises(SecondStepExpired):
        kit.manager().complete_second_step(
            pending.token, code_at(secret, kit.clock()), client=CLIENT
        )


def test_a_pending_login_expires_after_five_minutes(kit: Kit) -> None:
    secret, _ = kit.enrol()
    pending = kit.pending()
    kit.clock.advance(minutes=5, seconds=1)
    with pytest.raises(SecondStepExpired):
        kit.manager().complete_second_step(
            pending.token, code_at(secret, kit.clock()), client=CLIENT
        )


def test_wrong_codes_are_recorded_and_a_few_end_the_pending_login(kit: Kit) -> None:
    secret, _ = kit.enrol()
    pending = kit.pending()
    for _ in range(4):
        with pytest.raises(StopAuthentication, match=str(WRONG_CODE)):
            kit.manager().complete_second_step(pending.token, "000000", client=CLIENT)
    with pytest.raises(StopAuthentication, match=str(WRONG_CODE)):
        kit.manager().complete_second_step(pending.token, "000001", client=CLIENT)
    # The budget is spent: even the right code needs the password again.
    with pytest.raises(SecondStepExpired):
        kit.manager().complete_second_step(
            pending.token, code_at(secret, kit.clock()), client=CLIENT
        )
    assert [a.outcome for a in kit.history.attempts] == [LoginOutcome.SECOND_FACTOR_FAILED] * 5


def test_a_recovery_code_logs_in_and_mails_a_notice(kit: Kit) -> None:
    _, codes = kit.enrol()
    result = kit.manager().complete_second_step(kit.pending().token, codes[3], client=CLIENT)
    assert kit.sessions.user_id(result.session_token) == kit.user.id
    assert kit.history.attempts[-1].second_factor == RECOVERY
    assert kit.mailer.sent[-1] == ("recovery_code_used", "alice@example.org", recovery.COUNT - 1)
    assert kit.mailer.notices[-1].browser == describe_user_agent(CLIENT.user_agent)


def test_a_wrong_password_is_recorded_for_the_owner(kit: Kit) -> None:
    with pytest.raises(StopAuthentication):
        kit.manager().login("alice", "wrong", remember=False, client=CLIENT)
    assert [a.outcome for a in kit.history.attempts] == [LoginOutcome.FAILURE]
    assert kit.history.attempts[0].client == CLIENT


def test_reauthentication_asks_for_the_code_where_a_second_factor_is_on(kit: Kit) -> None:
    secret, _ = kit.enrol()
    manager = ReauthenticationManager(
        kit.users, kit.hasher, kit.transaction, kit.clock, second_factor=kit.service()
    )
    assert manager.needs_code(kit.user)
    with pytest.raises(StopAuthentication, match=str(CODE_NEEDED)):
        manager.reauthenticate(kit.user, PASSWORD, client=CLIENT)
    with pytest.raises(StopAuthentication, match=str(WRONG_CODE)):
        manager.reauthenticate(kit.user, PASSWORD, "000000", client=CLIENT)
    manager.reauthenticate(kit.user, PASSWORD, code_at(secret, kit.clock()), client=CLIENT)


# -- the login history's browser names ------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox 133 on Linux",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge 131 on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Mobile Safari 18 on iOS",
        ),
        ("", "Unknown browser"),
    ],
)
def test_the_login_history_names_browsers_as_the_sessions_page_does(agent: str, name: str) -> None:
    assert describe_user_agent(agent) == name


def test_a_refused_login_with_the_right_password_is_recorded_as_a_failure(kit: Kit) -> None:
    kit.user.activated = False
    with pytest.raises(StopAuthentication):
        kit.manager().login("alice", PASSWORD, remember=False, client=CLIENT)
    assert [a.outcome for a in kit.history.attempts] == [LoginOutcome.FAILURE]
