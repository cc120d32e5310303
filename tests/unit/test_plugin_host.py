"""The plugin host, the administration service and the live state, without Flask."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from forumapp.events import PostSaved
from forumapp.extensions import db
from forumapp.forum.errors import InvalidInput, NotFound
from forumapp.management.audit.log import AuditLog, Auditor
from forumapp.management.audit.models import AuditEntry
from forumapp.plugins.events import PluginEvents
from forumapp.plugins.host import PluginHost
from forumapp.plugins.live import LiveExtensions
from forumapp.plugins.markdown import PluginMarkdown
from forumapp.plugins.models import ExtensionsState, PluginState
from forumapp.plugins.services import PluginAdministration, SettingsRefused, Snapshot
from forumapp.plugins.settings import PluginSetting
from forumapp.themes.manifest import Theme
from tests.plugin_samples import greeter, samples

# No member row in these tests: the audit entry keeps the name.
ADMIN = Auditor(None, "root", "192.0.2.1")
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def post_event() -> PostSaved:
    return PostSaved(1, 1, 1, "alice", "text", edited=False)


# --- the host ------------------------------------------------------------------------------


def test_only_enabled_plugins_are_imported_and_disabled_ones_are_dropped() -> None:
    host = PluginHost(samples("greeter", "pages"))
    assert host.loaded == frozenset()
    host.apply({"greeter", "not-installed"})
    assert host.loaded == {"greeter"}
    host.apply(set())
    assert host.loaded == frozenset()


def test_a_plugin_raising_on_import_stays_unloaded_with_its_error() -> None:
    host = PluginHost(samples("greeter", "broken-import"))
    host.apply({"greeter", "broken-import"})
    assert host.loaded == {"greeter"}
    error = host.failures()["broken-import"]
    assert error == "RuntimeError: this plugin needs a module that is not installed"
    assert host.take_unreported_failures() == {"broken-import": error}
    assert host.take_unreported_failures() == {}


def test_a_plugin_raising_in_a_hook_is_dropped_and_the_others_still_run() -> None:
    host = PluginHost(samples("greeter", "broken-event"))
    host.apply({"greeter", "broken-event"})
    heard_before = len(greeter.HEARD)
    PluginEvents(host).post_saved(post_event())
    assert greeter.HEARD[heard_before:] == [post_event()]
    assert host.loaded == {"greeter"}
    assert host.failures() == {"broken-event": "ValueError: the post hook exploded"}


def test_hooks_receive_only_the_arguments_they_declare() -> None:
    host = PluginHost(samples("greeter"))
    host.apply({"greeter"})
    results = host.call("forumapp_tpl_admin_dashboard", unused="ignored")
    assert [result.plugin for result in results] == ["greeter"]
    assert isinstance(results[0].value, Markup)


def test_markdown_rules_of_loaded_plugins_apply_and_a_failing_one_is_left_out() -> None:
    host = PluginHost(samples("greeter"))
    markdown = PluginMarkdown(host)
    assert markdown.render("[greet]") == "<p>[greet]</p>\n"
    host.apply({"greeter"})
    assert markdown.render("[greet] <b>x</b>") == "<p>GREETINGS &lt;b&gt;x&lt;/b&gt;</p>\n"
    host.apply(set())
    assert markdown.render("[greet]") == "<p>[greet]</p>\n"


# --- the administration service ----------------------------------------------------------


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA foreign_keys=ON"))
    db.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        session.add(ExtensionsState(id=1, revision=0, theme=None))
        session.commit()
        yield session
    engine.dispose()


def administration(session: Session) -> PluginAdministration:
    return PluginAdministration(
        session, AuditLog(session, lambda: NOW), lambda: NOW, {"greeter", "pages"}, {"compact"}
    )


def actions(session: Session) -> list[tuple[str, str, str]]:
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.target_label, AuditEntry.actor_name).order_by(
            AuditEntry.id
        )
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_enabling_and_disabling_bump_the_revision_and_are_audited(session: Session) -> None:
    service = administration(session)
    assert service.set_enabled(ADMIN, "greeter", True)
    assert not service.set_enabled(ADMIN, "greeter", True)
    assert service.snapshot().enabled == {"greeter"}
    assert service.set_enabled(ADMIN, "greeter", False)
    assert service.snapshot() == Snapshot(2, frozenset(), None, {}, {})
    assert actions(session) == [
        ("plugin.enable", "greeter", "root"),
        ("plugin.disable", "greeter", "root"),
    ]


def test_a_plugin_that_is_not_installed_cannot_be_enabled(session: Session) -> None:
    with pytest.raises(NotFound):
        administration(session).set_enabled(ADMIN, "evil", True)
    assert session.scalars(select(PluginState)).all() == []


def test_failures_disable_plugins_with_their_errors(session: Session) -> None:
    service = administration(session)
    service.set_enabled(ADMIN, "greeter", True)
    service.record_failures({"greeter": "ValueError: boom"})
    snapshot = service.snapshot()
    assert snapshot.enabled == frozenset()
    assert snapshot.errors == {"greeter": "ValueError: boom"}
    assert actions(session)[-1] == ("plugin.fail", "greeter", "forumapp")
    # Enabling it again clears the error.
    service.set_enabled(ADMIN, "greeter", True)
    assert service.snapshot().errors == {}


def test_plugin_settings_are_validated_stored_and_audited(session: Session) -> None:
    service = administration(session)
    definitions = [PluginSetting("GREETING", "Greeting", str, 1, 10, default="Hi")]
    with pytest.raises(SettingsRefused) as refused:
        service.save_settings(
            ADMIN, "greeter", definitions, {}, {"GREETING": "far too long a text"}
        )
    assert set(refused.value.problems) == {"GREETING"}
    with pytest.raises(SettingsRefused):
        service.save_settings(ADMIN, "greeter", definitions, {}, {"OTHER": "x"})
    assert service.save_settings(ADMIN, "greeter", definitions, {}, {"GREETING": "Hey"}) == [
        "GREETING"
    ]
    assert service.snapshot().settings == {"greeter": {"GREETING": "Hey"}}
    assert actions(session)[-1][0] == "plugin.settings"


def test_the_theme_is_one_of_the_installed_ones(session: Session) -> None:
    service = administration(session)
    with pytest.raises(InvalidInput):
        service.choose_theme(ADMIN, "missing")
    assert service.choose_theme(ADMIN, "compact")
    assert not service.choose_theme(ADMIN, "compact")
    assert service.snapshot().theme == "compact"
    assert service.choose_theme(ADMIN, None)
    assert [action for action, *_ in actions(session)] == ["theme.choose", "theme.choose"]


# --- one worker's live state -------------------------------------------------------------


class FakeAdministration:
    def __init__(self) -> None:
        self.state = Snapshot(0, frozenset(), None)
        self.recorded: list[dict[str, str]] = []
        self.reads = 0

    def revision(self) -> int:
        self.reads += 1
        return self.state.revision

    def snapshot(self) -> Snapshot:
        return self.state

    def record_failures(self, failures: dict[str, str]) -> None:
        self.recorded.append(failures)
        self.state = Snapshot(self.state.revision + 1, self.state.enabled - set(failures), None)


def live_over(fake: FakeAdministration, interval: float = 3600) -> tuple[LiveExtensions, list[Any]]:
    themes_used: list[Any] = []
    compact = Theme("compact", "Compact", "", "1", folder=Path("/nowhere"))
    live = LiveExtensions(
        PluginHost(samples("greeter", "broken-event")),
        lambda: {"compact": compact},
        lambda: fake,  # type: ignore[arg-type,return-value]
        themes_used.append,
        lambda: interval,
    )
    return live, themes_used


def test_a_worker_looks_at_the_revision_at_most_once_per_interval() -> None:
    fake = FakeAdministration()
    live, _ = live_over(fake)
    live.refresh()
    live.refresh()
    assert fake.reads == 1
    live.expire()
    live.refresh()
    assert fake.reads == 2


def test_a_new_revision_loads_plugins_settings_and_theme() -> None:
    fake = FakeAdministration()
    live, themes_used = live_over(fake, interval=0)
    fake.state = Snapshot(3, frozenset({"greeter"}), "compact", {"greeter": {"GREETING": "Yo"}})
    live.refresh()
    assert live.host.loaded == {"greeter"}
    assert [theme.name for theme in themes_used] == ["compact"]
    assert live.setting("greeter", "GREETING") == "Yo"
    assert live.setting("greeter", "LOUD") is False


def test_a_stored_setting_that_breaks_its_rules_gives_way_to_the_default() -> None:
    fake = FakeAdministration()
    live, _ = live_over(fake, interval=0)
    fake.state = Snapshot(1, frozenset({"greeter"}), None, {"greeter": {"GREETING": "x" * 99}})
    live.refresh()
    assert live.setting("greeter", "GREETING") == "Hello from greeter"


def test_failures_in_a_worker_are_stored_on_its_next_request() -> None:
    fake = FakeAdministration()
    live, _ = live_over(fake)
    fake.state = Snapshot(1, frozenset({"greeter", "broken-event"}), None)
    live.apply(fake.state)
    PluginEvents(live.host).post_saved(post_event())
    live.refresh()
    assert fake.recorded == [{"broken-event": "ValueError: the post hook exploded"}]
    assert live.host.loaded == {"greeter"}
