"""The member list's search form (a GET form: no CSRF token)."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length

from forumapp.forms import ForumForm, strip_filter
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.reading.members import MemberSort
from forumapp.users.models import USERNAME_MAX_LENGTH

ORDERS = {"asc": _l("Ascending"), "desc": _l("Descending")}


class MemberSearchForm(ForumForm):
    """Name prefix, sort and order of ``/members``; the query arguments are the fields."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Name starts with"),
        filters=[strip_filter],
        validators=[Length(max=USERNAME_MAX_LENGTH, message=_l("Use at most %(max)d characters."))],
    )
    sort = SelectField(
        _l("Sort by"),
        choices=[
            SelectChoice(MemberSort.NAME.value, _l("Name")),
            SelectChoice(MemberSort.JOINED.value, _l("Join date")),
            SelectChoice(MemberSort.POSTS.value, _l("Posts")),
        ],
        default=MemberSort.NAME.value,
    )
    order = SelectField(
        _l("Order"), choices=[SelectChoice(k, v) for k, v in ORDERS.items()], default="asc"
    )
