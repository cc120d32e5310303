"""Unbound extension objects, bound to an app in :func:`forumapp.app.create_app`.

This module imports third-party packages only, so any module may import it without cycles.
"""

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import click
from flask import Flask, Response, current_app, has_app_context, request
from flask_limiter import Limiter
from flask_limiter._manager import LimitManager
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.errors import StorageError
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

#: Stable constraint names so that Alembic migrations are reproducible.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every forumapp model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Objects keep their loaded values after a commit: pages that record something (reading
#: position, view counts) while rendering would otherwise reload every row they show.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


class LazyMigrate:
    """Flask-Migrate's ``Migrate``, imported only when a migration runs.

    Flask-Migrate imports Alembic, about 11 MB in every process; a worker serving pages
    never migrates. ``init_app`` takes ``Migrate.init_app``'s arguments and registers the
    same ``db`` commands and ``app.extensions["migrate"]`` entry, both loaded on first use.
    """

    def init_app(self, app: Flask, db: SQLAlchemy, **options: Any) -> None:
        """Bind to ``app``; ``options`` are ``flask_migrate.Migrate``'s keyword arguments."""
        app.extensions["migrate"] = _LazyMigrateState(app, db, options)
        app.cli.add_command(_LazyMigrateCommands())


class _LazyMigrateState:
    """Stands for Flask-Migrate's per-app state until something reads it."""

    def __init__(self, app: Flask, db: SQLAlchemy, options: dict[str, Any]) -> None:
        self._app = app
        self._db = db
        self._options = options

    def __getattr__(self, name: str) -> Any:
        from flask_migrate import Migrate  # see LazyMigrate

        state = self._app.extensions["migrate"]
        if state is self:
            # The real init_app puts the real state (and commands) in this stand-in's place.
            Migrate(**self._options).init_app(self._app, self._db)
            state = self._app.extensions["migrate"]
        return getattr(state, name)


class _LazyMigrateCommands(click.Group):
    """Flask-Migrate's ``db`` command group, imported when one of its commands runs."""

    def __init__(self) -> None:
        super().__init__("db", help="Perform database migrations.")

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        # The real group parses the arguments and runs: its options, help and commands.
        from flask_migrate.cli import db as commands  # see LazyMigrate

        context: click.Context = commands.make_context(info_name, args, parent=parent, **extra)
        return context


migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
#: Methods that only read: they go on unlimited while the limiter's storage is down.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


#: Where a bound app keeps the state of each :class:`PerAppLimiter` bound to it.
LIMITER_STATE_KEY = "forumapp.limiter_state"

#: The app that ``PerAppLimiter.init_app`` is binding: its state, whatever context is pushed.
_binding: ContextVar[Flask | None] = ContextVar("forumapp_limiter_binding", default=None)

#: Flask-Limiter's attributes that come from an app's configuration or count its requests:
#: every one that ``Limiter.init_app`` (or its fallback set-up) assigns.
PER_APP_ATTRIBUTES = (
    "enabled",
    "initialized",
    "limit_manager",
    "_default_limits_per_method",
    "_default_limits_exempt_when",
    "_default_limits_deduct_when",
    "_default_limits_cost",
    "_application_limits_per_method",
    "_application_limits_exempt_when",
    "_application_limits_deduct_when",
    "_application_limits_cost",
    "_swallow_errors",
    "_fail_on_first_breach",
    "_headers_enabled",
    "_header_mapping",
    "_retry_after",
    "_key_prefix",
    "_request_identifier",
    "_storage_uri",
    "_storage_options",
    "_storage",
    "_strategy",
    "_limiter",
    "_meta_limits",
    "_on_breach",
    "_on_meta_breach",
    "_in_memory_fallback",
    "_in_memory_fallback_enabled",
    "_fallback_storage",
    "_fallback_limiter",
    "_storage_dead",
    "_reads_skip_until",
)


