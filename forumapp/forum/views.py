"""The forum's form and action views: ``MethodView`` classes with injected services.

The read-only pages are :class:`forumapp.views.PageView` with loaders from
:mod:`forumapp.forum.pages`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView, View
from werkzeug.exceptions import TooManyRequests

from forumapp.auth.decorators import login_required
from forumapp.extensions import db
from forumapp.forum.actor import current_actor
from forumapp.forum.errors import Flooded, Forbidden, InvalidInput, NotFound
from forumapp.forum.forms import (
    ConfirmForm,
    PostForm,
    PostModerationForm,
    ReportForm,
    TopicForm,
    TopicModerationForm,
)
from forumapp.forum.ids import id_argument
from forumapp.forum.limits import reports_per_member
from forumapp.forum.lookups import visible_post
from forumapp.forum.markdown import quote_markdown
from forumapp.forum.models import Forum, Post, Topic
from forumapp.forum.moderation import ModerationService, PostAction, TopicAction
from forumapp.forum.pages import current_reader, reader_service
from forumapp.forum.posting import PostingService
from forumapp.forum.tracking import ReadTracker
from forumapp.http import safe_redirect_target
from forumapp.sqltypes import utcnow

PostingFactory = Callable[[], PostingService]
ModerationFactory = Callable[[], ModerationService]


@contextmanager
def domain_errors() -> Iterator[None]:
    """404 for what the actor may not see, 403 with the reason for what they may not do,
    429 with the reason and ``Retry-After`` for a spent flood-control budget."""
    try:
        yield
    except NotFound:
        abort(404)
    except Forbidden as exc:
        abort(403, description=exc.reason)
    except Flooded as exc:
        raise TooManyRequests(description=exc.reason, retry_after=exc.retry_after) from None


@contextmanager
def refusals_flashed() -> Iterator[None]:
    """Show a refused input as a message on the page the person returns to."""
    try:
        yield
    except InvalidInput as exc:
        flash(exc.reason, "error")


def post_url(post_id: int) -> str:
    """The permalink of a post."""
    return url_for("forum.post", post_id=post_id)


class NewTopic(MethodView):
    """Start a topic in a forum, with a preview before posting."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, posting_service_factory: PostingFactory) -> None:
        self.posting_service_factory = posting_service_factory

    def get(self, forum_id: int) -> ResponseReturnValue:
        return self._render(forum_id, TopicForm())

    def post(self, forum_id: int) -> ResponseReturnValue:
        form = TopicForm()
        if not form.validate_on_submit() or form.preview.data:
            return self._render(forum_id, form, preview=form.preview.data and not form.errors)
        with domain_errors():
            topic = self.posting_service_factory().create_topic(
                current_actor(), forum_id, form.title.data, form.content.data
            )
        flash("Your topic is posted.", "success")
        return redirect(url_for("forum.topic", topic_id=topic.id))

    def _render(self, forum_id: int, form: TopicForm, preview: bool = False) -> ResponseReturnValue:
        service = self.posting_service_factory()
        with domain_errors():
            forum = service.find_forum(current_actor(), forum_id)
            if not current_actor().can_post_topic(forum):
                raise Forbidden("You cannot start a topic in this forum.")
            preview_html = (
                service.preview(current_actor(), form.content.data or "") if preview else None
            )
        return render_template("forum/new_topic.html", forum=forum, form=form, preview=preview_html)


