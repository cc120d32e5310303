"""The export and delete views with fake services injected through ``as_view``: a second
account blueprint is mounted at ``/fakesettings`` in a real app (logins stay real), so
what the pages do comes from the fakes alone."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forumapp.account import create_account_blueprint, default_factories
from forumapp.account.leaving.deletion import DeletedAccount, DeletionRequest
from forumapp.account.leaving.export import Export
from forumapp.account.leaving.views import DeleteAccount, ExportData, exports_per_member
from forumapp.auth.decorators import fresh_login_required
from forumapp.auth.ports import ClientInfo
from forumapp.forum.errors import Forbidden, InvalidInput, NotFound
from forumapp.management.audit.log import Auditor
from tests.conftest import AuthActions, csrf_token
from tests.forum_world import World


@dataclass
class FakeExporter:
    """Exports a fixed document, or raises ``error``; records whose data was asked for."""

    error: Exception | None = None
    asked: list[int] = field(default_factory=list)

    def export(self, member_id: int) -> Export:
        """The fake member's export."""
        self.asked.append(member_id)
        if self.error is not None:
            raise self.error
        return Export("fake.json", iter(['{"fake": ', "true}"]))


@dataclass
class FakeDeleter:
    """Records each deletion request, or raises ``error`` instead."""

    posts_removal_allowed: bool = False
    error: Exception | None = None
    calls: list[tuple[Auditor, DeletionRequest]] = field(default_factory=list)

    def delete(
        self, member: Auditor, request: DeletionRequest, *, client: ClientInfo
    ) -> DeletedAccount:
        """Record the request; nothing is deleted."""
        self.calls.append((member, request))
        if self.error is not None:
            raise self.error
        return DeletedAccount(member.username, request.remove_posts)


@dataclass
class Fakes:
    """The services behind ``/fakesettings``."""

    exporter: FakeExporter
    deleter: FakeDeleter


@pytest.fixture
def fakes(app: Flask) -> Fakes:
    """A second account blueprint over fake services."""
    fakes = Fakes(FakeExporter(), FakeDeleter())
    factories = replace(
        default_factories(),
        data_exporter=lambda: fakes.exporter,  # type: ignore[arg-type,return-value]
        account_deleter=lambda: fakes.deleter,  # type: ignore[arg-type,return-value]
    )
    app.register_blueprint(
        create_account_blueprint(factories, name="fakeaccount", url_prefix="/fakesettings")
    )
    return fakes


@pytest.fixture
def alice(client: FlaskClient, world: World, auth: AuthActions) -> int:
    """Log in as the world's member; returns their id."""
    auth.login("alice")
    return world.users["member"]


def post(client: FlaskClient, path: str, **data: str) -> object:
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, **data})


def test_views_declare_their_checks_as_class_decorators() -> None:
    # The first decorator is the innermost: the login check runs before the limit.
    assert ExportData.decorators == [exports_per_member, fresh_login_required]
    assert DeleteAccount.decorators == [fresh_login_required]
    view = ExportData.as_view("export", data_exporter_factory=FakeExporter)
    assert view.view_class is ExportData  # type: ignore[attr-defined]
    assert view.methods == {"GET", "POST"}  # type: ignore[attr-defined]
    assert ExportData.init_every_request is DeleteAccount.init_every_request is False


def test_export_streams_what_the_service_gives_under_its_file_name(
    client: FlaskClient, fakes: Fakes, alice: int
) -> None:
    response = post(client, "/fakesettings/export")
    assert response.get_data(as_text=True) == '{"fake": true}'  # type: ignore[attr-defined]
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["Content-Disposition"] == "attachment; filename=fake.json"
    assert fakes.exporter.asked == [alice]


def test_export_without_csrf_token_is_refused(
    client: FlaskClient, fakes: Fakes, alice: int
) -> None:
    assert client.post("/fakesettings/export").status_code == 400
    assert fakes.exporter.asked == []


def test_services_not_found_is_a_404(client: FlaskClient, fakes: Fakes, alice: int) -> None:
    fakes.exporter.error = NotFound()
    assert post(client, "/fakesettings/export").status_code == 404  # type: ignore[attr-defined]


def test_delete_passes_the_member_and_their_choice_then_logs_out(
    client: FlaskClient, fakes: Fakes, alice: int
) -> None:
    fakes.deleter.posts_removal_allowed = True
    response = post(client, "/fakesettings/delete", confirmation="typed", posts="remove")
    assert response.status_code == 302  # type: ignore[attr-defined]
    [(member, request)] = fakes.deleter.calls
    assert (member.user_id, member.username) == (alice, "alice")
    assert request == DeletionRequest("typed", remove_posts=True)
    assert "Logged in as" not in client.get("/").get_data(as_text=True)


def test_the_posts_choice_is_offered_only_when_the_site_allows_removal(
    client: FlaskClient, fakes: Fakes, alice: int
) -> None:
    assert 'name="posts"' not in client.get("/fakesettings/delete").get_data(as_text=True)
    fakes.deleter.posts_removal_allowed = True
    assert 'name="posts"' in client.get("/fakesettings/delete").get_data(as_text=True)


def test_the_services_field_errors_are_shown_on_their_fields(
    client: FlaskClient, fakes: Fakes, alice: int
) -> None:
    fakes.deleter.error = InvalidInput("confirmation", "Not the name, says the fake.")
    response = post(client, "/fakesettings/delete", confirmation="x")
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert 'id="confirmation-error"' in page
    assert "Not the name, says the fake." in page
    assert "Logged in as" in client.get("/").get_data(as_text=True)


def test_a_refusal_is_a_403_with_the_reason(client: FlaskClient, fakes: Fakes, alice: int) -> None:
    fakes.deleter.error = Forbidden("Refused by the fake.")
    response = post(client, "/fakesettings/delete", confirmation="x")
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "Refused by the fake." in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_an_empty_confirmation_never_reaches_the_service(
    client: FlaskClient, fakes: Fakes, alice: int
) -> None:
    response = post(client, "/fakesettings/delete", confirmation="  ")
    assert 'id="confirmation-error"' in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert fakes.deleter.calls == []
