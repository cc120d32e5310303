"""The Groups area of the management panel: admins only; create, edit and delete groups
with field errors, built-in groups protected, members moved on delete, every change in
the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from forumapp.auth.models import AuthSession
from forumapp.extensions import db
from forumapp.forum.models import forum_groups
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.management.audit.models import AuditEntry
from forumapp.management.groups.forms import FLAG_SECTIONS
from forumapp.management.groups.services import (
    GROUP_FLAGS,
    GroupAdministration,
    GroupDraft,
    InvalidGroup,
)
from forumapp.sqltypes import utcnow
from forumapp.users.groups import GroupKey
from forumapp.users.models import Group, User
from tests.conftest import AuthActions, MakeUser
from tests.forum_world import World
from tests.functional.test_forum_pages import login_as, post_form
from tests.functional.test_page_structure import check_page

# ---------------------------------------------------------------------------- helpers


def make_group(
    app: Flask, name: str = "Helpers", members: Iterable[int] = (), forums: Iterable[int] = ()
) -> int:
    """A group made by admins (Member-like flags), with members and visible forums."""
    with app.app_context():
        group = Group(
            name=name, description="Helpful people", posttopic=True, postreply=True, editpost=False
        )
        db.session.add(group)
        db.session.flush()
        for user_id in members:
            user = db.session.get(User, user_id)
            assert user is not None
            user.group_id = group.id
        for forum_id in forums:
            db.session.execute(forum_groups.insert().values(forum_id=forum_id, group_id=group.id))
        db.session.commit()
        return group.id


def group_id(app: Flask, key: GroupKey) -> int:
    with app.app_context():
        found = db.session.scalar(select(Group.id).where(Group.key == key))
        assert found is not None
        return found


def load_group(app: Flask, group_id: int) -> Group | None:
    with app.app_context():
        group = db.session.get(Group, group_id)
        if group is not None:
            db.session.expunge(group)
        return group


def group_named(app: Flask, name: str) -> Group | None:
    with app.app_context():
        group = db.session.scalar(select(Group).where(Group.name == name))
        if group is not None:
            db.session.expunge(group)
        return group


def audit_entries(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
        db.session.expunge_all()
        return list(entries)


def form_data(
    name: str = "Helpers", description: str = "", flags: Iterable[str] = (), **extra: Any
) -> dict[str, Any]:
    """The group form as a browser submits it: checked boxes only."""
    return {"name": name, "description": description, **dict.fromkeys(flags, "y"), **extra}


def field_error(page: str, field: str) -> str:
    """The error text shown next to a field (tied to it by aria-describedby)."""
    control = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field}"[^>]*>', page)
    assert control and 'aria-invalid="true"' in control.group(0), field
    match = re.search(rf'<ul class="field-errors" id="{field}-error">(.*?)</ul>', page, re.S)
    assert match, f"no error next to {field}"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


@pytest.fixture
def admin(client: FlaskClient, world: World, auth: AuthActions) -> FlaskClient:
    """The client, logged in as an administrator."""
    login_as(auth, world, "admin")
    return client


# ------------------------------------------------------------------------ who may enter

URLS = ["/admin/groups", "/admin/groups/new", "/admin/groups/{g}/edit", "/admin/groups/{g}/delete"]


@pytest.mark.parametrize(
    "role", ["guest", "member", "banned", "moderator", "super_moderator", "admin"]
)
def test_role_matrix_over_the_groups_area(
    app: Flask, client: FlaskClient, world: World, auth: AuthActions, make_user: MakeUser, role: str
) -> None:
    custom = make_group(app)
    if role == "super_moderator":
        make_user("smod", group=GroupKey.SUPER_MOD)
        assert auth.login("smod").status_code == 302
    elif role != "guest":
        login_as(auth, world, role)
    for template in URLS:
        url = template.format(g=custom)
        responses = [client.get(url)]
        if url != "/admin/groups":  # the list only reads
            responses.append(post_form(client, url, **form_data("Taken over"), target_id="4"))
        for response in responses:
            if role == "guest":
                assert response.status_code == 302, url
                assert response.location.startswith("/auth/login"), url
            elif role == "admin":
                assert response.status_code in (200, 302), url
            else:
                assert response.status_code == 403, url
    if role != "admin":
        # Nothing was created, changed or deleted by those who may not.
        assert load_group(app, custom) is not None
        assert group_named(app, "Taken over") is None
        assert audit_entries(app, "group.create") == []


def test_a_stale_login_is_sent_to_reauth(app: Flask, admin: FlaskClient) -> None:
    app.config["REAUTH_WINDOW_SECONDS"] = -1
    response = admin.get("/admin/groups/new")
    assert response.status_code == 302
    assert response.location == "/auth/reauth?next=/admin/groups/new"


def test_admins_find_groups_in_the_panel_navigation(admin: FlaskClient) -> None:
    page = admin.get("/admin/").get_data(as_text=True)
    assert '<a href="/admin/groups">Groups</a>' in page


@pytest.mark.parametrize(
    "path", ["/admin/groups/999999/edit", "/admin/groups/999999/delete", "/admin/groups/0/edit"]
)
def test_unknown_groups_answer_404(admin: FlaskClient, path: str) -> None:
    assert admin.get(path).status_code == 404
    assert post_form(admin, path, **form_data("Ghost"), target_id="4").status_code == 404


# --------------------------------------------------------------------------------- list


def test_the_list_shows_every_group_with_its_member_count(
    app: Flask, admin: FlaskClient, world: World
) -> None:
    make_group(app, members=[world.users["member2"]])
    page = admin.get("/admin/groups").get_data(as_text=True)
    table = page[page.index("<tbody>") :]
    counts = dict(
        re.findall(
            r'<strong>([^<]+)</strong>.*?<td data-label="Members" class="num">(\d+)</td>',
            table,
            re.S,
        )
    )
    assert counts == {
        "Administrator": "1",
        "Super Moderator": "0",
        "Moderator": "2",
        "Member": "2",  # alice and mallory; bob moved to Helpers
        "Banned": "0",
        "Guest": "0",
        "Helpers": "1",
    }
    # Only the group made by admins can be deleted.
    assert page.count("/delete") == 1


def test_the_pages_are_well_formed_and_accessible(
    app: Flask, admin: FlaskClient, world: World
) -> None:
    custom = make_group(app, members=[world.users["member2"]])
    for path in ["/admin/groups", "/admin/groups/new", f"/admin/groups/{custom}/edit"]:
        check_page(admin.get(path).get_data(as_text=True), path)
    check_page(admin.get(f"/admin/groups/{custom}/delete").get_data(as_text=True), "delete")
    with_errors = post_form(admin, "/admin/groups/new", **form_data(""), guest="y")
    check_page(with_errors.get_data(as_text=True), "new with errors")


def test_every_flag_has_a_labelled_checkbox(admin: FlaskClient) -> None:
    assert sorted(name for _, names in FLAG_SECTIONS for name in names) == sorted(GROUP_FLAGS)
    page = admin.get("/admin/groups/new").get_data(as_text=True)
    for flag in GROUP_FLAGS:
        assert re.search(rf'<input[^>]*id="{flag}"[^>]*type="checkbox"', page), flag
        assert f'<label for="{flag}">' in page, flag
    assert "<legend>Role</legend>" in page


# ------------------------------------------------------------------------------- create


def test_create_a_group_with_flags_and_forum_access(
    app: Flask, admin: FlaskClient, world: World
) -> None:
    member_group = group_id(app, GroupKey.MEMBER)
    response = post_form(
        admin,
        "/admin/groups/new",
        **form_data(
            "  Helpers ",
            "People who help",
            ["posttopic", "postreply", "mod_banuser", "viewhidden"],
            access_from=str(member_group),
        ),
    )
    assert response.status_code == 302
    assert response.location == "/admin/groups"
    assert "The group Helpers is created." in admin.get("/admin/groups").get_data(as_text=True)
    group = group_named(app, "Helpers")
    assert group is not None
    assert group.key is None
    assert group.description == "People who help"
    assert {flag for flag in GROUP_FLAGS if getattr(group, flag)} == {
        "posttopic",
        "postreply",
        "mod_banuser",
        "viewhidden",
    }
    with app.app_context():
        visible = set(
            db.session.scalars(
                select(forum_groups.c.forum_id).where(forum_groups.c.group_id == group.id)
            )
        )
    assert visible == {world.forum_a, world.forum_b}  # what Members see: not the staff room
    [entry] = audit_entries(app, "group.create")
    assert (entry.target_type, entry.target_id) == ("group", group.id)
    assert entry.target_label == "Helpers"
    assert entry.details == "flags: posttopic, postreply, viewhidden, mod_banuser; forums of Member"
    assert entry.actor_name == "root"
    assert "group.create" in admin.get("/admin/audit").get_data(as_text=True)


def test_a_new_group_may_start_without_forums(app: Flask, admin: FlaskClient) -> None:
    response = post_form(admin, "/admin/groups/new", **form_data("Quiet", access_from="0"))
    assert response.status_code == 302
    group = group_named(app, "Quiet")
    assert group is not None
    assert not any(getattr(group, flag) for flag in GROUP_FLAGS)
    with app.app_context():
        rows = db.session.execute(
            select(forum_groups).where(forum_groups.c.group_id == group.id)
        ).all()
    assert rows == []


def test_the_new_group_form_starts_like_the_member_group(app: Flask, admin: FlaskClient) -> None:
    page = admin.get("/admin/groups/new").get_data(as_text=True)
    assert re.search(r'<input checked id="postreply"', page)
    assert not re.search(r'<input checked id="admin"', page)
    assert f'<option selected value="{group_id(app, GroupKey.MEMBER)}">Member</option>' in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (form_data(""), "name", "Give the group a name."),
        (form_data("   "), "name", "Give the group a name."),
        (form_data("x" * 65), "name", "Use at most 64 characters."),
        (form_data("member"), "name", "Another group already has this name."),
        (form_data(" MODERATOR "), "name", "Another group already has this name."),
        (form_data("Helpers", "d" * 1001), "description", "Use at most 1000 characters."),
        (form_data("Visitors", flags=["guest"]), "guest", "Only the built-in Guest group"),
        (form_data("Nul\x00l"), "name", "Remove the control characters"),
        (form_data("Helpers", access_from="999999"), "access_from", "Not a valid choice"),
        (form_data("Helpers", access_from="abc"), "access_from", "Invalid Choice"),
    ],
)
def test_create_refuses_invalid_input_with_field_errors(
    app: Flask, admin: FlaskClient, data: dict[str, Any], field: str, message: str
) -> None:
    data.setdefault("access_from", "0")
    response = post_form(admin, "/admin/groups/new", **data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in field_error(page, field)
    assert 'class="form-errors" role="alert"' in page
    with app.app_context():
        assert db.session.scalar(select(Group).where(Group.key.is_(None))) is None
    assert audit_entries(app, "group.create") == []


def test_create_needs_a_csrf_token(app: Flask, admin: FlaskClient) -> None:
    response = admin.post("/admin/groups/new", data=form_data("Helpers", access_from="0"))
    assert response.status_code == 400
    assert group_named(app, "Helpers") is None


def test_a_name_lost_to_a_concurrent_request_is_a_field_error(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The unique constraint answers when the check was passed by two requests at once.
    monkeypatch.setattr(GroupAdministration, "_name_taken", lambda *args: False)
    with app.app_context():
        service = GroupAdministration(db.session, AuditLog(db.session, utcnow))
        with pytest.raises(InvalidGroup) as refused:
            service.create(Auditor(None, "root", ""), GroupDraft("Member", "", frozenset()))
        assert refused.value.errors == [("name", "Another group already has this name.")]
        assert db.session.scalar(select(AuditEntry.id)) is None


def test_the_service_refuses_to_copy_the_access_of_a_missing_group(app: Flask) -> None:
    with app.app_context():
        service = GroupAdministration(db.session, AuditLog(db.session, utcnow))
        with pytest.raises(InvalidGroup) as refused:
            service.create(Auditor(None, "root", ""), GroupDraft("New", "", frozenset()), 999999)
        assert refused.value.errors == [("access_from", "Choose an existing group.")]
        assert db.session.scalar(select(Group).where(Group.name == "New")) is None


# --------------------------------------------------------------------------------- edit


def test_edit_a_group_and_audit_what_changed(app: Flask, admin: FlaskClient, world: World) -> None:
    custom = make_group(app)
    page = admin.get(f"/admin/groups/{custom}/edit").get_data(as_text=True)
    assert 'value="Helpers"' in page
    assert "Helpful people</textarea>" in page
    assert re.search(r'<input checked id="posttopic"', page)
    response = post_form(
        admin,
        f"/admin/groups/{custom}/edit",
        **form_data("Helpers team", "Helpful people", ["posttopic", "mod", "mod_banuser"]),
    )
    assert response.status_code == 302
    group = load_group(app, custom)
    assert group is not None
    assert group.name == "Helpers team"
    assert (group.mod, group.mod_banuser, group.posttopic, group.postreply) == (
        True,
        True,
        True,
        False,
    )
    [entry] = audit_entries(app, "group.update")
    assert entry.target_label == "Helpers team"
    assert entry.details == "name: Helpers → Helpers team; flags: +mod, +mod_banuser, -postreply"


def test_saving_without_changes_records_nothing(app: Flask, admin: FlaskClient) -> None:
    custom = make_group(app)
    data = form_data("Helpers", "Helpful people", ["posttopic", "postreply"])
    assert post_form(admin, f"/admin/groups/{custom}/edit", **data).status_code == 302
    assert audit_entries(app, "group.update") == []


def test_a_group_may_change_the_case_of_its_own_name(app: Flask, admin: FlaskClient) -> None:
    custom = make_group(app)
    data = form_data("HELPERS", "Helpful people", ["posttopic", "postreply"])
    assert post_form(admin, f"/admin/groups/{custom}/edit", **data).status_code == 302
    group = load_group(app, custom)
    assert group is not None and group.name == "HELPERS"


def test_edit_refuses_a_name_another_group_has(app: Flask, admin: FlaskClient) -> None:
    custom = make_group(app)
    response = post_form(admin, f"/admin/groups/{custom}/edit", **form_data("administrator"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Another group already has this name." in field_error(page, "name")
    group = load_group(app, custom)
    assert group is not None and group.name == "Helpers"


def test_edit_needs_a_csrf_token(app: Flask, admin: FlaskClient) -> None:
    custom = make_group(app)
    response = admin.post(f"/admin/groups/{custom}/edit", data=form_data("Renamed"))
    assert response.status_code == 400
    group = load_group(app, custom)
    assert group is not None and group.name == "Helpers"


def test_built_in_groups_may_be_edited_but_keep_their_key(app: Flask, admin: FlaskClient) -> None:
    member = group_id(app, GroupKey.MEMBER)
    page = admin.get(f"/admin/groups/{member}/edit").get_data(as_text=True)
    assert "A built-in group" in page
    data = form_data("Members", "Everyone registered", ["posttopic", "postreply"], key="guest")
    assert post_form(admin, f"/admin/groups/{member}/edit", **data).status_code == 302
    group = load_group(app, member)
    assert group is not None
    assert (group.name, group.key, group.editpost) == ("Members", GroupKey.MEMBER, False)
    [entry] = audit_entries(app, "group.update")
    assert entry.details == "name: Member → Members; description; flags: -editpost, -deletepost"


@pytest.mark.parametrize(
    ("key", "flag"),
    [(GroupKey.ADMIN, "admin"), (GroupKey.BANNED, "banned"), (GroupKey.GUEST, "guest")],
)
def test_built_in_groups_keep_their_defining_flag(
    app: Flask, admin: FlaskClient, key: GroupKey, flag: str
) -> None:
    built_in = group_id(app, key)
    before = load_group(app, built_in)
    assert before is not None
    kept = [f for f in GROUP_FLAGS if getattr(before, f) and f != flag]
    response = post_form(
        admin, f"/admin/groups/{built_in}/edit", **form_data(before.name, "", kept)
    )
    assert response.status_code == 200
    assert "group always keeps this flag" in field_error(response.get_data(as_text=True), flag)
    after = load_group(app, built_in)
    assert after is not None and getattr(after, flag) is True
    assert audit_entries(app, "group.update") == []


def test_an_admin_cannot_take_the_panel_from_their_own_group(
    app: Flask, admin: FlaskClient, world: World
) -> None:
    owners = make_group(app, "Owners", members=[world.users["admin"]])
    with app.app_context():
        group = db.session.get(Group, owners)
        assert group is not None
        group.admin = True
        db.session.commit()
    response = post_form(admin, f"/admin/groups/{owners}/edit", **form_data("Owners"))
    assert "you would lose this panel" in field_error(response.get_data(as_text=True), "admin")
    response = post_form(admin, f"/admin/groups/{owners}/delete", target_id=str(4))
    assert "move its members to an admin group" in field_error(
        response.get_data(as_text=True), "target_id"
    )
    administrators = group_id(app, GroupKey.ADMIN)
    response = post_form(admin, f"/admin/groups/{owners}/delete", target_id=str(administrators))
    assert response.status_code == 302
    assert admin.get("/admin/groups").status_code == 200


def test_a_group_that_becomes_banned_logs_its_members_out(
    app: Flask, admin: FlaskClient, world: World
) -> None:
    custom = make_group(app, members=[world.users["member"]], forums=[world.forum_a])
    member_browser = app.test_client()
    assert AuthActions(member_browser).login("alice").status_code == 302
    assert "Logged in as" in member_browser.get("/").get_data(as_text=True)
    data = form_data("Helpers", "Helpful people", ["posttopic", "postreply", "banned"])
    assert post_form(admin, f"/admin/groups/{custom}/edit", **data).status_code == 302
    assert "Logged in as" not in member_browser.get("/").get_data(as_text=True)
    assert "This account is banned." in AuthActions(member_browser).login("alice").get_data(
        as_text=True
    )


# ------------------------------------------------------------------------------- delete


def test_delete_asks_first_then_moves_the_members(
    app: Flask, admin: FlaskClient, world: World
) -> None:
    custom = make_group(
        app, members=[world.users["member"], world.users["member2"]], forums=[world.forum_a]
    )
    moderators = group_id(app, GroupKey.MOD)
    page = admin.get(f"/admin/groups/{custom}/delete").get_data(as_text=True)
    assert "Delete the group Helpers?" in page
    assert "Its 2 members move" in page
    assert f'<option selected value="{group_id(app, GroupKey.MEMBER)}">Member</option>' in page
    assert f'<option value="{custom}">' not in page  # not into itself
    assert f'<option value="{group_id(app, GroupKey.GUEST)}">' not in page
    assert load_group(app, custom) is not None  # the GET changed nothing

    response = post_form(admin, f"/admin/groups/{custom}/delete", target_id=str(moderators))
    assert response.status_code == 302
    assert response.location == "/admin/groups"
    listing = admin.get("/admin/groups").get_data(as_text=True)
    assert "The group Helpers is deleted; 2 members moved to Moderator." in listing
    assert load_group(app, custom) is None
    with app.app_context():
        moved = db.session.scalars(
            select(User.group_id).where(
                User.id.in_([world.users["member"], world.users["member2"]])
            )
        ).all()
        access = db.session.execute(
            select(forum_groups).where(forum_groups.c.group_id == custom)
        ).all()
    assert moved == [moderators, moderators]
    assert access == []
    [entry] = audit_entries(app, "group.delete")
    assert (entry.target_id, entry.target_label) == (custom, "Helpers")
    assert entry.details == "2 members moved to Moderator"


def test_deleting_into_a_banned_group_logs_the_members_out(
    app: Flask, admin: FlaskClient, world: World
) -> None:
    custom = make_group(app, members=[world.users["member"]], forums=[world.forum_a])
    member_browser = app.test_client()
    assert AuthActions(member_browser).login("alice").status_code == 302
    banned = group_id(app, GroupKey.BANNED)
    response = post_form(admin, f"/admin/groups/{custom}/delete", target_id=str(banned))
    assert response.status_code == 302
    assert "Logged in as" not in member_browser.get("/").get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(AuthSession.id).where(AuthSession.user_id == world.users["member"])
            )
            is None
        )


@pytest.mark.parametrize("key", list(GroupKey))
def test_built_in_groups_cannot_be_deleted(app: Flask, admin: FlaskClient, key: GroupKey) -> None:
    built_in = group_id(app, key)
    assert admin.get(f"/admin/groups/{built_in}/delete").status_code == 403
    target = group_id(app, GroupKey.MEMBER if key != GroupKey.MEMBER else GroupKey.MOD)
    response = post_form(admin, f"/admin/groups/{built_in}/delete", target_id=str(target))
    assert response.status_code == 403
    assert load_group(app, built_in) is not None
    assert audit_entries(app, "group.delete") == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("self", "Choose another group for the members."),
        ("guest", "Choose another group for the members."),
        ("999999", "Choose another group for the members."),
        (str(10**20), "Not a valid id."),
        ("abc", "Invalid Choice"),
        ("", "Choose a group for the members."),
    ],
)
def test_delete_needs_another_group_for_the_members(
    app: Flask, admin: FlaskClient, world: World, target: str, message: str
) -> None:
    custom = make_group(app, members=[world.users["member"]])
    target = {"self": str(custom), "guest": str(group_id(app, GroupKey.GUEST))}.get(target, target)
    response = post_form(admin, f"/admin/groups/{custom}/delete", target_id=target)
    assert response.status_code == 200
    assert message in field_error(response.get_data(as_text=True), "target_id")
    assert load_group(app, custom) is not None
    assert audit_entries(app, "group.delete") == []


def test_delete_needs_a_csrf_token(app: Flask, admin: FlaskClient) -> None:
    custom = make_group(app)
    member = group_id(app, GroupKey.MEMBER)
    response = admin.post(f"/admin/groups/{custom}/delete", data={"target_id": str(member)})
    assert response.status_code == 400
    assert load_group(app, custom) is not None
