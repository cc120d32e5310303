"""A software authenticator that answers WebAuthn ceremonies like a browser with a passkey,
and in-memory implementations of the passkey service's ports.

The authenticator keeps an EC P-256 key (``cryptography``) and builds the answers by hand:
attestation format ``none`` for a registration, a signed assertion for a login, both as
the JSON ``static/js/passkeys.js`` posts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from forumapp.auth.passkeys.ceremony import NewCredential
from forumapp.auth.passkeys.service import StoredPasskey

ORIGIN = "http://localhost"
RP_ID = "localhost"
#: Flags of the authenticator data: user present, user verified, attested credential data.
_UP, _UV, _AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    """Base64url without padding, as WebAuthn's JSON carries bytes."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftAuthenticator:
    """One passkey in software; ``sign_count`` goes up with every assertion."""

    origin: str = ORIGIN
    rp_id: str = RP_ID
    credential_id: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    sign_count: int = 0
    user_verified: bool = True

    def _client_data(self, kind: str, options: str) -> bytes:
        challenge = json.loads(options)["challenge"]
        data = {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        return json.dumps(data).encode()

    def _auth_data(self, flags: int, extra: bytes = b"") -> bytes:
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        flags |= _UV if self.user_verified else 0
        return rp_hash + bytes([flags]) + struct.pack(">I", self.sign_count) + extra

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,
                3: -7,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def create(self, options: str) -> str:
        """The answer to registration ``options`` (JSON), as a browser posts it."""
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
        auth_data = self._auth_data(_UP | _AT, attested + self._cose_key())
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return self._answer(
            clientDataJSON=b64url(self._client_data("webauthn.create", options)),
            attestationObject=b64url(attestation),
            transports=["internal"],
        )

    def _answer(self, **response: object) -> str:
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "clientExtensionResults": {},
                "response": response,
            }
        )

    def get(self, options: str, *, count_up: bool = True) -> str:
        """The signed answer to login ``options`` (JSON), as a browser posts it."""
        if count_up:
            self.sign_count += 1
        client_data = self._client_data("webauthn.get", options)
        auth_data = self._auth_data(_UP)
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return self._answer(
            clientDataJSON=b64url(client_data),
            authenticatorData=b64url(auth_data),
            signature=b64url(signature),
        )


def challenge_in(options: str) -> bytes:
    """The challenge of ceremony ``options`` (JSON)."""
    return _unb64url(json.loads(options)["challenge"])


@dataclass
class InMemoryPasskeyStore:
    """Passkeys in a dict by id."""

    rows: dict[int, StoredPasskey] = field(default_factory=dict)

    def for_user(self, user_id: int) -> Sequence[StoredPasskey]:
        return [p for _, p in sorted(self.rows.items()) if p.user_id == user_id]

    def by_credential_id(self, credential_id: str) -> StoredPasskey | None:
        return next((p for p in self.rows.values() if p.credential_id == credential_id), None)

    def add(self, user_id: int, credential: NewCredential, name: str, when: datetime) -> None:
        new_id = max(self.rows, default=0) + 1
        self.rows[new_id] = StoredPasskey(
            new_id,
            user_id,
            credential.credential_id,
            credential.public_key,
            credential.sign_count,
            credential.transports,
            name,
            when,
            None,
        )

    def rename(self, user_id: int, passkey_id: int, name: str) -> bool:
        row = self.rows.get(passkey_id)
        if row is None or row.user_id != user_id:
            return False
        self.rows[passkey_id] = replace(row, name=name)
        return True

    def remove(self, user_id: int, passkey_id: int) -> bool:
        row = self.rows.get(passkey_id)
        return row is not None and row.user_id == user_id and bool(self.rows.pop(passkey_id))

    def record_use(self, passkey: StoredPasskey, sign_count: int, when: datetime) -> bool:
        row = self.rows.get(passkey.id)
        if row is None or row.sign_count != passkey.sign_count:
            return False
        self.rows[passkey.id] = replace(row, sign_count=sign_count, last_used_at=when)
        return True


@dataclass
class InMemoryPasskeyChallenges:
    """Ceremony challenges by hash: (member, purpose, expiry)."""

    rows: dict[str, tuple[int | None, str, datetime]] = field(default_factory=dict)

    def open(
        self,
        user_id: int | None,
        purpose: str,
        challenge_hash: str,
        now: datetime,
        lifetime: timedelta,
    ) -> None:
        self.rows = {
            h: r
            for h, r in self.rows.items()
            if r[2] > now and (user_id is None or r[:2] != (user_id, purpose))
        }
        self.rows[challenge_hash] = (user_id, purpose, now + lifetime)

    def take(self, challenge_hash: str, purpose: str, user_id: int | None, now: datetime) -> bool:
        row = self.rows.get(challenge_hash)
        if row is None or row[:2] != (user_id, purpose) or row[2] <= now:
            return False
        del self.rows[challenge_hash]
        return True


@dataclass
class FixedSecondFactor:
    """Another second factor that is on or off."""

    on: bool = False

    def enabled_for(self, user: object) -> bool:
        return self.on
