"""The OpenAPI 3.1 document, generated from the registered resources and their schemas.

Each path comes from a :class:`~forumapp.api.resource.Resource` as ``register_api`` mounts
it, and each schema is the JSON Schema pydantic derives from the models that also validate
and serialize (JSON Schema 2020-12 is OpenAPI 3.1's own dialect), so the document describes
exactly what the views do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from forumapp.api.resource import Resource, schema_name
from forumapp.api.schemas import Me, PageQuery, PluginList
from forumapp.forum.ids import MAX_ID

REF = "#/components/schemas/{model}"
JSON = "application/json"
PROBLEM = "application/problem+json"

#: When each error status is answered; shown in the document and on the docs page.
ERRORS = {
    400: "The request could not be understood (bad JSON, a cursor not issued here).",
    401: "Authentication required, or the token is unknown or revoked.",
    403: "Not allowed: missing permission, a read-only token, or a session without CSRF token.",
    404: "No such resource, or the caller may not see it.",
    409: "The change conflicts with the current state.",
    412: "If-Match names a version that is no longer current.",
    413: "The body is too large.",
    415: "The body is not application/json.",
    422: "Some fields are invalid; `errors` names each.",
    429: "Too many requests; see Retry-After.",
    503: "The rate-limit storage is not answering: nothing was written; see Retry-After.",
}

#: Headers that come with some errors and tell the caller what to do next.
ERROR_HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": 'The Bearer challenge; `error="invalid_token"` for a bad token.',
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    503: {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}

#: The rate-limit headers answers carry while limits are on (``RATELIMIT_ENABLED``): the
#: IETF draft's ``RateLimit-*`` and Flask-Limiter's ``X-RateLimit-*``, both describing the
#: tightest limit of the request.
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": ("Requests allowed in the current window.", "integer"),
    "RateLimit-Remaining": ("Requests left in the current window.", "integer"),
    "RateLimit-Reset": ("Seconds until the window ends.", "integer"),
    "RateLimit-Policy": ("The limit and its window in seconds: `300;w=60`.", "string"),
    "X-RateLimit-Limit": ("As `RateLimit-Limit`.", "integer"),
    "X-RateLimit-Remaining": ("As `RateLimit-Remaining`.", "integer"),
    "X-RateLimit-Reset": ("When the window ends, in seconds since the Unix epoch.", "number"),
}
#: The cookie a browser session sends (``SESSION_COOKIE_NAME``).
SESSION_COOKIE = "forumapp_session"
SECURITY_SCHEMES = {
    "token": {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token (`fa_...`); writes need the `write` scope.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "A browser session of the site, as logging in on its pages makes.",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": "With a session, every write carries the page's CSRF token.",
    },
}
#: Anyone may read (what guests may see); writes need a token or a session with its
#: CSRF token.
READ_SECURITY: list[dict[str, list[str]]] = [{}, {"token": []}, {"session": []}]
WRITE_SECURITY: list[dict[str, list[str]]] = [{"token": []}, {"session": [], "csrf": []}]

IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you have; the answer is 304 with no body while it is current.",
    "schema": {"type": "string"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "The ETag you read; the change is refused (412) if it is no longer current.",
    "schema": {"type": "string"},
}


class ProblemDetail(BaseModel):
    """One invalid input."""

    location: Literal["body", "query", "header"] = Field(alias="in")
    name: str = Field(description="The field, dotted for nested ones (`items.0.title`).")
    detail: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(
        description="Names the kind of problem; GET it for what the kind means.",
        json_schema_extra={"format": "uri-reference"},
    )
    title: str
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What went wrong, for people.")
    # Present only when there is something to list, never null: views omit it otherwise.
    errors: list[ProblemDetail] = Field(
        default_factory=list, min_length=1, description="Each invalid input (422, some 400)."
    )


def _listing(resource: Resource) -> type[BaseModel]:
    return create_model(
        f"{schema_name(resource.schema)}List",
        __doc__=f"A page of {resource.name}, {resource.order}.",
        items=(list[resource.schema], ...),  # type: ignore[name-defined]
        next=(str | None, Field(description="The next page, as in the Link header.")),
        prev=(str | None, Field(description="The previous page, as in the Link header.")),
    )


def build_document(
    resources: Sequence[Resource],
    *,
    base_path: str,
    title: str,
    version: str,
    session_cookie: str = SESSION_COOKIE,
) -> dict[str, Any]:
    """The whole OpenAPI document for ``resources`` mounted under ``base_path``."""
    listings = {resource.name: _listing(resource) for resource in resources}
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (Problem, "serialization"),
        (Me, "serialization"),
        (PluginList, "serialization"),
    ]
    for resource in resources:
        models += [(resource.schema, "serialization"), (listings[resource.name], "serialization")]
        models += [
            (model, "validation")
            for model in (resource.create_schema, resource.update_schema)
            if model
        ]
    _, definitions = models_json_schema(models, ref_template=REF)
    paths: dict[str, Any] = {}
    for resource in resources:
        collection = f"{base_path}/{resource.name}"
        if resource.parent is not None:
            collection = f"{base_path}/{resource.parent}/{{parent_id}}/{resource.name}"
        paths[f"{collection}/"] = _group_path(resource, listings[resource.name])
        if resource.has_items:
            paths[f"{collection}/{{item_id}}"] = _item_path(resource)
    paths[f"{base_path}/me"] = {
        "get": {
            "operationId": "getMe",
            "tags": ["me"],
            "summary": "The member the request authenticates as",
            "parameters": [IF_NONE_MATCH],
            "responses": {
                "200": {**_ok("Me"), "headers": _etag_header()},
                "304": _not_modified(),
                **_errors(401, 403, 429),
            },
        }
    }
    paths[f"{base_path}/plugins"] = {
        "get": {
            "operationId": "listPlugins",
            "tags": ["plugins"],
            "summary": "The enabled plugins and their settings (administrators only)",
            "parameters": [IF_NONE_MATCH],
            "responses": {
                "200": {**_ok("PluginList"), "headers": _etag_header()},
                "304": _not_modified(),
                **_errors(401, 403, 429),
            },
        }
    }
    for item in paths.values():
        for method, operation in item.items():
            if method in ("post", "patch", "delete"):
                operation["security"] = WRITE_SECURITY
            if method != "parameters":
                _declare_rate_limit_headers(operation["responses"])
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": (
                "Authenticate with a browser session (send `X-CSRFToken` with writes) or a "
                "personal access token: `Authorization: Bearer <token>`. While rate limits "
                "are on, every answer describes the tightest one in `RateLimit-*` and "
                "`X-RateLimit-*` headers; only `429` carries `Retry-After`."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "headers": {
                name: {"description": description, "schema": {"type": kind}}
                for name, (description, kind) in RATE_LIMIT_HEADERS.items()
            },
            "securitySchemes": {
                **SECURITY_SCHEMES,
                "session": {**SECURITY_SCHEMES["session"], "name": session_cookie},
            },
        },
        "security": READ_SECURITY,
    }


def _declare_rate_limit_headers(responses: dict[str, Any]) -> None:
    for response in responses.values():
        headers = response.setdefault("headers", {})
        for name in RATE_LIMIT_HEADERS:
            headers[name] = {"$ref": f"#/components/headers/{name}"}


def _group_path(resource: Resource, listing: type[BaseModel]) -> dict[str, Any]:
    name = resource.name
    path: dict[str, Any] = {
        "get": {
            "operationId": f"list{name.title()}",
            "tags": [name],
            "summary": f"A page of {name}, {resource.order}",
            "description": resource.summary,
            "parameters": [*_query_parameters(resource.query), IF_NONE_MATCH],
            "responses": {
                "200": {
                    **_ok(schema_name(listing)),
                    "headers": {
                        "Link": {
                            "description": "`rel=next` and `rel=prev` pages.",
                            "schema": {"type": "string"},
                        },
                        **_etag_header(),
                    },
                },
                "304": _not_modified(),
                **_errors(400, 401, 403, 422, 429),
            },
        }
    }
    if resource.parent is not None:
        path["parameters"] = [_id_parameter("parent_id")]
    if resource.create_schema is not None:
        path["post"] = {
            "operationId": f"create{resource.singular.title()}",
            "tags": [name],
            "summary": f"Create a {resource.singular}",
            "description": resource.create_schema.__doc__ or "",
            "requestBody": _body(resource.create_schema),
            "responses": {
                "201": {
                    **_ok(schema_name(resource.schema)),
                    "headers": {"Location": {"schema": {"type": "string"}}, **_etag_header()},
                },
                **_errors(400, 401, 403, 404, 409, 413, 415, 422, 429, 503),
            },
        }
    return path


def _item_path(resource: Resource) -> dict[str, Any]:
    singular = resource.singular
    path: dict[str, Any] = {
        "parameters": [_id_parameter("item_id")],
        "get": {
            "operationId": f"get{singular.title()}",
            "tags": [resource.name],
            "summary": f"One {singular}",
            "parameters": [IF_NONE_MATCH],
            "responses": {
                "200": {**_ok(schema_name(resource.schema)), "headers": _etag_header()},
                "304": _not_modified(),
                **_errors(401, 403, 404, 429),
            },
        },
    }
    if resource.update_schema is not None:
        path["patch"] = {
            "operationId": f"update{singular.title()}",
            "tags": [resource.name],
            "summary": f"Change a {singular}",
            "description": resource.update_schema.__doc__ or "",
            "parameters": [IF_MATCH],
            "requestBody": _body(resource.update_schema),
            "responses": {
                "200": {**_ok(schema_name(resource.schema)), "headers": _etag_header()},
                **_errors(400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503),
            },
        }
    if resource.deletable:
        path["delete"] = {
            "operationId": f"delete{singular.title()}",
            "tags": [resource.name],
            "summary": f"Delete a {singular}",
            "description": resource.deletion,
            "parameters": [IF_MATCH],
            "responses": {
                "204": {"description": "Deleted."},
                **_errors(401, 403, 404, 409, 412, 422, 429, 503),
            },
        }
    return path


def _id_parameter(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }


def _query_parameters(query: type[PageQuery]) -> list[dict[str, Any]]:
    schema = query.model_json_schema()
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": field.get("description", ""),
            "schema": _query_value(field),
        }
        for name, field in schema["properties"].items()
    ]


def _query_value(field: dict[str, Any]) -> dict[str, Any]:
    # A query string has no null: an optional parameter is left out, so the model's
    # `int | None = None` is documented as its non-null branch.
    schema = {key: value for key, value in field.items() if key not in ("title", "description")}
    options = schema.pop("anyOf", None)
    if options is not None:
        (value,) = [option for option in options if option.get("type") != "null"]
        schema.update(value)
    if schema.get("default", 0) is None:
        del schema["default"]
    return schema


def _body(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {JSON: {"schema": {"$ref": REF.format(model=model.__name__)}}},
    }


def _ok(name: str) -> dict[str, Any]:
    return {"description": "OK", "content": {JSON: {"schema": {"$ref": REF.format(model=name)}}}}


def _not_modified() -> dict[str, Any]:
    return {"description": "Not modified: the ETag in If-None-Match is still current."}


def _etag_header() -> dict[str, Any]:
    return {"ETag": {"description": "Strong validator.", "schema": {"type": "string"}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {
        str(code): {
            "description": ERRORS[code],
            "content": {PROBLEM: {"schema": {"$ref": REF.format(model="Problem")}}},
            **({"headers": ERROR_HEADERS[code]} if code in ERROR_HEADERS else {}),
        }
        for code in codes
    }
