"""SQL for marketplace's tables. Every function takes an open connection.

Messages are stored serialized in `body`, with the columns that queries
filter and sort on alongside. Worker personal data never enters `body`.
"""

from __future__ import annotations

import uuid
from typing import Any

import psycopg

from iworkz.type.v1 import profile_types_pb2 as types
from services.marketplace.domain import eligibility
from services.runtime import names
from services.runtime.errors import AlreadyExists, NotFound

# --- worker profiles ---------------------------------------------------------


async def worker_profile(conn, user_id: str, for_update: bool = False) -> dict | None:
    return await (
        await conn.execute(
            "SELECT * FROM worker_profiles WHERE user_id = %s" + (" FOR UPDATE" if for_update else ""),
            (names.uuid_of(user_id, "worker"),),
        )
    ).fetchone()


async def upsert_worker_profile(conn, user_id: str, body: bytes, columns: dict, encrypted: dict) -> dict:
    values = {**columns, **encrypted}
    names = ", ".join(values)
    placeholders = ", ".join(["%s"] * len(values))
    updates = ", ".join(f"{k} = EXCLUDED.{k}" for k in values)
    return await (
        await conn.execute(
            f"INSERT INTO worker_profiles (user_id, body, {names}) VALUES (%s, %s, {placeholders})"
            f" ON CONFLICT (user_id) DO UPDATE SET body = EXCLUDED.body, {updates}, updated_at = now()"
            " RETURNING *",
            (uuid.UUID(user_id), body, *values.values()),
        )
    ).fetchone()


# --- employer profiles -------------------------------------------------------


async def employer_profile(conn, org_id: str) -> dict | None:
    return await (
        await conn.execute("SELECT * FROM employer_profiles WHERE org_id = %s", (names.uuid_of(org_id, "employer"),))
    ).fetchone()


async def upsert_employer_profile(conn, org_id: str, body: bytes, display_name: str) -> dict:
    return await (
        await conn.execute(
            "INSERT INTO employer_profiles (org_id, body, display_name) VALUES (%s, %s, %s)"
            " ON CONFLICT (org_id) DO UPDATE SET body = EXCLUDED.body, display_name = EXCLUDED.display_name,"
            " updated_at = now() RETURNING *",
            (uuid.UUID(org_id), body, display_name),
        )
    ).fetchone()


# --- jobs ----------------------------------------------------------------------


def job_columns(job) -> dict:
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
    }


async def insert_job(conn, job_id: uuid.UUID, org_id: str, body: bytes, columns: dict) -> dict:
    names = ", ".join(columns)
    return await (
        await conn.execute(
            f"INSERT INTO jobs (id, org_id, body, {names}) VALUES (%s, %s, %s, {', '.join(['%s'] * len(columns))})"
            " RETURNING *",
            (job_id, uuid.UUID(org_id), body, *columns.values()),
        )
    ).fetchone()


async def update_job(conn, job_id, body: bytes, columns: dict, published: bool = False) -> dict:
    sets = ", ".join(f"{k} = %s" for k in columns)
    extra = ", published_at = now()" if published else ""
    return await (
        await conn.execute(
            f"UPDATE jobs SET body = %s, {sets}, updated_at = now(){extra} WHERE id = %s RETURNING *",
            (body, *columns.values(), job_id),
        )
    ).fetchone()


async def job(conn, org_id: str, job_id: str, for_update: bool = False) -> dict:
    row = await (
        await conn.execute(
            "SELECT * FROM jobs WHERE id = %s AND org_id = %s" + (" FOR UPDATE" if for_update else ""),
            (names.uuid_of(job_id, "job"), names.uuid_of(org_id, "job")),
        )
    ).fetchone()
    if row is None:
        raise NotFound("no such job")
    return row


