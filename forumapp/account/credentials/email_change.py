"""Changing the email address: the new address confirms, the old one may cancel.

A request emails a confirmation link to the new address and a notice with a cancel
link to the old one. The links hold random tokens, stored as digests with the one pending
change of the member, so each works once, until it expires, and only for the address it
was sent about; a newer request, a confirmation or a cancellation kills both. The page
answers the same whether the new address belongs to another account or not: that
account's owner gets a "someone tried to use your address" email instead.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from forumapp.account.credentials.ports import (
    EmailAccounts,
    EmailChangeStore,
    PendingEmailChange,
    SecurityNotices,
)
from forumapp.auth.agents import notice_for
from forumapp.auth.exceptions import StopValidation, TokenError, ValidationError
from forumapp.auth.ports import AuthUser, ClientInfo, SessionStore
from forumapp.auth.services import Clock
from forumapp.auth.tokens import EXPIRED, INVALID
from forumapp.lazy_text import lazy_gettext as _l
from forumapp.persistence import PersistenceError, Transaction, atomic
from forumapp.users.models import email_key

SAME_ADDRESS = _l("This is already your email address.")
ADDRESS_TAKEN_SINCE = _l("Another account uses this address now, so it cannot become yours.")


def hash_link_token(token: str) -> str:
    """The form in which an email change token is stored."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class EmailChanger:
    """Requests, confirms and cancels changes of a member's email address."""

    def __init__(
        self,
        accounts: EmailAccounts,
        changes: EmailChangeStore,
        sessions: SessionStore,
        notices: SecurityNotices,
        transaction: Transaction,
        clock: Clock,
        max_age: timedelta,
    ) -> None:
        self._accounts = accounts
        self._changes = changes
        self._sessions = sessions
        self._notices = notices
        self._transaction = transaction
        self._clock = clock
        self._max_age = max_age

    def request_change(self, user: AuthUser, new_email: str, client: ClientInfo) -> None:
        """Email the links, or the address's owner when another account has it; raise
        :class:`StopValidation` only for the member's own current address."""
        if email_key(new_email) == email_key(user.email):
            raise StopValidation([ValidationError("email", SAME_ADDRESS)])
        now = self._clock()
        owner = self._accounts.find_by_email(new_email)
        if owner is not None:
            self._notices.send_address_in_use(owner, notice_for(client, now))
            return
        confirm, cancel = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        change = PendingEmailChange(
            user.id, new_email, email_key(user.email), now, now + self._max_age
        )
        with atomic(self._transaction):
            self._changes.replace(
                user.id, change, hash_link_token(confirm), hash_link_token(cancel)
            )
        self._notices.send_email_confirmation(user, new_email, confirm)
        self._notices.send_email_change_requested(user, new_email, cancel, notice_for(client, now))

    def check_confirmation(self, token: str) -> str:
        """The address a confirmation link would set; :class:`TokenError` if it cannot."""
        return self._pending(confirm_hash=hash_link_token(token))[1].new_email

    def check_cancellation(self, token: str) -> str:
        """The address a cancel link is about; :class:`TokenError` if it cannot cancel."""
        return self._pending(cancel_hash=hash_link_token(token))[1].new_email

    def confirm(self, token: str, client: ClientInfo) -> AuthUser:
        """Make the new address the member's and tell the old address."""
        user, change = self._pending(confirm_hash=hash_link_token(token))
        old_email = user.email
        if self._accounts.find_by_email(change.new_email) is not None:
            with atomic(self._transaction):
                self._changes.delete(user.id)
            raise TokenError(ADDRESS_TAKEN_SINCE)
        try:
            with atomic(self._transaction):
                self._accounts.set_email(user, change.new_email)
                self._changes.delete(user.id)
        except PersistenceError as exc:
            # Lost a race with another account taking the address.
            raise TokenError(ADDRESS_TAKEN_SINCE) from exc
        self._notices.send_email_changed(user, old_email, notice_for(client, self._clock()))
        return user

    def cancel(self, token: str) -> AuthUser:
        """Drop the pending change and end every session of the member: whoever asked
        for it was logged in as them."""
        user, _change = self._pending(cancel_hash=hash_link_token(token))
        with atomic(self._transaction):
            self._changes.delete(user.id)
            self._sessions.revoke_all(user)
        return user

    def _pending(
        self, *, confirm_hash: str = "", cancel_hash: str = ""
    ) -> tuple[AuthUser, PendingEmailChange]:
        change = self._changes.find(confirm_hash=confirm_hash, cancel_hash=cancel_hash)
        if change is None:
            raise TokenError(INVALID)
        if change.expires_at <= self._clock():
            raise TokenError(EXPIRED)
        user = self._accounts.get(change.user_id)
        # Bound to the address it was asked from: a change made since voids the link.
        if user is None or email_key(user.email) != change.old_email_key:
            raise TokenError(INVALID)
        return user, change
