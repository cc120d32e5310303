"""A worker that only serves pages does not load what only migrations, new passwords and
the JSON API need (issue 7: worker memory)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SERVE_PAGES = textwrap.dedent(
    """
    import sys
    from forumapp import create_app
    from forumapp.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for path in ("/auth/login", "/auth/register", "/terms"):
        assert client.get(path).status_code == 200, path
    heavy = ("alembic", "flask_migrate", "zxcvbn", "pydantic", "PIL", "boto3")
    print(" ".join(name for name in heavy if name in sys.modules))
    assert client.get("/api/v1/openapi.json").status_code == 200
    print("pydantic" in sys.modules)
    """
)


def test_serving_pages_loads_neither_alembic_nor_the_password_lists_nor_the_api(
    tmp_path: Path,
) -> None:
    # A fresh interpreter: the test process itself has imported everything long ago.
    result = subprocess.run(
        [sys.executable, "-c", SERVE_PAGES],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
        env={**os.environ, "FORUMAPP_INSTANCE_PATH": str(tmp_path)},
    )
    # Nothing heavy while serving pages; the API's views load with its first request.
    assert result.stdout.splitlines() == ["", "True"]
