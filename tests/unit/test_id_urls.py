"""Links built from one url_for per page are the links url_for builds."""

import pytest
from flask import Flask, url_for

from forumapp.forum.id_urls import IdUrl, id_url


@pytest.mark.parametrize(
    ("endpoint", "name"),
    [("forum.topic", "topic_id"), ("forum.post", "post_id"), ("forum.forum", "forum_id")],
)
@pytest.mark.parametrize("item_id", [1, 9, 10, 2147483646, 2147483647])
def test_id_urls_equal_url_for(app: Flask, endpoint: str, name: str, item_id: int) -> None:
    with app.test_request_context("/", base_url="https://forum.example/community/"):
        assert id_url(endpoint, name)(item_id) == url_for(endpoint, **{name: item_id})


def test_extra_arguments_stay_in_the_url(app: Flask) -> None:
    with app.test_request_context("/"):
        build = id_url("forum.reply", "topic_id", quote=5)
        assert build(3) == url_for("forum.reply", topic_id=3, quote=5)


def test_a_url_without_the_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match="does not appear"):
        IdUrl("/topic/1")
