"""The reading pages: ``/unread``, ``/new`` and ``/members``, each a
:class:`forumapp.views.PageView` with a loader from :class:`ReadingPages`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, request
from flask_login import current_user

from forumapp.auth.decorators import login_required
from forumapp.extensions import login_manager
from forumapp.forum.pages import page_argument
from forumapp.reading.factories import ReadingFactories
from forumapp.reading.forms import MemberSearchForm
from forumapp.reading.members import MemberSort
from forumapp.views import PageView

F = TypeVar("F", bound=Callable[..., Any])


def members_only_unless(config_key: str) -> Callable[[F], F]:
    """Ask guests to log in first unless the setting ``config_key`` lets them in."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not (current_app.config[config_key] or current_user.is_authenticated):
                return login_manager.unauthorized()
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


class ReadingPages:
    """The loaders of the reading pages, over injected service factories."""

    def __init__(self, factories: ReadingFactories) -> None:
        self.f = factories

    def unread(self) -> dict[str, Any]:
        """A page of the topics with posts the member has not read."""
        reader = self.f.reader()
        if reader is None:  # login_required lets members only; a host's reader may not
            return {"listing": None}
        listing = self.f.listings().unread(
            self.f.actor(), reader, page_argument(), current_app.config["TOPICS_PER_PAGE"]
        )
        return {"listing": listing}

    def new(self) -> dict[str, Any]:
        """A page of the topics started since the reader's last visit (or lately)."""
        since = self.f.new_since()
        listing = self.f.listings().new(
            self.f.actor(),
            self.f.reader(),
            since,
            page_argument(),
            current_app.config["TOPICS_PER_PAGE"],
        )
        return {"listing": listing, "since": since}

    def members(self) -> dict[str, Any]:
        """A page of the member list, as the search form asks (its defaults when the
        form is not valid: the errors show beside it)."""
        form = MemberSearchForm(request.args)
        valid = form.validate()
        sort = MemberSort(form.sort.data) if valid else MemberSort.NAME
        descending = valid and form.order.data == "desc"
        directory = self.f.members().page(
            (form.q.data or "") if valid else "",
            sort,
            descending,
            page_argument(),
            current_app.config["MEMBERS_PER_PAGE"],
        )
        return {"form": form, "directory": directory, "sort": sort, "descending": descending}


class MemberPage(PageView):
    """``/members``: guests see it unless ``MEMBER_LIST_FOR_GUESTS`` is off."""

    decorators = [members_only_unless("MEMBER_LIST_FOR_GUESTS")]


class MembersOnlyPage(PageView):
    """A page for members only (``/unread``)."""

    decorators = [login_required]
