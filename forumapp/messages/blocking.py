"""Blocking and unblocking a member, from the buttons of their profile page."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString

from forumapp.forum.forms import ConfirmForm
from forumapp.forum.views import refusals_flashed
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.messages.views import ActorFactory, MessagesView
from forumapp.users.blocks import BlockService
from forumapp.users.models import User


class BlockAction(MessagesView, ABC):
    """A POST from a profile page that changes whether the member blocks its owner."""

    def __init__(
        self, actor_factory: ActorFactory, blocks_factory: Callable[[], BlockService]
    ) -> None:
        super().__init__(actor_factory)
        self.blocks_factory = blocks_factory

    def post(self, username: str) -> ResponseReturnValue:
        if not ConfirmForm().validate_on_submit():
            abort(400)
        with refusals_flashed():
            user = self.change(self.blocks_factory(), username)
            flash(str(self.done) % {"name": user.username}, "success")
            username = user.username
        return redirect(url_for("forum.profile", username=username))

    #: What the member is told afterwards; ``%(name)s`` is the other member.
    done: LazyString

    @abstractmethod
    def change(self, blocks: BlockService, username: str) -> User:
        """Make the change; the member it is about."""


class Block(BlockAction):
    """Block a member: no messages from them, their posts folded away."""

    done = _l("You blocked %(name)s: no messages from them, and their posts are folded away.")

    def change(self, blocks: BlockService, username: str) -> User:
        return blocks.block(self.user_id, username)


class Unblock(BlockAction):
    """Lift a block."""

    done = _l("You no longer block %(name)s.")

    def change(self, blocks: BlockService, username: str) -> User:
        return blocks.unblock(self.user_id, username)
