"""SQL for marketplace's tables. Every function takes an open connection.

Messages are stored serialized in `body`, with the columns that queries
filter and sort on alongside. Worker personal data never enters `body`.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from services.eligibility import contracts, rules
from services.eligibility.facts import Status
from services.runtime import names
from services.runtime.db import Connection, fetch_all, fetch_one
from services.runtime.errors import AlreadyExists, NotFound


@dataclass(frozen=True)
class WorkerProfileRow:
    """A row of `worker_profiles`: the serialized profile, its query columns, encrypted personal data."""

    user_id: uuid.UUID
    body: bytes
    display_name: str
    visa_status: int
    ssw_field: int
    japanese_level: int
    prefecture: str
    phone_enc: bytes | None
    address_enc: bytes | None
    birth_date_enc: bytes | None
    residence_card_enc: bytes | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class EmployerProfileRow:
    org_id: uuid.UUID
    body: bytes
    display_name: str
    updated_at: datetime


@dataclass(frozen=True)
class JobRow:
    """A row of `jobs` (without its search vector)."""

    id: uuid.UUID
    org_id: uuid.UUID
    body: bytes
    state: int
    title: str
    search_text: str
    prefecture: str
    wage_min: int
    wage_max: int
    wage_period: int
    monthly_wage_max: int
    monthly_wage_min: int
    employment_type: int
    min_japanese_level: int
    eligible_visa_statuses: list[int]
    eligible_ssw_fields: list[int]
    offers_sponsorship: bool
    hours_per_week: int
    manual_work: bool
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


@dataclass(frozen=True)
class ApplicationRow:
    id: uuid.UUID
    job_id: uuid.UUID
    org_id: uuid.UUID
    worker_id: uuid.UUID
    status: int
    cover_letter: str
    job_title: str
    worker_display_name: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ApplicationEventRow:
    id: int
    application_id: uuid.UUID
    from_status: int
    to_status: int
    actor: str
    note: str
    created_at: datetime


def _columns(row_type: type) -> str:
    return ", ".join(field.name for field in dataclasses.fields(row_type))


_WORKER = _columns(WorkerProfileRow)
_EMPLOYER = _columns(EmployerProfileRow)
_JOB = _columns(JobRow)
_APPLICATION = _columns(ApplicationRow)
_EVENT = _columns(ApplicationEventRow)

# --- worker profiles ---------------------------------------------------------


async def worker_profile(conn: Connection, user_id: str, for_update: bool = False) -> WorkerProfileRow | None:
    return await fetch_one(
        conn,
        WorkerProfileRow,
        f"SELECT {_WORKER} FROM worker_profiles WHERE user_id = %s" + (" FOR UPDATE" if for_update else ""),
        (names.uuid_of(user_id, "worker"),),
    )


async def upsert_worker_profile(
    conn: Connection, user_id: str, body: bytes, columns: dict[str, Any], encrypted: dict[str, Any]
) -> WorkerProfileRow:
    values = {**columns, **encrypted}
    listed = ", ".join(values)
    placeholders = ", ".join(["%s"] * len(values))
    updates = ", ".join(f"{k} = EXCLUDED.{k}" for k in values)
    row = await fetch_one(
        conn,
        WorkerProfileRow,
        f"INSERT INTO worker_profiles (user_id, body, {listed}) VALUES (%s, %s, {placeholders})"
        f" ON CONFLICT (user_id) DO UPDATE SET body = EXCLUDED.body, {updates}, updated_at = now()"
        f" RETURNING {_WORKER}",
        (uuid.UUID(user_id), body, *values.values()),
    )
    assert row is not None
    return row


# --- employer profiles -------------------------------------------------------


async def employer_profile(conn: Connection, org_id: str) -> EmployerProfileRow | None:
    return await fetch_one(
        conn,
        EmployerProfileRow,
        f"SELECT {_EMPLOYER} FROM employer_profiles WHERE org_id = %s",
        (names.uuid_of(org_id, "employer"),),
    )


async def upsert_employer_profile(conn: Connection, org_id: str, body: bytes, display_name: str) -> EmployerProfileRow:
    row = await fetch_one(
        conn,
        EmployerProfileRow,
        "INSERT INTO employer_profiles (org_id, body, display_name) VALUES (%s, %s, %s)"
        " ON CONFLICT (org_id) DO UPDATE SET body = EXCLUDED.body, display_name = EXCLUDED.display_name,"
        f" updated_at = now() RETURNING {_EMPLOYER}",
        (uuid.UUID(org_id), body, display_name),
    )
    assert row is not None
    return row


# --- jobs ----------------------------------------------------------------------


def job_columns(job: Any) -> dict[str, Any]:
    """The queryable columns of a Job message."""
    skills = " ".join(s.label for s in [*job.required_skills, *job.preferred_skills])
    return {
        "state": job.state,
        "title": job.title,
        "search_text": f"{job.title} {job.description} {skills}",
        "prefecture": job.location.prefecture,
        "wage_min": job.wage_min.units,
        "wage_max": job.wage_max.units,
        "wage_period": job.wage_period,
        "employment_type": job.employment_type,
        "min_japanese_level": job.min_japanese_level,
        "eligible_visa_statuses": list(job.eligible_visa_statuses),
        "eligible_ssw_fields": list(job.eligible_ssw_fields),
        "offers_sponsorship": job.offers_visa_sponsorship,
        "hours_per_week": job.hours_per_week,
        "manual_work": job.manual_work,
    }


async def insert_job(conn: Connection, job_id: uuid.UUID, org_id: str, body: bytes, columns: dict[str, Any]) -> JobRow:
    listed = ", ".join(columns)
    row = await fetch_one(
        conn,
        JobRow,
        f"INSERT INTO jobs (id, org_id, body, {listed}) VALUES (%s, %s, %s, {', '.join(['%s'] * len(columns))})"
        f" RETURNING {_JOB}",
        (job_id, uuid.UUID(org_id), body, *columns.values()),
    )
    assert row is not None
    return row


async def update_job(
    conn: Connection, job_id: uuid.UUID, body: bytes, columns: dict[str, Any], published: bool = False
) -> JobRow:
    sets = ", ".join(f"{k} = %s" for k in columns)
    extra = ", published_at = now()" if published else ""
    row = await fetch_one(
        conn,
        JobRow,
        f"UPDATE jobs SET body = %s, {sets}, updated_at = now(){extra} WHERE id = %s RETURNING {_JOB}",
        (body, *columns.values(), job_id),
    )
    if row is None:
        raise NotFound("no such job")
    return row


async def job(conn: Connection, org_id: str, job_id: str, for_update: bool = False) -> JobRow:
    row = await fetch_one(
        conn,
        JobRow,
        f"SELECT {_JOB} FROM jobs WHERE id = %s AND org_id = %s" + (" FOR UPDATE" if for_update else ""),
        (names.uuid_of(job_id, "job"), names.uuid_of(org_id, "job")),
    )
    if row is None:
        raise NotFound("no such job")
    return row


async def list_jobs(
    conn: Connection, org_id: str, state: int, limit: int, after: tuple[Any, ...] | None
) -> list[JobRow]:
    clauses: list[str] = ["org_id = %s"]
    params: list[Any] = [uuid.UUID(org_id)]
    if state:
        clauses.append("state = %s")
        params.append(state)
    if after:
        clauses.append("(created_at, id) < (%s, %s)")
        params.extend(after)
    return await fetch_all(
        conn,
        JobRow,
        f"SELECT {_JOB} FROM jobs WHERE {' AND '.join(clauses)} ORDER BY created_at DESC, id DESC LIMIT %s",
        (*params, limit),
    )


# Search orderings: SQL sort key and direction.
ORDERINGS = {
    "": ("published_at", "DESC"),
    "publish_time desc": ("published_at", "DESC"),
    "wage desc": ("monthly_wage_max", "DESC"),
    "wage asc": ("monthly_wage_min", "ASC"),
}


def search_filters(request: Any) -> tuple[list[str], list[Any]]:
    """SQL conditions for SearchJobs' filters (open jobs only).

    The visa conditions are the SQL form of `domain.eligibility`; a test
    checks that both agree on every job of the demo data.
    """
    clauses: list[str] = ["state = %s"]
    params: list[Any] = [2]
    if request.query.strip():
        clauses.append("(search @@ plainto_tsquery('simple', %s) OR title ILIKE %s)")
        escaped = request.query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.extend([request.query.strip(), f"%{escaped}%"])
    if request.prefecture:
        clauses.append("prefecture = %s")
        params.append(request.prefecture)
    if request.HasField("wage_at_least"):
        # The same monthly_wage() (migration 0002) that fills monthly_wage_max.
        clauses.append("monthly_wage_max >= monthly_wage(%s, %s)")
        params.extend([request.wage_at_least.units, request.wage_period])
    if request.employment_type:
        clauses.append("employment_type = %s")
        params.append(request.employment_type)
    if request.japanese_level:
        clauses.append("min_japanese_level = ANY(%s)")
        params.append(sorted(contracts.levels_satisfied_by(request.japanese_level)))
    if request.visa_status:
        clause, values = _status_filter(request.visa_status, request.ssw_field)
        clauses.append(clause)
        params.extend(values)
    return clauses, params


def _status_filter(visa_status: int, ssw_field: int) -> tuple[str, list[Any]]:
    """The status-of-residence rules of `services.eligibility.rules` as SQL over the job columns.

    A search does not know the worker's permission to work (students and
    dependents: assumed held) or training employer (technical intern
    trainees cannot change employer: no job matches). A test checks that
    search and the rules agree on a grid of jobs and statuses.
    """
    status = contracts.status(visa_status)
    if status in rules.UNRESTRICTED:
        return "true", []
    listed = "(eligible_visa_statuses = '{}' OR %s = ANY(eligible_visa_statuses))"
    if status is Status.DESIGNATED_ACTIVITIES:
        return "%s = ANY(eligible_visa_statuses)", [visa_status]
    if status in rules.FIELD_BOUND or status is Status.NURSING_CARE:
        field = contracts.field_value(rules.NURSING_CARE_FIELD) if status is Status.NURSING_CARE else ssw_field
        return f"{listed} AND %s = ANY(eligible_ssw_fields)", [visa_status, field]
    if status in rules.PART_TIME_ONLY:
        part_time = [contracts.employment_value(e) for e in sorted(rules.PART_TIME_TYPES, key=lambda e: e.value)]
        return (
            f"{listed} AND employment_type = ANY(%s) AND hours_per_week BETWEEN 1 AND %s",
            [visa_status, part_time, rules.PART_TIME_HOURS_LIMIT],
        )
    if status in rules.PROFESSIONAL_ONLY:
        return f"{listed} AND NOT manual_work", [visa_status]
    if status is Status.NEEDS_SPONSORSHIP:
        return f"{listed} AND offers_sponsorship", [visa_status]
    return "false", []  # technical intern trainees


async def search_jobs(
    conn: Connection, request: Any, limit: int, after: tuple[Any, ...] | None
) -> tuple[list[JobRow], int]:
    clauses, params = search_filters(request)
    where = " AND ".join(clauses)
    counted = await (await conn.execute(f"SELECT count(*) AS n FROM jobs WHERE {where}", params)).fetchone()
    total = int(counted["n"]) if counted else 0
    column, direction = ORDERINGS[request.order_by]
    page_clauses, page_params = list(clauses), list(params)
    if after:
        page_clauses.append(f"({column}, id) {'<' if direction == 'DESC' else '>'} (%s, %s)")
        page_params.extend(after)
    rows = await fetch_all(
        conn,
        JobRow,
        f"SELECT {_JOB} FROM jobs WHERE {' AND '.join(page_clauses)} ORDER BY {column} {direction}, id {direction}"
        " LIMIT %s",
        (*page_params, limit),
    )
    return rows, total


# --- applications ----------------------------------------------------------------


async def insert_application(
    conn: Connection, job_row: JobRow, worker_id: str, cover_letter: str, worker_display_name: str, status: int
) -> ApplicationRow:
    try:
        async with conn.transaction():
            row = await fetch_one(
                conn,
                ApplicationRow,
                "INSERT INTO applications (id, job_id, org_id, worker_id, status, cover_letter, job_title,"
                f" worker_display_name) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING {_APPLICATION}",
                (
                    uuid.uuid4(),
                    job_row.id,
                    job_row.org_id,
                    uuid.UUID(worker_id),
                    status,
                    cover_letter,
                    job_row.title,
                    worker_display_name,
                ),
            )
    except psycopg.errors.UniqueViolation:
        raise AlreadyExists("you have already applied to this job") from None
    assert row is not None
    return row


async def application(
    conn: Connection, org_id: str, job_id: str, app_id: str, for_update: bool = False
) -> ApplicationRow:
    row = await fetch_one(
        conn,
        ApplicationRow,
        f"SELECT {_APPLICATION} FROM applications WHERE id = %s AND job_id = %s AND org_id = %s"
        + (" FOR UPDATE" if for_update else ""),
        (
            names.uuid_of(app_id, "application"),
            names.uuid_of(job_id, "application"),
            names.uuid_of(org_id, "application"),
        ),
    )
    if row is None:
        raise NotFound("no such application")
    return row


async def set_application_status(conn: Connection, app_id: uuid.UUID, status: int) -> ApplicationRow:
    row = await fetch_one(
        conn,
        ApplicationRow,
        f"UPDATE applications SET status = %s, updated_at = now() WHERE id = %s RETURNING {_APPLICATION}",
        (status, app_id),
    )
    if row is None:
        raise NotFound("no such application")
    return row


async def add_application_event(
    conn: Connection, app_id: uuid.UUID, from_status: int, to_status: int, actor: str, note: str
) -> None:
    await conn.execute(
        "INSERT INTO application_events (application_id, from_status, to_status, actor, note)"
        " VALUES (%s, %s, %s, %s, %s)",
        (app_id, from_status, to_status, actor, note),
    )


async def application_events(conn: Connection, app_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ApplicationEventRow]]:
    rows = await fetch_all(
        conn,
        ApplicationEventRow,
        f"SELECT {_EVENT} FROM application_events WHERE application_id = ANY(%s) ORDER BY id",
        (app_ids,),
    )
    events: dict[uuid.UUID, list[ApplicationEventRow]] = {}
    for row in rows:
        events.setdefault(row.application_id, []).append(row)
    return events


async def list_applications(
    conn: Connection,
    *,
    worker_id: str = "",
    org_id: str = "",
    job_id: str = "",
    status: int = 0,
    limit: int,
    after: tuple[Any, ...] | None,
) -> list[ApplicationRow]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("worker_id", worker_id), ("org_id", org_id), ("job_id", job_id)):
        if value:
            clauses.append(f"{column} = %s")
            params.append(uuid.UUID(value))
    if status:
        clauses.append("status = %s")
        params.append(status)
    if after:
        clauses.append("(created_at, id) < (%s, %s)")
        params.extend(after)
    return await fetch_all(
        conn,
        ApplicationRow,
        f"SELECT {_APPLICATION} FROM applications WHERE {' AND '.join(clauses)}"
        " ORDER BY created_at DESC, id DESC LIMIT %s",
        (*params, limit),
    )
