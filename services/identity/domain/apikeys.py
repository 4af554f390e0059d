"""Partner API keys: secrets shown once, stored hashed, scoped to roles."""

from __future__ import annotations

import secrets

from services.runtime.errors import InvalidArgument

# The roles an organisation of each type may put on its keys.
ALLOWED_KEY_ROLES = {"employer": {"employer"}, "issuer": {"issuer"}}


def new_secret() -> tuple[str, str]:
    """(secret, prefix): `iwk_<prefix>_<random>`; the prefix identifies the key in lists."""
    prefix = secrets.token_hex(4)
    return f"iwk_{prefix}_{secrets.token_urlsafe(32)}", prefix


def check_roles(organization_type: str, roles: set[str]) -> None:
    allowed = ALLOWED_KEY_ROLES.get(organization_type, set())
    extra = roles - allowed
    if extra:
        raise InvalidArgument.field(
            "api_key.roles", f"an {organization_type} organisation's keys may only carry: " + ", ".join(sorted(allowed))
        )
