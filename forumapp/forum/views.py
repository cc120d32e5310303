"""The forum's form and action views: ``MethodView`` classes with injected services.

The read-only pages are :class:`forumapp.views.PageView` with loaders from
:mod:`forumapp.forum.pages`. Every view receives, through ``as_view(...)``, the factories
it calls (see :mod:`forumapp.forum.factories`), among them ``actor_factory``: who is
asking reaches the services as an argument. The domain errors the services raise are
answered by the blueprint (:mod:`forumapp.domain_errors`), not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import gettext

from forumapp.auth.decorators import login_required
from forumapp.forms import ForumForm
from forumapp.forum.errors import Flooded, Forbidden, InvalidInput
from forumapp.forum.forms import (
    ConfirmForm,
    PostForm,
    PostModerationForm,
    ReportForm,
    TopicForm,
    TopicModerationForm,
    UndoForm,
)
from forumapp.forum.ids import id_argument
from forumapp.forum.models import Forum, Post, Topic
from forumapp.forum.moderation import ModerationService, PostAction, TopicAction
from forumapp.forum.moderation_messages import post_action_message, topics_changed_message
from forumapp.forum.permissions import Actor
from forumapp.forum.post_undo import PostUndo
from forumapp.forum.posting import (
    CANNOT_DELETE,
    CANNOT_EDIT,
    CANNOT_REPLY,
    CANNOT_START,
    PostingService,
)
from forumapp.forum.reading import ForumReader, Reader
from forumapp.forum.tracking import ReadTracker
from forumapp.forum.undo import offer_post_undo, offer_undo
from forumapp.http import client_address, safe_redirect_target

ActorFactory = Callable[[], Actor]
ReaderFactory = Callable[[], Reader | None]
ForumReaderFactory = Callable[[], ForumReader]
ReadTrackerFactory = Callable[[], ReadTracker]
PostingFactory = Callable[[], PostingService]
ModerationFactory = Callable[[], ModerationService]
PostUndoFactory = Callable[[], PostUndo]


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


def refused_with_form(page: str, refusal: Flooded | None) -> ResponseReturnValue:
    """A form page as it is, or, when a flood-control budget refused the action, as 429
    with ``Retry-After``: the form comes back with what was typed and says when to retry."""
    if refusal is None:
        return page
    return page, 429, {"Retry-After": str(refusal.retry_after)}


def note_refusal(form: ForumForm, refusal: Flooded) -> Flooded:
    """Show a flood-control refusal at the top of ``form``; returns it."""
    form.form_errors.append(refusal.reason)
    return refusal


class ForumView(MethodView):
    """A forum view: it keeps only its factories, and knows who is asking through one."""

    init_every_request = False

    def __init__(self, actor_factory: ActorFactory) -> None:
        self.actor_factory = actor_factory


class WritingView(ForumView):
    """Common ground of the posting forms: a preview before sending, and a form that
    comes back filled, saying when to retry, when flood control refuses the post or the
    preview (``Flooded`` is answered here, not by the blueprint, for that reason)."""

    decorators = [login_required]

    def __init__(
        self, actor_factory: ActorFactory, posting_service_factory: PostingFactory
    ) -> None:
        super().__init__(actor_factory)
        self.posting_service_factory = posting_service_factory

    def wants_preview(self, form: PostForm) -> bool:
        """Whether the form was sent to be shown again (errors, or a preview asked)."""
        return not form.validate_on_submit() or bool(form.preview.data)

    def preview_of(
        self, service: PostingService, form: PostForm, asked: bool
    ) -> tuple[str | None, Flooded | None]:
        """The preview of the form's message when ``asked`` (and the form is valid), or
        the refusal of the preview budget, noted on the form."""
        if not asked or form.errors:
            return None, None
        try:
            return service.preview(self.actor_factory(), form.content.data or ""), None
        except Flooded as refusal:
            return None, note_refusal(form, refusal)


class NewTopic(WritingView):
    """Start a topic in a forum, with a preview before posting."""

    def get(self, forum_id: int) -> ResponseReturnValue:
        return self._render(forum_id, TopicForm())

    def post(self, forum_id: int) -> ResponseReturnValue:
        form = TopicForm()
        if self.wants_preview(form):
            return self._render(forum_id, form, preview=bool(form.preview.data))
        try:
            topic = self.posting_service_factory().create_topic(
                self.actor_factory(), forum_id, form.title.data, form.content.data
            )
        except Flooded as refusal:
            return self._render(forum_id, form, refusal=note_refusal(form, refusal))
        flash(gettext("Your topic is posted."), "success")
        return redirect(url_for("forum.topic", topic_id=topic.id))

    def _render(
        self,
        forum_id: int,
        form: TopicForm,
        preview: bool = False,
        refusal: Flooded | None = None,
    ) -> ResponseReturnValue:
        service = self.posting_service_factory()
        forum = service.find_forum(self.actor_factory(), forum_id)
        if not self.actor_factory().can_post_topic(forum):
            raise Forbidden(CANNOT_START)
        preview_html, flooded = self.preview_of(service, form, preview)
        page = render_template("forum/new_topic.html", forum=forum, form=form, preview=preview_html)
        return refused_with_form(page, refusal or flooded)


class Reply(WritingView):
    """Reply to a topic; ``?quote=<post id>`` starts the reply with a quotation of a post
    of the topic (ignored when the member may not read it)."""

    def get(self, topic_id: int) -> ResponseReturnValue:
        form = PostForm()
        quote_id = id_argument(request.args, "quote")
        if quote_id is not None:
            form.content.data = self.posting_service_factory().quote(
                self.actor_factory(), topic_id, quote_id
            )
        return self._render(topic_id, form)

    def post(self, topic_id: int) -> ResponseReturnValue:
        form = PostForm()
        if self.wants_preview(form):
            return self._render(topic_id, form, preview=bool(form.preview.data))
        try:
            post = self.posting_service_factory().reply(
                self.actor_factory(), topic_id, form.content.data
            )
        except Flooded as refusal:
            return self._render(topic_id, form, refusal=note_refusal(form, refusal))
        flash(gettext("Your reply is posted."), "success")
        return redirect(post_url(post.id))

    def _render(
        self,
        topic_id: int,
        form: PostForm,
        preview: bool = False,
        refusal: Flooded | None = None,
    ) -> ResponseReturnValue:
        service = self.posting_service_factory()
        topic, forum = service.find_topic(self.actor_factory(), topic_id)
        if not self.actor_factory().can_reply(forum, topic):
            raise Forbidden(CANNOT_REPLY)
        preview_html, flooded = self.preview_of(service, form, preview)
        page = render_template(
            "forum/reply.html", topic=topic, forum=forum, form=form, preview=preview_html
        )
        return refused_with_form(page, refusal or flooded)


class EditPost(WritingView):
    """Edit a post (and the title, for the first post of a topic)."""

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
        if self.wants_preview(form):
            return self._render(post_id, form, preview=bool(form.preview.data))
        title = form.title.data if isinstance(form, TopicForm) else None
        try:
            self.posting_service_factory().edit_post(
                self.actor_factory(), post_id, form.content.data, title
            )
        except Flooded as refusal:
            return self._render(post_id, form, refusal=note_refusal(form, refusal))
        flash(gettext("Your changes are saved."), "success")
        return redirect(post_url(post_id))

    def _editable(self, post_id: int) -> tuple[Post, Topic, Forum]:
        service = self.posting_service_factory()
        post, topic, forum = service.find_post(self.actor_factory(), post_id)
        if not self.actor_factory().can_edit_post(forum, topic, post):
            raise Forbidden(CANNOT_EDIT)
        return post, topic, forum

    def _render(
        self,
        post_id: int,
        form: PostForm,
        preview: bool = False,
        refusal: Flooded | None = None,
    ) -> ResponseReturnValue:
        post, topic, forum = self._editable(post_id)
        preview_html, flooded = self.preview_of(self.posting_service_factory(), form, preview)
        page = render_template(
            "forum/edit_post.html",
            post=post,
            topic=topic,
            forum=forum,
            form=form,
            preview=preview_html,
        )
        return refused_with_form(page, refusal or flooded)


class DeletePost(ForumView):
    """Soft-delete a post after a confirmation; the first post deletes the topic. A
    deleted reply is offered an Undo."""

    decorators = [login_required]

    def __init__(
        self,
        actor_factory: ActorFactory,
        posting_service_factory: PostingFactory,
        post_undo_factory: PostUndoFactory,
    ) -> None:
        super().__init__(actor_factory)
        self.posting_service_factory = posting_service_factory
        self.post_undo_factory = post_undo_factory

    def get(self, post_id: int) -> ResponseReturnValue:
        post, topic, forum = self.posting_service_factory().find_post(self.actor_factory(), post_id)
        if not self.actor_factory().can_delete_post(forum, topic, post):
            raise Forbidden(CANNOT_DELETE)
        return render_template("forum/delete_post.html", post=post, topic=topic, form=ConfirmForm())

    def post(self, post_id: int) -> ResponseReturnValue:
        if not ConfirmForm().validate_on_submit():
            abort(400)
        actor = self.actor_factory()
        post = self.posting_service_factory().delete_post(actor, post_id)
        if post.number == 1:
            flash(gettext("The topic is deleted."), "success")
            return redirect(url_for("forum.index"))
        flash(gettext("The post is deleted."), "success")
        offer_post_undo(post_id, self.post_undo_factory().offer(actor, post))
        return redirect(post_url(post_id))


class UndoDeletePost(ForumView):
    """Restore a post its deleter just deleted, with the token the Undo carries."""

    decorators = [login_required]

    def __init__(self, actor_factory: ActorFactory, post_undo_factory: PostUndoFactory) -> None:
        super().__init__(actor_factory)
        self.post_undo_factory = post_undo_factory

    def post(self, post_id: int) -> ResponseReturnValue:
        form = UndoForm()
        if not form.validate_on_submit():
            abort(400)
        with refusals_flashed():
            self.post_undo_factory().undo(self.actor_factory(), post_id, form.token.data or "")
            flash(gettext("The post is restored."), "success")
        return redirect(post_url(post_id))


class ReportPost(ForumView):
    """Report a post to the moderators."""

    decorators = [login_required]

    def __init__(
        self, actor_factory: ActorFactory, moderation_service_factory: ModerationFactory
    ) -> None:
        super().__init__(actor_factory)
        self.moderation_service_factory = moderation_service_factory

    def get(self, post_id: int) -> ResponseReturnValue:
        return self._render(post_id, ReportForm())

    def post(self, post_id: int) -> ResponseReturnValue:
        form = ReportForm()
        if not form.validate_on_submit():
            return self._render(post_id, form)
        try:
            self.moderation_service_factory().report(
                self.actor_factory(), post_id, form.reason.data
            )
        except Flooded as refusal:
            return self._render(post_id, form, note_refusal(form, refusal))
        flash(gettext("Thank you. The moderators will look at this post."), "success")
        return redirect(post_url(post_id))

    def _render(
        self, post_id: int, form: ReportForm, refusal: Flooded | None = None
    ) -> ResponseReturnValue:
        post, topic = self.moderation_service_factory().reportable_post(
            self.actor_factory(), post_id
        )
        page = render_template("forum/report.html", post=post, topic=topic, form=form)
        return refused_with_form(page, refusal)


class Permalink(ForumView):
    """``/post/<id>``: redirect to the page and anchor of the post."""

    def __init__(
        self,
        actor_factory: ActorFactory,
        reader_factory: ForumReaderFactory,
        page_size_factory: Callable[[], int],
    ) -> None:
        super().__init__(actor_factory)
        self.reader_factory = reader_factory
        # The page the post is on depends on the reader's page size.
        self.page_size_factory = page_size_factory

    def get(self, post_id: int) -> ResponseReturnValue:
        topic_id, page = self.reader_factory().post_location(
            self.actor_factory(), post_id, self.page_size_factory()
        )
        target = url_for("forum.topic", topic_id=topic_id, page=page if page > 1 else None)
        return redirect(f"{target}#post-{post_id}")


class FirstUnread(ForumView):
    """``/topic/<id>/unread``: jump to the first post the member has not read."""

    decorators = [login_required]

    def __init__(
        self,
        actor_factory: ActorFactory,
        reader_factory: ForumReaderFactory,
        unread_reader_factory: ReaderFactory,
    ) -> None:
        super().__init__(actor_factory)
        self.reader_factory = reader_factory
        self.unread_reader_factory = unread_reader_factory

    def get(self, topic_id: int) -> ResponseReturnValue:
        reader = self.unread_reader_factory()
        if reader is None:  # login_required lets members only; a fake may say otherwise
            abort(404)
        post_id = self.reader_factory().first_unread_post(self.actor_factory(), reader, topic_id)
        return redirect(post_url(post_id))


class MarkReadView(ForumView):
    """Common ground of the "mark as read" actions: a confirmed POST by a member."""

    decorators = [login_required]

    def __init__(
        self, actor_factory: ActorFactory, read_tracker_factory: ReadTrackerFactory
    ) -> None:
        super().__init__(actor_factory)
        self.read_tracker_factory = read_tracker_factory

    def member_id(self) -> int:
        """The id of the member asking, once the confirmation checks out (else 400)."""
        if not ConfirmForm().validate_on_submit():
            abort(400)
        user_id = self.actor_factory().user_id
        if user_id is None:  # login_required lets members only
            abort(403)
        return user_id


class MarkForumRead(MarkReadView):
    """``/forum/<id>/mark-read``: mark every topic of one forum as read."""

    def post(self, forum_id: int) -> ResponseReturnValue:
        user_id = self.member_id()
        if not self.actor_factory().can_view_forum(forum_id):
            abort(404)
        self.read_tracker_factory().mark_forum_read(user_id, forum_id)
        flash(gettext("The forum is marked as read."), "success")
        return redirect(url_for("forum.forum", forum_id=forum_id))


class MarkAllRead(MarkReadView):
    """``/mark-all-read``: mark everything as read."""

    def post(self) -> ResponseReturnValue:
        self.read_tracker_factory().mark_all_read(self.member_id())
        flash(gettext("Everything is marked as read."), "success")
        return redirect(url_for("forum.index"))


class ModerateTopics(ForumView):
    """Apply a moderation action to topics of one forum (bulk or single). Deleting asks
    for a confirmation first and offers an Undo afterwards."""

    decorators = [login_required]

    def __init__(
        self, actor_factory: ActorFactory, moderation_service_factory: ModerationFactory
    ) -> None:
        super().__init__(actor_factory)
        self.moderation_service_factory = moderation_service_factory

    def post(self, forum_id: int) -> ResponseReturnValue:
        form = TopicModerationForm()
        if not form.validate_on_submit():
            abort(400, description=gettext("Choose an action and at least one topic."))
        action = TopicAction(form.action.data)
        back = url_for("forum.forum", forum_id=forum_id)
        service = self.moderation_service_factory()
        with refusals_flashed():
            if action is TopicAction.DELETE and not form.confirm.data:
                topics = service.topics_for_action(
                    self.actor_factory(), forum_id, form.topic_ids.data or [], action
                )
                return render_template(
                    "forum/confirm_delete_topics.html",
                    topics=topics,
                    forum_id=forum_id,
                    next=safe_redirect_target(request.form.get("next"), back),
                )
            changed = service.act_on_topics(
                self.actor_factory(),
                forum_id,
                form.topic_ids.data or [],
                action,
                form.target_forum_id.data,
                client_address=client_address(),
            )
            flash(topics_changed_message(changed), "success")
            if action is TopicAction.DELETE:
                # Deleted topics are gone for most readers: back to the forum, with an Undo.
                offer_undo(forum_id, changed)
                return redirect(back)
        return redirect(safe_redirect_target(request.form.get("next"), back))


class ModeratePost(ForumView):
    """Delete, restore, hide or unhide one post."""

    decorators = [login_required]

    def __init__(
        self, actor_factory: ActorFactory, moderation_service_factory: ModerationFactory
    ) -> None:
        super().__init__(actor_factory)
        self.moderation_service_factory = moderation_service_factory

    def post(self, post_id: int) -> ResponseReturnValue:
        form = PostModerationForm()
        if not form.validate_on_submit():
            abort(400)
        with refusals_flashed():
            self.moderation_service_factory().act_on_post(
                self.actor_factory(),
                post_id,
                PostAction(form.action.data),
                client_address=client_address(),
            )
            flash(post_action_message(PostAction(form.action.data)), "success")
        return redirect(post_url(post_id))
