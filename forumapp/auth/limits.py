"""Rate limits of the auth views, read from configuration at request time.

Failed logins are counted twice: per client address and per account named in the
form (by username or email alike), so neither one address trying many accounts nor
many addresses trying one account gets far. Successful logins (a redirect) are not
counted. Anyone can spend an account's budget, so a browser the account logged in from
before counts on a budget of its own instead (``forumapp.auth.devices``), and the
lockout page offers the owner a password reset, which makes the browser such a device.

Failed password confirmations are counted per client address and per logged-in account,
so a stolen session cannot guess the password from many addresses. All of these are
attempt budgets (``forumapp.auth.budgets``): the count is taken before the password is
checked, so simultaneous attempts cannot get past it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from forumapp.auth.budgets import AttemptBudget
from forumapp.auth.devices import trusted_device
from forumapp.extensions import limiter
from forumapp.text import has_control_characters
from forumapp.users.models import username_key


def _configured(key: str) -> Callable[[], str]:
    return lambda: str(current_app.config[key])


#: ``app.extensions`` key of a function mapping a login (username or email) to the id of
#: its account, so that both spellings of one account share one failure budget.
ACCOUNT_RESOLVER = "forumapp.auth.account_resolver"


def _account_key() -> str:
    login = request.form.get("login", "")
    resolve = current_app.extensions.get(ACCOUNT_RESOLVER)
    # This runs before the form checks the login. No account's name holds control
    # characters, and PostgreSQL refuses a NUL in a query.
    account_id = None
    if resolve is not None and login and not has_control_characters(login):
        account_id = resolve(login)
    if account_id is None:
        return "account:" + username_key(login)
    device = trusted_device(account_id)
    if device is not None:
        return f"account-id:{account_id}:device:{device}"
    return f"account-id:{account_id}"


def _client_key() -> str:
    return "client:" + get_remote_address()


def _current_account_key() -> str:
    # Only reached behind login_required, so there is an account; its id, not the session
    # token Flask-Login's get_id() gives, so that every session of it shares one budget.
    return f"account-id:{current_user.id}"


#: Session key of a login waiting for its second step (see ``views.TwoFactor``).
PENDING_LOGIN_KEY = "_pending_login"


def _pending_account_key() -> str:
    # The session is signed: the account id in it is the one the password step named.
    state = session.get(PENDING_LOGIN_KEY)
    account = state.get("account") if isinstance(state, dict) else None
    return f"account-id:{account}" if isinstance(account, int) else "account:"


class LoginRefused(TooManyRequests):
    """Too many failed logins from this client or for this account: the login form answers
    with a page of its own (``views.login_refused``) that shows the owner the way in."""


login_per_client = AttemptBudget("login", "AUTH_LOGIN_LIMIT", _client_key, LoginRefused)
login_per_account = AttemptBudget("login", "AUTH_LOGIN_ACCOUNT_LIMIT", _account_key, LoginRefused)
#: Wrong second-step codes count on the account's budget of failed logins, so a stolen
#: password buys no more guesses at the code than at the password.
second_step_per_account = AttemptBudget(
    "two-factor", "AUTH_LOGIN_ACCOUNT_LIMIT", _pending_account_key, LoginRefused
)
second_step_per_client = AttemptBudget("two-factor", "AUTH_LOGIN_LIMIT", _client_key, LoginRefused)
reauth_per_client = AttemptBudget("reauth", "AUTH_LOGIN_LIMIT", _client_key)
#: Passkey challenges handed out (each answers 200): a budget of their own, so that asking
#: for one costs no login attempt, while nobody fills the challenge table.
passkey_options_per_client = AttemptBudget(
    "passkey-options", "AUTH_LOGIN_LIMIT", _client_key, LoginRefused
)
reauth_per_account = AttemptBudget("reauth", "AUTH_LOGIN_ACCOUNT_LIMIT", _current_account_key)
register_per_client = limiter.limit(
    _configured("AUTH_REGISTER_LIMIT"), key_func=_client_key, methods=["POST"]
)
forgot_password_per_client = limiter.limit(
    _configured("AUTH_FORGOT_PASSWORD_LIMIT"), key_func=_client_key, methods=["POST"]
)
activation_per_client = limiter.limit(
    _configured("AUTH_ACTIVATION_LIMIT"), key_func=_client_key, methods=["POST"]
)
#: Logging out must always work, whatever default limits an operator sets.
exempt = limiter.exempt
