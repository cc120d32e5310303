"""forumapp: a forum web application built from Flask class-based views."""

from forumapp.app import create_app

__all__ = ["create_app"]
