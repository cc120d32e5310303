"""The rules configuration values follow beyond their type, checked once at start-up.

A value of the right type can still do the wrong thing without a word: ``0`` topics per
page fails every forum page, ``"0 per minute"`` locks everyone out, a rate limit in quotes
makes login fail, a newline in the site name stops every email. Each rule says why a value
is refused; :func:`configuration_problems` gives one line per problem, naming the key.
The admin panel's settings use the same checks (:mod:`forumapp.management.settings.store`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from importlib.util import find_spec
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

import limits.storage
from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from forumapp.storage.urls import storage_url_problem
from forumapp.text import has_control_characters

#: Why a value is refused, or ``None`` when it is fine.
Rule = Callable[[Any], str | None]

#: Flask-Mailman's built-in backends (a dotted path names a custom one).
MAIL_BACKENDS = ("console", "smtp", "file", "locmem", "dummy")
RATE_LIMIT_EXAMPLE = 'write one or more limits such as "10 per minute" or "5/minute; 100/day"'
#: The storage schemes ``limits`` registered (its public registry, not listed in ``__all__``).
LIMITER_STORAGE_SCHEMES: Mapping[str, object] = limits.storage.SCHEMES  # type: ignore[attr-defined]
#: A host name as Werkzeug compares it with the Host header: no port, path or spaces.
_TRUSTED_HOST = re.compile(r"\.?[^\s\x00-\x1f\x7f/:@?#\[\]]+|\[[0-9A-Fa-f:.]+\]")


def rate_limit_problem(value: str) -> str | None:
    """Why ``value`` is not a usable Flask-Limiter rate limit, or ``None``.

    ``limits`` accepts ``"0 per minute"``: a limit nobody can ever pass, which is never
    what was meant.
    """
    try:
        items = parse_many(value)
    except ValueError:
        return f"{value!r} is not a rate limit: {RATE_LIMIT_EXAMPLE}."
    if not items or any(item.amount < 1 for item in items):
        return f"{value!r} allows nothing: each limit needs at least 1 request per period."
    return None


def control_character_problem(value: str) -> str | None:
    """Why ``value`` cannot be a text setting, or ``None``."""
    if has_control_characters(value):
        return "contains control characters (a line break, tab, NUL...): remove them."
    return None


def whole_number(minimum: int, maximum: int) -> Rule:
    """A rule: an integer from ``minimum`` to ``maximum``."""

    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number from {minimum} to {maximum}, got {value!r}."
        if not minimum <= value <= maximum:
            return f"must be from {minimum} to {maximum}, got {value}."
        return None

    return check


def one_of(*choices: object) -> Rule:
    """A rule: one of ``choices``."""

    def check(value: Any) -> str | None:
        if value in choices:
            return None
        return f"must be one of {', '.join(repr(choice) for choice in choices)}, got {value!r}."

    return check


def true_or_false(value: Any) -> str | None:
    """A rule: ``true`` or ``false`` (a string such as ``"no"`` would read as true)."""
    if isinstance(value, bool):
        return None
    return f"must be true or false, got {value!r}."


def timezone_problem(value: Any) -> str | None:
    """A rule: an IANA time zone name this system knows (``Europe/Paris``, ``UTC``)."""
    if isinstance(value, str) and value in available_timezones():
        return None
    return f"must be an IANA time zone name such as 'UTC' or 'Europe/Paris', got {value!r}."


def positive_duration(value: Any) -> str | None:
    """A rule: a length of time longer than zero."""
    if isinstance(value, timedelta) and value > timedelta(0):
        return None
    return f"must be a positive number of seconds, got {value!r}."


def mail_backend_problem(value: Any) -> str | None:
    """A built-in Flask-Mailman backend, or the dotted path of an importable one."""
    if value in MAIL_BACKENDS:
        return None
    if isinstance(value, str) and "." in value and _module_exists(value):
        return None
    return f"must be one of {', '.join(MAIL_BACKENDS)} (or a backend's dotted path), got {value!r}."


def _module_exists(dotted: str) -> bool:
    # Either the module itself or the module holding the backend class.
    for candidate in (dotted, dotted.rpartition(".")[0]):
        try:
            if candidate and find_spec(candidate) is not None:
                return True
        except (ImportError, ValueError):
            continue
    return False


def database_url_problem(value: Any) -> str | None:
    """A SQLAlchemy URL whose database driver is installed."""
    try:
        make_url(value).get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError, TypeError) as exc:
        return f"is not a database URL SQLAlchemy can use ({exc})."
    return None


def limiter_storage_problem(value: Any) -> str | None:
    """A storage URI Flask-Limiter knows (``memory://``, ``redis://...``)."""
    scheme = urlsplit(str(value)).scheme
    if scheme in LIMITER_STORAGE_SCHEMES:
        return None
    return f"must start with one of {', '.join(sorted(LIMITER_STORAGE_SCHEMES))}://, got {value!r}."


def external_url_problem(value: Any) -> str | None:
    """An absolute http(s) URL with a host and nothing after the path."""
    try:
        parts = urlsplit(str(value))
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username is not None
        or parts.query
        or parts.fragment
    ):
        return (
            f"must be the site's public address such as https://forum.example.org, got {value!r}."
        )
    return None


