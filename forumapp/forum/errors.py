"""Domain exceptions of the forum services.

A ``reason`` may be given as a lazy translation (services stay free of the request);
it is written out when the exception is raised, inside the request it answers, so in
that request's language.
"""

from __future__ import annotations

from flask_babel import LazyString


class NotFound(Exception):
    """The thing does not exist, or the actor may not know it exists (answered as 404)."""


class Forbidden(Exception):
    """The actor may see the thing but not do this to it; ``reason`` is for people."""

    def __init__(self, reason: str | LazyString) -> None:
        super().__init__(str(reason))
        self.reason = str(reason)


class InvalidInput(Exception):
    """A field's value is unacceptable: ``field`` names the form field."""

    def __init__(self, field: str, reason: str | LazyString) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = str(reason)


class Flooded(Exception):
    """The actor has used up a flood-control budget (answered as 429); ``reason`` is for
    people and ``retry_after`` says in how many seconds the budget has room again."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
