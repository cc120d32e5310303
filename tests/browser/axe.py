"""axe-core in the browser: installed from npm into a cache folder, injected into each page
the journeys visit, and its "serious" and "critical" violations collected for the test.

The version is pinned here. ``python -m tests.browser.axe`` (from the repository root)
installs it the way the fixtures do (into ``test-artifacts/cache/``); CI runs that before
pytest, so that a missing npm or registry fails early and clearly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

AXE_CORE_VERSION = "4.14.1"
#: Impacts that fail a test; "moderate" and "minor" ones are only written to the report.
FAILING_IMPACTS = ("critical", "serious")
NPM_TIMEOUT_SECONDS = 120
INSTALL_COMMAND = ".venv/bin/python -m tests.browser.axe"
INSTALL_HINT = (
    f"install npm (`apt-get install npm`), then run `{INSTALL_COMMAND}` in the repository "
    f"root (it runs `npm install axe-core@{AXE_CORE_VERSION}` into {{folder}})"
)

_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then((results) => done({violations: results.violations.map((rule) => ({
    rule: rule.id, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl,
    nodes: rule.nodes.map((node) => ({
      target: node.target.map((part) => [].concat(part).join(" >>> ")),
      html: node.html, summary: node.failureSummary || "",
    })),
  }))}))
  .catch((error) => done({error: String(error && error.stack || error)}));
"""


class AxeUnavailable(Exception):
    """axe-core is not installed and cannot be installed here."""


def cache_folder(root: Path) -> Path:
    """Where ``npm install`` puts axe-core, inside the (git-ignored) test-artifacts."""
    return root / "test-artifacts" / "cache" / f"axe-core-{AXE_CORE_VERSION}"


def script_path(root: Path) -> Path:
    return cache_folder(root) / "node_modules" / "axe-core" / "axe.min.js"


def _installed_version(script: Path) -> str | None:
    try:
        package = json.loads((script.parent / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = package.get("version")
    return version if isinstance(version, str) else None


def install(root: Path) -> Path:
    """axe.min.js of the pinned version, installed with npm if it is not there yet."""
    script = script_path(root)
    if script.is_file() and _installed_version(script) == AXE_CORE_VERSION:
        return script
    hint = INSTALL_HINT.format(folder=cache_folder(root))
    npm = shutil.which("npm")
    if npm is None:
        raise AxeUnavailable(f"the accessibility checks need axe-core but npm is missing: {hint}")
    target = cache_folder(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Into a fresh folder, then renamed: a concurrent run never sees half an install.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        command = [
            npm, "install", "--prefix", str(staging), "--no-save", "--no-package-lock",
            "--no-audit", "--no-fund", "--loglevel=error", f"axe-core@{AXE_CORE_VERSION}",
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=NPM_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise AxeUnavailable(f"`npm install axe-core` timed out: {hint}") from exc
        if done.returncode != 0 or not (staging / script.relative_to(target)).is_file():
            output = (done.stderr or done.stdout).strip()[-2000:]
            raise AxeUnavailable(f"`npm install axe-core` failed ({output}): {hint}")
        shutil.rmtree(target, ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:
            if not script.is_file():  # another run did not win the race either
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return script


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page, with the elements that break it."""

    page: str
    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]
    details: tuple[str, ...]

    @property
    def failing(self) -> bool:
        return self.impact in FAILING_IMPACTS

    def describe(self) -> str:
        lines = [f"[{self.impact}] {self.rule} on {self.page}: {self.help} ({self.help_url})"]
        for target, detail in zip(self.targets, self.details, strict=True):
            lines.append(f"    {target}\n        {detail}")
        return "\n".join(lines)


class AccessibilityViolations(Exception):
    """Pages of a journey have "serious" or "critical" axe violations."""


@dataclass
class AxeScanner:
    """Runs axe-core on the pages of one test and keeps what it finds."""

    source: str
    pages: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    seconds: float = 0.0

    def preload(self, driver: WebDriver) -> None:
        """Have Chromium evaluate axe-core in every page it opens from now on (through the
        DevTools protocol): much cheaper than sending the script with each scan."""
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": self.source})  # type: ignore[attr-defined]

    def scan(self, driver: WebDriver) -> list[Violation]:
        """Check the page ``driver`` shows now; returns (and keeps) its violations."""
        started = time.monotonic()
        if not driver.execute_script("return typeof window.axe === 'object'"):
            driver.execute_script(self.source)  # not preloaded: inject it now
        result: dict[str, Any] = driver.execute_async_script(_RUN_AXE)
        if "error" in result:
            raise RuntimeError(f"axe.run() failed on {driver.current_url}: {result['error']}")
        page = self._page_name(driver)
        self.pages.append(page)
        found = [
            Violation(
                page=page,
                rule=rule["rule"],
                impact=rule["impact"] or "unknown",
                help=rule["help"],
                help_url=rule["helpUrl"],
                targets=tuple(", ".join(node["target"]) for node in rule["nodes"]),
                details=tuple(_detail(node) for node in rule["nodes"]),
            )
            for rule in result["violations"]
        ]
        self.violations.extend(found)
        self.seconds += time.monotonic() - started
        return found

    @staticmethod
    def _page_name(driver: WebDriver) -> str:
        location: str = driver.execute_script("return location.pathname + location.search")
        title: str = driver.title
        return f"{location} ({title!r})"

    @property
    def failing(self) -> list[Violation]:
        return [violation for violation in self.violations if violation.failing]

    def report(self) -> str:
        """Every page scanned and every violation found, for people."""
        lines = [
            f"axe-core {AXE_CORE_VERSION}: {len(self.pages)} page(s) scanned "
            f"in {self.seconds:.1f} s"
        ]
        lines += [f"  {page}" for page in self.pages]
        if not self.violations:
            lines.append("No violations.")
        lines += [violation.describe() for violation in self._unique(self.violations)]
        return "\n".join(lines) + "\n"

    def assert_no_serious_violations(self) -> None:
        failing = self._unique(self.failing)
        if failing:
            listing = "\n".join(violation.describe() for violation in failing)
            raise AccessibilityViolations(
                f"{len(failing)} serious or critical accessibility violation(s):\n{listing}"
            )

    @staticmethod
    def _unique(violations: list[Violation]) -> list[Violation]:
        """The same rule broken by the same elements on the same page counts once."""
        seen: dict[tuple[str, str, tuple[str, ...]], Violation] = {}
        for violation in violations:
            seen.setdefault((violation.page, violation.rule, violation.targets), violation)
        return list(seen.values())


def _detail(node: dict[str, Any]) -> str:
    """The element's HTML and axe's advice on one line each (shortened)."""
    html = " ".join(str(node["html"]).split())
    fixes = [" ".join(line.split()) for line in str(node["summary"]).splitlines()]
    summary = " ".join(fixes[:1]) + " " + "; ".join(fix for fix in fixes[1:] if fix)
    return f"{_shorten(html, 200)}\n        {_shorten(summary.strip(), 400)}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main() -> int:
    """Install the pinned axe-core for the browser tests (used by CI before pytest)."""
    root = Path(__file__).resolve().parents[2]
    try:
        script = install(root)
    except AxeUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"axe-core {AXE_CORE_VERSION}: {script}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
