"""The safe-redirect check."""

from __future__ import annotations

import pytest

from forumapp.http import is_safe_redirect, safe_redirect_target

UNSAFE = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "///evil.example",
    "////evil.example",
    "https:evil.example",
    "http://evil.example",
    "https://evil.example/path",
    "javascript:alert(1)",
    "data:text/html,hi",
    "evil.example",
    " //evil.example",
    "\x00/evil",
    "/\x7f/evil.example",
    "/\u200b/evil.example",
    "",
    None,
    "/" + "a" * 3000,
]
SAFE = ["/", "/auth/login", "/topic/12?page=3#post-4", "/%09/evil.example", "/search?q=//x"]


@pytest.mark.parametrize("target", UNSAFE)
def test_unsafe_targets_are_refused(target: str | None) -> None:
    assert not is_safe_redirect(target)
    assert safe_redirect_target(target, "/home") == "/home"


@pytest.mark.parametrize("target", SAFE)
def test_local_paths_are_accepted(target: str) -> None:
    assert is_safe_redirect(target)