class Reply(MethodView):
    """Reply to a topic; ``?quote=<post id>`` starts the reply with a quotation."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, posting_service_factory: PostingFactory) -> None:
        self.posting_service_factory = posting_service_factory

    def get(self, topic_id: int) -> ResponseReturnValue:
        form = PostForm()
        quote_id = id_argument(request.args, "quote")
        if quote_id is not None:
            with domain_errors():
                post, topic, _ = self.posting_service_factory().find_post(current_actor(), quote_id)
            if topic.id == topic_id and not (post.deleted or post.hidden):
                form.content.data = quote_markdown(post.author_name, post.content)
        return self._render(topic_id, form)

    def post(self, topic_id: int) -> ResponseReturnValue:
        form = PostForm()
        if not form.validate_on_submit() or form.preview.data:
            return self._render(topic_id, form, preview=form.preview.data and not form.errors)
        with domain_errors():
            post = self.posting_service_factory().reply(
                current_actor(), topic_id, form.content.data
            )
        flash("Your reply is posted.", "success")
        return redirect(post_url(post.id))

    def _render(self, topic_id: int, form: PostForm, preview: bool = False) -> ResponseReturnValue:
        service = self.posting_service_factory()
        with domain_errors():
            topic, forum = service.find_topic(current_actor(), topic_id)
            if not current_actor().can_reply(forum, topic):
                raise Forbidden("You cannot reply to this topic.")
            preview_html = (
                service.preview(current_actor(), form.content.data or "") if preview else None
            )
        return render_template(
            "forum/reply.html", topic=topic, forum=forum, form=form, preview=preview_html
        )


class EditPost(MethodView):
    """Edit a post (and the title, for the first post of a topic)."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, posting_service_factory: PostingFactory) -> None:
        self.posting_service_factory = posting_service_factory

    def get(self, post_id: int) -> ResponseReturnValue:
        post, topic, _ = self._editable(post_id)
        form = TopicForm() if post.number == 1 else PostForm()
        form.content.data = post.content
        if isinstance(form, TopicForm):
            form.title.data = topic.title
        return self._render(post_id, form)

    def post(self, post_id: int) -> ResponseReturnValue:
        post, _, _ = self._editable(post_id)
        form = TopicForm() if post.number == 1 else PostForm()
        if not form.validate_on_submit() or form.preview.data:
            return self._render(post_id, form, preview=form.preview.data and not form.errors)
        title = form.title.data if isinstance(form, TopicForm) else None
        with domain_errors():
            self.posting_service_factory().edit_post(
                current_actor(), post_id, form.content.data, title
            )
        flash("Your changes are saved.", "success")
        return redirect(post_url(post_id))

    def _editable(self, post_id: int) -> tuple[Post, Topic, Forum]:
        service = self.posting_service_factory()
        with domain_errors():
            post, topic, forum = service.find_post(current_actor(), post_id)
            if not current_actor().can_edit_post(forum, topic, post):
                raise Forbidden("You cannot edit this post.")
        return post, topic, forum

    def _render(self, post_id: int, form: PostForm, preview: bool = False) -> ResponseReturnValue:
        post, topic, forum = self._editable(post_id)
        with domain_errors():
            service = self.posting_service_factory()
            preview_html = (
                service.preview(current_actor(), form.content.data or "") if preview else None
            )
        return render_template(
            "forum/edit_post.html",
            post=post,
            topic=topic,
            forum=forum,
            form=form,
            preview=preview_html,
        )


