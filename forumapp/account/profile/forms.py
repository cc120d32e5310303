"""The profile form. Limits come from the service, which checks them again on save."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from forumapp.account.profile.services import MAX_LENGTHS, ProfileText, too_long
from forumapp.forms import ForumForm, strip_filter


def _length(field: str) -> Length:
    return Length(max=MAX_LENGTHS[field], message=too_long(MAX_LENGTHS[field]))


class ProfileForm(ForumForm):
    """Display name, about, location, website and signature; every field may stay empty."""

    display_name = StringField(
        "Display name",
        filters=[strip_filter],
        validators=[_length("display_name")],
        description="Shown on your profile next to your username, which does not change.",
    )
    about = TextAreaField(
        "About you",
        validators=[_length("about")],
        description=f"Markdown, at most {MAX_LENGTHS['about']} characters.",
    )
    location = StringField("Location", filters=[strip_filter], validators=[_length("location")])
    website = StringField(
        "Website",
        filters=[strip_filter],
        validators=[_length("website")],
        description="An address starting with http:// or https://.",
    )
    signature = TextAreaField(
        "Signature",
        validators=[_length("signature")],
        description=f"Markdown shown under each of your posts, at most "
        f"{MAX_LENGTHS['signature']} characters.",
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
