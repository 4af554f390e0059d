"""Worker and employer profiles over real gRPC: masks, ownership, admins, encryption at rest."""

from __future__ import annotations

import base64

import grpc
from google.protobuf import field_mask_pb2
from google.type import date_pb2

from iworkz.marketplace.v1 import events_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.type.v1 import profile_types_pb2 as types

Code = grpc.StatusCode
PII_COLUMNS = ("phone_enc", "address_enc", "birth_date_enc", "residence_card_enc")


def _mask(*paths: str) -> field_mask_pb2.FieldMask:
    return field_mask_pb2.FieldMask(paths=list(paths))


def _full_profile(name: str, market) -> mp.WorkerProfile:
    return mp.WorkerProfile(
        name=name,
        display_name="Nguyen Van An",
        email="an@example.com",
        phone="+818012345678",
        address="Osaka-shi Naniwa-ku 1-2-3",
        birth_date=date_pb2.Date(year=1996, month=4, day=12),
        residence_card_number="AB12345678CD",
        nationality="VN",
        languages=[
            mp.LanguageSkill(
                language="ja", proficiency=mp.PROFICIENCY_CONVERSATIONAL, jlpt_level=types.JAPANESE_LEVEL_N3
            ),
            mp.LanguageSkill(language="vi", proficiency=mp.PROFICIENCY_NATIVE),
        ],
        skills=[mp.Skill(label="TIG welding", years=5)],
        experience=[mp.Experience(employer_name="Hai Phong Steel", title="Welder", country="VN")],
        education=[mp.Education(institution="Hai Phong Vocational College", graduation_year=2016)],
        location=types.Location(prefecture="JP-27", city="Osaka"),
        desired_wage=market.yen(1500),
        desired_wage_period=types.WAGE_PERIOD_HOURLY,
        availability=mp.Availability(hours_per_week=40, employment_types=[types.EMPLOYMENT_TYPE_FULL_TIME]),
        visa_status=types.VISA_STATUS_SSW_1,
        ssw_field=types.SSW_FIELD_MANUFACTURING,
        visa_expiry_date=date_pb2.Date(year=2028, month=3, day=31),
        summary="Five years of TIG welding.",
    )


def _without_times(profile: mp.WorkerProfile) -> mp.WorkerProfile:
    copy = mp.WorkerProfile()
    copy.CopyFrom(profile)
    copy.ClearField("create_time")
    copy.ClearField("update_time")
    return copy


# --- worker profiles -------------------------------------------------------------


async def test_worker_profile_is_not_found_before_creation(market):
    worker = await market.worker()
    await market.fails(Code.NOT_FOUND, worker.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=worker.worker)))


async def test_update_with_empty_mask_creates_the_whole_profile(market):
    worker = await market.worker()
    sent = _full_profile(worker.worker, market)
    created = (await worker.api.UpdateWorkerProfile(mp.UpdateWorkerProfileRequest(profile=sent))).profile
    assert _without_times(created) == sent
    assert created.create_time.seconds > 0 and created.update_time.seconds > 0

    read = (await worker.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=worker.worker))).profile
    assert read == created
    events = await market.events(events_pb2.WorkerProfileChanged, worker.user_id)
    assert [e.worker for _, e in events] == [worker.worker]


async def test_partial_update_changes_only_the_masked_fields(market):
    worker = await market.worker()
    sent = _full_profile(worker.worker, market)
    await worker.api.UpdateWorkerProfile(mp.UpdateWorkerProfileRequest(profile=sent))

    # Everything else in the request is different (or empty) and must be ignored.
    change = mp.WorkerProfile(
        name=worker.worker,
        display_name="An Nguyen",
        phone="+819099998888",
        summary="ignored",
        visa_status=types.VISA_STATUS_STUDENT,
    )
    updated = (
        await worker.api.UpdateWorkerProfile(
            mp.UpdateWorkerProfileRequest(profile=change, update_mask=_mask("display_name", "phone"))
        )
    ).profile

    expected = mp.WorkerProfile()
    expected.CopyFrom(sent)
    expected.display_name = "An Nguyen"
    expected.phone = "+819099998888"
    assert _without_times(updated) == expected
    read = (await worker.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=worker.worker))).profile
    assert _without_times(read) == expected

    # A masked field that is empty in the request is cleared.
    cleared = (
        await worker.api.UpdateWorkerProfile(
            mp.UpdateWorkerProfileRequest(
                profile=mp.WorkerProfile(name=worker.worker), update_mask=_mask("address", "skills")
            )
        )
    ).profile
    assert cleared.address == "" and list(cleared.skills) == []
    assert cleared.residence_card_number == "AB12345678CD"


