"""Which channels each category of notification uses for a user.

A user's stored choices cover only the categories they changed; the rest
follow `DEFAULTS`. In-app security alerts cannot be turned off: a stolen
session is something the owner must see.
"""

from __future__ import annotations

from collections.abc import Mapping

from iworkz.notifications.v1 import notifications_pb2 as pb
from services.runtime.errors import InvalidArgument

APPLICATION_STATUS = pb.NOTIFICATION_CATEGORY_APPLICATION_STATUS
NEW_JOB_MATCH = pb.NOTIFICATION_CATEGORY_NEW_JOB_MATCH
CREDENTIAL = pb.NOTIFICATION_CATEGORY_CREDENTIAL
ACCOUNT_SECURITY = pb.NOTIFICATION_CATEGORY_ACCOUNT_SECURITY
CATEGORIES = (APPLICATION_STATUS, NEW_JOB_MATCH, CREDENTIAL, ACCOUNT_SECURITY)

IN_APP = pb.NOTIFICATION_CHANNEL_IN_APP
EMAIL = pb.NOTIFICATION_CHANNEL_EMAIL
CHANNELS = (IN_APP, EMAIL)
# Channel names as the delivery code and the deliveries table know them.
CHANNEL_NAMES = {EMAIL: "email"}

Choices = Mapping[int, frozenset[int]]

DEFAULTS: Choices = {
    APPLICATION_STATUS: frozenset({IN_APP, EMAIL}),
    NEW_JOB_MATCH: frozenset({IN_APP}),
    CREDENTIAL: frozenset({IN_APP, EMAIL}),
    ACCOUNT_SECURITY: frozenset({IN_APP, EMAIL}),
}
MANDATORY: Choices = {ACCOUNT_SECURITY: frozenset({IN_APP})}


def effective(stored: Mapping[str, list[int]] | None) -> dict[int, frozenset[int]]:
    """Channels per category: the user's stored choices over the defaults, plus the mandatory ones."""
    stored = stored or {}
    result = {}
    for category in CATEGORIES:
        chosen = stored.get(str(category))
        channels = frozenset(chosen) & frozenset(CHANNELS) if chosen is not None else DEFAULTS[category]
        result[category] = channels | MANDATORY.get(category, frozenset())
    return result


def enabled(stored: Mapping[str, list[int]] | None, category: int, channel: int) -> bool:
    return channel in effective(stored)[category]


def merge(stored: Mapping[str, list[int]] | None, changes: list[tuple[int, list[int]]]) -> dict[str, list[int]]:
    """Stored choices after replacing the channels of each category in `changes`.

    Raises InvalidArgument when a category appears twice.
    """
    result = {k: list(v) for k, v in (stored or {}).items()}
    seen: set[int] = set()
    for index, (category, channels) in enumerate(changes):
        if category in seen:
            raise InvalidArgument.field(f"preferences.categories[{index}].category", "is listed twice")
        seen.add(category)
        result[str(category)] = sorted(set(channels))
    return result
