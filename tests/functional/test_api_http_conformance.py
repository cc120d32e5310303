"""The API as HTTP and its own document say it behaves: refusals before preconditions and
body validation, JSON everywhere under the prefix, and problem types that resolve."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import forumapp.api
from forumapp.api.problem_types import PROBLEM_TYPES
from tests.api_support import API, NO_RATE_LIMITS, ApiClient, api_as, assert_problem, field_names
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_api_permissions import MATRIX, ROLES, _scene, _unchanged
from tests.functional.test_forum_pages import login_as

#: Matrix answers that say "you may not": they must not depend on the request's details.
REFUSALS = (401, 403, 404)
#: The roles the matrix refuses something (the administrator may do everything in it).
REFUSED_ROLES = [
    role
    for index, role in enumerate(ROLES)
    if any(statuses[index] in REFUSALS for _, statuses in MATRIX.values())
]


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return dict(NO_RATE_LIMITS)


@dataclass
class Tampering(ApiClient):
    """Sends every request with a stale ``If-Match`` and, for writes with a body, a body
    that breaks the schema's rules."""

    invalid_body: bool = False

    def request(
        self,
        method: str,
        path: str,
        json: Any = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> TestResponse:
        headers = {**(headers or {}), "If-Match": '"stale-etag"'}
        if self.invalid_body and json is not None:
            json = {"title": 5, "content": "", "not_a_field": True}
        return super().request(method, path, json, headers, **kwargs)


@pytest.mark.parametrize("invalid_body", [False, True], ids=["stale If-Match", "invalid body"])
@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_a_refused_change_is_refused_before_preconditions_and_validation(
    client: FlaskClient, world: World, role: str, invalid_body: bool
) -> None:
    scenes = {name: _scene(world, role) for name in MATRIX}
    plain = api_as(world, client, role)
    tampering = Tampering(client, plain.secret, invalid_body=invalid_body)
    outcomes, expected = {}, {}
    for name, (action, statuses) in MATRIX.items():
        status = statuses[ROLES.index(role)]
        if status not in REFUSALS:
            continue
        response = action(tampering, world, scenes[name])
        outcomes[name], expected[name] = response.status_code, status
        assert_problem(response, response.status_code)
        assert _unchanged(world, scenes[name]), f"{role} / {name} changed something"
    assert outcomes == expected


def test_a_permitted_change_with_a_stale_if_match_is_still_412(
    client: FlaskClient, world: World
) -> None:
    post = world.reply(world.topic(), "member", "original")
    api = api_as(world, client, "member")
    response = api.patch(f"/posts/{post}", {"content": "x"}, headers={"If-Match": '"stale"'})
    assert_problem(response, 412, "precondition-failed")


# -- JSON everywhere under the prefix --------------------------------------------------------


def test_a_204_carries_no_media_type(client: FlaskClient, world: World) -> None:
    post = world.reply(world.topic(), "member", "to go")
    response = api_as(world, client, "member").delete(f"/posts/{post}")
    assert response.status_code == 204
    assert "Content-Type" not in response.headers
    assert response.get_data() == b""


@pytest.mark.parametrize("path", ["/topics/", "/topics/1", "/me", "/openapi.json", "/"])
def test_options_answers_204_with_allow_and_no_html(client: FlaskClient, path: str) -> None:
    response = ApiClient(client).request("OPTIONS", path)
    assert response.status_code == 204
    assert "Content-Type" not in response.headers
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("path", ["/topics", "/posts", "/users", "/categories", "/forums"])
def test_a_collection_without_its_trailing_slash_answers_json(
    client: FlaskClient, world: World, path: str
) -> None:
    api = api_as(world, client, "member")
    response = api.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == api.get(path + "/").get_json()


@pytest.mark.parametrize("path", ["/api/v1", "/api/v1/"])
def test_the_api_root_answers_json_with_links(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    links = response.get_json()
    for name in ("openapi", "docs", "me", "categories", "forums", "topics", "posts", "users"):
        assert client.get(links[name]).status_code in (200, 401), name


def test_errors_at_the_api_root_are_problems(client: FlaskClient) -> None:
    assert_problem(client.post("/api/v1"), 405)
    assert_problem(client.get("/api/v1/no-such-thing"), 404)


def test_every_problem_type_the_api_answers_resolves(client: FlaskClient, world: World) -> None:
    # Problems of every kind the API produces: their type URIs must describe them.
    api = api_as(world, client, "member")
    answers = [
        ApiClient(client).post("/topics/", {}),  # authentication-required
        ApiClient(client, "fa_not-a-token").get("/me"),  # invalid-token
        api.get("/topics/4242"),  # not-found
        api.post("/topics/", {"forum_id": "x"}),  # unprocessable
        api.get("/topics/?cursor=x"),  # bad-request
        api.request("PUT", "/topics/"),  # method-not-allowed
        api.post("/categories/", {"title": "No"}),  # forbidden
        api.request("POST", "/posts/", data="x", content_type="text/plain"),  # media type
    ]
    seen = set()
    for answer in answers:
        problem = assert_problem(answer, answer.status_code)
        seen.add(problem["type"])
        described = client.get(problem["type"])
        assert described.status_code == 200, problem["type"]
        assert described.mimetype == "application/json"
        assert described.get_json()["status"] == problem["status"]
        page = client.get(problem["type"], headers={"Accept": "text/html"})
        assert page.mimetype == "text/html"
        assert problem["title"] in page.get_data(as_text=True)
    assert len(seen) == len(answers)


def test_every_problem_kind_in_the_code_has_a_description() -> None:
    # Kinds are written as kind="..." where a Problem is raised; each needs its page.
    source = Path(forumapp.api.__file__).parent
    kinds = {
        match
        for module in source.glob("*.py")
        for match in re.findall(r'kind="([a-z-]+)"', module.read_text())
    }
    assert kinds
    assert kinds <= set(PROBLEM_TYPES)


def test_an_unknown_problem_type_is_a_404_problem(client: FlaskClient) -> None:
    assert_problem(client.get("/api/v1/problems/no-such-problem"), 404)


# -- Retry-After only where it means something -------------------------------------------------

LIMITS = {"API_RATE_LIMIT": "3 per minute", "API_ADDRESS_RATE_LIMIT": "100 per minute"}


@pytest.mark.parametrize("config_overrides", [LIMITS])
def test_retry_after_comes_only_with_429(client: FlaskClient, world: World) -> None:
    post = world.reply(world.topic(), "member", "to go")
    api = api_as(world, client, "member")
    answers = [api.get("/topics/"), api.get("/topics/4242"), api.delete(f"/posts/{post}")]
    assert [answer.status_code for answer in answers] == [200, 404, 204]
    for answer in answers:
        assert "Retry-After" not in answer.headers, answer.status_code
        assert "RateLimit-Remaining" in answer.headers
    refused = api.get("/topics/")
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) >= 1


# -- What the document says -----------------------------------------------------------------


def documented_response(document: dict[str, Any], path: str, method: str, status: int) -> Any:
    return document["paths"][API + path][method.lower()]["responses"][str(status)]


@pytest.mark.parametrize("config_overrides", [LIMITS | {"API_RATE_LIMIT": "100 per minute"}])
def test_every_rate_limit_header_sent_is_documented(client: FlaskClient, world: World) -> None:
    document = client.get(f"{API}/openapi.json").get_json()
    post = world.reply(world.topic(), "member", "to go")
    api = api_as(world, client, "member")
    listing = api.get("/topics/")
    answers = [
        ("/topics/", "GET", listing),
        (
            "/topics/",
            "GET",
            api.get("/topics/", headers={"If-None-Match": listing.headers["ETag"]}),
        ),
        ("/posts/{item_id}", "GET", api.get("/posts/4242")),
        ("/posts/", "POST", api.post("/posts/", {"topic_id": "x"})),
        ("/posts/{item_id}", "DELETE", api.delete(f"/posts/{post}")),
    ]
    assert [answer.status_code for *_, answer in answers] == [200, 304, 404, 422, 204]
    for path, method, answer in answers:
        sent = {name for name, _ in answer.headers.items() if "ratelimit" in name.lower()}
        assert len(sent) == 7, sent
        declared = documented_response(document, path, method, answer.status_code)["headers"]
        assert sent <= set(declared), (path, method, answer.status_code)
        assert "Retry-After" not in answer.headers


def test_soft_deletes_are_documented_as_what_they_do(client: FlaskClient, world: World) -> None:
    document = client.get(f"{API}/openapi.json").get_json()
    post = world.reply(world.topic(), "member", "to go")
    api = api_as(world, client, "member")
    assert api.delete(f"/posts/{post}").status_code == 204
    assert api.get(f"/posts/{post}").get_json()["deleted"] is True
    described = document["paths"][f"{API}/posts/{{item_id}}"]["delete"]["description"]
    assert "soft delete" in described and "`deleted: true`" in described
    topic = document["paths"][f"{API}/topics/{{item_id}}"]["delete"]["description"]
    assert "soft delete" in topic


def test_session_authentication_is_a_documented_security_scheme(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    document = client.get(f"{API}/openapi.json").get_json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["csrf"] == {**schemes["csrf"], "in": "header", "name": "X-CSRFToken"}
    login_as(auth, world, "member")
    cookie = schemes["session"]["name"]
    assert schemes["session"]["in"] == "cookie" and client.get_cookie(cookie) is not None
    assert client.get(f"{API}/me").get_json()["username"] == "alice"
    refused = client.post(f"{API}/categories/", json={"title": "Mine"})
    assert_problem(refused, 403, "csrf-token-missing")
    for item in document["paths"].values():
        for method in ("post", "patch", "delete"):
            if method in item:
                assert item[method]["security"] == [{"token": []}, {"session": [], "csrf": []}]


def test_integers_written_with_a_fraction_of_zero_are_integers(
    client: FlaskClient, world: World
) -> None:
    topic = world.topic()
    api = api_as(world, client, "member")
    created = api.post("/posts/", {"topic_id": float(topic), "content": "Two point oh"})
    assert created.status_code == 201
    assert created.get_json()["topic_id"] == topic
    assert field_names(api.post("/posts/", {"topic_id": topic + 0.5, "content": "x"})) == {
        "topic_id"
    }
    assert field_names(api.post("/posts/", {"topic_id": str(topic), "content": "x"})) == {
        "topic_id"
    }
    assert field_names(api.post("/posts/", {"topic_id": True, "content": "x"})) == {"topic_id"}
