"""The forum: categories, forums, topics and posts, reading state and moderation."""

from __future__ import annotations

from flask import Blueprint, current_app

from forumapp.extensions import db
from forumapp.forum import pages, search, views
from forumapp.forum.id_urls import id_url
from forumapp.forum.ids import install_id_converter
from forumapp.forum.limits import posts_per_member, previews_per_member
from forumapp.forum.moderation import ModerationService
from forumapp.forum.posting import PostingService
from forumapp.http import external_url
from forumapp.sqltypes import utcnow
from forumapp.views import PageView

ATOM = "application/atom+xml"


def posting_service_factory() -> PostingService:
    """The posting service over the app's database, with the members' flood control."""
    return PostingService(db.session, utcnow, posts_per_member, previews_per_member)


#: ``app.extensions`` key of the function that records moderation actions, if any.
MODERATION_OBSERVER = "forumapp.moderation_observer"


def moderation_service_factory() -> ModerationService:
    """The moderation service over the app's database, reporting to the app's observer."""
    return ModerationService(db.session, utcnow, current_app.extensions.get(MODERATION_OBSERVER))


def create_forum_blueprint() -> Blueprint:
    """Build the forum blueprint (URLs as in DESIGN.md, "Forum URLs")."""
    bp = Blueprint("forum", __name__)
    bp.record_once(install_id_converter)
    bp.add_app_template_global(id_url)
    # Feeds link to the site on its public base, whatever Host the request named.
    bp.add_app_template_global(external_url)
    posting = {"posting_service_factory": posting_service_factory}
    moderation = {"moderation_service_factory": moderation_service_factory}

    bp.add_url_rule(
        "/",
        view_func=PageView.as_view("index", template="forum/index.html", loader=pages.index_page),
    )
    forum_view = PageView.as_view("forum", template="forum/forum.html", loader=pages.forum_page)
    topic_view = PageView.as_view("topic", template="forum/topic.html", loader=pages.topic_page)
    category_view = PageView.as_view(
        "category", template="forum/category.html", loader=pages.category_page
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
        view_func=PageView.as_view(
            "profile", template="forum/profile.html", loader=pages.profile_page
        ),
    )
    bp.add_url_rule(
        "/forum/<id:forum_id>/feed.atom",
        view_func=PageView.as_view(
            "forum_feed", template="forum/forum_feed.xml", loader=pages.forum_feed, mimetype=ATOM
        ),
    )
    bp.add_url_rule(
        "/topic/<id:topic_id>/feed.atom",
        view_func=PageView.as_view(
            "topic_feed", template="forum/topic_feed.xml", loader=pages.topic_feed, mimetype=ATOM
        ),
    )
    bp.add_url_rule("/post/<id:post_id>", view_func=views.Permalink.as_view("post"))
    bp.add_url_rule(
        "/topic/<id:topic_id>/unread", view_func=views.FirstUnread.as_view("first_unread")
    )
    bp.add_url_rule(
        "/search",
        view_func=PageView.as_view(
            "search", template="forum/search.html", loader=search.search_page
        ),
    )
    bp.add_url_rule(
        "/forum/<id:forum_id>/new-topic", view_func=views.NewTopic.as_view("new_topic", **posting)
    )
    bp.add_url_rule("/topic/<id:topic_id>/reply", view_func=views.Reply.as_view("reply", **posting))
    bp.add_url_rule(
        "/post/<id:post_id>/edit", view_func=views.EditPost.as_view("edit_post", **posting)
    )
    bp.add_url_rule(
        "/post/<id:post_id>/delete", view_func=views.DeletePost.as_view("delete_post", **posting)
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
        view_func=views.MarkRead.as_view("mark_forum_read", scope="forum"),
    )
    bp.add_url_rule(
        "/mark-all-read", view_func=views.MarkRead.as_view("mark_all_read", scope="all")
    )
    return bp
