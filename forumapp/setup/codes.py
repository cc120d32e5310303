"""The one-time code that opens the first-run setup page.

``forumapp run`` issues it into the instance folder (mode 0600) and prints it on the
console: only whoever can read that console or that folder can create the first
administrator. A file rather than the serving process's memory, so that the code is the
same in every process that serves the instance (Werkzeug's reloader runs the app in a
child process) and so that taking it is one atomic step for all of them.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

#: Letters and digits that cannot be mistaken for one another when read off a console.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
#: 16 characters of 31 symbols: about 79 bits, far beyond what the rate limit lets anyone try.
GROUPS, GROUP_LENGTH = 4, 4
FILENAME = "setup_code"


def normalized(code: str) -> str:
    """``code`` as stored: lower case, without the dashes and spaces people type."""
    return "".join(code.split()).replace("-", "").lower()


class SetupCodeFile:
    """The setup code kept in a file of the instance folder."""

    def __init__(self, instance_path: str | os.PathLike[str]) -> None:
        self.path = Path(instance_path) / FILENAME

    def issue(self) -> str:
        """Make a new code (replacing any earlier one) and return it as people read it."""
        code = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
        self._write(code)
        return "-".join(code[i : i + GROUP_LENGTH] for i in range(0, len(code), GROUP_LENGTH))

    def pending(self) -> bool:
        """Whether a code was issued and not used yet."""
        return self.path.is_file()

    def matches(self, code: str) -> bool:
        """Whether ``code`` is the pending code (compared in constant time)."""
        try:
            stored = self.path.read_text(encoding="ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return False
        given = normalized(code).encode("utf-8", "replace")
        return bool(stored) and hmac.compare_digest(given, stored.encode("ascii"))

    def claim(self) -> bool:
        """Use the code up. Removing the file is atomic: of simultaneous claims, across
        threads and processes, exactly one succeeds."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    def restore(self, code: str) -> None:
        """Put a claimed code back, when what it was claimed for failed."""
        self._write(normalized(code))

    def discard(self) -> None:
        """Remove any code: setup is over."""
        self.path.unlink(missing_ok=True)

    def _write(self, code: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A fresh file created with mode 0600: never readable by others, not even briefly.
        self.path.unlink(missing_ok=True)
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(code + "\n")
