"""Domain exceptions raised by the auth services and turned into responses by the views."""

from __future__ import annotations


class StopAuthentication(Exception):
    """Credentials were refused; ``reason`` is safe to show to the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SecondStepExpired(StopAuthentication):
    """A pending login ran out of time or attempts, or was completed already: the
    password has to be given again."""


class ValidationError(Exception):
    """One field is unacceptable: ``attribute`` names the form field."""

    def __init__(self, attribute: str, reason: str) -> None:
        super().__init__(f"{attribute}: {reason}")
        self.attribute = attribute
        self.reason = reason


class StopValidation(Exception):
    """Several :class:`ValidationError` reasons, reported together."""

    def __init__(self, reasons: list[ValidationError]) -> None:
        super().__init__("; ".join(str(reason) for reason in reasons))
        self.reasons = reasons


class TokenError(Exception):
    """An emailed token is invalid, expired or already used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
