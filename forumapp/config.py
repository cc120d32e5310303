"""Configuration loading: defaults < TOML file < ``FORUMAPP_*`` environment < overrides.

Values are checked against the types of the built-in defaults and then against the rules of
:mod:`forumapp.config_rules`, so that a typo such as ``FORUMAPP_REAUTH_WINDOW_SECONDS=ten``
or ``FORUMAPP_TOPICS_PER_PAGE=0`` stops the app with one line per problem instead of
failing on the first request (or never, silently).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import Config

from forumapp import settings
from forumapp.config_rules import configuration_problems

ENV_PREFIX = "FORUMAPP"
SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(click.ClickException, RuntimeError):
    """The configuration cannot be used; the message says what to set.

    A :class:`click.ClickException`, so that ``flask --app forumapp ...`` (which calls
    :func:`forumapp.create_app` itself) prints it as one error without a traceback, as
    ``forumapp ...`` does.
    """


def load_config(config: Config, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill ``config`` from every source in order of precedence and validate it."""
    config.from_object(settings)
    path = os.environ.get(f"{ENV_PREFIX}_CONFIG")
    if path:
        try:
            config.from_file(path, load=tomllib.load, text=False)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"Cannot read {ENV_PREFIX}_CONFIG file {path!r}: {exc}") from exc
    config.from_prefixed_env(ENV_PREFIX)
    # from_prefixed_env parses values as JSON; a text setting keeps exactly what was typed
    # (a numeric secret key must not become an int, "1.50" must not become "1.5").
    for key in _text_keys():
        raw = os.environ.get(f"{ENV_PREFIX}_{key}")
        if raw is not None:
            config[key] = _environment_text(raw)
    if overrides:
        config.update(overrides)
    if isinstance(config.get("TRUSTED_HOSTS"), str):
        # FORUMAPP_TRUSTED_HOSTS=a.example,b.example: not JSON, but plain enough to accept.
        config["TRUSTED_HOSTS"] = [host.strip() for host in config["TRUSTED_HOSTS"].split(",")]
    problems = _type_problems(config)
    # A value of the wrong type is reported once, not again by the rule for its key.
    wrong_type = {problem.split(" ", 1)[0] for problem in problems}
    problems += [
        problem
        for problem in configuration_problems(config)
        if problem.split(" ", 1)[0] not in wrong_type
    ]
    if problems:
        raise ConfigError(
            "The configuration cannot be used "
            f"(set values in the {ENV_PREFIX}_CONFIG file or as {ENV_PREFIX}_<KEY>):\n- "
            + "\n- ".join(problems)
        )


def _environment_text(raw: str) -> str:
    # The README promises JSON values, so FORUMAPP_AUTH_LOGIN_LIMIT='"3 per minute"' means
    # the text inside the quotes, never a limit string that starts with a quote.
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        with contextlib.suppress(json.JSONDecodeError):
            decoded = json.loads(raw)
            if isinstance(decoded, str):
                return decoded
    return raw


def _text_keys() -> set[str]:
    annotated = {
        name
        for name, annotation in vars(settings).get("__annotations__", {}).items()
        if annotation in (str, str | None)
    }
    return annotated | {
        name for name, value in vars(settings).items() if name.isupper() and isinstance(value, str)
    }


def _expected_types() -> dict[str, type]:
    expected = {
        name: type(value)
        for name, value in vars(settings).items()
        if name.isupper() and value is not None
    }
    return expected | dict.fromkeys(_text_keys(), str)


def _type_problems(config: Config) -> list[str]:
    problems = []
    for key, expected in _expected_types().items():
        value = config.get(key)
        if value is None or (isinstance(value, expected) and not _is_bool_for_int(value, expected)):
            continue
        if expected is timedelta and isinstance(value, int | float) and not isinstance(value, bool):
            config[key] = timedelta(seconds=value)
        elif expected is float and isinstance(value, int) and not isinstance(value, bool):
            config[key] = float(value)  # "1" in the environment means 1.0 seconds
        else:
            problems.append(f"{key} must be of type {expected.__name__}, got {value!r}.")
    return problems


def _is_bool_for_int(value: object, expected: type) -> bool:
    return expected is int and isinstance(value, bool)


def instance_path() -> str:
    """The instance folder: ``FORUMAPP_INSTANCE_PATH``, or else ``var/forumapp-instance``
    under the prefix of the Python environment forumapp runs in (the virtualenv).

    Flask's own default depends on where the package is imported from: ``instance/`` next
    to a checkout installed with ``pip install -e``, but ``<prefix>/var/forumapp-instance``
    for a regular install. Reinstalling one way after the other then moved the database
    and the secret key, and the forum seemed to vanish.
    """
    return os.environ.get("FORUMAPP_INSTANCE_PATH") or str(
        Path(sys.prefix) / "var" / "forumapp-instance"
    )


def ensure_secret_key(config: Config, instance_path: str) -> None:
    """Use the configured ``SECRET_KEY`` or one generated once into the instance folder."""
    if config.get("SECRET_KEY"):
        return
    if config["PRODUCTION"]:
        raise ConfigError(
            f"SECRET_KEY is not set. In production set {ENV_PREFIX}_SECRET_KEY (for example "
            "to the output of `python -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    key_file = Path(instance_path) / SECRET_KEY_FILE
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        _publish_new_key(key_file)
    key = key_file.read_text(encoding="ascii").strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"The secret key file {key_file} is damaged (too short). Delete it to have a new "
            "key generated; everyone will have to log in again."
        )
    config["SECRET_KEY"] = key


def _publish_new_key(key_file: Path) -> None:
    # Written completely to a private temporary file, then linked into place: a worker
    # starting at the same moment sees either no file or the whole key, never a partial one.
    fd, temporary = tempfile.mkstemp(dir=key_file.parent, prefix=".secret_key-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        os.chmod(temporary, 0o600)
        # If another process published its key first, that one is used.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, key_file)
    finally:
        os.unlink(temporary)


def production_problems(config: Config) -> list[str]:
    """Everything that makes ``config`` unsafe for a public deployment, as advice."""
    problems = []
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(("memory://", "async+memory://")):
        problems.append(
            "RATELIMIT_STORAGE_URI is memory://: each worker would count alone. "
            f"Set {ENV_PREFIX}_RATELIMIT_STORAGE_URI=redis://HOST:6379/0."
        )
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if not config.get(key):
            problems.append(
                f"{key} is false: cookies would travel over plain HTTP. "
                f"Serve over HTTPS and set {ENV_PREFIX}_{key}=true."
            )
    if not config.get("EXTERNAL_URL"):
        problems.append(
            f"EXTERNAL_URL is not set: set {ENV_PREFIX}_EXTERNAL_URL to the "
            "public https:// address so email links cannot be forged by a Host header."
        )
    if config.get("MAIL_BACKEND") in ("console", "locmem"):
        problems.append(
            f"MAIL_BACKEND is {config['MAIL_BACKEND']!r}: emails would never leave "
            f"the server. Set {ENV_PREFIX}_MAIL_BACKEND=smtp and MAIL_SERVER."
        )
    return problems


def check_production(config: Config) -> None:
    """Refuse to start in production mode with an unsafe setup."""
    if not config["PRODUCTION"]:
        return
    problems = production_problems(config)
    if problems:
        raise ConfigError("Unsafe production configuration:\n- " + "\n- ".join(problems))
