"""The member list's search form (a GET form: no CSRF token)."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length

from forumapp.forms import ForumForm, strip_filter
from forumapp.reading.members import MemberSort
from forumapp.users.models import USERNAME_MAX_LENGTH

ORDERS = {"asc": "Ascending", "desc": "Descending"}


class MemberSearchForm(ForumForm):
    """Name prefix, sort and order of ``/members``; the query arguments are the fields."""

    class Meta:
        csrf = False

    q = StringField(
        "Name starts with",
        filters=[strip_filter],
        validators=[Length(max=USERNAME_MAX_LENGTH, message="Use at most %(max)d characters.")],
    )
    sort = SelectField(
        "Sort by",
        choices=[
            SelectChoice(MemberSort.NAME.value, "Name"),
            SelectChoice(MemberSort.JOINED.value, "Join date"),
            SelectChoice(MemberSort.POSTS.value, "Posts"),
        ],
        default=MemberSort.NAME.value,
    )
    order = SelectField(
        "Order", choices=[SelectChoice(k, v) for k, v in ORDERS.items()], default="asc"
    )
