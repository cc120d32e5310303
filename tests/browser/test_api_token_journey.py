"""The API token journey in a real browser and a script: a member creates a personal access
token at /settings/tokens, a script replies to a topic with it over HTTP, the member sees
the reply, revokes the token, and the script is refused from then on. The token page and
the API documentation are checked with axe-core on the way."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError

import pytest

from forumapp.api.tokens import PREFIX_LENGTH
from tests.conftest import PASSWORD
from tests.forum_world import World

if TYPE_CHECKING:
    from tests.browser.browsing import Browser

# Checked before the app and the server start.
pytestmark = pytest.mark.usefixtures("browser_tools")

TOKEN_NAME = "my script"
REPLY = "Posted by *my script*: the river is open again."
API_TIMEOUT_SECONDS = 10
#: Selenium's ``By.CSS_SELECTOR`` (Selenium is imported only once it is known to be there).
CSS = "css selector"


@dataclass(frozen=True)
class ApiAnswer:
    """What the live server answered a script's request with."""

    status: int
    headers: Message
    body: Any


def call_api(
    base_url: str, method: str, path: str, secret: str | None, body: Any = None
) -> ApiAnswer:
    """Send one request to the live server's API as a script would: ``urllib``, a Bearer
    token (none if ``secret`` is None) and a JSON body; error statuses are answers too."""
    headers = {"Accept": "application/json"}
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    data = None if body is None else json.dumps(body).encode()
    # Always http://127.0.0.1:<port>: the live server's own address.
    request = urllib.request.Request(base_url + path, data, headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=API_TIMEOUT_SECONDS) as response:  # noqa: S310
            return ApiAnswer(response.status, response.headers, json.loads(response.read()))
    except HTTPError as error:
        with error:
            return ApiAnswer(error.code, error.headers, json.loads(error.read()))


def test_member_creates_a_token_a_script_replies_with_it_then_it_is_revoked(
    browser: Browser, world: World
) -> None:
    topic_id = world.topic("member2", title="Is the river open?", content="Anyone been out?")
    topic = f"/topic/{topic_id}"
    web = browser

    # The member logs in and finds "API tokens" in the settings menu.
    web.open("/auth/login")
    web.log_in("alice", PASSWORD)
    web.expect_logged_in("alice")
    web.follow("Settings", within="header nav")
    web.follow("API tokens", within="nav.settings-menu")
    web.expect_path("/settings/tokens")
    web.expect_text("h1", "API tokens")
    web.expect_text("main", "You have no tokens yet.")

    # A token with the write scope: its secret is shown once.
    web.type("name", TOKEN_NAME)
    web.find("input[name=scope][value=write]").click()
    web.submit(web.find("main form[action='/settings/tokens']"), button="Create token")
    web.expect_text("#new-token-title", f"Your new token “{TOKEN_NAME}”")
    web.expect_text("main", "Copy it now: it will not be shown again.")
    secret = str(web.find("#new-token-secret").get_attribute("value"))
    assert secret.startswith("fa_")

    # A script replies to the topic with it, and the API knows whose token it is.
    posted = call_api(
        web.base_url, "POST", "/api/v1/posts/", secret, {"topic_id": topic_id, "content": REPLY}
    )
    assert posted.status == 201, posted.body
    post_id = posted.body["id"]
    assert posted.headers["Location"].endswith(f"/api/v1/posts/{post_id}")
    me = call_api(web.base_url, "GET", "/api/v1/me", secret)
    assert me.status == 200, me.body
    assert me.body["username"] == "alice"

    # The browser shows the script's reply under the topic.
    web.open(topic)
    web.expect_text(f"#post-{post_id} .post-body em", "my script")
    web.expect_text(f"#post-{post_id}", "alice")

    # Back on the token page: the name and the prefix, never the secret again.
    web.open("/settings/tokens")
    assert not web.has("#new-token-secret")
    row = web.find("main table.listing tbody tr")
    cells = [cell.text for cell in row.find_elements(CSS, "td")]
    assert cells[0] == TOKEN_NAME
    prefix = cells[1].removesuffix("…")
    assert prefix == secret[:PREFIX_LENGTH]
    assert cells[2] == "Read and write"
    assert secret not in web.driver.page_source

    # Revoke it.
    web.submit(row.find_element(CSS, "form"))
    web.expect_path("/settings/tokens")
    web.expect_text(".flashes", "The token is revoked")
    web.expect_text("main", "You have no tokens yet.")

    # The script's next request is refused.
    refused = call_api(web.base_url, "GET", "/api/v1/me", secret)
    assert refused.status == 401
    assert refused.headers.get_content_type() == "application/problem+json"
    assert refused.body["status"] == 401

    # The API documentation, and the machine-readable description it links to.
    web.open("/api/v1/docs")
    web.expect_text("h1", "version")
    openapi = web.find("main a[href$='openapi.json']")
    assert openapi.text == "openapi.json"
    assert openapi.get_attribute("href") == f"{web.base_url}/api/v1/openapi.json"
    described = call_api(web.base_url, "GET", "/api/v1/openapi.json", None)
    assert described.status == 200
    document = described.body
    assert document["openapi"].startswith("3.1")
    assert "post" in document["paths"]["/api/v1/posts/"]
