"""The host's second factor: an authenticator app (TOTP) per member, kept in the host's
own store and checked with forumapp's TOTP functions, and the logins waiting for it.

Passed to the auth services through the host's factories (:mod:`.factories`), it makes
the auth blueprint's login ask members who have an app for a code (``/accounts/two-factor``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime

from examples.embed_auth.members import now
from forumapp.auth.ports import AuthUser, ClientInfo
from forumapp.auth.second_factor import totp
from forumapp.auth.second_factor.ports import Challenge, CodeProof, Proof

TOTP = "totp"


@dataclass
class AuthenticatorApps:
    """The members' TOTP secrets and the last time step each used (implements
    :class:`forumapp.auth.second_factor.ports.SecondFactor`)."""

    secrets: dict[int, str] = field(default_factory=dict)
    last_steps: dict[int, int] = field(default_factory=dict)

    def enrol(self, member_id: int, secret: str) -> None:
        """Give a member an app with ``secret`` (a real host first checks a code from it)."""
        self.secrets[member_id] = secret

    def enabled_for(self, user: AuthUser) -> bool:
        """Whether the member's login needs a code."""
        return user.id in self.secrets

    def check(self, user: AuthUser, proof: Proof) -> str | None:
        """``"totp"`` when ``proof`` is the app's current code, not used before."""
        secret = self.secrets.get(user.id)
        # This host has no passkeys: only typed codes prove anything here.
        if secret is None or not isinstance(proof, CodeProof):
            return None
        step = totp.matching_step(secret, proof.code, now(), after=self.last_steps.get(user.id))
        if step is None:
            return None
        # A code works once: the next one must come from a later step.
        self.last_steps[user.id] = step
        return TOTP

    def after_use(self, user: AuthUser, method: str, client: ClientInfo) -> None:
        """Nothing to tell the member: this host has no recovery codes to run out of."""


@dataclass
class PendingLogins:
    """Logins whose password was right, waiting for their code (implements
    :class:`forumapp.auth.second_factor.ports.ChallengeStore`)."""

    pending: dict[str, tuple[Challenge, datetime]] = field(default_factory=dict)

    def open(self, user_id: int, remember: bool, expires_at: datetime) -> str:
        """Start a pending login; its token goes into the browser's session."""
        token = secrets.token_urlsafe(32)
        challenge = Challenge(len(self.pending) + 1, user_id, remember, failures=0)
        self.pending[token] = (challenge, expires_at)
        return token

    def find(self, token: str, now: datetime) -> Challenge | None:
        """The pending login of ``token``, unless it expired or completed."""
        entry = self.pending.get(token)
        return entry[0] if entry is not None and entry[1] > now else None

    def count_failure(self, challenge: Challenge) -> None:
        """Note one more wrong code."""
        for token, (pending, expires_at) in self.pending.items():
            if pending.id == challenge.id:
                self.pending[token] = (replace(pending, failures=pending.failures + 1), expires_at)

    def close(self, challenge: Challenge) -> bool:
        """End the pending login; ``False`` when it had already ended."""
        for token, (pending, _) in list(self.pending.items()):
            if pending.id == challenge.id:
                del self.pending[token]
                return True
        return False
