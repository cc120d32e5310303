"""Links that differ only by an id, built with one ``url_for`` per page, not per link.

A forum page links every topic and its last post, a topic page every post: at about 7 µs
a call, ``url_for`` was a tenth of such a page. :func:`id_url` builds the URL once with a
stand-in id (the largest valid one) and puts each real id in its place, which gives the same URL.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from forumapp.forum.ids import MAX_ID

#: Built into the URL in place of the id. It is a valid id, so every converter accepts it,
#: and no other part of a URL holds these ten digits.
_STAND_IN_ID = MAX_ID


class IdUrl:
    """The URL of an endpoint for any id: ``topic_url(12)`` → ``/topic/12``."""

    def __init__(self, url: str) -> None:
        self._head, found, self._tail = url.partition(str(_STAND_IN_ID))
        if not found:
            raise ValueError(f"the id does not appear in {url!r}")

    def __call__(self, item_id: int) -> str:
        return f"{self._head}{item_id}{self._tail}"


def id_url(endpoint: str, id_name: str, **values: Any) -> IdUrl:
    """The URLs of ``endpoint`` whose argument ``id_name`` varies (a template global)."""
    arguments: dict[str, Any] = {**values, id_name: _STAND_IN_ID}
    return IdUrl(url_for(endpoint, **arguments))
