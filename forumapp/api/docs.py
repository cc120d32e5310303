"""The OpenAPI document and the human-readable page made from it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import View
from markupsafe import Markup, escape

from forumapp.api.conditional import json_response
from forumapp.api.openapi import build_document
from forumapp.api.resource import Resource

VERSION = "1.0.0"
_CACHE_KEY = "forumapp.api.docs"


@dataclass(frozen=True)
class _DocumentInputs:
    """What the document depends on besides the code: where it is mounted and the
    configuration it quotes."""

    base_path: str
    title: str
    session_cookie: str


class OpenApiDocument(View):
    """``GET /api/v1/openapi.json``: built per app and per inputs, served with an ETag."""

    init_every_request = False

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = resources

    def document(self) -> dict[str, Any]:
        """The document for the current app as it is configured now (the site name,
        which an admin may change at any time, is its title)."""
        inputs = _DocumentInputs(
            base_path=(request.blueprint and _base_path()) or "",
            title=f"{current_app.config['SITE_NAME']} API",
            session_cookie=current_app.config["SESSION_COOKIE_NAME"],
        )
        # The view object is shared by every app of the process, so the built document
        # lives with the app; keyed by what it is made of, a renamed site gets a new one.
        built: dict[str, tuple[_DocumentInputs, dict[str, Any]]] = (
            current_app.extensions.setdefault(_CACHE_KEY, {})
        )
        cached = built.get(inputs.base_path)
        if cached is None or cached[0] != inputs:
            document = build_document(
                self.resources,
                base_path=inputs.base_path,
                title=inputs.title,
                version=VERSION,
                session_cookie=inputs.session_cookie,
            )
            # One document per mount point: older names are dropped, not kept forever.
            built[inputs.base_path] = cached = (inputs, document)
        return cached[1]

    def dispatch_request(self) -> ResponseReturnValue:
        response = json_response(request, self.document())
        response.headers["Cache-Control"] = "public, max-age=300"
        return response


class ApiIndex(View):
    """``GET /api/v1/``: where to start, the description and each resource's URL."""

    init_every_request = False

    def __init__(self, resources: Sequence[Resource]) -> None:
        self.resources = resources

    def dispatch_request(self) -> ResponseReturnValue:
        links = {
            "openapi": url_for(".openapi", _external=True),
            "docs": url_for(".docs", _external=True),
            "me": url_for(".me", _external=True),
        }
        links.update(
            (resource.name, url_for(f".{resource.name}", _external=True))
            for resource in self.resources
            if resource.parent is None
        )
        return json_response(request, links)


class ApiDocs(OpenApiDocument):
    """``GET /api/v1/docs``: the same document as a page, readable without JavaScript."""

    def dispatch_request(self) -> ResponseReturnValue:
        document = self.document()
        return render_template(
            "api/docs.html",
            document=document,
            operations=list(_operations(document)),
            schemas=document["components"]["schemas"],
            type_of=type_of,
            prose=prose,
        )


def _base_path() -> str:
    # The blueprint's prefix as mounted, so an app that mounts it elsewhere documents that.
    rule = request.url_rule
    assert rule is not None
    return rule.rule.rsplit("/", 1)[0]


def _operations(document: dict[str, Any]) -> Any:
    for path, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method in ("get", "post", "patch", "delete"):
            if method in item:
                operation = item[method]
                yield {
                    "method": method.upper(),
                    "path": path,
                    "anchor": operation["operationId"],
                    "parameters": shared + operation.get("parameters", []),
                    **operation,
                }


def type_of(schema: dict[str, Any]) -> str:
    """A short name for a JSON Schema: ``integer``, ``string or null``, ``list of Topic``,
    ``one of body, query``."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_of(option) for option in schema["anyOf"])
    if schema.get("type") == "array":
        return "list of " + type_of(schema.get("items", {}))
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    name = str(schema.get("type", "any"))
    if "format" in schema:
        name += f" ({schema['format']})"
    return name


_CODE_SPAN = re.compile(r"`([^`]+)`")


def prose(text: str | None) -> Markup:
    """Descriptions use Markdown code spans (they are shared with the OpenAPI document);
    the page shows them as ``<code>``, everything else escaped."""
    # The text is escaped before the only markup, <code>, is added.
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(text or ""))))  # noqa: S704
