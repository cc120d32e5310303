"""The forum: categories, forums, topics and posts, reading state and moderation.

Mount it with forumapp's own services, or with factories of your own::

    app.register_blueprint(create_forum_blueprint())
    app.register_blueprint(create_forum_blueprint(my_factories))
"""

from __future__ import annotations

from flask import Blueprint

# A module import: forumapp.domain_errors imports forumapp.forum.errors, which runs this
# package first when domain_errors is the one imported first.
from forumapp import domain_errors
from forumapp.formatting import install_filters
from forumapp.forum import views
from forumapp.forum.factories import (
    FORUM_EVENTS,
    MODERATION_OBSERVER,
    ForumFactories,
    default_factories,
    moderation_service_factory,
    posting_service_factory,
)
from forumapp.forum.id_urls import id_url
from forumapp.forum.ids import install_id_converter
from forumapp.forum.markdown import text_of_html
from forumapp.forum.online import record_presence
from forumapp.forum.pages import CategoryPage, ForumPage, ForumPages, ProfilePage, TopicPage
from forumapp.forum.undo import take_undo_offer
from forumapp.http import external_url
from forumapp.localtime import local_time
from forumapp.views import PageView

__all__ = [
    "FORUM_EVENTS",
    "MODERATION_OBSERVER",
    "ForumFactories",
    "create_forum_blueprint",
    "default_factories",
    "moderation_service_factory",
    "posting_service_factory",
]

ATOM = "application/atom+xml"


def create_forum_blueprint(factories: ForumFactories | None = None) -> Blueprint:
    """Build the forum blueprint (URLs as in DESIGN.md, "Forum URLs") with ``factories``
    (forumapp's own when omitted)."""
    f = factories or default_factories()
    pages = ForumPages(f)
    bp = Blueprint("forum", __name__)
    bp.record_once(install_id_converter)
    domain_errors.answer_domain_errors(bp)
    bp.add_app_template_global(id_url)
    # Feeds link to the site on its public base, whatever Host the request named.
    bp.add_app_template_global(external_url)
    # Every page prints times through the when() macro, in the reader's zone.
    bp.add_app_template_global(local_time)
    # The message area offers to undo a deletion of topics (forumapp.forum.undo).
    bp.add_app_template_global(take_undo_offer)
    # Who's online, for the index: noted in memory after each request.
    bp.after_app_request(record_presence)
    # A feed entry's summary: the text of the post's stored HTML, cut short.
    bp.add_app_template_filter(text_of_html, "excerpt")
    # Counts and relative times ("1,234 posts", "3 hours ago").
    install_filters(bp)
    actor = {"actor_factory": f.actor}
    posting = {**actor, "posting_service_factory": f.posting_service}
    moderation = {**actor, "moderation_service_factory": f.moderation_service}
    reading = {**actor, "reader_factory": f.forum_reader}
    tracking = {**actor, "read_tracker_factory": f.read_tracker}

    bp.add_url_rule(
        "/",
        view_func=PageView.as_view("index", template="forum/index.html", loader=pages.index),
    )
    forum_view = ForumPage.as_view("forum", template="forum/forum.html", loader=pages.forum)
    topic_view = TopicPage.as_view("topic", template="forum/topic.html", loader=pages.topic)
    category_view = CategoryPage.as_view(
        "category", template="forum/category.html", loader=pages.category
    )
    # Slugs may follow ids ("/topic/12-hello-world"); the id alone decides.
    for rule in ("/category/<id:category_id>", "/category/<id:category_id>-<slug>"):
        bp.add_url_rule(rule, view_func=category_view)
    for rule in ("/forum/<id:forum_id>", "/forum/<id:forum_id>-<slug>"):
        bp.add_url_rule(rule, view_func=forum_view)
    for rule in ("/topic/<id:topic_id>", "/topic/<id:topic_id>-<slug>"):
        bp.add_url_rule(rule, view_func=topic_view)
    bp.add_url_rule(
        "/user/<username>",
        view_func=ProfilePage.as_view(
            "profile", template="forum/profile.html", loader=pages.profile
        ),
    )
    bp.add_url_rule(
        "/forum/<id:forum_id>/feed.atom",
        view_func=ForumPage.as_view(
            "forum_feed", template="forum/forum_feed.xml", loader=pages.forum_feed, mimetype=ATOM
        ),
    )
    bp.add_url_rule(
        "/topic/<id:topic_id>/feed.atom",
        view_func=TopicPage.as_view(
            "topic_feed", template="forum/topic_feed.xml", loader=pages.topic_feed, mimetype=ATOM
        ),
    )
    bp.add_url_rule(
        "/post/<id:post_id>",
        view_func=views.Permalink.as_view("post", **reading, page_size_factory=f.posts_per_page),
    )
    bp.add_url_rule(
        "/topic/<id:topic_id>/unread",
        view_func=views.FirstUnread.as_view(
            "first_unread", **reading, unread_reader_factory=f.reader
        ),
    )
    # The index's loader again, for the list of every forum's feed.
    bp.add_url_rule(
        "/feeds",
        view_func=PageView.as_view("feeds", template="forum/feeds.html", loader=pages.index),
    )
    bp.add_url_rule(
        "/search",
        view_func=PageView.as_view("search", template="forum/search.html", loader=pages.search),
    )
    bp.add_url_rule(
        "/forum/<id:forum_id>/new-topic", view_func=views.NewTopic.as_view("new_topic", **posting)
    )
    bp.add_url_rule("/topic/<id:topic_id>/reply", view_func=views.Reply.as_view("reply", **posting))
    bp.add_url_rule(
        "/post/<id:post_id>/edit", view_func=views.EditPost.as_view("edit_post", **posting)
    )
    bp.add_url_rule(
        "/post/<id:post_id>/delete",
        view_func=views.DeletePost.as_view("delete_post", **posting, post_undo_factory=f.post_undo),
    )
    bp.add_url_rule(
        "/post/<id:post_id>/undo-delete",
        view_func=views.UndoDeletePost.as_view(
            "undo_delete_post", **actor, post_undo_factory=f.post_undo
        ),
    )
    bp.add_url_rule(
        "/post/<id:post_id>/report",
        view_func=views.ReportPost.as_view("report_post", **moderation),
    )
    bp.add_url_rule(
        "/post/<id:post_id>/moderate",
        view_func=views.ModeratePost.as_view("moderate_post", **moderation),
    )
    bp.add_url_rule(
        "/forum/<id:forum_id>/moderate",
        view_func=views.ModerateTopics.as_view("moderate_topics", **moderation),
    )
    bp.add_url_rule(
        "/forum/<id:forum_id>/mark-read",
        view_func=views.MarkForumRead.as_view("mark_forum_read", **tracking),
    )
    bp.add_url_rule(
        "/mark-all-read", view_func=views.MarkAllRead.as_view("mark_all_read", **tracking)
    )
    return bp
