"""A property-based fuzz run of the API against its own OpenAPI document.

Schemathesis generates requests from ``/api/v1/openapi.json``, valid and invalid ones,
and sends them to the app in-process (WSGI) on a forum with data, as a guest and as a
member and an administrator with write tokens, with every check schemathesis has (as
``--checks all``): no 5xx, each status, content type, header and body as the document
says, invalid input refused and valid input not, ``Allow`` on 405s, and no answer that
ignores authentication.

Each generated case is sent by each caller in turn. Each operation runs against a fresh
app and data, so a generated ``DELETE`` of a category cannot take the data away from the
operations after it. The run is deterministic (the same examples on every run), so a
failure reproduces.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, note, settings
from schemathesis import Case
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.config import SchemathesisConfig

from forumapp.api import URL_PREFIX
from forumapp.api.docs import VERSION
from forumapp.api.endpoints import RESOURCES
from forumapp.api.openapi import build_document
from tests.api_support import bearer, issue_token
from tests.forum_world import World

ROLES = ("guest", "member", "admin")
GENEROUS_LIMITS = ("API_RATE_LIMIT", "API_ADDRESS_RATE_LIMIT", "FORUM_POST_LIMIT")
#: Every check schemathesis has (``--checks all``).
CHECKS = REGISTERED_CHECKS.get_all()
#: Generated examples per operation in the fuzzing phase; schemathesis adds its own
#: boundary and invalid-input cases (the coverage phase) and probes other methods.
MAX_EXAMPLES = 20

#: The description the app serves (see test_fuzzed_document_is_the_served_one), built
#: without an app: each operation's test then gets an app of its own.
DOCUMENT = build_document(RESOURCES, base_path=URL_PREFIX, title="forumapp API", version=VERSION)

schema = schemathesis.openapi.from_dict(
    # A copy: the stateful run writes the links it infers into the schema it was given.
    copy.deepcopy(DOCUMENT),
    config=SchemathesisConfig.from_dict(
        {
            # Valid requests and invalid ones, which must be refused with a 4xx.
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
        }
    ),
)


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Hundreds of requests a minute: limits on, so that their headers are checked against
    the document too, but too high to be reached."""
    return dict.fromkeys(GENEROUS_LIMITS, "100000 per minute")


@pytest.fixture
def callers(app: Flask, world: World) -> dict[str, dict[str, str]]:
    """Topics and posts in every forum, and the headers each of :data:`ROLES` sends."""
    for forum in (world.forum_a, world.forum_b, world.hidden_forum):
        # Only staff may write in the hidden forum.
        author, replier = (
            ("admin", "admin") if forum == world.hidden_forum else ("member", "member2")
        )
        world.reply(world.topic(author, forum), replier)
    return {
        role: bearer(issue_token(app, world.users[role])) if role != "guest" else {}
        for role in ROLES
    }


@schema.parametrize()
# The app and its data are made once per operation and kept across its examples, as a
# server's would be; derandomized, so every run sends the same requests.
# How long generating examples takes must not decide the test on a loaded machine: the
# bodies with several patterned fields (a new conversation) are slow to draw there.
@settings(
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_is_documented(
    case: Case, app: Flask, callers: dict[str, dict[str, str]]
) -> None:
    # Each case goes out once per caller: generating it costs more than sending it.
    for role, headers in callers.items():
        note(f"sent as {role}")
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)


#: Scenarios and steps of the stateful run (an administrator can walk every link).
WORKFLOWS, WORKFLOW_STEPS = 20, 6


def test_workflows_along_the_documents_links_keep_its_promises(
    app: Flask, callers: dict[str, dict[str, str]]
) -> None:
    # The checks that need a sequence (a created item can be read back, a deleted one is
    # gone, ...) run here: schemathesis chains operations along the links it infers from
    # the document, such as a created topic's id into its GET, PATCH and DELETE.
    headers = callers["admin"]

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def call(self, case: Case, **kwargs: Any) -> Any:
            return case.call(app=app, headers=headers, **kwargs)

        def validate_response(
            self, response: Any, case: Case, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS, headers=headers)

    Workflow.run(
        settings=settings(
            max_examples=WORKFLOWS,
            stateful_step_count=WORKFLOW_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )


def test_fuzzed_document_is_the_served_one(client: FlaskClient) -> None:
    served = client.get(f"{URL_PREFIX}/openapi.json").get_json()
    assert {**served, "info": DOCUMENT["info"]} == DOCUMENT


# -- What the fuzz found, pinned down --------------------------------------------------------

#: Just past PostgreSQL's 32-bit integer: ids used to reach the database and overflow (500).
TOO_LARGE = 2**31


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"{URL_PREFIX}/topics/{TOO_LARGE}", 404),
        (f"{URL_PREFIX}/users/{TOO_LARGE}", 404),
        (f"{URL_PREFIX}/posts/?topic_id={TOO_LARGE}", 422),
        (f"/topic/{TOO_LARGE}", 404),
    ],
)
def test_ids_beyond_the_id_columns_are_not_found(
    client: FlaskClient, path: str, status: int
) -> None:
    assert client.get(path).status_code == status
