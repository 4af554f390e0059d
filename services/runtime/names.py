"""Resource names (AIP-122), parsed one way: `employers/{org}/jobs/{job}/applications/{application}`.

Names alternate collection and id. The contracts' `buf.validate` patterns
check a request's names before a servicer sees them; these functions take
them apart, and `uuid_of` turns an id into a UUID (an id that is no UUID names
nothing: NotFound).
"""

from __future__ import annotations

import uuid

from services.runtime.errors import NotFound


def ids(name: str) -> list[str]:
    """The ids in a resource name, outermost first: `employers/a/jobs/b` -> ['a', 'b']."""
    return name.split("/")[1::2]


def resource_id(name: str, collection: str) -> str:
    """The id after `collection/` in a resource name (`employers/7/jobs/9`, `jobs` -> `9`), "" if absent."""
    parts = name.split("/")
    for i in range(len(parts) - 1):
        if parts[i] == collection:
            return parts[i + 1]
    return ""


def uuid_of(value: str, what: str) -> uuid.UUID:
    """An id as a UUID; NotFound (`no such <what>`) when it is not one."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"no such {what}") from None
