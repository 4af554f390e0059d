"""Matching's SQL: the projection's rows, feedback and weights."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.runtime.db import Connection, fetch_all, fetch_one


@dataclass(frozen=True)
class JobRow:
    name: str
    body: bytes
    published_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class WorkerRow:
    name: str
    body: bytes
    updated_at: datetime


@dataclass(frozen=True)
class VectorRow:
    name: str
    vector: list[float]
    text_hash: str


@dataclass(frozen=True)
class Count:
    job: str
    n: int


@dataclass(frozen=True)
class Outcome:
    worker: str
    job: str
    outcome: str


async def upsert_job(conn: Connection, name: str, body: bytes, published_at: datetime | None) -> None:
    await conn.execute(
        "INSERT INTO jobs (name, body, published_at) VALUES (%s, %s, %s) ON CONFLICT (name) DO UPDATE"
        " SET body = EXCLUDED.body, published_at = COALESCE(EXCLUDED.published_at, jobs.published_at),"
        " updated_at = now()",
        (name, body, published_at),
    )


async def delete_job(conn: Connection, name: str) -> None:
    await conn.execute("DELETE FROM jobs WHERE name = %s", (name,))


async def upsert_worker(conn: Connection, name: str, body: bytes) -> None:
    await conn.execute(
        "INSERT INTO workers (name, body) VALUES (%s, %s) ON CONFLICT (name) DO UPDATE"
        " SET body = EXCLUDED.body, updated_at = now()",
        (name, body),
    )


async def job(conn: Connection, name: str) -> JobRow | None:
    return await fetch_one(
        conn, JobRow, "SELECT name, body, published_at, updated_at FROM jobs WHERE name = %s", (name,)
    )


async def worker(conn: Connection, name: str) -> WorkerRow | None:
    return await fetch_one(conn, WorkerRow, "SELECT name, body, updated_at FROM workers WHERE name = %s", (name,))


async def all_jobs(conn: Connection) -> list[JobRow]:
    return await fetch_all(conn, JobRow, "SELECT name, body, published_at, updated_at FROM jobs ORDER BY name")


async def all_workers(conn: Connection) -> list[WorkerRow]:
    return await fetch_all(conn, WorkerRow, "SELECT name, body, updated_at FROM workers ORDER BY name")


async def vectors(conn: Connection, names: list[str] | None = None) -> list[VectorRow]:
    if names is None:
        return await fetch_all(conn, VectorRow, "SELECT name, vector, text_hash FROM vectors")
    return await fetch_all(
        conn, VectorRow, "SELECT name, vector, text_hash FROM vectors WHERE name = ANY(%s)", (names,)
    )


@dataclass(frozen=True)
class Stamp:
    name: str
    stamp: object


def stamp(value: object) -> str:
    """A row's version as the snapshot keeps it (an update time, or a text hash)."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


async def stamps(conn: Connection) -> dict[str, dict[str, str]]:
    """What each row is at now, cheaply (no bodies): jobs' and workers' update times, vectors' text hashes."""
    out: dict[str, dict[str, str]] = {}
    for kind, sql in (
        ("jobs", "SELECT name, updated_at AS stamp FROM jobs"),
        ("workers", "SELECT name, updated_at AS stamp FROM workers"),
        ("vectors", "SELECT name, text_hash AS stamp FROM vectors"),
    ):
        out[kind] = {r.name: stamp(r.stamp) for r in await fetch_all(conn, Stamp, sql)}
    return out


_COUNTING = (
    "SELECT DISTINCT v.worker, v.taxonomy_id FROM verified v JOIN credentials c ON c.name = v.credential"
    " WHERE c.state = 'ACTIVE' AND c.accredited AND (c.valid_until IS NULL OR c.valid_until > now())"
)


async def verified_skills(conn: Connection, worker_name: str) -> list[str]:
    """The keys the worker's counting credentials prove (active, accredited, valid)."""
    rows = await (await conn.execute(f"{_COUNTING} AND v.worker = %s ORDER BY 2", (worker_name,))).fetchall()
    return [str(r["taxonomy_id"]) for r in rows]


async def all_verified(conn: Connection) -> dict[str, list[str]]:
    """`verified_skills` of every worker at once (the projection's rebuild)."""
    out: dict[str, list[str]] = {}
    for r in await (await conn.execute(f"{_COUNTING} ORDER BY 1, 2")).fetchall():
        out.setdefault(str(r["worker"]), []).append(str(r["taxonomy_id"]))
    return out