class _PerAppAttribute:
    """An attribute of a :class:`PerAppLimiter` whose value belongs to the current app."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, limiter: "PerAppLimiter | None", owner: type | None = None) -> Any:
        if limiter is None:
            return self
        try:
            return limiter.app_state()[self.name]
        except KeyError:
            raise AttributeError(self.name) from None

    def __set__(self, limiter: "PerAppLimiter", value: Any) -> None:
        limiter.app_state()[self.name] = value


class PerAppLimiter(Limiter):
    """Flask-Limiter's ``Limiter``, bindable to several apps of one process.

    Class-level view ``decorators`` need one limiter object at import time, but a
    ``Limiter`` keeps its storage, its enabled switch and its default limits in itself,
    so a second app bound to it would take them over from the first (and reset its
    counters). Here those attributes (:data:`PER_APP_ATTRIBUTES`) live in each app's
    ``app.extensions``, read from the current app; what the decorators declare (which
    view has which limit, the exemptions) is code, and stays shared. Outside any bound
    app the limiter is unbound: it limits nothing.
    """

    def app_state(self) -> dict[str, Any]:
        """The per-app attributes of the app being bound, else of the current app, else
        the unbound ones (those the constructor set)."""
        app = _binding.get()
        if app is None and has_app_context():
            app = current_app._get_current_object()  # type: ignore[attr-defined]
        if app is not None:
            state: dict[str, Any] | None = app.extensions.get(LIMITER_STATE_KEY, {}).get(self)
            if state is not None:
                return state
        unbound: dict[str, Any] = self.__dict__.setdefault("_unbound_state", {})
        return unbound

    def init_app(self, app: Flask, defaults: Mapping[str, Any] | None = None) -> None:
        """Bind to ``app``: it starts from the constructor's settings, with its own storage,
        default limits and switches, whatever other apps this limiter is bound to.

        ``defaults`` stand in for constructor arguments for this app alone (``"_storage_uri"``,
        ``"_storage_options"``, ``"_headers_enabled"``, ...): the app's ``RATELIMIT_*``
        configuration still wins, and nothing is written into that configuration, which a
        host app's own limiter reads too.
        """
        unbound = self.__dict__.setdefault("_unbound_state", {})
        manager: LimitManager = unbound["limit_manager"]
        state = dict(unbound) | dict(defaults or {})
        state["_storage_options"] = dict(state["_storage_options"])
        # The declared limits and exemptions are shared (the same dicts); an app's default
        # and application-wide limits come from its own configuration.
        state["limit_manager"] = LimitManager(
            application_limits=[],
            default_limits=[],
            decorated_limits=manager._decorated_limits,
            blueprint_limits=manager._blueprint_limits,
            route_exemptions=manager._route_exemptions,
            blueprint_exemptions=manager._blueprint_exemptions,
        )
        app.extensions.setdefault(LIMITER_STATE_KEY, {})[self] = state
        with self._binding_to(app):
            super().init_app(app)

    @staticmethod
    @contextmanager
    def _binding_to(app: Flask) -> Iterator[None]:
        token = _binding.set(app)
        try:
            yield
        finally:
            _binding.reset(token)


# Assigned here rather than in the class body: they replace attributes that Limiter's
# type declares, and are the same descriptor for each name.
for _name in PER_APP_ATTRIBUTES:
    setattr(PerAppLimiter, _name, _PerAppAttribute(_name))


class ReadsFailOpenLimiter(PerAppLimiter):
    """Flask-Limiter's ``Limiter``, except when its storage cannot be reached: a request
    that only reads goes on without limits (logged), and any other one raises the
    storage's ``StorageError``, which forumapp answers with a 503 (see
    :mod:`forumapp.limit_storage`). Flask-Limiter itself fails every request, or none.

    Once the storage has failed, reads do not ask it again for
    :attr:`READS_SKIP_SECONDS`: while it is frozen, each would otherwise hold a worker
    for a whole timeout. Writes always ask, so they count again as soon as it answers.
    """

    READS_SKIP_SECONDS = 1.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reads_skip_until = 0.0

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        reading = request.method in SAFE_METHODS
        if reading and time.monotonic() < self._reads_skip_until:
            return
        try:
            super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)
        except StorageError:
            self._reads_skip_until = time.monotonic() + self.READS_SKIP_SECONDS
            if not reading:
                raise
            self.logger.warning("Rate-limit storage unavailable: %s served unlimited", request.path)

    def forget_unreadable_limit(self, response: Response) -> Response:
        """An ``after_request`` hook that must run before Flask-Limiter's own: when the
        storage went away after this request was counted, forget the request's limit, so
        that describing it in headers cannot turn a finished request (a committed write,
        a login) into a 500."""
        current = self.current_limit
        if current is not None:
            try:
                _ = current.reset_at
            except StorageError:
                self.context.view_rate_limit = None
        return response


#: Keyed by client address; behind a proxy ProxyFix makes that the real client.
limiter = ReadsFailOpenLimiter(get_remote_address)
