"""Rate limits of the auth views, read from configuration at request time.

Failed logins are counted twice: per client address and per account named in the
form (by username or email alike), so neither one address trying many accounts nor
many addresses trying one account gets far. Successful logins (a redirect) are not
counted. Both, and failed password confirmations, are attempt budgets
(``forumapp.auth.budgets``): the count is taken before the password is checked, so
simultaneous attempts cannot get past it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_limiter.util import get_remote_address

from forumapp.auth.budgets import AttemptBudget
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
    if account_id is not None:
        return f"account-id:{account_id}"
    return "account:" + username_key(login)


def _client_key() -> str:
    return "client:" + get_remote_address()


login_per_client = AttemptBudget("login", "AUTH_LOGIN_LIMIT", _client_key)
login_per_account = AttemptBudget("login", "AUTH_LOGIN_ACCOUNT_LIMIT", _account_key)
reauth_per_client = AttemptBudget("reauth", "AUTH_LOGIN_LIMIT", _client_key)
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
