"""What the avatar pipeline refuses, and how much it accepts; no Pillow here, so that the
pages can name these without loading it."""

from __future__ import annotations

from dataclasses import dataclass


class InvalidImage(Exception):
    """The upload cannot be an avatar; ``reason`` is for the member."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ImageLimits:
    """What an upload may be: at most ``max_bytes`` long and ``max_side`` pixels a side."""

    max_bytes: int
    max_side: int
