"""Absolute links (emails, feeds, the JSON API) are built on the site's public base, never
on the Host header a request names; requests for hosts outside ``TRUSTED_HOSTS`` get 400."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp import create_app
from forumapp.config import ConfigError
from tests.conftest import MakeUser, links_in
from tests.forum_world import World

ATTACKER_HOST = "attacker.example"
#: The documented base of links when EXTERNAL_URL is unset (README, Configuration).
LOCAL_EXTERNAL_URL = "http://127.0.0.1:5000"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def forgot_password(client: FlaskClient, email: str, host: str) -> Any:
    # The whole exchange names the attacker's host, as a script sending it would.
    page = client.get("/auth/reset-password", headers={"Host": host}).get_data(as_text=True)
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    return client.post(
        "/auth/reset-password",
        data={"email": email, "csrf_token": token},
        headers={"Host": host},
    )


@pytest.mark.parametrize("config_overrides", [{"EXTERNAL_URL": None}])
def test_email_links_never_come_from_the_request_host(
    client: FlaskClient, make_user: MakeUser, outbox: list[Any]
) -> None:
    make_user("alice")

    response = forgot_password(client, "alice@example.org", ATTACKER_HOST)

    assert response.status_code == 302
    (message,) = outbox
    (link,) = [link for link in links_in(message) if "/auth/reset-password/" in link]
    assert link.startswith(LOCAL_EXTERNAL_URL + "/auth/reset-password/")
    assert ATTACKER_HOST not in message.body
    assert ATTACKER_HOST not in str(message.alternatives)


def test_smtp_mail_without_an_external_url_refuses_to_start(app: Flask) -> None:
    config = {**app.config, "MAIL_BACKEND": "smtp", "EXTERNAL_URL": None}

    with pytest.raises(ConfigError, match="EXTERNAL_URL"):
        create_app(config)


def test_feed_and_api_links_never_come_from_the_request_host(
    client: FlaskClient, world: World
) -> None:
    topic_id = world.topic()
    world.topic(title="Another")
    headers = {"Host": ATTACKER_HOST}

    forum_feed = client.get(f"/forum/{world.forum_a}/feed.atom", headers=headers)
    topic_feed = client.get(f"/topic/{topic_id}/feed.atom", headers=headers)
    topics = client.get(f"/api/v1/topics/?forum_id={world.forum_a}&limit=1", headers=headers)

    for response in (forum_feed, topic_feed, topics):
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert ATTACKER_HOST not in body
        assert ATTACKER_HOST not in response.headers.get("Link", "")
    assert f'href="http://forum.test/topic/{topic_id}' in topic_feed.get_data(as_text=True)
    assert "http://forum.test/topic/" in forum_feed.get_data(as_text=True)
    listing = topics.get_json()
    assert listing["next"].startswith("http://forum.test/api/v1/topics/")
    assert listing["items"][0]["url"].startswith("http://forum.test/topic/")


@pytest.mark.parametrize("config_overrides", [{"TRUSTED_HOSTS": ["forum.test", ".forum.test"]}])
def test_requests_for_hosts_outside_trusted_hosts_are_refused(client: FlaskClient) -> None:
    assert client.get("/", headers={"Host": ATTACKER_HOST}).status_code == 400
    assert client.get("/", headers={"Host": "forum.test"}).status_code == 200
    assert client.get("/", headers={"Host": "www.forum.test:8080"}).status_code == 200
