"""Domain exceptions of the forum services."""

from __future__ import annotations


class NotFound(Exception):
    """The thing does not exist, or the actor may not know it exists (answered as 404)."""


class Forbidden(Exception):
    """The actor may see the thing but not do this to it; ``reason`` is for people."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidInput(Exception):
    """A field's value is unacceptable: ``field`` names the form field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class Flooded(Exception):
    """The actor has used up a flood-control budget (answered as 429); ``reason`` is for
    people and ``retry_after`` says in how many seconds the budget has room again."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
