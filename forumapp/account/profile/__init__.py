"""The profile page, ``/settings/profile``: what other members see about a member."""
