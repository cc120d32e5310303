"""The profile form. Limits come from the service, which checks them again on save."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from forumapp.account.profile.services import MAX_LENGTHS, ProfileText, too_long
from forumapp.forms import ForumForm, strip_filter
from forumapp.lazy_text import lazy_gettext as _l


def _length(field: str) -> Length:
    return Length(max=MAX_LENGTHS[field], message=too_long(MAX_LENGTHS[field]))


class ProfileForm(ForumForm):
    """Display name, about, location, website and signature; every field may stay empty."""

    display_name = StringField(
        _l("Display name"),
        filters=[strip_filter],
        validators=[_length("display_name")],
        description=_l("Shown on your profile next to your username, which does not change."),
    )
    about = TextAreaField(
        _l("About you"),
        validators=[_length("about")],
        description=_l("Markdown, at most %(num)s characters.", num=MAX_LENGTHS["about"]),
    )
    location = StringField(_l("Location"), filters=[strip_filter], validators=[_length("location")])
    website = StringField(
        _l("Website"),
        filters=[strip_filter],
        validators=[_length("website")],
        description=_l("An address starting with http:// or https://."),
    )
    signature = TextAreaField(
        _l("Signature"),
        validators=[_length("signature")],
        description=_l(
            "Markdown shown under each of your posts, at most %(num)s characters.",
            num=MAX_LENGTHS["signature"],
        ),
    )

    def profile_text(self) -> ProfileText:
        """The submitted profile."""
        return ProfileText(
            display_name=self.display_name.data or "",
            about=self.about.data or "",
            location=self.location.data or "",
            website=self.website.data or "",
            signature=self.signature.data or "",
        )