def trusted_hosts_problem(value: Any) -> str | None:
    """A list of host names (a leading dot takes in subdomains)."""
    if not isinstance(value, list) or not value:
        return f'must be a list of host names such as ["forum.example.org"], got {value!r}.'
    wrong = [
        host for host in value if not isinstance(host, str) or not _TRUSTED_HOST.fullmatch(host)
    ]
    if wrong:
        return f"must hold host names without ports, paths or spaces; refused {wrong!r}."
    return None


def languages_problem(value: Any) -> str | None:
    """A mapping of language codes to their names."""
    if (
        isinstance(value, dict)
        and value
        and all(
            isinstance(k, str)
            and isinstance(v, str)
            and k
            and v
            and not has_control_characters(k + v)
            for k, v in value.items()
        )
    ):
        return None
    return f'must map language codes to names, such as {{"en": "English"}}, got {value!r}.'


def jobs_url_problem(value: str) -> str | None:
    """Why ``value`` cannot be the job queue's storage, or ``None``."""
    if value.startswith("sqlite:///") and len(value) > len("sqlite:///"):
        return None
    if value.startswith(("redis://", "rediss://", "unix://")):
        if find_spec("redis") is None:
            return "names Redis but the redis package is missing: pip install 'forumapp[redis]'."
        return None
    return "must be sqlite:////path/to/jobs.sqlite3 or redis://HOST:6379/1."


#: Per-key rules; a value of ``None`` means "unset" and is not checked here.
RULES: dict[str, Rule] = {
    "SQLALCHEMY_DATABASE_URI": database_url_problem,
    "EXTERNAL_URL": external_url_problem,
    "TRUSTED_HOSTS": trusted_hosts_problem,
    "RATELIMIT_STORAGE_URI": limiter_storage_problem,
    "MAIL_BACKEND": mail_backend_problem,
    "MAIL_PORT": whole_number(1, 65535),
    "MAIL_TIMEOUT": whole_number(1, 600),
    "LANGUAGES": languages_problem,
    "SESSION_COOKIE_SAMESITE": one_of("Lax", "Strict", "None"),
    "REMEMBER_COOKIE_SAMESITE": one_of("Lax", "Strict", "None"),
    "REMEMBER_COOKIE_DURATION": positive_duration,
    "AUTH_SESSION_LIFETIME": positive_duration,
    "REAUTH_WINDOW_SECONDS": whole_number(1, 30 * 86400),
    "PASSWORD_RESET_TOKEN_MAX_AGE": whole_number(60, 30 * 86400),
    "ACTIVATION_TOKEN_MAX_AGE": whole_number(60, 365 * 86400),
    "EMAIL_CHANGE_TOKEN_MAX_AGE": whole_number(60, 30 * 86400),
    "PASSWORD_MIN_LENGTH": whole_number(1, 1024),
    "PASSWORD_MAX_LENGTH": whole_number(8, 1024),
    "ARGON2_TIME_COST": whole_number(1, 100),
    "ARGON2_MEMORY_COST": whole_number(8, 4 * 1024 * 1024),
    "ARGON2_PARALLELISM": whole_number(1, 64),
    "SETTINGS_CHECK_SECONDS": whole_number(0, 86400),
    "TOPICS_PER_PAGE": whole_number(1, 1000),
    "POSTS_PER_PAGE": whole_number(1, 1000),
    "SEARCH_RESULTS_PER_PAGE": whole_number(1, 1000),
    "SEARCH_RANKED_MATCHES": whole_number(1, 1_000_000),
    "UNREAD_WINDOW_DAYS": whole_number(1, 3650),
    "NEW_TOPICS_DAYS": whole_number(1, 3650),
    "MEMBERS_PER_PAGE": whole_number(1, 1000),
    "MEMBER_LIST_FOR_GUESTS": true_or_false,
    "ONLINE_WINDOW_MINUTES": whole_number(1, 1440),
    "PRESENCE_FLUSH_SECONDS": whole_number(0, 86400),
    "VIEW_COUNT_FLUSH_EVERY": whole_number(1, 10**9),
    "VIEW_COUNT_FLUSH_SECONDS": whole_number(0, 86400),
    "API_TOKENS_PER_MEMBER": whole_number(1, 1000),
    "PROXY_FIX_X_FOR": whole_number(0, 10),
    "PROXY_FIX_X_PROTO": whole_number(0, 10),
    "WTF_CSRF_TIME_LIMIT": whole_number(60, 365 * 86400),
    "MAX_CONTENT_LENGTH": whole_number(1024, 2**40),
    "MAX_FORM_MEMORY_SIZE": whole_number(1024, 2**40),
    "SQLITE_BUSY_TIMEOUT_MS": whole_number(1, 600_000),
    "PAGE_WRITE_WAIT_MS": whole_number(1, 60_000),
    "AUTH_TRUSTED_DEVICE_DAYS": whole_number(1, 3650),
    "ACCOUNT_DELETE_POSTS_ALLOWED": true_or_false,
    "DEFAULT_TIMEZONE": timezone_problem,
    "SIGNATURES_ENABLED": true_or_false,
    "COMPRESS_REGISTER": true_or_false,
    "TWO_FACTOR_REQUIRED_FOR_STAFF": true_or_false,
    "STORAGE_URL": storage_url_problem,
    "AVATAR_MAX_BYTES": whole_number(1024, 64 * 1024 * 1024),
    "AVATAR_MAX_SIDE": whole_number(128, 16384),
    "JOBS_URL": jobs_url_problem,
    "JOBS_IMMEDIATE": true_or_false,
    "JOBS_IN_PROCESS": true_or_false,
    "JOBS_RETRIES": whole_number(0, 100),
    "JOBS_RETRY_DELAY": whole_number(1, 86400),
    "JOBS_LEASE_SECONDS": whole_number(1, 86400),
    "MESSAGES_MAX_PARTICIPANTS": whole_number(2, 100),
    "MESSAGES_PER_PAGE": whole_number(1, 1000),
    "MESSAGES_MIN_POSTS": whole_number(0, 1_000_000),
    "MESSAGES_MIN_ACCOUNT_DAYS": whole_number(0, 3650),
    "NOTIFICATIONS_MAX_MENTIONS": whole_number(0, 100),
    "NOTIFICATIONS_PER_PAGE": whole_number(1, 200),
    "NOTIFICATIONS_RETENTION_DAYS": whole_number(1, 3650),
}


