"""Eligibility as column filters over every open job at once.

`JobTable` keeps, per job row, the columns the hard rules read, and
`JobTable.eligible_mask(worker)` evaluates the rules of `eligibility.check`
for one worker against all rows with numpy. The index searches only rows in
the mask, so filters apply before the top-k. The mask is exact for the rules
(a test compares it with `eligibility.check` on random pairs); the one
approximation is licences beyond the first 63 distinct ones, which the mask
lets through and `eligibility.check` (always run on the final results)
decides.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from services.eligibility.facts import EmploymentType, Job, Relocation, Status, Worker
from services.eligibility.geo import EARTH_RADIUS_KM, prefectures
from services.eligibility.rules import (
    COMMUTE_KM,
    FIELD_BOUND,
    FIELD_LABELS,
    NURSING_CARE_FIELD,
    PART_TIME_HOURS_LIMIT,
    PART_TIME_ONLY,
    PART_TIME_TYPES,
    PROFESSIONAL_ONLY,
    UNRESTRICTED,
)

STATUS_BIT = {s: 1 << i for i, s in enumerate(Status)}
FIELD_BIT = {f: 1 << i for i, f in enumerate(FIELD_LABELS)}
EMPLOYMENT_INDEX = {e: i for i, e in enumerate(EmploymentType)}
PREFECTURE_INDEX = {code: i for i, code in enumerate(sorted(prefectures()))}
REGIONS = sorted({p.region for p in prefectures().values()})
REGION_INDEX = {r: i for i, r in enumerate(REGIONS)}
OTHER_LICENCE_BIT = np.uint64(1 << 63)
MAX_LICENCE_BITS = 63
ALL_BUT_DESIGNATED = sum(STATUS_BIT.values()) & ~STATUS_BIT[Status.DESIGNATED_ACTIVITIES]
# Degrees of latitude beyond which no place is within commuting distance (a hundredth of a
# degree to spare for rounding).
_COMMUTE_DEGREES = float(np.degrees(COMMUTE_KM / EARTH_RADIUS_KM)) + 0.01

Mask = npt.NDArray[np.bool_]


def _grow(array: npt.NDArray[np.generic], size: int, fill: object) -> npt.NDArray[np.generic]:
    if len(array) >= size:
        return array
    extra = np.full(max(size, 2 * len(array)) - len(array), fill, dtype=array.dtype)
    return np.concatenate([array, extra])


class JobTable:
    """Columns of the hard rules, one row per job slot (rows match the index's slots)."""

    def __init__(self) -> None:
        self.live = np.zeros(0, dtype=np.bool_)
        self.accepts = np.zeros(0, dtype=np.int64)
        self.fields = np.zeros(0, dtype=np.int64)
        self.part_time_ok = np.zeros(0, dtype=np.bool_)
        self.manual = np.zeros(0, dtype=np.bool_)
        self.employer = np.zeros(0, dtype=np.int64)
        self.sponsors = np.zeros(0, dtype=np.bool_)
        self.min_jlpt = np.zeros(0, dtype=np.int8)
        self.employment = np.zeros(0, dtype=np.int8)
        self.known_place = np.zeros(0, dtype=np.bool_)
        self.prefecture = np.zeros(0, dtype=np.int16)
        self.region = np.zeros(0, dtype=np.int16)
        self.lat = np.zeros(0, dtype=np.float64)
        self.lon = np.zeros(0, dtype=np.float64)
        self.start = np.zeros(0, dtype=np.int64)
        self.licences = np.zeros(0, dtype=np.uint64)
        self.accepts_self = np.zeros(0, dtype=np.bool_)
        self.employers: dict[str, int] = {}
        self.licence_bits: dict[str, int] = {}

    def _ensure(self, size: int) -> None:
        for name, fill in (
            ("live", False),
            ("accepts", 0),
            ("fields", 0),
            ("part_time_ok", False),
            ("manual", False),
            ("employer", -1),
            ("sponsors", False),
            ("min_jlpt", 0),
            ("employment", 0),
            ("known_place", False),
            ("prefecture", -1),
            ("region", -1),
            ("lat", np.nan),
            ("lon", np.nan),
            ("start", 0),
            ("licences", 0),
            ("accepts_self", False),
        ):
            setattr(self, name, _grow(getattr(self, name), size, fill))

    def licence_mask(self, licences: tuple[str, ...] | list[str], *, grow: bool) -> np.uint64:
        mask = 0
        for lic in licences:
            bit = self.licence_bits.get(lic)
            if bit is None and grow and len(self.licence_bits) < MAX_LICENCE_BITS:
                bit = self.licence_bits[lic] = len(self.licence_bits)
            mask |= (1 << bit) if bit is not None else int(OTHER_LICENCE_BIT)
        return np.uint64(mask)

    def set(self, row: int, job: Job) -> None:
        """Write `job`'s columns into `row`."""
        self._ensure(row + 1)
        self.live[row] = True
        self.accepts[row] = (
            sum(STATUS_BIT[s] for s in set(job.eligible_statuses)) if job.eligible_statuses else ALL_BUT_DESIGNATED
        )
        self.fields[row] = sum(FIELD_BIT.get(f, 0) for f in set(job.fields))
        self.part_time_ok[row] = (
            job.employment_type in PART_TIME_TYPES and 0 < job.hours_per_week <= PART_TIME_HOURS_LIMIT
        )
        self.manual[row] = job.manual_work
        self.employer[row] = self.employers.setdefault(job.employer, len(self.employers)) if job.employer else -1
        self.sponsors[row] = job.offers_sponsorship
        self.min_jlpt[row] = max(0, job.min_japanese_level)
        self.employment[row] = EMPLOYMENT_INDEX[job.employment_type]
        self.known_place[row] = job.place.known
        self.prefecture[row] = PREFECTURE_INDEX.get(job.place.prefecture, -1)
        self.region[row] = REGION_INDEX.get(job.place.region, -1)
        point = job.place.point()
        self.lat[row], self.lon[row] = point if point else (np.nan, np.nan)
        self.start[row] = job.start_date.toordinal() if job.start_date else 0
        self.licences[row] = self.licence_mask(job.licences_required, grow=True)
        self.accepts_self[row] = job.accepts_self_declared_licences

    def clear(self, row: int) -> None:
        if row < len(self.live):
            self.live[row] = False

    def eligible_mask(self, worker: Worker, size: int | None = None) -> Mask:
        """Rows whose job `worker` is eligible for (see the module docstring)."""
        n = len(self.live) if size is None else size
        self._ensure(n)
        sl = slice(0, n)
        ok = self.live[sl] & self._status_ok(worker, sl)
        ok &= self.min_jlpt[sl] <= worker.japanese_level
        if worker.employment_types:
            allowed = [EMPLOYMENT_INDEX[e] for e in (*worker.employment_types, EmploymentType.UNSPECIFIED)]
            ok &= np.isin(self.employment[sl], allowed)
        ok &= self._location_ok(worker, sl)
        if worker.available_from is not None:
            start = self.start[sl]
            ok &= (start == 0) | (start >= worker.available_from.toordinal())
        ok &= self._licences_ok(worker, sl)
        return ok

    def _status_ok(self, worker: Worker, sl: slice) -> Mask:
        status = worker.status
        if status is Status.UNSPECIFIED:
            return np.zeros(sl.stop, dtype=np.bool_)
        if status in UNRESTRICTED:
            return np.ones(sl.stop, dtype=np.bool_)
        base: Mask = (self.accepts[sl] & STATUS_BIT[status]) != 0
        if status is Status.DESIGNATED_ACTIVITIES:
            return base
        if status in FIELD_BOUND or status is Status.NURSING_CARE:
            field = NURSING_CARE_FIELD if status is Status.NURSING_CARE else worker.designated_field
            bit = FIELD_BIT.get(field, 0)
            in_field: Mask = base & ((self.fields[sl] & bit) != 0)
            return in_field
        if status in PART_TIME_ONLY:
            allowed: Mask = base & self.part_time_ok[sl]
            return allowed if worker.work_permission else np.zeros(sl.stop, dtype=np.bool_)
        if status in PROFESSIONAL_ONLY:
            professional: Mask = base & ~self.manual[sl]
            return professional
        if status is Status.TECHNICAL_INTERN:
            employer = self.employers.get(worker.current_employer, -2) if worker.current_employer else -2
            same_employer: Mask = base & (self.employer[sl] == employer)
            return same_employer
        if status is Status.NEEDS_SPONSORSHIP:
            return base & self.sponsors[sl]
        return base

    def _location_ok(self, worker: Worker, sl: slice) -> Mask:
        place = worker.place
        if not place.known or worker.relocation is Relocation.ANYWHERE:
            return np.ones(sl.stop, dtype=np.bool_)
        ok = ~self.known_place[sl]
        pref = PREFECTURE_INDEX.get(place.prefecture, -2)
        ok |= self.prefecture[sl] == pref
        if worker.relocation is Relocation.REGION and place.region:
            ok |= self.region[sl] == REGION_INDEX.get(place.region, -2)
        point = place.point()
        if point is not None:
            # The distance only for rows not yet allowed within the commute's band of latitude
            # (a great circle is at least as long as its change of latitude): the same verdicts
            # as the distance of every row, for a few rows' work.
            near = ~ok & (np.abs(self.lat[sl] - point[0]) <= _COMMUTE_DEGREES)
            rows = np.flatnonzero(near)
            if len(rows):
                km = _km(self.lat[rows], self.lon[rows], point)
                ok[rows[np.nan_to_num(km, nan=np.inf) <= COMMUTE_KM]] = True
        return ok

    def _licences_ok(self, worker: Worker, sl: slice) -> Mask:
        verified = [c.taxonomy_id for c in worker.licences if c.verified]
        declared = [c.taxonomy_id for c in worker.licences if c.self_declared and not c.verified]
        v = self.licence_mask(verified, grow=False) | OTHER_LICENCE_BIT
        d = self.licence_mask(declared, grow=False) | OTHER_LICENCE_BIT
        need = self.licences[sl]
        strict: Mask = (need & ~v) == 0
        lenient: Mask = self.accepts_self[sl] & ((need & ~(v | d)) == 0)
        return strict | lenient


STATUS_INDEX = {s: i for i, s in enumerate(Status)}
RELOCATION_INDEX = {r: i for i, r in enumerate(Relocation)}
EMPLOYMENT_BIT = {e: 1 << i for i, e in enumerate(EmploymentType)}
_RESTRICTED_WITH_COLUMNS = FIELD_BOUND | PART_TIME_ONLY | {Status.NURSING_CARE, Status.TECHNICAL_INTERN}


def skill_keys(worker: Worker) -> set[str]:
    """The keys a worker's skills and licences match a job's skills by (taxonomy ids and labels)."""
    keys = set()
    for claim in (*worker.skills, *worker.licences):
        for text in (claim.taxonomy_id, claim.label):
            key = text.strip().lower()
            if key:
                keys.add(key)
    return keys


class WorkerTable:
    """The same hard rules the other way round: every worker row evaluated against one job.

    One row per worker (rows are reused when a worker leaves), with the
    columns the rules read, the worker's unit vector and an inverted index
    from skill keys to rows, so that discovering who a newly published job
    suits costs numpy passes over columns and work on the few rows that pass,
    not a rule check per worker. `eligible_mask(job)` equals `eligibility.check`
    pair by pair (a test compares them), except for required licences beyond
    the first 63 distinct ones held, which it lets through (the final check
    decides).
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.names: list[str | None] = []
        self.row: dict[str, int] = {}
        self.free: list[int] = []
        self.live = np.zeros(0, dtype=np.bool_)
        self.status = np.zeros(0, dtype=np.int8)
        self.field = np.zeros(0, dtype=np.int64)
        self.permission = np.zeros(0, dtype=np.bool_)
        self.employer = np.zeros(0, dtype=np.int64)
        self.jlpt = np.zeros(0, dtype=np.int8)
        self.employment = np.zeros(0, dtype=np.int64)
        self.known_place = np.zeros(0, dtype=np.bool_)
        self.prefecture = np.zeros(0, dtype=np.int16)
        self.region = np.zeros(0, dtype=np.int16)
        self.lat = np.zeros(0, dtype=np.float64)
        self.lon = np.zeros(0, dtype=np.float64)
        self.relocation = np.zeros(0, dtype=np.int8)
        self.available = np.zeros(0, dtype=np.int64)
        self.verified = np.zeros(0, dtype=np.uint64)
        self.declared = np.zeros(0, dtype=np.uint64)
        self.discoverable = np.zeros(0, dtype=np.bool_)
        self.experience = np.zeros(0, dtype=np.float64)
        self.updated = np.zeros(0, dtype=np.float64)
        self.has_vector = np.zeros(0, dtype=np.bool_)
        self.vectors = np.zeros((0, dim), dtype=np.float32)
        self.employers: dict[str, int] = {}
        self.licence_bits: dict[str, int] = {}
        self.by_skill: dict[str, set[int]] = {}
        self._keys: dict[int, set[str]] = {}

    def __len__(self) -> int:
        return len(self.row)

    def _ensure(self, size: int) -> None:
        if len(self.live) >= size:
            return
        for name, fill in (
            ("live", False),
            ("status", 0),
            ("field", 0),
            ("permission", False),
            ("employer", -2),
            ("jlpt", 0),
            ("employment", 0),
            ("known_place", False),
            ("prefecture", -2),
            ("region", -2),
            ("lat", np.nan),
            ("lon", np.nan),
            ("relocation", 0),
            ("available", 0),
            ("verified", 0),
            ("declared", 0),
            ("discoverable", False),
            ("experience", 0.0),
            ("updated", 0.0),
            ("has_vector", False),
        ):
            setattr(self, name, _grow(getattr(self, name), size, fill))
        if len(self.vectors) < len(self.live):
            extra = np.zeros((len(self.live) - len(self.vectors), self.dim), dtype=np.float32)
            self.vectors = np.concatenate([self.vectors, extra])

    def _licences(self, names: list[str]) -> np.uint64:
        mask = 0
        for lic in names:
            bit = self.licence_bits.get(lic)
            if bit is None and len(self.licence_bits) < MAX_LICENCE_BITS:
                bit = self.licence_bits[lic] = len(self.licence_bits)
            if bit is not None:
                mask |= 1 << bit
        return np.uint64(mask)

    def set(self, worker: Worker, vector: npt.NDArray[np.float32] | None = None) -> int:
        """Write `worker`'s columns (and its unit vector if given, else keep the row's); its row."""
        row = self.row.get(worker.name)
        if row is None:
            row = self.free.pop() if self.free else len(self.names)
            if row == len(self.names):
                self.names.append(worker.name)
            else:
                self.names[row] = worker.name
            self.row[worker.name] = row
        self._ensure(row + 1)
        status = worker.status
        self.live[row] = True
        self.status[row] = STATUS_INDEX[status]
        field = NURSING_CARE_FIELD if status is Status.NURSING_CARE else worker.designated_field
        self.field[row] = FIELD_BIT.get(field, 0)
        self.permission[row] = worker.work_permission
        self.employer[row] = (
            self.employers.setdefault(worker.current_employer, len(self.employers)) if worker.current_employer else -2
        )
        self.jlpt[row] = worker.japanese_level
        self.employment[row] = sum(EMPLOYMENT_BIT[e] for e in set(worker.employment_types))
        place = worker.place
        self.known_place[row] = place.known
        self.prefecture[row] = PREFECTURE_INDEX.get(place.prefecture, -2) if place.prefecture else -2
        self.region[row] = REGION_INDEX.get(place.region, -2) if place.region else -2
        point = place.point()
        self.lat[row], self.lon[row] = point if point else (np.nan, np.nan)
        self.relocation[row] = RELOCATION_INDEX[worker.relocation]
        self.available[row] = worker.available_from.toordinal() if worker.available_from else 0
        self.verified[row] = self._licences([c.taxonomy_id for c in worker.licences if c.verified])
        self.declared[row] = self._licences([c.taxonomy_id for c in worker.licences if c.self_declared])
        self.discoverable[row] = worker.discoverable
        self.experience[row] = worker.experience_years
        self.updated[row] = worker.updated.timestamp() if worker.updated else 0.0
        if vector is not None:
            self.vectors[row] = vector
            self.has_vector[row] = True
        keys = skill_keys(worker)
        for key in self._keys.get(row, set()) - keys:
            rows = self.by_skill.get(key)
            if rows is not None:
                rows.discard(row)
                if not rows:
                    del self.by_skill[key]
        for key in keys:
            self.by_skill.setdefault(key, set()).add(row)
        self._keys[row] = keys
        return row

    def remove(self, name: str) -> None:
        row = self.row.pop(name, None)
        if row is None:
            return
        self.names[row] = None
        self.live[row] = False
        self.has_vector[row] = False
        self.vectors[row] = 0.0
        for key in self._keys.pop(row, set()):
            rows = self.by_skill.get(key)
            if rows is not None:
                rows.discard(row)
                if not rows:
                    del self.by_skill[key]
        self.free.append(row)

    def rows_with_skills(self, keys: list[str]) -> npt.NDArray[np.int64]:
        """Rows holding any of these skill keys (a job's skills by id and label)."""
        rows: set[int] = set()
        for key in keys:
            rows |= self.by_skill.get(key.strip().lower(), set())
        return np.fromiter(rows, dtype=np.int64, count=len(rows))

    def eligible_mask(self, job: Job) -> Mask:
        """Rows whose worker is eligible for `job` (see the class docstring)."""
        n = len(self.live)
        ok = self.live & self._status_ok(job)
        if job.min_japanese_level > 0:
            ok &= self.jlpt >= job.min_japanese_level
        if job.employment_type is not EmploymentType.UNSPECIFIED:
            ok &= (self.employment == 0) | ((self.employment & EMPLOYMENT_BIT[job.employment_type]) != 0)
        ok &= self._location_ok(job, n)
        if job.start_date is not None:
            ok &= (self.available == 0) | (self.available <= job.start_date.toordinal())
        for lic in job.licences_required:
            bit = self.licence_bits.get(lic)
            if bit is None:
                if len(self.licence_bits) < MAX_LICENCE_BITS:
                    return np.zeros(n, dtype=np.bool_)  # no worker holds it
                continue  # beyond the bits: the rule check on the final rows decides
            b = np.uint64(1 << bit)
            held = (self.verified & b) != 0
            if job.accepts_self_declared_licences:
                held |= (self.declared & b) != 0
            ok &= held
        return ok

    def _status_ok(self, job: Job) -> Mask:
        """The status-of-residence rules: a verdict per status for this job, then the per-worker ones."""
        accepted = set(job.eligible_statuses)
        verdict = np.zeros(len(Status), dtype=np.bool_)
        for status, index in STATUS_INDEX.items():
            if status is Status.UNSPECIFIED:
                ok = False
            elif status in UNRESTRICTED:
                ok = True
            elif accepted and status not in accepted:
                ok = False
            elif status is Status.DESIGNATED_ACTIVITIES:
                ok = status in accepted
            elif status in PROFESSIONAL_ONLY:
                ok = not job.manual_work
            elif status is Status.NEEDS_SPONSORSHIP:
                ok = job.offers_sponsorship
            else:
                ok = True  # the statuses with per-worker rules below
            verdict[index] = ok
        out: Mask = verdict[self.status]
        fields = sum(FIELD_BIT.get(f, 0) for f in set(job.fields))
        field_bound = np.isin(self.status, [STATUS_INDEX[s] for s in (*FIELD_BOUND, Status.NURSING_CARE)])
        out &= ~field_bound | ((self.field & fields) != 0)
        part_time_ok = job.employment_type in PART_TIME_TYPES and 0 < job.hours_per_week <= PART_TIME_HOURS_LIMIT
        part_time = np.isin(self.status, [STATUS_INDEX[s] for s in PART_TIME_ONLY])
        out &= ~part_time | (self.permission & part_time_ok)
        employer = self.employers.get(job.employer, -3) if job.employer else -3
        intern = self.status == STATUS_INDEX[Status.TECHNICAL_INTERN]
        out &= ~intern | (self.employer == employer)
        return out

    def _location_ok(self, job: Job, n: int) -> Mask:
        place = job.place
        if not place.known:
            return np.ones(n, dtype=np.bool_)
        ok: Mask = ~self.known_place | (self.relocation == RELOCATION_INDEX[Relocation.ANYWHERE])
        if place.prefecture:
            ok |= self.prefecture == PREFECTURE_INDEX.get(place.prefecture, -3)
        point = place.point()
        if point is not None:
            ok |= np.nan_to_num(_km(self.lat, self.lon, point), nan=np.inf) <= COMMUTE_KM
        if place.region:
            ok |= (self.relocation == RELOCATION_INDEX[Relocation.REGION]) & (
                self.region == REGION_INDEX.get(place.region, -3)
            )
        return ok


def _km(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], point: tuple[float, float]
) -> npt.NDArray[np.float64]:
    """Great-circle km from every row's point to `point` (NaN where a row has none)."""
    lat1, lon1 = np.radians(point[0]), np.radians(point[1])
    lat2, lon2 = np.radians(lat), np.radians(lon)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    km: npt.NDArray[np.float64] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
    return km
