"""Unit tests for page tokens and field masks. No network, no database."""

from __future__ import annotations

import base64
import json

import pytest
from google.type import money_pb2

from iworkz.marketplace.v1 import marketplace_pb2
from iworkz.type.v1 import profile_types_pb2 as types
from services.runtime.errors import InvalidArgument
from services.runtime.fieldmask import apply_update_mask
from services.runtime.paging import (
    MAX_TOKEN_LENGTH,
    clamp_page_size,
    decode_page_token,
    encode_page_token,
    fingerprint,
)

CURSOR = {"t": "2025-04-01T09:00:00Z", "id": "6f1c2d3e-0000-4000-8000-000000000001"}


# --- page tokens -------------------------------------------------------------


def _assert_page_token_error(token: str, fp: str) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        decode_page_token(token, fp)
    assert [v.field for v in caught.value.violations] == ["page_token"]
    return caught.value


def test_token_round_trips_cursor():
    fp = fingerprint(prefecture="JP-27", state=2)
    token = encode_page_token(CURSOR, fp)
    assert decode_page_token(token, fp) == CURSOR


def test_token_round_trips_non_ascii_and_numbers():
    fp = fingerprint(query="介護")
    cursor = {"wage": 1200, "title": "介護スタッフ", "ids": [1, 2]}
    assert decode_page_token(encode_page_token(cursor, fp), fp) == cursor


def test_token_is_url_safe_and_opaque():
    token = encode_page_token(CURSOR, fingerprint())
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert CURSOR["id"] not in token


def test_empty_token_means_first_page():
    assert decode_page_token("", fingerprint()) is None


def test_token_with_other_filters_is_rejected():
    token = encode_page_token(CURSOR, fingerprint(prefecture="JP-27"))
    error = _assert_page_token_error(token, fingerprint(prefecture="JP-13"))
    assert "different filters" in error.message


@pytest.mark.parametrize(
    "garbage",
    ["not a token", "abc", "%%%%", "A", "====", "x" * (MAX_TOKEN_LENGTH + 1), "aGVsbG8gd29ybGQ"],
)
def test_garbage_token_is_rejected(garbage):
    _assert_page_token_error(garbage, fingerprint())


def test_every_single_character_edit_is_rejected():
    fp = fingerprint(state=2)
    token = encode_page_token(CURSOR, fp)
    for i, char in enumerate(token):
        replacement = "A" if char != "A" else "B"
        tampered = token[:i] + replacement + token[i + 1 :]
        try:
            cursor = decode_page_token(tampered, fp)
        except InvalidArgument:
            continue
        # Base64's last character can carry unused bits: an edit there may not change the bytes.
        assert cursor == CURSOR, f"edit at {i} was accepted with a changed cursor"


def test_truncated_token_is_rejected():
    fp = fingerprint()
    token = encode_page_token(CURSOR, fp)
    _assert_page_token_error(token[:-4], fp)


def test_re_encoded_payload_without_checksum_is_rejected():
    # A client who decodes the JSON, edits it and re-encodes it without the checksum.
    fp = fingerprint()
    payload = json.dumps({"v": 1, "f": fp, "c": {"id": "x"}}).encode()
    forged = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    _assert_page_token_error(forged, fp)


def test_unknown_version_is_rejected(monkeypatch):
    import services.runtime.paging as paging

    fp = fingerprint()
    monkeypatch.setattr(paging, "TOKEN_VERSION", 99)
    old = paging.encode_page_token(CURSOR, fp)
    monkeypatch.setattr(paging, "TOKEN_VERSION", 1)
    _assert_page_token_error(old, fp)


def test_oversized_cursor_is_a_caller_bug():
    with pytest.raises(ValueError):
        encode_page_token({"blob": "x" * 1000}, fingerprint())


