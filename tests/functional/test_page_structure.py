"""Every page a person sees is well-formed and accessible: landmarks, one h1, headings
in order, a label for every control, and ids used once."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
LANDMARKS = {"header", "nav", "main", "footer"}


class Structure(HTMLParser):
    """Collects what the accessibility checks need and checks tag nesting."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.controls: list[tuple[str, dict[str, str | None]]] = []
        self.landmarks: set[str] = set()
        self.label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag in LANDMARKS:
            self.landmarks.add(tag)
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.labels.add(str(attributes["for"]))
        if tag in ("input", "select", "textarea") and attributes.get("type") not in (
            "hidden",
            "submit",
        ):
            self.controls.append(
                (tag, {**attributes, "_wrapped": "1" if self.label_depth else None})
            )
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def check_page(html: str, path: str) -> None:
    page = Structure()
    page.feed(html)
    page.close()
    assert not page.errors, (path, page.errors[:3])
    assert not page.stack, (path, page.stack)
    assert page.landmarks >= LANDMARKS, path
    assert page.headings.count(1) == 1, (path, page.headings)
    for previous, current in zip(page.headings, page.headings[1:], strict=False):
        assert current <= previous + 1, (path, "heading levels skip", page.headings)
    assert len(page.ids) == len(set(page.ids)), (path, "duplicate ids")
    for tag, attributes in page.controls:
        labelled = (
            attributes.get("id") in page.labels
            or attributes.get("aria-label")
            or attributes.get("_wrapped")
        )
        assert labelled, (path, tag, attributes)
    assert '<html lang="' in html, path


@pytest.mark.parametrize("role", ["guest", "member", "moderator"])
def test_pages_are_well_formed_and_accessible(
    client: FlaskClient, world: World, auth: AuthActions, role: str
) -> None:
    topic = world.topic("member2", title="A topic")
    reply = world.reply(topic, "member2", "A reply with a [link](https://example.org)")
    paths = [
        "/",
        "/category/1",
        f"/forum/{world.forum_a}",
        f"/topic/{topic}",
        "/user/bob",
        "/terms",
        "/privacy",
        "/api/v1/docs",
        "/does-not-exist",
        "/new",
        "/members",
        "/members?q=b&sort=posts&order=desc",
    ]
    if role == "guest":
        paths += [
            "/auth/login",
            "/auth/register",
            "/auth/reset-password",
            "/auth/activate",
            "/auth/activate/confirm",
        ]
    else:
        login_as(auth, world, role)
        paths += [
            f"/forum/{world.forum_a}/new-topic",
            f"/topic/{topic}/reply",
            f"/topic/{topic}/reply?quote={reply}",
            f"/post/{reply}/report",
            "/unread",
            "/auth/reauth",
            "/auth/logout",
            "/settings/tokens",
            "/settings/notifications",
            "/notifications",
        ]
    if role == "moderator":
        paths += [f"/post/{reply}/edit", f"/post/{reply}/delete", "/admin/reports"]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        check_page(response.get_data(as_text=True), path)
