"""The contracts' access rules, evaluated for a caller and a request.

Plain Python: the interceptors call these with the rule read from the
method's `iworkz.auth.v1.access` option. Roles travel in tokens as short
names (`worker`), which map one-to-one to `iworkz.auth.v1.Role` values.
"""

from __future__ import annotations

from google.protobuf.message import Message

from iworkz.auth.v1 import access_pb2
from services.runtime import names
from services.runtime.context import Caller
from services.runtime.errors import PermissionDenied, Unauthenticated

ROLE_NAMES = {
    access_pb2.ROLE_WORKER: "worker",
    access_pb2.ROLE_EMPLOYER: "employer",
    access_pb2.ROLE_ISSUER: "issuer",
    access_pb2.ROLE_ADMIN: "admin",
    access_pb2.ROLE_PARTNER: "partner",
}
ROLE_VALUES = {name: value for value, name in ROLE_NAMES.items()}


def role_name(role: int) -> str:
    return ROLE_NAMES[role]


def role_value(name: str) -> int:
    return int(ROLE_VALUES[name])


def check_caller(rule: access_pb2.AccessRule | None, caller: Caller | None, service_identity: str = "") -> None:
    """Check that this caller may call at all (authentication and roles).

    A method without a rule is closed: the contract must say who may call it.
    A mesh service named in `internal_callers` may call without a user token.
    Admins pass every role requirement.
    """
    if rule is None:
        raise PermissionDenied("this method declares no access rule")
    if rule.public:
        return
    if caller is None:
        if service_identity and service_identity in rule.internal_callers:
            return
        raise Unauthenticated("this call needs a valid bearer token")
    if not rule.roles or caller.is_admin:
        return
    allowed = {ROLE_NAMES[r] for r in rule.roles if r in ROLE_NAMES}
    if not allowed & caller.roles:
        raise PermissionDenied("this call needs one of the roles: " + ", ".join(sorted(allowed)))


def field_value(message: Message, path: str) -> str:
    """The string at a dotted field path (`profile.name`), "" if unset."""
    value: object = message
    for part in path.split("."):
        if not isinstance(value, Message):
            return ""
        value = getattr(value, part, "")
    return value if isinstance(value, str) else ""


def check_ownership(rule: access_pb2.AccessRule | None, caller: Caller | None, request: Message) -> None:
    """Check the rule's ownership requirement against the request. Admins are exempt."""
    if rule is None or not rule.HasField("owner") or caller is None or caller.is_admin:
        return
    owner = rule.owner
    owned = names.resource_id(field_value(request, owner.field), owner.collection)
    mine = caller.organization if owner.claim == access_pb2.OWNER_CLAIM_ORGANIZATION else caller.subject
    if not owned or not mine or owned != mine:
        raise PermissionDenied(f"{owner.field} does not belong to the caller")