def test_fingerprint_is_stable_and_order_insensitive_for_keywords_and_sets():
    assert fingerprint(a=1, b="x") == fingerprint(b="x", a=1)
    assert fingerprint(statuses={3, 1, 2}) == fingerprint(statuses={2, 3, 1})
    assert len(fingerprint(a=1)) == 16


def test_fingerprint_distinguishes_values():
    assert fingerprint(a=1) != fingerprint(a=2)
    assert fingerprint(a=1) != fingerprint(b=1)
    assert fingerprint(a="") != fingerprint()
    assert fingerprint(ids=[1, 2]) != fingerprint(ids=[2, 1])


def test_fingerprint_accepts_messages():
    wage = money_pb2.Money(currency_code="JPY", units=1200)
    assert fingerprint(wage=wage) == fingerprint(wage=money_pb2.Money(currency_code="JPY", units=1200))
    assert fingerprint(wage=wage) != fingerprint(wage=money_pb2.Money(currency_code="JPY", units=1300))


def test_fingerprint_rejects_unhashable_types():
    with pytest.raises(TypeError):
        fingerprint(when=object())


@pytest.mark.parametrize(
    ("requested", "expected"),
    [(0, 20), (1, 1), (20, 20), (99, 99), (100, 100), (101, 100), (10_000, 100)],
)
def test_clamp_page_size(requested, expected):
    assert clamp_page_size(requested, default=20, maximum=100) == expected


def test_clamp_page_size_default_never_exceeds_maximum():
    assert clamp_page_size(0, default=50, maximum=10) == 10


def test_negative_page_size_is_invalid():
    with pytest.raises(InvalidArgument) as caught:
        clamp_page_size(-1, default=20, maximum=100)
    assert caught.value.violations[0].field == "page_size"


# --- field masks -------------------------------------------------------------

PROFILE_FIELDS = {
    "display_name",
    "languages",
    "location",
    "visa_status",
    "summary",
    "desired_wage",
}


def _profile(**kwargs) -> marketplace_pb2.WorkerProfile:
    return marketplace_pb2.WorkerProfile(**kwargs)


def _stored() -> marketplace_pb2.WorkerProfile:
    return _profile(
        name="workers/1",
        display_name="Old",
        summary="old summary",
        visa_status=types.VISA_STATUS_STUDENT,
        languages=[marketplace_pb2.LanguageSkill(language="vi")],
        location=types.Location(prefecture="JP-13", city="Shinjuku"),
        desired_wage=money_pb2.Money(currency_code="JPY", units=1100),
    )


def test_mask_copies_only_named_fields():
    target = _stored()
    source = _profile(display_name="New", summary="new summary")
    apply_update_mask(target, source, ["display_name"], PROFILE_FIELDS)
    assert target.display_name == "New"
    assert target.summary == "old summary"


def test_mask_sets_scalar_to_zero_value():
    target = _stored()
    apply_update_mask(target, _profile(), ["summary", "visa_status"], PROFILE_FIELDS)
    assert target.summary == ""
    assert target.visa_status == types.VISA_STATUS_UNSPECIFIED


def test_mask_replaces_repeated_fields_rather_than_appending():
    target = _stored()
    source = _profile(
        languages=[
            marketplace_pb2.LanguageSkill(language="ja", jlpt_level=types.JAPANESE_LEVEL_N3),
            marketplace_pb2.LanguageSkill(language="en"),
        ]
    )
    apply_update_mask(target, source, ["languages"], PROFILE_FIELDS)
    assert [lang.language for lang in target.languages] == ["ja", "en"]


def test_mask_with_empty_repeated_clears_it():
    target = _stored()
    apply_update_mask(target, _profile(), ["languages"], PROFILE_FIELDS)
    assert len(target.languages) == 0


def test_mask_replaces_message_fields_whole():
    target = _stored()
    source = _profile(location=types.Location(prefecture="JP-27"))
    apply_update_mask(target, source, ["location"], PROFILE_FIELDS)
    assert target.location.prefecture == "JP-27"
    assert target.location.city == ""  # replaced, not merged


