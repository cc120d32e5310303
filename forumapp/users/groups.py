"""Keys of the built-in groups, created by the first migration."""

from enum import StrEnum


class GroupKey(StrEnum):
    """The built-in groups, as FlaskBB ships them."""

    ADMIN = "admin"
    SUPER_MOD = "super_mod"
    MOD = "mod"
    MEMBER = "member"
    BANNED = "banned"
    GUEST = "guest"
