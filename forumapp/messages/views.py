"""The messaging pages: ``MethodView`` classes with injected services.

Every view receives, through ``as_view(...)``, the factories it calls (see
:mod:`forumapp.messages.factories`), among them ``actor_factory``: who is asking reaches
the services as an argument. ``NotFound`` (a conversation the member is not in) and the
other domain errors are answered by the blueprint (:mod:`forumapp.domain_errors`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from flask_babel import LazyString
from flask_babel import gettext as _

from forumapp.auth.decorators import login_required
from forumapp.forum.errors import InvalidInput
from forumapp.forum.forms import ConfirmForm
from forumapp.forum.pages import page_argument
from forumapp.forum.permissions import Actor
from forumapp.forum.views import refusals_flashed
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.messages.conversations import ConversationService
from forumapp.messages.forms import (
    MessageForm,
    MessageReportForm,
    NewConversationForm,
    ParticipantForm,
    usernames,
)
from forumapp.messages.mailbox import Box, Mailbox

ActorFactory = Callable[[], Actor]
ConversationsFactory = Callable[[], ConversationService]
MailboxFactory = Callable[[], Mailbox]


def conversation_url(conversation_id: int) -> str:
    """The page of a conversation."""
    return url_for("messages.conversation", conversation_id=conversation_id)


class MessagesView(MethodView):
    """A messaging view: members only; it keeps only its factories."""

    decorators = [login_required]
    init_every_request = False

    def __init__(self, actor_factory: ActorFactory) -> None:
        self.actor_factory = actor_factory

    @property
    def user_id(self) -> int:
        """The id of the member asking (the login check let only members in)."""
        user_id = self.actor_factory().user_id
        assert user_id is not None
        return user_id


class WritingView(MessagesView):
    """A messaging view that changes conversations through the conversation service."""

    def __init__(
        self, actor_factory: ActorFactory, conversations_factory: ConversationsFactory
    ) -> None:
        super().__init__(actor_factory)
        self.conversations_factory = conversations_factory


class Inbox(MessagesView):
    """``/messages/``: the inbox, or ``?box=sent`` / ``?box=archived``, a page at a time."""

    def __init__(self, actor_factory: ActorFactory, mailbox_factory: MailboxFactory) -> None:
        super().__init__(actor_factory)
        self.mailbox_factory = mailbox_factory

    def get(self) -> ResponseReturnValue:
        box = Box.named(request.args.get("box"))
        listing = self.mailbox_factory().listing(self.user_id, box, page_argument())
        return render_template("messages/inbox.html", listing=listing, boxes=list(Box))


class NewConversation(WritingView):
    """``/messages/new``: write to one or more members (``?to=username`` fills the field)."""

    def get(self) -> ResponseReturnValue:
        form = NewConversationForm(data={"recipients": request.args.get("to", "")[:200]})
        return self._render(form)

    def post(self) -> ResponseReturnValue:
        form = NewConversationForm()
        if not form.validate_on_submit() or form.preview.data:
            return self._render(form, preview=bool(form.preview.data) and not form.errors)
        try:
            conversation = self.conversations_factory().start(
                self.actor_factory(),
                usernames(form.recipients.data),
                form.subject.data,
                form.content.data,
            )
        except InvalidInput as exc:
            form.add_errors([(exc.field, exc.reason)])
            return self._render(form), 422
        flash(_("Your message is sent."), "success")
        return redirect(conversation_url(conversation.id))

    def _render(self, form: NewConversationForm, preview: bool = False) -> str:
        preview_html = (
            self.conversations_factory().preview(self.actor_factory(), form.content.data or "")
            if preview
            else None
        )
        return render_template("messages/new.html", form=form, preview=preview_html)


class ConversationPage(WritingView):
    """``/messages/<id>``: the conversation, a page at a time, with the reply form."""

    def __init__(
        self,
        actor_factory: ActorFactory,
        mailbox_factory: MailboxFactory,
        conversations_factory: ConversationsFactory,
    ) -> None:
        super().__init__(actor_factory, conversations_factory)
        self.mailbox_factory = mailbox_factory

    def get(self, conversation_id: int) -> ResponseReturnValue:
        page = page_argument() if "page" in request.args else None
        return self._render(conversation_id, MessageForm(), page)

    def post(self, conversation_id: int) -> ResponseReturnValue:
        form = MessageForm()
        if not form.validate_on_submit() or form.preview.data:
            preview = bool(form.preview.data) and not form.errors
            return self._render(conversation_id, form, None, preview=preview)
        try:
            message = self.conversations_factory().reply(
                self.actor_factory(), conversation_id, form.content.data
            )
        except InvalidInput as exc:
            form.add_errors([(exc.field, exc.reason)])
            return self._render(conversation_id, form, None), 422
        flash(_("Your reply is sent."), "success")
        return redirect(conversation_url(conversation_id) + f"#message-{message.id}")

    def _render(
        self, conversation_id: int, form: MessageForm, page: int | None, preview: bool = False
    ) -> str:
        view = self.mailbox_factory().open(self.user_id, conversation_id, page)
        preview_html = (
            self.conversations_factory().preview(self.actor_factory(), form.content.data or "")
            if preview
            else None
        )
        return render_template(
            "messages/conversation.html",
            view=view,
            form=form,
            preview=preview_html,
            participant_form=ParticipantForm(formdata=None),
            confirm_form=ConfirmForm(formdata=None),
        )


class ConversationAction(WritingView, ABC):
    """A POST that changes the asking member's place in a conversation, then goes back."""

    def post(self, conversation_id: int) -> ResponseReturnValue:
        if not ConfirmForm().validate_on_submit():
            abort(400)
        flash(str(self.act(self.conversations_factory(), conversation_id)), "success")
        return redirect(self.next_url(conversation_id))

    @abstractmethod
    def act(self, service: ConversationService, conversation_id: int) -> LazyString:
        """Do the change; the message that confirms it."""

    def next_url(self, conversation_id: int) -> str:
        """Where the member goes next."""
        return conversation_url(conversation_id)


