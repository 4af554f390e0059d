"""Conversions between database times and protobuf Timestamps."""

from __future__ import annotations

from datetime import datetime

from google.protobuf import timestamp_pb2


def timestamp(dt: datetime | None) -> timestamp_pb2.Timestamp | None:
    """A Timestamp for `dt`, or None (field left unset) for a NULL time."""
    if dt is None:
        return None
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(dt)
    return ts