class DeletePost(MethodView):
    """Soft-delete a post after a confirmation; the first post deletes the topic."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, posting_service_factory: PostingFactory) -> None:
        self.posting_service_factory = posting_service_factory

    def get(self, post_id: int) -> ResponseReturnValue:
        with domain_errors():
            post, topic, forum = self.posting_service_factory().find_post(current_actor(), post_id)
            if not current_actor().can_delete_post(forum, topic, post):
                raise Forbidden("You cannot delete this post.")
        return render_template("forum/delete_post.html", post=post, topic=topic, form=ConfirmForm())

    def post(self, post_id: int) -> ResponseReturnValue:
        if not ConfirmForm().validate_on_submit():
            abort(400)
        with domain_errors():
            post = self.posting_service_factory().delete_post(current_actor(), post_id)
        if post.number == 1:
            flash("The topic is deleted.", "success")
            return redirect(url_for("forum.index"))
        flash("The post is deleted.", "success")
        return redirect(post_url(post_id))


class ReportPost(MethodView):
    """Report a post to the moderators."""

    decorators = [login_required, reports_per_member]
    init_every_request = False

    def __init__(self, moderation_service_factory: ModerationFactory) -> None:
        self.moderation_service_factory = moderation_service_factory

    def get(self, post_id: int) -> ResponseReturnValue:
        return self._render(post_id, ReportForm())

    def post(self, post_id: int) -> ResponseReturnValue:
        form = ReportForm()
        if not form.validate_on_submit():
            return self._render(post_id, form)
        with domain_errors():
            self.moderation_service_factory().report(current_actor(), post_id, form.reason.data)
        flash("Thank you. The moderators will look at this post.", "success")
        return redirect(post_url(post_id))

    def _render(self, post_id: int, form: ReportForm) -> ResponseReturnValue:
        with domain_errors():
            post, topic, _ = visible_post(db.session, current_actor(), post_id)
            if post.deleted:
                raise NotFound
        return render_template("forum/report.html", post=post, topic=topic, form=form)


class Permalink(View):
    """``/post/<id>``: redirect to the page and anchor of the post."""

    init_every_request = False

    def dispatch_request(self, **url_values: int) -> ResponseReturnValue:
        post_id = url_values["post_id"]
        with domain_errors():
            topic_id, page = reader_service().post_location(
                current_actor(), post_id, current_app.config["POSTS_PER_PAGE"]
            )
        target = url_for("forum.topic", topic_id=topic_id, page=page if page > 1 else None)
        return redirect(f"{target}#post-{post_id}")


class FirstUnread(View):
    """``/topic/<id>/unread``: jump to the first post the member has not read."""

    decorators = [login_required]
    init_every_request = False

    def dispatch_request(self, **url_values: int) -> ResponseReturnValue:
        reader = current_reader()
        assert reader is not None
        with domain_errors():
            post_id = reader_service().first_unread_post(
                current_actor(), reader, url_values["topic_id"]
            )
        return redirect(post_url(post_id))


class MarkRead(MethodView):
    """Mark one forum, or everything, as read."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, scope: str) -> None:
        self.scope = scope

    def post(self, forum_id: int | None = None) -> ResponseReturnValue:
        if not ConfirmForm().validate_on_submit():
            abort(400)
        actor = current_actor()
        assert actor.user_id is not None
        tracker = ReadTracker(db.session, utcnow)
        if self.scope == "forum" and forum_id is not None:
            if not actor.can_view_forum(forum_id):
                abort(404)
            tracker.mark_forum_read(actor.user_id, forum_id)
            flash("The forum is marked as read.", "success")
            return redirect(url_for("forum.forum", forum_id=forum_id))
        tracker.mark_all_read(actor.user_id)
        flash("Everything is marked as read.", "success")
        return redirect(url_for("forum.index"))


class ModerateTopics(MethodView):
    """Apply a moderation action to topics of one forum (bulk or single)."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, moderation_service_factory: ModerationFactory) -> None:
        self.moderation_service_factory = moderation_service_factory

    def post(self, forum_id: int) -> ResponseReturnValue:
        form = TopicModerationForm()
        if not form.validate_on_submit():
            abort(400, description="Choose an action and at least one topic.")
        with domain_errors(), refusals_flashed():
            count = self.moderation_service_factory().act_on_topics(
                current_actor(),
                forum_id,
                form.topic_ids.data or [],
                TopicAction(form.action.data),
                form.target_forum_id.data,
            )
            flash(f"{form.action.data.title()}: done for {count} topic(s).", "success")
        back = url_for("forum.forum", forum_id=forum_id)
        return redirect(safe_redirect_target(request.form.get("next"), back))


class ModeratePost(MethodView):
    """Delete, restore, hide or unhide one post."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, moderation_service_factory: ModerationFactory) -> None:
        self.moderation_service_factory = moderation_service_factory

    def post(self, post_id: int) -> ResponseReturnValue:
        form = PostModerationForm()
        if not form.validate_on_submit():
            abort(400)
        with domain_errors(), refusals_flashed():
            self.moderation_service_factory().act_on_post(
                current_actor(), post_id, PostAction(form.action.data)
            )
            flash(f"{form.action.data.title()}: done.", "success")
        return redirect(post_url(post_id))
