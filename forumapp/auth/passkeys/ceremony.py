"""The WebAuthn ceremonies over py_webauthn: the options a browser gets and the checks of
its answers. Pure functions: challenges come in as arguments, nothing is stored here.

The relying party (the site the passkeys belong to) is named by ``EXTERNAL_URL``, never
by the request's Host header: its host is the RP id, its scheme and host the origin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

#: Milliseconds the browser gives the person to use the authenticator.
TIMEOUT_MS = 120_000
#: Bigger answers are refused before any parsing: a real one is a few kilobytes.
MAX_ANSWER_LENGTH = 16_384


class CeremonyFailed(Exception):
    """A browser's answer was malformed, or failed a check."""


@dataclass(frozen=True)
class RelyingParty:
    """The site passkeys are registered with."""

    id: str
    origin: str
    name: str

    @classmethod
    def from_external_url(cls, external_url: str, name: str) -> RelyingParty:
        """The relying party of the site served at ``external_url``."""
        parts = urlsplit(external_url)
        return cls(id=parts.hostname or "", origin=f"{parts.scheme}://{parts.netloc}", name=name)


@dataclass(frozen=True)
class KnownCredential:
    """A registered credential, as the options name it to the browser."""

    credential_id: str
    transports: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewCredential:
    """A credential whose registration answer passed every check."""

    credential_id: str
    public_key: bytes
    sign_count: int
    transports: tuple[str, ...]


def _descriptors(credentials: list[KnownCredential]) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(c.credential_id),
            transports=[AuthenticatorTransport(t) for t in c.transports if t in known],
        )
        for c in credentials
    ]


def registration_options(
    rp: RelyingParty,
    user_handle: bytes,
    user_name: str,
    challenge: bytes,
    existing: list[KnownCredential],
) -> str:
    """The JSON for ``navigator.credentials.create``: a discoverable credential (it can
    sign in on its own), none of the authenticators that already hold one of ``existing``."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle,
        user_name=user_name,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(existing),
    )
    return str(options_to_json(options))


def authentication_options(
    rp: RelyingParty,
    challenge: bytes,
    allowed: list[KnownCredential],
    *,
    user_verification: bool = False,
) -> str:
    """The JSON for ``navigator.credentials.get``, limited to the ``allowed`` credentials
    (none: any discoverable credential of the site), asking for the person's verification
    as ``user_verification`` says."""
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(allowed),
        user_verification=UserVerificationRequirement.REQUIRED
        if user_verification
        else UserVerificationRequirement.PREFERRED,
    )
    return str(options_to_json(options))


def _parsed(answer: str) -> dict[str, object]:
    if len(answer) > MAX_ANSWER_LENGTH:
        raise CeremonyFailed("answer too long")
    try:
        parsed = json.loads(answer)
    except ValueError as exc:
        raise CeremonyFailed("not JSON") from exc
    if not isinstance(parsed, dict):
        raise CeremonyFailed("not an object")
    return parsed


def challenge_of(answer: str) -> bytes:
    """The challenge a browser's answer (of either ceremony) says it answers."""
    response = _parsed(answer).get("response")
    client_data = response.get("clientDataJSON") if isinstance(response, dict) else None
    if not isinstance(client_data, str):
        raise CeremonyFailed("no client data")
    try:
        return bytes(parse_client_data_json(base64url_to_bytes(client_data)).challenge)
    except (WebAuthnException, ValueError, TypeError) as exc:
        raise CeremonyFailed("unreadable client data") from exc


def credential_id_of(answer: str) -> str:
    """The credential id an assertion names, base64url as stored."""
    raw_id = _parsed(answer).get("rawId")
    if not isinstance(raw_id, str) or not raw_id:
        raise CeremonyFailed("no credential id")
    try:
        return bytes_to_base64url(base64url_to_bytes(raw_id))
    except (ValueError, TypeError) as exc:
        raise CeremonyFailed("unreadable credential id") from exc


def verify_registration(rp: RelyingParty, answer: str, challenge: bytes) -> NewCredential:
    """The credential ``answer`` registers, once its origin, RP id and challenge check out."""
    parsed = _parsed(answer)
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise CeremonyFailed(str(exc)) from exc
    response = parsed.get("response")
    transports = response.get("transports", []) if isinstance(response, dict) else []
    return NewCredential(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=tuple(str(t) for t in transports if isinstance(t, str))[:8],
    )


def verify_authentication(
    rp: RelyingParty,
    answer: str,
    challenge: bytes,
    public_key: bytes,
    sign_count: int,
    *,
    user_verification: bool = False,
) -> int:
    """The new signature count, once ``answer`` is signed by ``public_key`` over
    ``challenge`` and its count moved on from ``sign_count`` (a cloned authenticator's
    would not)."""
    try:
        verified = verify_authentication_response(
            credential=_parsed(answer),
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=user_verification,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise CeremonyFailed(str(exc)) from exc
    return int(verified.new_sign_count)
