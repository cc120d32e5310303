"""The JSON API under ``/api/v1`` and the personal access tokens that open it.

:func:`create_api_blueprint` registers the API's URLs (:mod:`forumapp.api.routes`); the
views behind them are built from the resources in :mod:`forumapp.api.endpoints`.
"""

from forumapp.api.routes import URL_PREFIX, create_api_blueprint

__all__ = ["URL_PREFIX", "create_api_blueprint"]
