"""The management views with fake services injected through ``as_view``: each area's
``register`` mounts its views in a second panel of a real app, over the
:class:`~forumapp.management.factories.ManagementFactories` and auth factories given,
so what the pages show and do comes from the fakes alone."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient

from forumapp.auth.factories import AuthFactories
from forumapp.management import AREA_REGISTRARS
from forumapp.management.audit.log import Auditor
from forumapp.management.factories import default_factories
from forumapp.management.users import views as user_views
from forumapp.management.users.services import AccountChanges
from forumapp.management.users.views import BanPage, BanUser, UnbanUser
from tests.conftest import AuthActions
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form

#: A member id the database does not have: only the fakes know it.
MEMBER_ID = 4242


@dataclass
class FakeGroup:
    """The group fields the panel's pages read."""

    id: int
    name: str
    banned: bool = False


@dataclass
class FakeMember:
    """The member fields the panel's pages and forms read."""

    id: int
    username: str
    email: str
    group: FakeGroup
    activated: bool = True
    banned_until: datetime | None = None

    @property
    def group_id(self) -> int:
        """The group's id, as the edit form reads it."""
        return self.group.id

    @property
    def is_banned(self) -> bool:
        """Whether the member's group is a banned one."""
        return self.group.banned


@dataclass
class FakeUsers:
    """A member administration service that knows one member and records each call."""

    member: FakeMember
    group_choices: list[FakeGroup]
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def get(self, user_id: int) -> FakeMember:
        """The one member (the views ask only for it)."""
        assert user_id == self.member.id
        return self.member

    def editable(self, acting_group: Any, user_id: int) -> FakeMember:
        """The one member, whom the acting group may edit."""
        return self.get(user_id)

    def groups(self) -> list[FakeGroup]:
        """The groups the edit form offers."""
        return self.group_choices

    def restore_group(self, user: FakeMember) -> FakeGroup:
        """Where a ban would end."""
        return self.group_choices[0]

    def edit(
        self, auditor: Auditor, acting_group: Any, user_id: int, changes: AccountChanges
    ) -> None:
        """Record the edit and who made it."""
        self.calls.append(("edit", auditor.username, acting_group.admin, user_id, changes))

    def ban(
        self, auditor: Auditor, acting_group: Any, user_id: int, reason: str, until: Any
    ) -> FakeMember:
        """Record the ban."""
        self.calls.append(("ban", auditor.username, acting_group.admin, user_id, reason))
        return self.member

    def unban(self, auditor: Auditor, acting_group: Any, user_id: int) -> FakeMember:
        """Record the unban."""
        self.calls.append(("unban", auditor.username, acting_group.admin, user_id))
        return self.member

    def audit(self, auditor: Auditor, action: str, user: FakeMember) -> None:
        """Record the audit entry."""
        self.calls.append(("audit", auditor.username, action, user.id))


