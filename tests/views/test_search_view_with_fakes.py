"""The search page's loader over a fake search service injected through the forum's
factories: what the form hands the service, and how the service's refusals reach the
form. (The forum blueprint ships no templates of its own, so the context is checked.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from forumapp.forum.errors import InvalidInput
from forumapp.forum.fulltext import SearchQuery
from forumapp.forum.pages import ForumPages
from forumapp.forum.reading import Pagination
from forumapp.forum.search import SearchFilters, SearchResults, Sort
from tests.views.test_forum_views_with_fakes import ACTOR, bare_app, factories


@dataclass
class FakeSearch:
    """Records each search and answers with no hits, or raises ``refusal``."""

    refusal: InvalidInput | None = None
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def search(
        self, actor: Any, query: str, filters: SearchFilters, page: int, per_page: int
    ) -> SearchResults:
        self.calls.append((actor, query, filters, page, per_page))
        if self.refusal:
            raise self.refusal
        return SearchResults(SearchQuery.parse(query), [], Pagination(page, per_page, 0))

    def searchable_forums(self, actor: Any) -> list[Any]:
        return []


def context_of(service: FakeSearch, **params: str) -> dict[str, Any]:
    app = bare_app(factories(search_service=lambda: service))
    app.config.update(SEARCH_RESULTS_PER_PAGE=7, DEFAULT_TIMEZONE="Asia/Tokyo")
    pages = ForumPages(factories(search_service=lambda: service))
    with app.test_request_context("/search", query_string=params):
        return pages.search()


def test_the_form_hands_the_service_its_filters_with_days_in_the_readers_zone() -> None:
    service = FakeSearch()
    context_of(
        service,
        q="kettle",
        forum="3",
        author="bob",
        date_from="2024-05-02",
        date_to="2024-05-02",
        topics_only="y",
        sort="date",
        page="2",
    )
    filters = SearchFilters(
        forum_id=3,
        author="bob",
        # Midnight in Tokyo (UTC+9) on 2 May, and on 3 May.
        since=datetime(2024, 5, 1, 15, tzinfo=UTC),
        until=datetime(2024, 5, 2, 15, tzinfo=UTC),
        topics_only=True,
        sort=Sort.DATE,
    )
    assert service.calls == [(ACTOR, "kettle", filters, 2, 7)]


def test_the_services_refusal_becomes_an_error_on_its_field() -> None:
    refusal = InvalidInput("author", "No member has this username.")
    context = context_of(FakeSearch(refusal), q="x", author="nobody")
    assert context["form"].author.errors == ["No member has this username."]
    assert context["results"] is None


def test_malformed_filters_never_reach_the_service() -> None:
    service = FakeSearch()
    context = context_of(service, q="kettle", date_from="31/12/2024", forum="abc")
    assert service.calls == []
    form = context["form"]
    assert form.date_from.errors == ["Enter a date as YYYY-MM-DD, such as 2024-05-31."]
    assert form.forum.errors == ["Choose a forum from the list."]
    assert context["results"] is None


def test_an_empty_query_runs_no_search() -> None:
    service = FakeSearch()
    assert context_of(service, q="  ", author="bob")["results"] is None
    assert service.calls == []
