"""Passkeys (WebAuthn): a second factor after the password, and a sign-in on their own.

- :mod:`.ceremony`: the relying party and py_webauthn's options and checks, pure functions.
- :mod:`.service`: :class:`~.service.PasskeyService`, registration, renaming, removal and
  the proof of a login (it implements the ``SecondFactor`` port for passkey proofs).
- :mod:`.stores`: the SQLAlchemy tables behind the service's ports.
- :mod:`.factories`: wiring from the app's configuration.
"""
