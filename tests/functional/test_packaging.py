"""The wheel carries templates, static files and migrations, and serves pages once installed.

The wheel is built from the checkout, unpacked into a fresh virtual environment (a wheel is
a zip: unpacking a pure-Python wheel into site-packages is a valid minimal install) and
driven from a directory outside the checkout, so nothing can fall back on the repository's
own ``templates/`` or ``static/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import skip_on_postgresql

REPO_ROOT = Path(__file__).parents[2]

#: Run by the clean environment's interpreter: install nothing, just use the wheel.
CHECK_SCRIPT = textwrap.dedent(
    """
    import json
    import sys
    from pathlib import Path

    import forumapp
    import forumapp.resources
    from flask_migrate import upgrade
    from forumapp import create_app
    from forumapp.extensions import db

    here = Path.cwd()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "packaging-test",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{here / 'forumapp.sqlite3'}",
            "MAIL_BACKEND": "locmem",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade(directory=forumapp.resources.migrations_folder())
        client = app.test_client()
        login = client.get("/auth/login")
        stylesheet = client.get("/static/css/forumapp.css")
        result = {
            "forumapp_file": forumapp.__file__,
            "template_folder": forumapp.resources.template_folder(),
            "static_folder": forumapp.resources.static_folder(),
            "migrations_folder": forumapp.resources.migrations_folder(),
            "login_status": login.status_code,
            "login_page": login.get_data(as_text=True),
            "stylesheet_status": stylesheet.status_code,
            "stylesheet_size": len(stylesheet.get_data()),
        }
        stylesheet.close()
        db.engine.dispose()
    print("RESULT " + json.dumps(result))
    """
)


def build_wheel(out_dir: Path) -> Path:
    """Build forumapp's wheel from the checkout into ``out_dir``."""
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    command += ["--no-cache-dir", "-q", "-w", str(out_dir), str(REPO_ROOT)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    (wheel,) = out_dir.glob("forumapp-*.whl")
    return wheel


def make_clean_venv(venv_dir: Path) -> tuple[Path, Path]:
    """A new venv without pip; returns its python and its site-packages."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv_dir)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    python = venv_dir / "bin" / "python"
    query = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_packages = subprocess.run(
        [str(python), "-I", "-c", query], check=True, capture_output=True, text=True, timeout=30
    ).stdout.strip()
    return python, Path(site_packages)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("dist"))


@pytest.mark.slow
def test_wheel_contains_templates_static_files_and_migrations(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(name for name in names if name.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode()

    assert "forumapp/templates/auth/login.html" in names
    assert "forumapp/templates/base.html" in names
    assert "forumapp/static/css/forumapp.css" in names
    assert "forumapp/migrations/env.py" in names
    assert "forumapp/migrations/alembic.ini" in names
    assert "forumapp/migrations/script.py.mako" in names
    versions = [
        name
        for name in names
        if name.startswith("forumapp/migrations/versions/") and name.endswith(".py")
    ]
    assert versions, "no migration scripts in the wheel"
    assert "forumapp = forumapp.cli:main" in scripts
    # The compiled catalogues are committed (tests/functional/test_catalogues.py): shipped.
    for language in ("de", "es", "ar"):
        assert f"forumapp/translations/{language}/LC_MESSAGES/messages.mo" in names
    # Nothing from the checkout's tooling or tests leaks into the wheel.
    assert not [name for name in names if name.startswith(("tests/", ".venv/", "instance/"))]


@pytest.mark.slow
@skip_on_postgresql("the installed wheel runs on a SQLite file of its own")
def test_installed_wheel_renders_login_page_and_serves_stylesheet(
    wheel: Path, tmp_path: Path
) -> None:
    python, site_packages = make_clean_venv(tmp_path / "venv")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site_packages)
    # The dependencies come from the current environment, without network. A .pth line is
    # appended to sys.path after site-packages, so the unpacked wheel wins over the
    # editable install of the current environment (whose own .pth files are not read).
    current = sysconfig.get_paths()["purelib"]
    (site_packages / "zz_forumapp_test_dependencies.pth").write_text(current + "\n")
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "check.py").write_text(CHECK_SCRIPT)
    env = {key: value for key, value in os.environ.items() if not key.startswith("FORUMAPP_")}
    env["FORUMAPP_INSTANCE_PATH"] = str(tmp_path / "instance")

    # -I: no PYTHON* variables, no user site, and neither cwd nor the script's folder on
    # sys.path; cwd is outside the checkout in any case.
    completed = subprocess.run(
        [str(python), "-I", "check.py"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    package_dir = site_packages / "forumapp"
    assert Path(result["forumapp_file"]).is_relative_to(site_packages)
    assert Path(result["template_folder"]) == package_dir / "templates"
    assert Path(result["static_folder"]) == package_dir / "static"
    assert Path(result["migrations_folder"]) == package_dir / "migrations"
    assert result["login_status"] == 200
    assert 'name="login"' in result["login_page"]
    assert 'href="/static/css/forumapp.css"' in result["login_page"]
    assert result["stylesheet_status"] == 200
    assert result["stylesheet_size"] > 0
    assert (workdir / "forumapp.sqlite3").is_file()
