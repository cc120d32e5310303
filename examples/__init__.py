"""Runnable examples of using forumapp's parts in other applications."""
