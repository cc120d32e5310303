"""The API describes itself: ``/api/v1/openapi.json`` is valid OpenAPI 3.1 and documents
every API route the app serves, and ``/api/v1/docs`` shows the same as a page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import OpenAPIV31SpecValidator

from forumapp.api import URL_PREFIX

#: Routes under /api/v1 that are not operations: the description itself, the root's
#: links and the pages describing problem types.
SELF_DESCRIPTION = {"api.openapi", "api.docs", "api.index", "api.problem_type"}
#: Methods Flask adds to every rule; the document describes the ones views implement.
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}
OPERATION_METHODS = ("get", "post", "put", "patch", "delete")
WRITES = ("post", "patch", "delete")


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    """The document the app serves."""
    response = client.get(f"{URL_PREFIX}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["ETag"]
    data = response.get_json()
    assert isinstance(data, dict)
    return data


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """``(path, method, operation)`` for every operation of the document."""
    return [
        (path, method, item[method])
        for path, item in document["paths"].items()
        for method in OPERATION_METHODS
        if method in item
    ]


def openapi_path(rule: str) -> str:
    """A Werkzeug rule as an OpenAPI path template: ``/topics/<id:item_id>`` →
    ``/topics/{item_id}``."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert not errors


def test_every_api_route_is_documented_and_nothing_else(
    app: Flask, document: dict[str, Any]
) -> None:
    rules = list(app.url_map.iter_rules())
    # A collection also answers without its trailing slash, as the same operation.
    aliases = {(rule.rule[:-1], rule.endpoint) for rule in rules if rule.rule.endswith("/")}
    served = {
        (openapi_path(rule.rule), method.lower())
        for rule in rules
        if rule.rule.startswith(URL_PREFIX + "/")
        and rule.endpoint not in SELF_DESCRIPTION
        and (rule.rule, rule.endpoint) not in aliases
        for method in (rule.methods or set()) - AUTOMATIC_METHODS
    }
    documented = {(path, method) for path, method, _ in operations(document)}
    assert served
    assert served - documented == set(), "routes without documentation"
    assert documented - served == set(), "documented operations that no route serves"


def test_every_operation_is_named_summarised_and_lists_its_errors(
    document: dict[str, Any],
) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    problem = {"$ref": "#/components/schemas/Problem"}
    for path, method, operation in operations(document):
        where = f"{method.upper()} {path}"
        assert re.fullmatch(r"[a-z][A-Za-z]+", operation["operationId"]), where
        assert operation["summary"].strip(), where
        assert operation["tags"], where
        responses = operation["responses"]
        assert any(status.startswith("2") for status in responses), where
        errors = {status: answer for status, answer in responses.items() if status >= "400"}
        # Anyone may be refused a token or be rate limited; writes also check permissions.
        expected = {"401", "429"} | ({"403"} if method in WRITES else set())
        assert expected <= errors.keys(), where
        if "requestBody" in operation:
            assert {"400", "415", "422"} <= errors.keys(), where
        for status, answer in errors.items():
            assert answer["description"].strip(), (where, status)
            assert answer["content"] == {"application/problem+json": {"schema": problem}}, (
                where,
                status,
            )


def test_every_path_parameter_is_declared(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        declared = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), path
        assert all(p["required"] for p in item.get("parameters", []) if p["in"] == "path")


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    text = str(document)
    schemas = document["components"]["schemas"]
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in schemas, name


def test_problem_details_are_described_as_the_views_send_them(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    schemas = document["components"]["schemas"]
    detail = schemas["ProblemDetail"]
    assert set(detail["required"]) == {"in", "name", "detail"}
    response = client.get(f"{URL_PREFIX}/topics/?limit=0&cursor=x")
    assert response.status_code == 422
    body = response.get_json()
    assert set(body) <= set(schemas["Problem"]["properties"])
    assert set(body["errors"][0]) == {"in", "name", "detail"}


class DocsPage(HTMLParser):
    """What the docs-page test looks at: headings, ids, links, tables."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.ids: set[str] = set()
        self.fragments: set[str] = set()
        #: For each table: whether it has a caption, its column headers' scopes.
        self.tables: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        href = attributes.get("href") or ""
        if tag == "a" and href.startswith("#"):
            self.fragments.add(href[1:])
        if tag == "h1":
            self.h1 += 1
        if tag == "table":
            self.tables.append({"caption": False, "scopes": []})
        if tag == "caption":
            self.tables[-1]["caption"] = True
        if tag == "th":
            self.tables[-1]["scopes"].append(attributes.get("scope"))


def test_docs_page_shows_every_operation(client: FlaskClient, document: dict[str, Any]) -> None:
    response = client.get(f"{URL_PREFIX}/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = DocsPage()
    page.feed(response.get_data(as_text=True))
    assert page.h1 == 1
    assert page.tables
    for table in page.tables:
        assert table["caption"], "every table has a caption"
        assert table["scopes"], "every table has column headers"
        assert set(table["scopes"]) == {"col"}
    for _, _, operation in operations(document):
        assert operation["operationId"] in page.ids
        assert operation["operationId"] in page.fragments, "listed in the table of contents"
    for name in document["components"]["schemas"]:
        assert f"schema-{name}" in page.ids
    assert page.fragments <= page.ids, "every in-page link leads somewhere"
