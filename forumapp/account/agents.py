"""The browser descriptions of the account pages, which live in :mod:`forumapp.auth.agents`
(the login's notices need them too); imported from here as well."""

from __future__ import annotations

from forumapp.auth.agents import UNKNOWN_BROWSER as UNKNOWN_BROWSER
from forumapp.auth.agents import USER_AGENT_MAX as USER_AGENT_MAX
from forumapp.auth.agents import approximate_address as approximate_address
from forumapp.auth.agents import describe_user_agent as describe_user_agent
from forumapp.auth.agents import notice_for as notice_for