class Archive(ConversationAction):
    """Move a conversation to the archive (a new message brings it back)."""

    def act(self, service: ConversationService, conversation_id: int) -> LazyString:
        service.set_archived(self.actor_factory(), conversation_id, True)
        return _l("The conversation is archived.")

    def next_url(self, conversation_id: int) -> str:
        return url_for("messages.inbox")


class Unarchive(ConversationAction):
    """Bring an archived conversation back to the inbox."""

    def act(self, service: ConversationService, conversation_id: int) -> LazyString:
        service.set_archived(self.actor_factory(), conversation_id, False)
        return _l("The conversation is back in your inbox.")


class Mute(ConversationAction):
    """No more emails or unread counts from a conversation."""

    def act(self, service: ConversationService, conversation_id: int) -> LazyString:
        service.set_muted(self.actor_factory(), conversation_id, True)
        return _l("The conversation is muted: it sends you no emails.")


class Unmute(ConversationAction):
    """Emails and unread counts again from a muted conversation."""

    def act(self, service: ConversationService, conversation_id: int) -> LazyString:
        service.set_muted(self.actor_factory(), conversation_id, False)
        return _l("The conversation is no longer muted.")


class Leave(ConversationAction):
    """Leave a conversation for good (a confirmation page first)."""

    def get(self, conversation_id: int) -> ResponseReturnValue:
        return render_template(
            "messages/leave.html", conversation_id=conversation_id, form=ConfirmForm()
        )

    def act(self, service: ConversationService, conversation_id: int) -> LazyString:
        service.leave(self.actor_factory(), conversation_id)
        return _l("You have left the conversation.")

    def next_url(self, conversation_id: int) -> str:
        return url_for("messages.inbox")


class AddParticipant(WritingView):
    """Bring a member into a conversation (its starter only)."""

    def post(self, conversation_id: int) -> ResponseReturnValue:
        form = ParticipantForm()
        if not form.validate_on_submit():
            for errors in form.errors.values():
                flash(" ".join(errors), "error")
            return redirect(conversation_url(conversation_id))
        with refusals_flashed():
            user = self.conversations_factory().add_participant(
                self.actor_factory(), conversation_id, form.username.data
            )
            flash(_("%(name)s joins the conversation.", name=user.username), "success")
        return redirect(conversation_url(conversation_id))


class ReportMessage(WritingView):
    """Report a message of one of the member's conversations to the moderators."""

    decorators = [login_required]

    def get(self, message_id: int) -> ResponseReturnValue:
        return self._render(message_id, MessageReportForm())

    def post(self, message_id: int) -> ResponseReturnValue:
        form = MessageReportForm()
        if not form.validate_on_submit():
            return self._render(message_id, form), 422
        message = self.conversations_factory().report(
            self.actor_factory(), message_id, form.reason.data
        )
        flash(_("Thank you: the moderators will look at this message."), "success")
        return redirect(conversation_url(message.conversation_id))

    def _render(self, message_id: int, form: MessageReportForm) -> str:
        message = self.conversations_factory().reportable(self.actor_factory(), message_id)
        return render_template("messages/report.html", form=form, message=message)