@dataclass(frozen=True)
class CredentialRow:
    name: str
    worker: str
    state: str
    changed_at: datetime


async def credential_for_update(conn: Connection, name: str) -> CredentialRow | None:
    return await fetch_one(
        conn,
        CredentialRow,
        "SELECT name, worker, state, changed_at FROM credentials WHERE name = %s FOR UPDATE",
        (name,),
    )


async def save_credential(
    conn: Connection,
    name: str,
    worker_name: str,
    credential_type: str,
    state: str,
    accredited: bool,
    valid_until: datetime | None,
    changed_at: datetime,
    keys: tuple[str, ...],
) -> None:
    """Store a credential's state and, unless it is revoked, the keys it proves."""
    await conn.execute(
        "INSERT INTO credentials (name, worker, type, state, accredited, valid_until, changed_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state,"
        " accredited = EXCLUDED.accredited, valid_until = EXCLUDED.valid_until, changed_at = EXCLUDED.changed_at",
        (name, worker_name, credential_type, state, accredited, valid_until, changed_at),
    )
    await conn.execute("DELETE FROM verified WHERE credential = %s", (name,))
    if state != "REVOKED" and keys:
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO verified (worker, credential, taxonomy_id) VALUES (%s, %s, %s)",
                [(worker_name, name, k) for k in keys],
            )


async def record_feedback(conn: Connection, worker_name: str, job_name: str, source: str, outcome: str) -> None:
    await conn.execute(
        "INSERT INTO feedback (worker, job, source, outcome) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (worker, job, source) DO UPDATE SET outcome = EXCLUDED.outcome, updated_at = now()",
        (worker_name, job_name, source, outcome),
    )


async def applicant_counts(conn: Connection, job_names: list[str] | None = None) -> list[Count]:
    """Live applications per job (not withdrawn or rejected)."""
    where = "AND job = ANY(%s)" if job_names is not None else ""
    return await fetch_all(
        conn,
        Count,
        "SELECT job, count(*)::int AS n FROM feedback WHERE source = 'application'"
        f" AND outcome NOT IN ('WITHDRAWN', 'REJECTED') {where} GROUP BY job",
        (job_names,) if job_names is not None else (),
    )


async def outcomes(conn: Connection) -> list[Outcome]:
    return await fetch_all(conn, Outcome, "SELECT worker, job, outcome FROM feedback ORDER BY worker, job, source")


# --- WatchMatches ------------------------------------------------------------------


@dataclass(frozen=True)
class Announced:
    worker: str
    job: str
    score: float
    notified: bool


@dataclass(frozen=True)
class MatchRow:
    seq: int
    body_en: bytes
    body_ja: bytes


async def announced(conn: Connection, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Announced]:
    """What was announced for these (worker, job) pairs, locked until the commit."""
    if not pairs:
        return {}
    rows = await fetch_all(
        conn,
        Announced,
        "SELECT m.worker, m.job, m.score, m.notified FROM matched m"
        " JOIN unnest(%s::text[], %s::text[]) AS p(worker, job) USING (worker, job)"
        " ORDER BY m.worker, m.job FOR UPDATE OF m",
        ([w for w, _ in pairs], [j for _, j in pairs]),
    )
    return {(r.worker, r.job): r for r in rows}


async def save_announced(conn: Connection, rows: list[Announced]) -> None:
    if not rows:
        return
    await conn.execute(
        "INSERT INTO matched (worker, job, score, notified)"
        " SELECT * FROM unnest(%s::text[], %s::text[], %s::float8[], %s::bool[])"
        " ON CONFLICT (worker, job) DO UPDATE SET score = EXCLUDED.score,"
        " notified = matched.notified OR EXCLUDED.notified",
        ([r.worker for r in rows], [r.job for r in rows], [r.score for r in rows], [r.notified for r in rows]),
    )


async def forget_job(conn: Connection, job_name: str) -> None:
    """A closed job's pairs: announced again if it is published again."""
    await conn.execute("DELETE FROM matched WHERE job = %s", (job_name,))


async def number_matches(conn: Connection, counts: dict[str, int]) -> dict[str, int]:
    """Reserve `counts[subject]` sequence numbers per subject; the first of each (subjects locked till commit)."""
    if not counts:
        return {}
    subjects = sorted(counts)  # one lock order for every transaction: no deadlocks between consumers
    rows = await (
        await conn.execute(
            "INSERT INTO match_subjects (subject, last_seq)"
            " SELECT s, n FROM unnest(%s::text[], %s::bigint[]) WITH ORDINALITY AS t(s, n, o) ORDER BY o"
            " ON CONFLICT (subject) DO UPDATE SET last_seq = match_subjects.last_seq + EXCLUDED.last_seq"
            " RETURNING subject, last_seq",
            (subjects, [counts[s] for s in subjects]),
        )
    ).fetchall()
    return {str(r["subject"]): int(r["last_seq"]) - counts[str(r["subject"])] + 1 for r in rows}


