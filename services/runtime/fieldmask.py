"""Partial updates with `google.protobuf.FieldMask` (AIP-134), top-level fields only."""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from services.runtime.errors import InvalidArgument


def apply_update_mask(target: Message, source: Message, paths: Iterable[str], allowed: set[str]) -> None:
    """Copy the fields named in `paths` from `source` onto `target`, in place.

    An empty mask (or the single path `*`) means every field in `allowed`.
    Copying replaces: a repeated or map field takes the source's items, and a
    message field unset in `source` is cleared in `target`. A path outside
    `allowed` (unknown, nested, output-only or immutable) raises InvalidArgument
    on `update_mask`. `target` and `source` must be the same message type and
    `allowed` must name real fields of it (else TypeError / ValueError: both
    are bugs in the caller).
    """
    descriptor = target.DESCRIPTOR
    if source.DESCRIPTOR is not descriptor:
        raise TypeError(f"cannot copy {source.DESCRIPTOR.full_name} fields onto {descriptor.full_name}")
    not_fields = {name for name in allowed if name not in descriptor.fields_by_name}
    if not_fields:
        raise ValueError(f"{descriptor.full_name} has no fields {sorted(not_fields)}")

    for name in _selected_fields(list(paths), allowed):
        _copy_field(descriptor.fields_by_name[name], target, source)


def _selected_fields(paths: list[str], allowed: set[str]) -> list[str]:
    if not paths or paths == ["*"]:
        return sorted(allowed)
    rejected = sorted({path for path in paths if path not in allowed})
    if rejected:
        raise InvalidArgument.field(
            "update_mask",
            f"cannot update {', '.join(rejected)}; updatable fields are {', '.join(sorted(allowed))}",
        )
    # Keep the caller's order but copy each field once.
    return list(dict.fromkeys(paths))


def _copy_field(field: FieldDescriptor, target: Message, source: Message) -> None:
    name = field.name
    if field.is_repeated:  # also covers map fields
        target.ClearField(name)
        getattr(target, name).MergeFrom(getattr(source, name))
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        if source.HasField(name):
            getattr(target, name).CopyFrom(getattr(source, name))
        else:
            target.ClearField(name)
    elif field.has_presence and not source.HasField(name):
        # `optional` scalars and oneof members: "unset" must stay distinguishable from zero.
        target.ClearField(name)
    else:
        setattr(target, name, getattr(source, name))
