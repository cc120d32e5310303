"""Unbound extension objects, bound to an app in :func:`forumapp.app.create_app`.

This module imports third-party packages only, so any module may import it without cycles.
"""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
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
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
#: Keyed by client address; behind a proxy ProxyFix makes that the real client.
limiter = Limiter(get_remote_address)