async def add_matches(conn: Connection, rows: list[tuple[str, int, str, str, float, bytes, bytes]]) -> None:
    """(subject, seq, worker, job, score, body_en, body_ja) rows."""
    if rows:
        async with conn.cursor() as cur:
            await cur.executemany(
                "INSERT INTO matches (subject, seq, worker, job, score, body_en, body_ja)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )


async def last_match_seq(conn: Connection, subject: str) -> int:
    row = await (await conn.execute("SELECT last_seq FROM match_subjects WHERE subject = %s", (subject,))).fetchone()
    return int(row["last_seq"]) if row else 0


async def matches_after(conn: Connection, subject: str, after: int, limit: int) -> list[MatchRow]:
    return await fetch_all(
        conn,
        MatchRow,
        "SELECT seq, body_en, body_ja FROM matches WHERE subject = %s AND seq > %s ORDER BY seq LIMIT %s",
        (subject, after, limit),
    )


# --- vectors from the agent's Embed ----------------------------------------------------


@dataclass(frozen=True)
class Pending:
    name: str
    kind: str
    body: str
    text_hash: str


async def queue_embedding(conn: Connection, name: str, kind: str, body: str, text_hash: str) -> bool:
    """Queue a text for a vector unless the stored vector already comes from this text; True if queued."""
    current = await (
        await conn.execute("SELECT 1 FROM vectors WHERE name = %s AND text_hash = %s", (name, text_hash))
    ).fetchone()
    if current is not None:
        await conn.execute("DELETE FROM embed_queue WHERE name = %s", (name,))
        return False
    await conn.execute(
        "INSERT INTO embed_queue (name, kind, body, text_hash) VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO UPDATE"
        " SET kind = EXCLUDED.kind, body = EXCLUDED.body, text_hash = EXCLUDED.text_hash, queued_at = now()",
        (name, kind, body, text_hash),
    )
    return True


async def take_pending(conn: Connection, limit: int) -> list[Pending]:
    """The oldest queued texts, locked for this transaction (other replicas skip them)."""
    return await fetch_all(
        conn,
        Pending,
        "SELECT name, kind, body, text_hash FROM embed_queue ORDER BY queued_at LIMIT %s FOR UPDATE SKIP LOCKED",
        (limit,),
    )


async def save_vectors(conn: Connection, model: str, rows: list[tuple[Pending, list[float]]]) -> None:
    """Store the vectors and drop their queue rows (a text changed meanwhile has its own hash and stays)."""
    if not rows:
        return
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO vectors (name, model, text_hash, vector) VALUES (%s, %s, %s, %s) ON CONFLICT (name)"
            " DO UPDATE SET model = EXCLUDED.model, text_hash = EXCLUDED.text_hash, vector = EXCLUDED.vector",
            [(p.name, model, p.text_hash, v) for p, v in rows],
        )
        await cur.executemany(
            "DELETE FROM embed_queue WHERE name = %s AND text_hash = %s", [(p.name, p.text_hash) for p, _ in rows]
        )


async def forget_vector(conn: Connection, name: str) -> None:
    await conn.execute("DELETE FROM vectors WHERE name = %s", (name,))
    await conn.execute("DELETE FROM embed_queue WHERE name = %s", (name,))


# --- weights ----------------------------------------------------------------------------


async def newest_feedback_time(conn: Connection) -> datetime | None:
    row = await (await conn.execute("SELECT max(updated_at) AS t FROM feedback")).fetchone()
    return row["t"] if row else None


async def make_current(conn: Connection, version: str, body: str) -> None:
    """Store a version (or find it stored) and make it the newest."""
    await conn.execute(
        "INSERT INTO weights (version, body) VALUES (%s, %s) ON CONFLICT (version) DO UPDATE SET created_at = now()",
        (version, body),
    )


async def current_weights(conn: Connection) -> str | None:
    """The current version's JSON, or None (the hand-set weights apply)."""
    row = await (await conn.execute("SELECT body FROM weights ORDER BY created_at DESC LIMIT 1")).fetchone()
    return str(row["body"]) if row else None
