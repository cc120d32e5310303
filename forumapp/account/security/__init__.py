"""The security page at ``/settings/security``: the login history and the second factor
(enrolment of an authenticator app, recovery codes, turning it off)."""
