"""The host's service factories for the auth blueprint: the one place that wires them.

Each factory is called by an auth view inside a request and returns a ready service built
from the host's stores (:class:`Accounts`) and configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, url_for

from examples.embed_auth.members import LoginSessions, Member, MemberStore, NoTransaction, now
from examples.embed_auth.second_factor import AuthenticatorApps, PendingLogins
from forumapp.auth import AuthFactories
from forumapp.auth.emails import TemplateAccountMailer
from forumapp.auth.services import (
    AccountActivator,
    AuthenticationManager,
    AuthSettings,
    PasswordResetService,
    ReauthenticationManager,
    RegistrationService,
)
from forumapp.auth.tokens import TokenService
from forumapp.mail import Email
from forumapp.users.passwords import Argon2Hasher, PasswordPolicy


@dataclass
class Accounts:
    """Everything the host keeps about its members (their authenticator apps and
    pending logins too), and the emails it sent them."""

    hasher: Argon2Hasher
    members: MemberStore = field(default_factory=MemberStore)
    sessions: LoginSessions = field(default_factory=LoginSessions)
    authenticator_apps: AuthenticatorApps = field(default_factory=AuthenticatorApps)
    pending_logins: PendingLogins = field(default_factory=PendingLogins)
    outbox: list[Email] = field(default_factory=list)

    def load_member(self, token: str) -> Member | None:
        """Flask-Login's user loader: the member of a live session token, or None."""
        member_id = self.sessions.member_id(token)
        member = self.members.get(member_id) if member_id is not None else None
        if member is not None:
            member.attach_session(token)
        return member

    def deliver(self, email: Email) -> None:
        """Keep the email (a real host would send it) and show it on the console."""
        self.outbox.append(email)
        print(f"To: {email.to}\nSubject: {email.subject}\n\n{email.text}", flush=True)


def auth_factories(accounts: Accounts) -> AuthFactories:
    """The auth services over the host's ``accounts``."""
    transaction = NoTransaction()

    def settings() -> AuthSettings:
        return AuthSettings(
            activation_required=True,
            session_lifetime=timedelta(days=1),
            remember_lifetime=timedelta(days=30),
            reset_token_max_age=3600,
            activation_token_max_age=86400,
        )

    def tokens() -> TokenService:
        return TokenService(current_app.secret_key or "", now)

    def mailer() -> TemplateAccountMailer:
        return TemplateAccountMailer(
            deliver=accounts.deliver,
            link=lambda endpoint, **values: url_for(
                f"accounts.{endpoint}", _external=True, **values
            ),
            site_name="Example host",
        )

    policy = PasswordPolicy(min_length=12, max_length=1024)
    return AuthFactories(
        # The host's own second factor: members with an authenticator app log in in two
        # steps, and confirming the password asks for a code too.
        authentication_manager=lambda: AuthenticationManager(
            accounts.members,
            accounts.sessions,
            accounts.hasher,
            transaction,
            settings(),
            now,
            second_factor=accounts.authenticator_apps,
            challenges=accounts.pending_logins,
        ),
        reauthentication_manager=lambda: ReauthenticationManager(
            accounts.members,
            accounts.hasher,
            transaction,
            now,
            second_factor=accounts.authenticator_apps,
        ),
        registration_service=lambda: RegistrationService(
            accounts.members,
            accounts.hasher,
            policy,
            tokens(),
            mailer(),
            transaction,
            settings(),
            now,
        ),
        password_reset_service=lambda: PasswordResetService(
            accounts.members,
            accounts.sessions,
            accounts.hasher,
            policy,
            tokens(),
            mailer(),
            transaction,
            settings(),
            clock=now,
        ),
        account_activator=lambda: AccountActivator(
            accounts.members, tokens(), mailer(), transaction, settings()
        ),
    )