async def test_unknown_or_output_only_mask_paths_are_invalid(market):
    worker = await market.worker()
    await market.profile(worker)
    for path in ("no_such_field", "create_time", "name", "location.city"):
        error = await market.fails(
            Code.INVALID_ARGUMENT,
            worker.api.UpdateWorkerProfile(
                mp.UpdateWorkerProfileRequest(
                    profile=mp.WorkerProfile(name=worker.worker, display_name="x"), update_mask=_mask(path)
                )
            ),
        )
        assert [f for f, _ in market.bad_fields(error)] == ["update_mask"], path


async def test_a_merge_that_breaks_the_ssw_rule_is_refused(market):
    # The request alone is valid (STUDENT without a field) but, merged onto an
    # SSW profile with a field, it would leave a student with an SSW field.
    worker = await market.worker()
    await market.profile(worker, visa_status=types.VISA_STATUS_SSW_1, ssw_field=types.SSW_FIELD_NURSING_CARE)
    await market.fails(
        Code.FAILED_PRECONDITION,
        worker.api.UpdateWorkerProfile(
            mp.UpdateWorkerProfileRequest(
                profile=mp.WorkerProfile(name=worker.worker, visa_status=types.VISA_STATUS_STUDENT),
                update_mask=_mask("visa_status"),
            )
        ),
    )
    both = await worker.api.UpdateWorkerProfile(
        mp.UpdateWorkerProfileRequest(
            profile=mp.WorkerProfile(name=worker.worker, visa_status=types.VISA_STATUS_STUDENT),
            update_mask=_mask("visa_status", "ssw_field"),
        )
    )
    assert (both.profile.visa_status, both.profile.ssw_field) == (types.VISA_STATUS_STUDENT, 0)


async def test_worker_cannot_read_or_write_another_workers_profile(market):
    owner, other = await market.worker(), await market.worker()
    await market.profile(owner)
    await market.fails(
        Code.PERMISSION_DENIED, other.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=owner.worker))
    )
    await market.fails(
        Code.PERMISSION_DENIED,
        other.api.UpdateWorkerProfile(
            mp.UpdateWorkerProfileRequest(profile=mp.WorkerProfile(name=owner.worker, display_name="Mallory"))
        ),
    )
    employer = await market.employer()
    await market.fails(
        Code.PERMISSION_DENIED, employer.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=owner.worker))
    )


async def test_admin_reads_any_workers_profile(market):
    worker, admin = await market.worker(), await market.admin()
    saved = await market.profile(worker, phone="+818011112222")
    read = (await admin.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=worker.worker))).profile
    assert read == saved and read.phone == "+818011112222"


async def test_personal_data_is_encrypted_at_rest(market):
    worker = await market.worker()
    word = market.unique_word("street")
    secrets = {
        "phone": "+817012345678",
        "address": f"Sakai-shi Kita-ku 4-5-6 {word}",
        "residence_card_number": "QX98765432ZW",
    }
    await market.profile(worker, birth_date=date_pb2.Date(year=1993, month=11, day=7), **secrets)

    [row] = await market.rows("SELECT * FROM worker_profiles WHERE user_id = %s", worker.user_id)
    for column in PII_COLUMNS:
        assert row[column] is not None, column
        assert bytes(row[column])[:1] == b"\x01", f"{column} is not a versioned ciphertext"

    card = secrets["residence_card_number"]
    plaintexts = [
        secrets["phone"],
        secrets["phone"].lstrip("+"),
        secrets["address"],
        word,
        "1993-11-07",
        "19931107",
        "1993/11/07",
        card,
        card.lower(),
        card.upper(),
        card[2:10],
    ]
    needles = set()
    for text in plaintexts:
        for encoded in (
            text.encode(),
            text.encode("utf-16-le"),
            text.encode().hex().encode(),
            base64.b64encode(text.encode()),
            base64.urlsafe_b64encode(text.encode()),
        ):
            needles.add(encoded)
            needles.add(encoded.lower())
    for column, value in row.items():
        raw = bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
        for needle in needles:
            assert needle.lower() not in raw.lower(), f"{column} holds {needle!r} in plaintext"
    # Nor did the profile-changed event carry any of it.
    for envelope, _ in await market.events(events_pb2.WorkerProfileChanged, worker.user_id):
        blob = envelope.SerializeToString().lower()
        assert not any(needle.lower() in blob for needle in needles)

    # The service still decrypts it for the worker.
    read = (await worker.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=worker.worker))).profile
    assert (read.phone, read.address, read.residence_card_number) == tuple(secrets.values())
    assert (read.birth_date.year, read.birth_date.month, read.birth_date.day) == (1993, 11, 7)


