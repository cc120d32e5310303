"""The API as HTTP and its own document say it behaves: refusals before preconditions and
body validation, JSON everywhere under the prefix, and problem types that resolve."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.api_support import NO_RATE_LIMITS, ApiClient, api_as, assert_problem
from tests.forum_world import World
from tests.functional.test_api_permissions import MATRIX, ROLES, _scene, _unchanged

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
