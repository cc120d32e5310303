"""Domain errors answered in one place: a blueprint that opts in with
:func:`~forumapp.domain_errors.answer_domain_errors` shows the site's error pages for
them, with the status each means; and the moderation record names who acted and from
where without reading the request."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.domain_errors import CONFLICT_REASON, answer_domain_errors
from forumapp.extensions import db
from forumapp.forum import MODERATION_OBSERVER
from forumapp.forum.errors import Flooded, Forbidden, InvalidInput, NotFound
from forumapp.forum.moderation import ModerationEvent
from forumapp.management.audit.models import AuditEntry
from forumapp.persistence import PersistenceError
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form

#: What the opted-in test blueprint's view raises, by name.
RAISED: dict[str, Exception] = {
    "missing": NotFound(),
    "forbidden": Forbidden("Only the forum's moderators may do this."),
    "invalid": InvalidInput("title", "A title needs a letter."),
    "flooded": Flooded("You are posting too fast.", 42),
    "conflict": PersistenceError(),
}


@pytest.fixture
def refusing_app(app: Flask) -> Flask:
    """The app with a blueprint whose only view raises the domain error its URL names."""
    bp = Blueprint("refusing", __name__, url_prefix="/refusing")
    answer_domain_errors(bp)

    def refuse(name: str) -> str:
        raise RAISED[name]

    bp.add_url_rule("/<name>", view_func=refuse)
    app.register_blueprint(bp)
    return app


@pytest.mark.parametrize(
    ("name", "status", "shown"),
    [
        ("missing", 404, "There is nothing here."),
        ("forbidden", 403, "Only the forum&#39;s moderators may do this."),
        ("invalid", 422, "A title needs a letter."),
        ("flooded", 429, "You are posting too fast."),
        ("conflict", 409, CONFLICT_REASON),
    ],
)
def test_domain_errors_are_the_sites_error_pages(
    refusing_app: Flask, name: str, status: int, shown: str
) -> None:
    response = refusing_app.test_client().get(f"/refusing/{name}")
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert shown in page
    assert f'<p class="error-code">Error {status}</p>' in page  # the site's error page


def test_a_spent_flood_budget_page_says_when_to_retry(refusing_app: Flask) -> None:
    response = refusing_app.test_client().get("/refusing/flooded")
    assert response.headers["Retry-After"] == "42"


def test_a_blueprint_that_does_not_opt_in_is_not_answered(app: Flask) -> None:
    # The mapping is per blueprint: a domain error elsewhere is still a bug, a 500.
    bp = Blueprint("unmapped", __name__, url_prefix="/unmapped")

    def refuse() -> str:
        raise NotFound

    bp.add_url_rule("/", view_func=refuse)
    app.register_blueprint(bp)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert app.test_client().get("/unmapped/").status_code == 500


def test_moderation_audit_names_the_actor_and_address_from_the_event(
    client: FlaskClient, world: World, auth: AuthActions
) -> None:
    topic = world.topic(title="Watched topic")
    login_as(auth, world, "moderator")
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    post_form(client, f"/forum/{world.forum_a}/moderate", action="lock", topic_ids=str(topic))
    with world.app.app_context():
        entry = db.session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.actor_id, entry.actor_name, entry.ip_address) == (
            "topic.lock",
            world.users["moderator"],
            "mod_a",
            "198.51.100.7",
        )


def test_moderation_observer_needs_no_request(world: World) -> None:
    # A moderation event carries who acted and from where; recording it reads nothing
    # from a request, so it works from a script or a job as well.
    event = ModerationEvent(
        "topic.lock", "topic", 1, "A topic", actor_id=None, actor_name="cron", client_address=""
    )
    with world.app.app_context():
        world.app.extensions[MODERATION_OBSERVER](event)
        db.session.commit()
        entry = db.session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.actor_name, entry.ip_address) == ("topic.lock", "cron", "")