def configuration_problems(config: Mapping[str, Any]) -> list[str]:
    """One line per value of ``config`` that would do the wrong thing, naming its key."""
    problems = []
    for key, value in config.items():
        if not key.isupper() or not isinstance(value, str):
            continue
        reason = control_character_problem(value)
        if reason is None and key.endswith("_LIMIT"):
            reason = rate_limit_problem(value)
        if reason:
            problems.append(f"{key} {reason}")
    for key, rule in RULES.items():
        value = config.get(key)
        if value is not None and (reason := rule(value)):
            problems.append(f"{key} {reason}")
    return problems + _combination_problems(config)


def _combination_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    shortest, longest = config.get("PASSWORD_MIN_LENGTH"), config.get("PASSWORD_MAX_LENGTH")
    if isinstance(shortest, int) and isinstance(longest, int) and shortest > longest:
        problems.append(
            f"PASSWORD_MIN_LENGTH ({shortest}) is above PASSWORD_MAX_LENGTH ({longest})."
        )
    languages, default = config.get("LANGUAGES"), config.get("DEFAULT_LANGUAGE")
    if isinstance(languages, dict) and default not in languages:
        problems.append(f"DEFAULT_LANGUAGE {default!r} is not one of LANGUAGES {list(languages)}.")
    memory, lanes = config.get("ARGON2_MEMORY_COST"), config.get("ARGON2_PARALLELISM")
    if isinstance(memory, int) and isinstance(lanes, int) and memory < 8 * lanes:
        problems.append(
            f"ARGON2_MEMORY_COST ({memory} KiB) must be at least 8 KiB per lane of "
            f"ARGON2_PARALLELISM ({lanes})."
        )
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        problems.append("MAIL_USE_TLS and MAIL_USE_SSL are both true: choose one.")
    # Mail that leaves the machine must carry links to the public site, and nothing else
    # names it: the request's Host header is the sender's choice.
    if config.get("MAIL_BACKEND") == "smtp" and not config.get("EXTERNAL_URL"):
        problems.append(
            "EXTERNAL_URL is not set but mail goes out over SMTP: set it to the site's "
            "public address (https://forum.example.org) for the links in emails."
        )
    return problems
