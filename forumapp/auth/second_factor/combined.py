"""Several second factors behind one ``SecondFactor`` port: an account has a second factor
when it has any of them, and a proof is accepted by the factor whose kind it is."""

from __future__ import annotations

from forumapp.auth.ports import AuthUser, ClientInfo
from forumapp.auth.second_factor.ports import Proof, SecondFactor


class AnySecondFactor:
    """The account's authenticator app and its passkeys, asked in turn."""

    def __init__(self, *factors: SecondFactor) -> None:
        self._factors = factors

    def enabled_for(self, user: AuthUser) -> bool:
        """Whether any of the factors is on for ``user``."""
        return any(factor.enabled_for(user) for factor in self._factors)

    def check(self, user: AuthUser, proof: Proof) -> str | None:
        """The method of the first factor that accepts ``proof``; each refuses other kinds."""
        for factor in self._factors:
            method = factor.check(user, proof)
            if method is not None:
                return method
        return None

    def after_use(self, user: AuthUser, method: str, client: ClientInfo) -> None:
        """Let each factor react to the use of ``method`` (only its own methods matter)."""
        for factor in self._factors:
            factor.after_use(user, method, client)
