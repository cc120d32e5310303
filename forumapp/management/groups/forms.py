"""The forms of the Groups area: a group's name, description and permission flags, and
the choice of where a deleted group's members go."""

from __future__ import annotations

from wtforms import BooleanField, Field, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forumapp.forms import ForumForm, strip_filter
from forumapp.forum.ids import ids_only
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.management.groups.services import NAME_MAX_LENGTH, GroupDraft

DESCRIPTION_MAX_LENGTH = 1000

#: The flag checkboxes, in the fieldsets the form shows them in.
FLAG_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (_l("Role"), ("admin", "super_mod", "mod", "banned", "guest")),
    (_l("Posting"), ("posttopic", "postreply", "editpost", "deletepost", "deletetopic")),
    (_l("Moderation"), ("viewhidden", "makehidden", "mod_edituser", "mod_banuser")),
)


def _flag(label: str, description: str) -> BooleanField:
    return BooleanField(label, description=description)


class GroupForm(ForumForm):
    """A group's name, description and one checkbox per permission flag; the field
    names are the flag names of :class:`forumapp.users.models.Group`."""

    name = StringField(
        _l("Name"),
        filters=[strip_filter],
        validators=[
            DataRequired(_l("Give the group a name.")),
            Length(max=NAME_MAX_LENGTH, message=_l("Use at most %(max)d characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip_filter],
        validators=[
            Optional(),
            Length(max=DESCRIPTION_MAX_LENGTH, message=_l("Use at most %(max)d characters.")),
        ],
    )
    admin = _flag(_l("Administrator"), _l("Opens the whole management panel."))
    super_mod = _flag(_l("Super moderator"), _l("Moderates every forum."))
    mod = _flag(_l("Moderator"), _l("Moderates the forums a member is appointed to."))
    banned = _flag(
        _l("Banned"), _l("Cannot log in or post; members are logged out when it is set.")
    )
    guest = _flag(
        _l("Guest"), _l("Stands for visitors who are not logged in (the Guest group only).")
    )
    posttopic = _flag(_l("Can start topics"), "")
    postreply = _flag(_l("Can reply"), "")
    editpost = _flag(_l("Can edit their own posts"), "")
    deletepost = _flag(_l("Can delete their own replies"), "")
    deletetopic = _flag(_l("Can delete their own topics"), "")
    viewhidden = _flag(
        _l("Moderators can see hidden and deleted posts and topics"),
        _l('With a "Deleted by" marker, in the forums they moderate; members never do.'),
    )
    makehidden = _flag(
        _l("Moderators can delete, hide and restore posts and topics"),
        _l("Without it, moderators still lock, pin and move topics."),
    )
    mod_edituser = _flag(
        _l("Moderators can edit members' accounts"),
        _l("Name, email and activation of members who are not staff; never their group."),
    )
    mod_banuser = _flag(_l("Moderators can ban members"), "")

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
        _l("Sees the same forums as"),
        coerce=int,
        description=_l("Change it per forum later in the Forums area."),
    )


class DeleteGroupForm(ForumForm):
    """Confirm a deletion and choose the group that takes the members."""

    target_id = SelectField(
        _l("Move its members to"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Choose a group for the members.")), ids_only],
    )
