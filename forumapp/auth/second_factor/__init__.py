"""Two-factor login: a second proof after the password, and the history of login attempts.

The login asks for the second step only through the ports in :mod:`.ports`, so a host app
that mounts the auth blueprint without them logs in with the password alone, and another
kind of proof (a passkey) can join TOTP and recovery codes behind the same port.

- :mod:`.totp` and :mod:`.recovery`: codes, pure functions over pyotp and hashlib.
- :mod:`.service`: :class:`~.service.TwoFactorService`, enrolment and the login check.
- :mod:`.stores`: the SQLAlchemy tables behind the ports.
- :mod:`.views`: the ``/auth/two-factor`` step of the login.
- :mod:`.staff`: staff members enrol before they open the management panel.
"""
