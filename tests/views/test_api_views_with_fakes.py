"""The API's generic views with a fake service injected through ``as_view``: a bare
Flask app with no database mounts :class:`~forumapp.api.views.GroupAPI` and
:class:`~forumapp.api.views.ItemAPI` over a :class:`~forumapp.api.resource.Resource`
whose service factory hands out the fake, and answers errors as the API blueprint does
(:func:`~forumapp.api.problems.answer_as_problems`). What the caller gets is decided by
the fake alone: its domain exceptions become problem+json, its items JSON."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask, g

from forumapp.api.callers import Caller
from forumapp.api.pagination import Cursor, Page
from forumapp.api.problems import PROBLEM_JSON, answer_as_problems
from forumapp.api.resource import Resource
from forumapp.api.schemas import Category, CategoryCreate, CategoryUpdate, PageQuery
from forumapp.api.tokens import TokenScope
from forumapp.api.views import GroupAPI, ItemAPI
from forumapp.domain_errors import CONFLICT_REASON
from forumapp.extensions import limiter
from forumapp.forum.errors import Flooded, Forbidden, InvalidInput, NotFound
from forumapp.forum.permissions import Actor, GroupFlags
from forumapp.persistence import PersistenceError
from tests.fakes import FakeUser

MEMBER = FakeUser(id=8, username="ann", email="ann@example.org", password_hash="x")
#: The caller every request authenticates as: a member with a write token.
CALLER = Caller(
    actor=Actor(user_id=8, username="ann", group_id=4, flags=GroupFlags(guest=False)),
    user=MEMBER,  # type: ignore[arg-type]
    scope=TokenScope.WRITE,
    token_id=1,
    ip_address="192.0.2.1",
)
NEWS = Category(id=5, title="News", description="", position=1, url="http://forum.test/c/5")


class FakeCategories:
    """A fake resource service: records every call, answers ``NEWS`` or raises what it
    was told to raise for a method."""

    def __init__(self, **raises: Exception) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self._raises = raises

    def _call(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        if name in self._raises:
            raise self._raises[name]

    def list(self, caller: Caller, query: PageQuery, cursor: Cursor) -> Page[Category]:
        """One page holding ``NEWS``."""
        self._call("list", caller)
        return Page([NEWS], None, None)

    def get(self, caller: Caller, item_id: int, *, lock: bool = False) -> Category:
        """``NEWS``, whatever the id."""
        self._call("get", caller, item_id)
        return NEWS

    def authorize_create(self, caller: Caller, data: CategoryCreate | None) -> None:
        """Allowed unless told otherwise."""
        self._call("authorize_create", caller, data)

    def authorize_update(self, caller: Caller, item_id: int, data: CategoryUpdate | None) -> None:
        """Allowed unless told otherwise."""
        self._call("authorize_update", caller, item_id, data)

    def authorize_delete(self, caller: Caller, item_id: int) -> None:
        """Allowed unless told otherwise."""
        self._call("authorize_delete", caller, item_id)

    def create(self, caller: Caller, data: CategoryCreate) -> Category:
        """``NEWS``, as if just created."""
        self._call("create", caller, data)
        return NEWS

    def update(self, caller: Caller, item_id: int, data: CategoryUpdate) -> Category:
        """``NEWS``, as if changed."""
        self._call("update", caller, item_id, data)
        return NEWS

    def delete(self, caller: Caller, item_id: int) -> None:
        """Nothing, unless told to raise."""
        self._call("delete", caller, item_id)


def api_app(service: FakeCategories) -> Flask:
    """A bare app mounting the generic API views over ``service``, with no database."""
    resource = Resource(
        "categories",
        "category",
        Category,
        PageQuery,
        lambda: service,
        create_schema=CategoryCreate,
        update_schema=CategoryUpdate,
    )
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", RATELIMIT_ENABLED=False, EXTERNAL_URL="http://forum.test")
    limiter.init_app(app)
    bp = Blueprint("api", __name__, url_prefix="/api/v1")
    answer_as_problems(bp)
    bp.before_request(lambda: setattr(g, "api_caller", CALLER))
    bp.add_url_rule("/categories/", view_func=GroupAPI.as_view("categories", resource=resource))
    bp.add_url_rule(
        "/categories/<int:item_id>", view_func=ItemAPI.as_view("category", resource=resource)
    )
    app.register_blueprint(bp)
    return app


def problem(response: Any) -> dict[str, Any]:
    """The problem document of an error response (checking its media type)."""
    assert response.mimetype == PROBLEM_JSON
    document: dict[str, Any] = response.get_json()
    assert document["status"] == response.status_code
    return document


def test_an_item_the_service_cannot_find_is_a_problem_404() -> None:
    service = FakeCategories(get=NotFound())
    response = api_app(service).test_client().get("/api/v1/categories/9")
    assert response.status_code == 404
    assert problem(response)["detail"] == "There is no such resource, or you may not see it."
    assert service.calls == [("get", (CALLER, 9))]


def test_a_refusal_of_the_service_is_a_problem_403_with_its_reason() -> None:
    service = FakeCategories(authorize_delete=Forbidden("Only administrators may."))
    response = api_app(service).test_client().delete("/api/v1/categories/9")
    assert response.status_code == 403
    assert problem(response)["detail"] == "Only administrators may."
    assert [name for name, _ in service.calls] == ["authorize_delete"]


def test_a_refused_field_is_a_problem_422_naming_it() -> None:
    service = FakeCategories(create=InvalidInput("title", "That title is taken."))
    response = (
        api_app(service).test_client().post("/api/v1/categories/", json={"title": "Gardening"})
    )
    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"in": "body", "name": "title", "detail": "That title is taken."}
    ]


def test_a_spent_flood_budget_is_a_problem_429_with_retry_after() -> None:
    service = FakeCategories(create=Flooded("Wait before posting again.", 17))
    response = (
        api_app(service).test_client().post("/api/v1/categories/", json={"title": "Gardening"})
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "17"
    assert problem(response)["detail"] == "Wait before posting again."


def test_a_write_lost_to_a_race_is_a_problem_409() -> None:
    service = FakeCategories(update=PersistenceError())
    response = (
        api_app(service).test_client().patch("/api/v1/categories/5", json={"title": "Gardening"})
    )
    assert response.status_code == 409
    assert problem(response)["detail"] == CONFLICT_REASON


def test_a_created_item_is_a_201_with_its_location() -> None:
    service = FakeCategories()
    response = api_app(service).test_client().post("/api/v1/categories/", json={"title": "News"})
    assert response.status_code == 201
    assert response.headers["Location"] == "http://forum.test/api/v1/categories/5"
    assert response.get_json()["title"] == "News"
    assert [name for name, _ in service.calls] == ["authorize_create", "create"]
    assert service.calls[-1][1][1] == CategoryCreate(title="News")


def test_the_list_is_the_page_the_service_returns() -> None:
    response = api_app(FakeCategories()).test_client().get("/api/v1/categories/")
    assert response.status_code == 200
    assert [item["id"] for item in response.get_json()["items"]] == [5]


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_every_item_method_answers_not_found_the_same_way(method: str) -> None:
    service = FakeCategories(
        get=NotFound(), authorize_update=NotFound(), authorize_delete=NotFound()
    )
    client = api_app(service).test_client()
    response = getattr(client, method)("/api/v1/categories/9", json={"title": "Gardening"})
    assert response.status_code == 404
    assert problem(response)["type"] == "/api/v1/problems/not-found"