class RecordingEmails:
    """Activation and reset services that only note whom they would email."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def request_activation(self, email: str) -> None:
        """Note an activation link."""
        self.sent.append(("activation", email))

    def request_reset(self, email: str) -> None:
        """Note a reset link."""
        self.sent.append(("reset", email))


def refuse() -> Any:
    """A factory the test must not reach."""
    raise AssertionError("this service is not part of the test")


@dataclass
class FakePanel:
    """The fakes behind the panel mounted at ``/fakepanel``."""

    users: FakeUsers
    emails: RecordingEmails


@pytest.fixture
def fake_panel(app: Flask) -> FakePanel:
    """A second panel in the real app, at ``/fakepanel``, over fake services (logins,
    groups and the pages' layout stay real)."""
    groups = [FakeGroup(1, "Returning crew"), FakeGroup(77, "Zeta crew")]
    users = FakeUsers(FakeMember(MEMBER_ID, "faker", "faker@example.org", groups[1]), groups)
    emails = RecordingEmails()
    real = default_factories()
    factories = replace(
        real,
        user_administration=lambda: users,  # type: ignore[arg-type,return-value]
    )
    auth = AuthFactories(
        authentication_manager=refuse,
        reauthentication_manager=refuse,
        registration_service=refuse,
        password_reset_service=lambda: emails,  # type: ignore[arg-type,return-value]
        account_activator=lambda: emails,  # type: ignore[arg-type,return-value]
    )
    bp = Blueprint("fakepanel", __name__, url_prefix="/fakepanel")
    user_views.register(bp, factories, auth)
    for register in AREA_REGISTRARS:
        register(bp, factories)
    app.register_blueprint(bp)
    return FakePanel(users, emails)


def test_ban_and_unban_are_two_views_of_one_confirmation_page() -> None:
    assert issubclass(BanUser, BanPage) and issubclass(UnbanUser, BanPage)
    assert (BanUser.bans, UnbanUser.bans) == (True, False)
    # Named URL parameters, not a catch-all: the URL's id reaches the view by name.
    view = BanUser.as_view("ban_user", users_factory=refuse)
    assert view.view_class is BanUser  # type: ignore[attr-defined]
    assert "user_id" in BanUser.get.__code__.co_varnames[: BanUser.get.__code__.co_argcount]


def test_member_emails_go_through_the_auth_services_the_panel_was_given(
    fake_panel: FakePanel, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    reset = post_form(client, f"/fakepanel/users/{MEMBER_ID}/send-reset")
    assert reset.status_code == 302
    assert reset.headers["Location"] == f"/fakepanel/users/{MEMBER_ID}/edit"
    activation = post_form(client, f"/fakepanel/users/{MEMBER_ID}/send-activation")
    assert activation.status_code == 302
    assert fake_panel.emails.sent == [
        ("reset", "faker@example.org"),
        ("activation", "faker@example.org"),
    ]
    audited = [call for call in fake_panel.users.calls if call[0] == "audit"]
    assert audited == [
        ("audit", "root", "user.email_reset", MEMBER_ID),
        ("audit", "root", "user.email_activation", MEMBER_ID),
    ]


def test_edit_user_offers_the_groups_its_service_lists_and_passes_the_acting_member(
    fake_panel: FakePanel, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    page = client.get(f"/fakepanel/users/{MEMBER_ID}/edit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<option selected value="77">Zeta crew</option>' in text
    assert "Returning crew" in text
    saved = post_form(
        client,
        f"/fakepanel/users/{MEMBER_ID}/edit",
        username="renamed",
        email="renamed@example.org",
        group_id="1",
        activated="y",
    )
    assert saved.status_code == 302
    changes = AccountChanges("renamed", "renamed@example.org", 1, True)
    assert fake_panel.users.calls == [("edit", "root", True, MEMBER_ID, changes)]


def test_ban_and_unban_each_reach_their_own_service_call(
    fake_panel: FakePanel, client: FlaskClient, world: World, auth: AuthActions
) -> None:
    login_as(auth, world, "admin")
    assert "Ban faker" in client.get(f"/fakepanel/users/{MEMBER_ID}/ban").get_data(as_text=True)
    unban_page = client.get(f"/fakepanel/users/{MEMBER_ID}/unban").get_data(as_text=True)
    assert "Unban faker" in unban_page
    banned = post_form(client, f"/fakepanel/users/{MEMBER_ID}/ban", reason="spam")
    assert banned.status_code == 302
    assert banned.headers["Location"] == "/fakepanel/users?q=faker"
    assert post_form(client, f"/fakepanel/users/{MEMBER_ID}/unban").status_code == 302
    assert fake_panel.users.calls == [
        ("ban", "root", True, MEMBER_ID, "spam"),
        ("unban", "root", True, MEMBER_ID),
    ]


#: The area (sub-package of forumapp.management) each first segment of a panel URL
#: belongs to.
AREA_OF_SEGMENT = {
    "": "dashboard",
    "users": "users",
    "groups": "groups",
    "forums": "forums",
    "categories": "forums",
    "settings": "settings",
    "reports": "reports",
    "audit": "audit",
}


def test_each_panel_page_is_served_from_the_sub_package_named_after_what_it_manages(
    app: Flask,
) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("management.")]
    assert len(rules) > 20
    for rule in rules:
        segment = rule.rule.removeprefix("/admin/").split("/")[0]
        view_class = app.view_functions[rule.endpoint].view_class  # type: ignore[attr-defined]
        expected = f"forumapp.management.{AREA_OF_SEGMENT[segment]}.views"
        assert view_class.__module__ == expected, rule.rule
