"""The app starts and the main pages render."""

from flask.testing import FlaskClient

from tests.conftest import AuthActions, MakeUser


def test_home_page_renders(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "No members yet" in response.get_data(as_text=True)


def test_login_and_see_logged_in(
    client: FlaskClient, make_user: MakeUser, auth: AuthActions
) -> None:
    make_user()
    response = auth.login()
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Logged in as <strong>alice</strong>" in page