async def test_a_ciphertext_copied_to_another_row_or_column_does_not_decrypt(market):
    # Throwaway workers: their rows are broken on purpose.
    source, target, own_row = await market.worker(), await market.worker(), await market.worker()
    await market.profile(source, phone="+818055556666")
    await market.profile(target, phone="+818077778888")
    await market.profile(own_row, phone="+818033334444", address="Kyoto-shi Sakyo-ku")

    async with await market.connect() as conn:
        await conn.execute(
            "UPDATE worker_profiles SET phone_enc = (SELECT phone_enc FROM worker_profiles WHERE user_id = %s)"
            " WHERE user_id = %s",
            (source.user_id, target.user_id),
        )
        await conn.execute("UPDATE worker_profiles SET address_enc = phone_enc WHERE user_id = %s", (own_row.user_id,))

    for victim in (target, own_row):
        # DATA_LOSS (stored data is unreadable), not INTERNAL: the caller learns what is wrong, not the value.
        error = await market.fails(
            Code.DATA_LOSS, victim.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=victim.worker))
        )
        assert "+8180" not in (error.details() or "")
    # The source row itself is untouched and still decrypts.
    read = (await source.api.GetWorkerProfile(mp.GetWorkerProfileRequest(name=source.worker))).profile
    assert read.phone == "+818055556666"


# --- employer profiles ------------------------------------------------------------


async def test_employer_profile_create_partial_update_and_public_read(market):
    employer = await market.employer()
    await market.fails(
        Code.NOT_FOUND, employer.api.GetEmployerProfile(mp.GetEmployerProfileRequest(name=employer.employer))
    )
    sent = mp.EmployerProfile(
        name=employer.employer,
        display_name="Osaka Welding Works",
        description="Food machinery.",
        industry="Manufacturing",
        location=types.Location(prefecture="JP-27", city="Higashiosaka"),
        website="https://osaka-welding.example",
        supports_ssw=True,
    )
    created = (await employer.api.UpdateEmployerProfile(mp.UpdateEmployerProfileRequest(employer=sent))).employer
    assert created.update_time.seconds > 0
    created.ClearField("update_time")
    assert created == sent

    updated = (
        await employer.api.UpdateEmployerProfile(
            mp.UpdateEmployerProfileRequest(
                employer=mp.EmployerProfile(name=employer.employer, industry="Welding", display_name="ignored"),
                update_mask=_mask("industry"),
            )
        )
    ).employer
    assert (updated.industry, updated.display_name, updated.supports_ssw) == ("Welding", "Osaka Welding Works", True)

    # Any signed-in caller reads it; only members write it.
    worker = await market.worker()
    read = (await worker.api.GetEmployerProfile(mp.GetEmployerProfileRequest(name=employer.employer))).employer
    assert read == updated
    await market.fails(
        Code.PERMISSION_DENIED,
        worker.api.UpdateEmployerProfile(
            mp.UpdateEmployerProfileRequest(employer=mp.EmployerProfile(name=employer.employer))
        ),
    )
    other = await market.employer("Kobe Steel Fabrication")
    await market.fails(
        Code.PERMISSION_DENIED,
        other.api.UpdateEmployerProfile(
            mp.UpdateEmployerProfileRequest(employer=mp.EmployerProfile(name=employer.employer, display_name="x"))
        ),
    )

    # New jobs carry the employer's display name.
    job = await market.job(employer, market.unique_word(), publish=False)
    assert job.employer_display_name == "Osaka Welding Works"