async def list_jobs(conn, org_id: str, state: int, limit: int, after: tuple | None) -> list[dict]:
    clauses: list[str] = ["org_id = %s"]
    params: list[Any] = [uuid.UUID(org_id)]
    if state:
        clauses.append("state = %s")
        params.append(state)
    if after:
        clauses.append("(created_at, id) < (%s, %s)")
        params.extend(after)
    return await (
        await conn.execute(
            f"SELECT * FROM jobs WHERE {' AND '.join(clauses)} ORDER BY created_at DESC, id DESC LIMIT %s",
            (*params, limit),
        )
    ).fetchall()


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
        params.append(sorted(eligibility.levels_satisfied_by(request.japanese_level)))
    status = request.visa_status
    if status and status not in eligibility.UNRESTRICTED_STATUSES:
        clauses.append("(eligible_visa_statuses = '{}' OR %s = ANY(eligible_visa_statuses))")
        params.append(status)
        if status in eligibility.SSW_STATUSES:
            clauses.append("(eligible_ssw_fields = '{}' OR %s = ANY(eligible_ssw_fields))")
            params.append(request.ssw_field)
        elif status == types.VISA_STATUS_NEEDS_SPONSORSHIP:
            clauses.append("offers_sponsorship")
        elif status == types.VISA_STATUS_STUDENT:
            clauses.append("employment_type = ANY(%s)")
            params.append(sorted(eligibility.STUDENT_EMPLOYMENT_TYPES))
    return clauses, params


async def search_jobs(conn, request, limit: int, after: tuple | None) -> tuple[list[dict], int]:
    clauses, params = search_filters(request)
    where = " AND ".join(clauses)
    total = (await (await conn.execute(f"SELECT count(*) AS n FROM jobs WHERE {where}", params)).fetchone())["n"]
    column, direction = ORDERINGS[request.order_by]
    page_clauses, page_params = list(clauses), list(params)
    if after:
        page_clauses.append(f"({column}, id) {'<' if direction == 'DESC' else '>'} (%s, %s)")
        page_params.extend(after)
    rows = await (
        await conn.execute(
            f"SELECT * FROM jobs WHERE {' AND '.join(page_clauses)}"
            f" ORDER BY {column} {direction}, id {direction} LIMIT %s",
            (*page_params, limit),
        )
    ).fetchall()
    return rows, total


# --- applications ----------------------------------------------------------------


async def insert_application(
    conn, job_row: dict, worker_id: str, cover_letter: str, worker_display_name: str, status: int
) -> dict:
    try:
        async with conn.transaction():
            return await (
                await conn.execute(
                    "INSERT INTO applications (id, job_id, org_id, worker_id, status, cover_letter, job_title,"
                    " worker_display_name) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING *",
                    (
                        uuid.uuid4(),
                        job_row["id"],
                        job_row["org_id"],
                        uuid.UUID(worker_id),
                        status,
                        cover_letter,
                        job_row["title"],
                        worker_display_name,
                    ),
                )
            ).fetchone()
    except psycopg.errors.UniqueViolation:
        raise AlreadyExists("you have already applied to this job") from None


async def application(conn, org_id: str, job_id: str, app_id: str, for_update: bool = False) -> dict:
    row = await (
        await conn.execute(
            "SELECT * FROM applications WHERE id = %s AND job_id = %s AND org_id = %s"
            + (" FOR UPDATE" if for_update else ""),
            (
                names.uuid_of(app_id, "application"),
                names.uuid_of(job_id, "application"),
                names.uuid_of(org_id, "application"),
            ),
        )
    ).fetchone()
    if row is None:
        raise NotFound("no such application")
    return row


async def set_application_status(conn, app_id, status: int) -> dict:
    return await (
        await conn.execute(
            "UPDATE applications SET status = %s, updated_at = now() WHERE id = %s RETURNING *", (status, app_id)
        )
    ).fetchone()


async def add_application_event(conn, app_id, from_status: int, to_status: int, actor: str, note: str) -> None:
    await conn.execute(
        "INSERT INTO application_events (application_id, from_status, to_status, actor, note)"
        " VALUES (%s, %s, %s, %s, %s)",
        (app_id, from_status, to_status, actor, note),
    )


async def application_events(conn, app_ids: list) -> dict:
    rows = await (
        await conn.execute("SELECT * FROM application_events WHERE application_id = ANY(%s) ORDER BY id", (app_ids,))
    ).fetchall()
    events: dict = {}
    for row in rows:
        events.setdefault(row["application_id"], []).append(row)
    return events


async def list_applications(
    conn, *, worker_id: str = "", org_id: str = "", job_id: str = "", status: int = 0, limit: int, after: tuple | None
) -> list[dict]:
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
    return await (
        await conn.execute(
            f"SELECT * FROM applications WHERE {' AND '.join(clauses)} ORDER BY created_at DESC, id DESC LIMIT %s",
            (*params, limit),
        )
    ).fetchall()
