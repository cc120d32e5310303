"""The forms of the Groups area: a group's name, description and permission flags, and
the choice of where a deleted group's members go."""

from __future__ import annotations

from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forumapp.forms import ForumForm, strip_filter
from forumapp.forum.ids import ids_only
from forumapp.management.groups.services import NAME_MAX_LENGTH, GroupDraft

DESCRIPTION_MAX_LENGTH = 1000

#: The flag checkboxes, in the fieldsets the form shows them in.
FLAG_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Role", ("admin", "super_mod", "mod", "banned", "guest")),
    ("Posting", ("posttopic", "postreply", "editpost", "deletepost", "deletetopic")),
    ("Moderation", ("viewhidden", "makehidden", "mod_edituser", "mod_banuser")),
)


def _flag(label: str, description: str) -> BooleanField:
    return BooleanField(label, description=description)


class GroupForm(ForumForm):
    """A group's name, description and one checkbox per permission flag; the field
    names are the flag names of :class:`forumapp.users.models.Group`."""

    name = StringField(
        "Name",
        filters=[strip_filter],
        validators=[
            DataRequired("Give the group a name."),
            Length(max=NAME_MAX_LENGTH, message="Use at most %(max)d characters."),
        ],
    )
    description = TextAreaField(
        "Description",
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=DESCRIPTION_MAX_LENGTH, message="Use at most %(max)d characters."),
        ],
    )
    admin = _flag("Administrator", "Opens the whole management panel.")
    super_mod = _flag("Super moderator", "Moderates every forum.")
    mod = _flag("Moderator", "Moderates the forums a member is appointed to.")
    banned = _flag("Banned", "Cannot log in or post; members are logged out when it is set.")
    guest = _flag("Guest", "Stands for visitors who are not logged in (the Guest group only).")
    posttopic = _flag("Can start topics", "")
    postreply = _flag("Can reply", "")
    editpost = _flag("Can edit their own posts", "")
    deletepost = _flag("Can delete their own replies", "")
    deletetopic = _flag("Can delete their own topics", "")
    viewhidden = _flag(
        "Moderators can see hidden and deleted posts and topics",
        'With a "Deleted by" marker, in the forums they moderate; members never do.',
    )
    makehidden = _flag(
        "Moderators can delete, hide and restore posts and topics",
        "Without it, moderators still lock, pin and move topics.",
    )
    mod_edituser = _flag(
        "Moderators can edit members' accounts",
        "Name, email and activation of members who are not staff; never their group.",
    )
    mod_banuser = _flag("Moderators can ban members", "")

    def flag_sections(self) -> list[tuple[str, list[Field]]]:
        """The flag fields grouped under their fieldset legends."""
        return [(legend, [self[name] for name in names]) for legend, names in FLAG_SECTIONS]

    def draft(self) -> GroupDraft:
        """The submitted group, for the service."""
        flags = frozenset(name for _, names in FLAG_SECTIONS for name in names if self[name].data)
        return GroupDraft(self.name.data or "", self.description.data or "", flags)


class NewGroupForm(GroupForm):
    """A new group, which starts with the forum access of an existing group."""

    access_from = SelectField(
        "Sees the same forums as",
        coerce=int,
        description="Change it per forum later in the Forums area.",
    )


class DeleteGroupForm(ForumForm):
    """Confirm a deletion and choose the group that takes the members."""

    target_id = SelectField(
        "Move its members to",
        coerce=int,
        validate_choice=False,
        validators=[InputRequired("Choose a group for the members."), ids_only],
    )