def test_mask_clears_message_field_unset_in_source():
    target = _stored()
    apply_update_mask(target, _profile(), ["location", "desired_wage"], PROFILE_FIELDS)
    assert not target.HasField("location")
    assert not target.HasField("desired_wage")


def test_empty_mask_copies_every_allowed_field_and_nothing_else():
    target = _stored()
    source = _profile(name="workers/evil", display_name="New", summary="s")
    apply_update_mask(target, source, [], PROFILE_FIELDS)
    assert target.display_name == "New"
    assert target.summary == "s"
    assert len(target.languages) == 0
    assert not target.HasField("location")
    assert target.name == "workers/1"  # not in allowed: untouched


def test_star_mask_means_every_allowed_field():
    target = _stored()
    apply_update_mask(target, _profile(display_name="New"), ["*"], PROFILE_FIELDS)
    assert target.display_name == "New"
    assert not target.HasField("location")


def test_mask_accepts_a_fieldmask_paths_container():
    from google.protobuf import field_mask_pb2

    target = _stored()
    mask = field_mask_pb2.FieldMask(paths=["display_name"])
    apply_update_mask(target, _profile(display_name="New"), mask.paths, PROFILE_FIELDS)
    assert target.display_name == "New"


@pytest.mark.parametrize(
    "paths",
    [
        ["name"],
        ["no_such_field"],
        ["location.city"],
        ["display_name", "create_time"],
        ["*", "summary"],
    ],
)
def test_mask_rejects_paths_outside_allowed(paths):
    target = _stored()
    before = target.SerializeToString()
    with pytest.raises(InvalidArgument) as caught:
        apply_update_mask(target, _profile(display_name="New"), paths, PROFILE_FIELDS)
    assert [v.field for v in caught.value.violations] == ["update_mask"]
    assert target.SerializeToString() == before  # nothing applied on error


def test_mask_rejects_different_message_types():
    with pytest.raises(TypeError):
        apply_update_mask(_stored(), marketplace_pb2.Job(), [], PROFILE_FIELDS)


def test_allowed_must_name_real_fields():
    with pytest.raises(ValueError):
        apply_update_mask(_stored(), _profile(), [], {"display_name", "typo"})


def test_mask_on_job_enum_and_int_fields():
    target = marketplace_pb2.Job(title="Old", headcount=3, state=marketplace_pb2.JOB_STATE_OPEN)
    source = marketplace_pb2.Job(
        title="New",
        headcount=5,
        state=marketplace_pb2.JOB_STATE_CLOSED,
        eligible_visa_statuses=[types.VISA_STATUS_SSW_1],
    )
    apply_update_mask(target, source, [], {"title", "headcount", "eligible_visa_statuses"})
    assert (target.title, target.headcount) == ("New", 5)
    assert list(target.eligible_visa_statuses) == [types.VISA_STATUS_SSW_1]
    assert target.state == marketplace_pb2.JOB_STATE_OPEN  # output-only, not allowed


def test_mask_replaces_map_fields():
    from google.protobuf import struct_pb2

    target = struct_pb2.Struct()
    target.update({"keep": 1, "drop": 2})
    source = struct_pb2.Struct()
    source.update({"keep": 3, "new": 4})
    apply_update_mask(target, source, ["fields"], {"fields"})
    assert dict(target) == {"keep": 3, "new": 4}


def test_mask_respects_presence_of_oneof_members():
    from google.protobuf import struct_pb2

    allowed = {"number_value", "string_value"}
    target = struct_pb2.Value(number_value=1.0)
    apply_update_mask(target, struct_pb2.Value(string_value="a"), ["string_value"], allowed)
    assert target.WhichOneof("kind") == "string_value"

    # A oneof member unset in the source is cleared, not set to its zero value.
    apply_update_mask(target, struct_pb2.Value(number_value=2.0), ["string_value"], allowed)
    assert target.WhichOneof("kind") is None
