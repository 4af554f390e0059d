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
        point = place.point()
        if point is not None:
            lat1, lon1 = np.radians(point[0]), np.radians(point[1])
            lat2, lon2 = np.radians(self.lat[sl]), np.radians(self.lon[sl])
            a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
            km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
            ok |= np.nan_to_num(km, nan=np.inf) <= COMMUTE_KM
        if worker.relocation is Relocation.REGION and place.region:
            ok |= self.region[sl] == REGION_INDEX.get(place.region, -2)
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
