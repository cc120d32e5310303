"""The sessions page's service: a member's signed-in browsers, and ending them."""

from __future__ import annotations

from forumapp.account.credentials.ports import DeviceSession, DeviceSessionStore
from forumapp.auth.agents import approximate_address, describe_user_agent
from forumapp.auth.stores import hash_session_token
from forumapp.forum.errors import NotFound
from forumapp.persistence import Transaction, atomic


class SessionManager:
    """Lists and ends the login sessions of one member; other members' are not found."""

    def __init__(self, sessions: DeviceSessionStore, transaction: Transaction) -> None:
        self._sessions = sessions
        self._transaction = transaction

    def sessions_of(self, user_id: int, current_token: str) -> list[DeviceSession]:
        """The member's live sessions, the one of ``current_token`` marked and first."""
        current_hash = hash_session_token(current_token)
        devices = [
            DeviceSession(
                id=stored.id,
                created_at=stored.created_at,
                last_seen_at=stored.last_seen_at,
                address=approximate_address(stored.ip_address),
                browser=describe_user_agent(stored.user_agent),
                current=stored.token_hash == current_hash,
            )
            for stored in self._sessions.live_sessions(user_id)
        ]
        return sorted(devices, key=lambda device: not device.current)

    def end(self, user_id: int, session_id: int) -> None:
        """End one session of the member; :class:`NotFound` for anyone else's."""
        with atomic(self._transaction):
            if not self._sessions.end(user_id, session_id):
                raise NotFound

    def end_others(self, user_id: int, current_token: str) -> int:
        """End every session of the member but this browser's; how many ended."""
        with atomic(self._transaction):
            return self._sessions.end_all_except(user_id, current_token)
