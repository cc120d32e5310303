"""A small host application that mounts forumapp's auth blueprint over its own members.

Run it with ``flask --app examples.embed_auth.app run`` from the repository root; account
emails are printed instead of sent.
"""
