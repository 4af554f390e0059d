"""Scores of many pairs at once: workers × jobs matrices with numpy.

The same components and total as `scoring.score` (a test compares them pair
by pair), without reasons, for cohort allocation, candidate generation and
the simulations, where millions of pairs are scored. Eligibility comes from
`prefilter.JobTable`; ineligible pairs are NaN.

`JobScoreTable` keeps what the score reads of each job as columns, one row per
job slot, written when the job is: one worker against a pool of jobs (a
recommendation's candidates) is then numpy over those rows, with no pass of
Python over the jobs' facts per request.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from scipy import sparse

from services.eligibility.facts import Job, Worker
from services.eligibility.geo import EARTH_RADIUS_KM, Place
from services.eligibility.wages import DAYS_PER_MONTH, HOURS_PER_DAY, WEEKS_PER_MONTH, WagePeriod, monthly_yen
from services.matching.domain.prefilter import JobTable
from services.matching.domain.scoring import (
    EXPOSURE_FULL,
    FRESHNESS_DAYS,
    FULL_EXPERIENCE_YEARS,
    LOCATION_SCALE_KM,
    NEUTRAL,
    POSITIVE,
    REQUIRED_SHARE,
    SELF_DECLARED_EVIDENCE,
    SEMANTIC_FLOOR,
    SEMANTIC_SPAN,
    Component,
    _key,
)

Matrix = npt.NDArray[np.float64]


def _monthly(amount: npt.NDArray[np.float64], period: Sequence[WagePeriod], hours: npt.NDArray[np.float64]) -> Matrix:
    """monthly_yen over a column of amounts/periods (rows) × hours per week (columns); NaN: unknown."""
    amount = amount[:, None]
    hourly_hours = np.where(hours > 0, hours * WEEKS_PER_MONTH, HOURS_PER_DAY * DAYS_PER_MONTH)[None, :]
    daily_days = np.where(hours > 0, hours / HOURS_PER_DAY * WEEKS_PER_MONTH, DAYS_PER_MONTH)[None, :]
    factor: dict[WagePeriod, Matrix] = {
        WagePeriod.MONTHLY: np.ones_like(hourly_hours),
        WagePeriod.ANNUAL: np.full_like(hourly_hours, 1 / 12),
        WagePeriod.HOURLY: hourly_hours,
        WagePeriod.DAILY: daily_days,
    }
    out = np.full((len(period), len(hours)), np.nan)
    for p, per_month in factor.items():
        rows = np.array([q is p for q in period], dtype=bool)
        if rows.any():
            out[rows] = amount[rows] * per_month
    out[(amount[:, 0] <= 0)] = np.nan
    return out


def component_matrices(
    workers: Sequence[Worker],
    jobs: Sequence[Job],
    now: dt.datetime,
    *,
    worker_vectors: Mapping[str, npt.NDArray[np.float32]] | None = None,
    job_vectors: Mapping[str, npt.NDArray[np.float32]] | None = None,
    applicants_per_seat: Mapping[str, float] | None = None,
) -> dict[Component, Matrix]:
    """Each component's value for every (worker, job), as `scoring.score` computes it."""
    nw, nj = len(workers), len(jobs)
    out: dict[Component, Matrix] = {}
    # Semantic.
    sem = np.full((nw, nj), NEUTRAL)
    if worker_vectors is not None and job_vectors is not None:
        wi = [i for i, w in enumerate(workers) if w.name in worker_vectors]
        ji = [i for i, j in enumerate(jobs) if j.name in job_vectors]
        if wi and ji:
            wv = np.stack([worker_vectors[workers[i].name] for i in wi]).astype(np.float64)
            jv = np.stack([job_vectors[jobs[i].name] for i in ji]).astype(np.float64)
            cos = wv @ jv.T
            sem[np.ix_(wi, ji)] = np.clip((cos - SEMANTIC_FLOOR) / SEMANTIC_SPAN, 0.0, 1.0)
    out[Component.SEMANTIC] = sem
    skills, evidence, experience = _skill_matrices(workers, jobs)
    out[Component.SKILLS], out[Component.EVIDENCE], out[Component.EXPERIENCE] = skills, evidence, experience
    # Language.
    margin = np.array([w.japanese_level for w in workers])[:, None] - np.array([j.min_japanese_level for j in jobs])
    out[Component.LANGUAGE] = np.where(margin < 0, 0.0, np.minimum(1.0, NEUTRAL + 0.25 * margin))
    # Wage.
    hours = np.array([j.hours_per_week for j in jobs], dtype=np.float64)
    offered = np.array(
        [monthly_yen(j.wage_max_yen or j.wage_min_yen, j.wage_period, j.hours_per_week) or np.nan for j in jobs],
        dtype=np.float64,
    )
    wanted = _monthly(np.array([w.desired_wage_yen for w in workers]), [w.desired_wage_period for w in workers], hours)
    ratio = offered[None, :] / wanted
    value = np.where(
        ratio >= 1.0, np.minimum(1.0, 0.75 + 0.25 * (ratio - 1.0) / 0.2), np.maximum(0.0, 0.75 * (ratio - 0.7) / 0.3)
    )
    out[Component.WAGE] = np.where(np.isnan(ratio), NEUTRAL, value)
    out[Component.LOCATION] = _location(workers, jobs)
    # Freshness (of the job) and exposure.
    days = np.array([max(0.0, (now - j.published).total_seconds() / 86400) if j.published else np.nan for j in jobs])
    fresh = np.where(np.isnan(days), NEUTRAL, np.exp(-np.nan_to_num(days) / FRESHNESS_DAYS))
    out[Component.FRESHNESS] = np.broadcast_to(fresh, (nw, nj)).copy()
    aps = np.array([(applicants_per_seat or {}).get(j.name, 0.0) for j in jobs])
    exposure = np.clip((aps - 1.0) / (EXPOSURE_FULL - 1.0), 0.0, 1.0)
    out[Component.EXPOSURE] = np.broadcast_to(exposure, (nw, nj)).copy()
    return out


def _held_keys(workers: Sequence[Worker]) -> tuple[dict[str, int], list[dict[int, tuple[bool, float]]]]:
    """Skill keys (ids and labels) and, per worker, key -> (verified, years) as `compare_skills` picks them."""
    vocab: dict[str, int] = {}
    rows = []  # first claim of a key wins unless a verified one follows
    for worker in workers:
        held: dict[int, tuple[bool, float]] = {}
        for claim in (*worker.skills, *worker.licences):
            for text in (claim.taxonomy_id, claim.label):
                key = _key(text)
                if not key:
                    continue
                k = vocab.setdefault(key, len(vocab))
                previous = held.get(k)
                if previous is None or (claim.verified and not previous[0]):
                    held[k] = (claim.verified, claim.years)
        rows.append(held)
    return vocab, rows


def _skill_matrices(workers: Sequence[Worker], jobs: Sequence[Job]) -> tuple[Matrix, Matrix, Matrix]:
    vocab, rows = _held_keys(workers)
    nw, nj = len(workers), len(jobs)
    # Job skills collapse to distinct lookups (id key, label key): the work per worker is
    # per distinct lookup, and sparse (lookups × jobs) matrices sum it per job.
    lookups: dict[tuple[int, int], int] = {}
    entries: list[tuple[int, int, bool]] = []  # (lookup, job, required)
    for j, job in enumerate(jobs):
        for s in job.skills:
            id_key = vocab.get(_key(s.taxonomy_id), -1) if s.taxonomy_id else -1
            label_key = vocab.get(_key(s.label), -1) if s.label else -1
            entries.append((lookups.setdefault((id_key, label_key), len(lookups)), j, s.required))
    has = np.zeros((nw, len(vocab) + 1), dtype=bool)  # last column (index -1): "no key", never held
    verified = np.zeros_like(has)
    years = np.zeros(has.shape)
    for wi, held_keys in enumerate(rows):
        for k, (v, y) in held_keys.items():
            has[wi, k], verified[wi, k], years[wi, k] = True, v, y
    id_idx = np.array([a for a, _ in lookups], dtype=np.int64).reshape(-1)
    label_idx = np.array([b for _, b in lookups], dtype=np.int64).reshape(-1)
    use_id = has[:, id_idx]
    use_label = (~use_id) & has[:, label_idx]
    matched = use_id | use_label
    chosen_verified = np.where(use_id, verified[:, id_idx], verified[:, label_idx])
    chosen_years = np.where(use_id, years[:, id_idx], years[:, label_idx])
    item_evidence = np.where(matched, np.where(chosen_verified, 1.0, SELF_DECLARED_EVIDENCE), 0.0)

    n_lookups = len(lookups)
    lookup_of = np.array([e[0] for e in entries], dtype=np.int64)
    job_of = np.array([e[1] for e in entries], dtype=np.int64)
    required = np.array([e[2] for e in entries], dtype=bool)

    def counts(which: npt.NDArray[np.bool_]) -> sparse.csr_matrix:
        return sparse.csr_matrix((np.ones(int(which.sum())), (lookup_of[which], job_of[which])), shape=(n_lookups, nj))

    req_map, pref_map, all_map = counts(required), counts(~required), counts(np.ones(len(entries), bool))
    n_req = np.bincount(job_of[required], minlength=nj).astype(np.float64)
    n_pref = np.bincount(job_of[~required], minlength=nj).astype(np.float64)
    m = matched.astype(np.float64)

    def per_job(values: Matrix, mapping: sparse.csr_matrix) -> Matrix:
        out: Matrix = np.asarray((mapping.T @ values.T).T) if n_lookups else np.zeros((nw, nj))
        return out

    req_cov = per_job(m, req_map) / np.maximum(n_req, 1)
    pref_cov = per_job(m, pref_map) / np.maximum(n_pref, 1)
    share_req = np.where(n_req > 0, REQUIRED_SHARE, 0.0)
    share_pref = np.where(n_pref > 0, 1 - REQUIRED_SHARE, 0.0)
    total_share = share_req + share_pref
    skills = np.where(
        total_share > 0, (req_cov * share_req + pref_cov * share_pref) / np.maximum(total_share, 1e-12), NEUTRAL
    )
    # Evidence: job skills plus required licences (licences by id, the last claim of an id wins).
    ev_sum = per_job(item_evidence, all_map)
    ev_count = np.broadcast_to(n_req + n_pref, (nw, nj)).copy()
    for j, job in enumerate(jobs):
        if not job.licences_required:
            continue
        for wi, worker in enumerate(workers):
            claims = {c.taxonomy_id: c for c in worker.licences}
            for lic in job.licences_required:
                c = claims.get(lic)
                ev_sum[wi, j] += 0.0 if c is None else 1.0 if c.verified else SELF_DECLARED_EVIDENCE
        ev_count[:, j] += len(job.licences_required)
    evidence = np.where(ev_count > 0, ev_sum / np.maximum(ev_count, 1), NEUTRAL)
    # Experience: mean years over matched skills, else a little credit for any experience.
    n_matched = per_job(m, all_map)
    years_sum = per_job(np.where(matched, chosen_years, 0.0), all_map)
    any_exp = np.minimum(0.3, np.array([w.experience_years for w in workers]) / FULL_EXPERIENCE_YEARS * 0.3)
    experience = np.where(
        n_matched > 0,
        np.minimum(1.0, years_sum / np.maximum(n_matched, 1) / FULL_EXPERIENCE_YEARS),
        any_exp[:, None],
    )
    return skills, evidence, experience


def _location(workers: Sequence[Worker], jobs: Sequence[Job]) -> Matrix:
    def points(places: Sequence[object]) -> Matrix:
        out = np.full((len(places), 2), np.nan)
        for i, p in enumerate(places):
            pt = p.point()  # type: ignore[attr-defined]
            if pt is not None:
                out[i] = pt
        return out

    wp, jp = points([w.place for w in workers]), points([j.place for j in jobs])
    lat1, lon1 = np.radians(wp[:, 0])[:, None], np.radians(wp[:, 1])[:, None]
    lat2, lon2 = np.radians(jp[:, 0])[None, :], np.radians(jp[:, 1])[None, :]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
    # Same prefecture and city, without coordinates on either side: 0 km.
    for i, w in enumerate(workers):
        if not (w.place.prefecture and w.place.city):
            continue
        for j, job in enumerate(jobs):
            if (
                job.place.prefecture == w.place.prefecture
                and job.place.city.lower() == w.place.city.lower()
                and (w.place.latitude is None or job.place.latitude is None)
            ):
                km[i, j] = 0.0
    return np.where(np.isnan(km), NEUTRAL, np.exp(-km / LOCATION_SCALE_KM))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_NO_KEY = -1  # a skill lookup no claim can satisfy (an empty id or label)


def _microseconds(when: dt.datetime) -> int:
    """Whole microseconds since the epoch (so differences are exact, as timedelta's)."""
    return (when - (_EPOCH if when.tzinfo else _EPOCH.replace(tzinfo=None))) // _MICROSECOND


class JobScoreTable:
    """The job side of `component_matrices`, one row per job slot (rows match the index's slots).

    `components(worker, rows, ...)` gives the same values as `component_matrices([worker],
    jobs)` (a test compares them) from these columns: a job's monthly wage, hours, Japanese
    level, point and city, publication time and its skills as numbered keys are computed once,
    when the job is written, not per request.
    """

    def __init__(self) -> None:
        self.offered = np.zeros(0, dtype=np.float64)  # monthly yen, NaN: unknown
        self.hours = np.zeros(0, dtype=np.float64)
        self.min_jlpt = np.zeros(0, dtype=np.int64)
        self.lat = np.zeros(0, dtype=np.float64)
        self.lon = np.zeros(0, dtype=np.float64)
        self.exact_place = np.zeros(0, dtype=np.bool_)  # coordinates of its own, not the prefecture's
        self.city = np.zeros(0, dtype=np.int64)  # (prefecture, city) number, -1: none
        self.published = np.zeros(0, dtype=np.int64)  # microseconds since the epoch
        self.has_published = np.zeros(0, dtype=np.bool_)
        self.n_skills = np.zeros(0, dtype=np.int64)
        # Per row: its skills as (id key, label key, required) triples, flat; its required licences.
        self.skills: list[tuple[int, ...]] = []
        self.licences: list[tuple[str, ...]] = []
        self.keys: dict[str, int] = {}
        self.cities: dict[tuple[str, str], int] = {}

    def _ensure(self, size: int) -> None:
        if len(self.offered) >= size:
            return
        grown = max(size, 2 * len(self.offered))
        for name, fill in (
            ("offered", np.nan),
            ("hours", 0.0),
            ("min_jlpt", 0),
            ("lat", np.nan),
            ("lon", np.nan),
            ("exact_place", False),
            ("city", -1),
            ("published", 0),
            ("has_published", False),
            ("n_skills", 0),
        ):
            old = getattr(self, name)
            setattr(self, name, np.concatenate([old, np.full(grown - len(old), fill, dtype=old.dtype)]))
        self.skills.extend([()] * (grown - len(self.skills)))
        self.licences.extend([()] * (grown - len(self.licences)))

    def _key(self, text: str) -> int:
        key = _key(text) if text else ""
        return self.keys.setdefault(key, len(self.keys)) if key else _NO_KEY

    def _city(self, place: Place, *, grow: bool) -> int:
        if not (place.prefecture and place.city):
            return -1
        key = (place.prefecture, place.city.lower())
        return self.cities.setdefault(key, len(self.cities)) if grow else self.cities.get(key, -2)

    def set(self, row: int, job: Job) -> None:
        """Write `job`'s columns into `row`."""
        self._ensure(row + 1)
        offered = monthly_yen(job.wage_max_yen or job.wage_min_yen, job.wage_period, job.hours_per_week)
        self.offered[row] = offered or np.nan
        self.hours[row] = job.hours_per_week
        self.min_jlpt[row] = job.min_japanese_level
        point = job.place.point()
        self.lat[row], self.lon[row] = point if point else (np.nan, np.nan)
        self.exact_place[row] = job.place.latitude is not None
        self.city[row] = self._city(job.place, grow=True)
        self.has_published[row] = job.published is not None
        self.published[row] = _microseconds(job.published) if job.published else 0
        self.skills[row] = tuple(
            x
            for skill in job.skills
            for x in (
                self._key(skill.taxonomy_id) if skill.taxonomy_id else _NO_KEY,
                self._key(skill.label) if skill.label else _NO_KEY,
                int(skill.required),
            )
        )
        self.n_skills[row] = len(job.skills)
        self.licences[row] = tuple(job.licences_required)

    def newest(self, rows: npt.NDArray[np.int64], k: int) -> npt.NDArray[np.int64]:
        """The `k` most recently published of these rows (ascending), newest first; equal times
        keep the rows' order, and jobs never published come last (numpy over the rows: a worker
        without a vector has every eligible job's time compared, not sorted in Python)."""
        if len(rows) == 0 or k <= 0:
            return rows[:0]
        keys = np.where(self.has_published[rows], self.published[rows], np.iinfo(np.int64).min // 2)
        if k < len(rows):
            cut = np.partition(keys, len(rows) - k)[len(rows) - k]  # the k-th newest time
            rows, keys = rows[keys >= cut], keys[keys >= cut]
        order = np.argsort(-keys, kind="stable")[:k]
        out: npt.NDArray[np.int64] = rows[order]
        return out

    def _held(self, worker: Worker) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], Matrix]:
        """Per key number (and a last entry for `_NO_KEY`): held, verified, years, as `compare_skills` picks."""
        size = len(self.keys) + 1
        has, verified, years = np.zeros(size, np.bool_), np.zeros(size, np.bool_), np.zeros(size)
        for claim in (*worker.skills, *worker.licences):
            for text in (claim.taxonomy_id, claim.label):
                k = self.keys.get(_key(text), -1) if text else -1
                if k < 0:
                    continue  # no job's skill has this key
                if not has[k] or (claim.verified and not verified[k]):
                    has[k], verified[k], years[k] = True, claim.verified, claim.years
        return has, verified, years

    def components(
        self,
        worker: Worker,
        rows: npt.NDArray[np.int64],
        names: Sequence[str],
        now: dt.datetime,
        *,
        worker_vector: npt.NDArray[np.float32] | None,
        job_vectors: Mapping[str, npt.NDArray[np.float32]],
        applicants_per_seat: Mapping[str, float],
    ) -> dict[Component, Matrix]:
        """Each component for `worker` and the jobs in `rows` (named `names`): 1 × len(rows)."""
        n = len(rows)
        out: dict[Component, Matrix] = {}
        sem = np.full(n, NEUTRAL)
        if worker_vector is not None:
            ji = [i for i, name in enumerate(names) if name in job_vectors]
            if ji:
                jv = np.stack([job_vectors[names[i]] for i in ji]).astype(np.float64)
                cos = jv @ np.asarray(worker_vector, dtype=np.float64)
                sem[ji] = np.clip((cos - SEMANTIC_FLOOR) / SEMANTIC_SPAN, 0.0, 1.0)
        out[Component.SEMANTIC] = sem
        out[Component.SKILLS], out[Component.EVIDENCE], out[Component.EXPERIENCE] = self._skills(worker, rows)
        margin = worker.japanese_level - self.min_jlpt[rows]
        out[Component.LANGUAGE] = np.where(margin < 0, 0.0, np.minimum(1.0, NEUTRAL + 0.25 * margin))
        hours = self.hours[rows]
        wanted = _monthly(np.array([worker.desired_wage_yen]), [worker.desired_wage_period], hours)[0]
        ratio = self.offered[rows] / wanted
        value = np.where(
            ratio >= 1.0,
            np.minimum(1.0, 0.75 + 0.25 * (ratio - 1.0) / 0.2),
            np.maximum(0.0, 0.75 * (ratio - 0.7) / 0.3),
        )
        out[Component.WAGE] = np.where(np.isnan(ratio), NEUTRAL, value)
        out[Component.LOCATION] = self._location(worker, rows)
        days = np.maximum(0.0, (_microseconds(now) - self.published[rows]) / 10**6 / 86400)
        fresh = np.exp(-days / FRESHNESS_DAYS)
        out[Component.FRESHNESS] = np.where(self.has_published[rows], fresh, NEUTRAL)
        aps = np.array([applicants_per_seat.get(name, 0.0) for name in names], dtype=np.float64)
        out[Component.EXPOSURE] = np.clip((aps - 1.0) / (EXPOSURE_FULL - 1.0), 0.0, 1.0)
        return {c: v.reshape(1, n) for c, v in out.items()}

    def _skills(self, worker: Worker, rows: npt.NDArray[np.int64]) -> tuple[Matrix, Matrix, Matrix]:
        n = len(rows)
        flat = np.fromiter(itertools.chain.from_iterable(self.skills[r] for r in rows), dtype=np.int64)
        job = np.repeat(np.arange(n), self.n_skills[rows])
        id_key, label_key, required = flat[0::3], flat[1::3], flat[2::3].astype(np.bool_)
        has, verified, years = self._held(worker)
        use_id = has[id_key]
        use_label = ~use_id & has[label_key]
        matched = use_id | use_label
        chosen_verified = np.where(use_id, verified[id_key], verified[label_key])
        chosen_years = np.where(use_id, years[id_key], years[label_key])
        item_evidence = np.where(matched, np.where(chosen_verified, 1.0, SELF_DECLARED_EVIDENCE), 0.0)

        def per_job(values: npt.NDArray[np.generic], where: npt.NDArray[np.bool_] | None = None) -> Matrix:
            if where is None:
                where = np.ones(len(job), dtype=np.bool_)
            out: Matrix = np.bincount(job[where], weights=values[where].astype(np.float64), minlength=n).astype(
                np.float64
            )
            return out

        ones = np.ones(len(job))
        n_req, n_pref = per_job(ones, required), per_job(ones, ~required)
        req_cov = per_job(matched, required) / np.maximum(n_req, 1)
        pref_cov = per_job(matched, ~required) / np.maximum(n_pref, 1)
        share_req = np.where(n_req > 0, REQUIRED_SHARE, 0.0)
        share_pref = np.where(n_pref > 0, 1 - REQUIRED_SHARE, 0.0)
        total_share = share_req + share_pref
        skills = np.where(
            total_share > 0, (req_cov * share_req + pref_cov * share_pref) / np.maximum(total_share, 1e-12), NEUTRAL
        )
        ev_sum = per_job(item_evidence)
        ev_count = n_req + n_pref
        claims = None
        for i, r in enumerate(rows):
            required_licences = self.licences[r]
            if not required_licences:
                continue
            if claims is None:
                claims = {c.taxonomy_id: c for c in worker.licences}
            for lic in required_licences:
                c = claims.get(lic)
                ev_sum[i] += 0.0 if c is None else 1.0 if c.verified else SELF_DECLARED_EVIDENCE
            ev_count[i] += len(required_licences)
        evidence = np.where(ev_count > 0, ev_sum / np.maximum(ev_count, 1), NEUTRAL)
        n_matched = per_job(matched)
        years_sum = per_job(np.where(matched, chosen_years, 0.0))
        any_exp = min(0.3, worker.experience_years / FULL_EXPERIENCE_YEARS * 0.3)
        experience = np.where(
            n_matched > 0, np.minimum(1.0, years_sum / np.maximum(n_matched, 1) / FULL_EXPERIENCE_YEARS), any_exp
        )
        return skills, evidence, experience

    def _location(self, worker: Worker, rows: npt.NDArray[np.int64]) -> Matrix:
        point = worker.place.point() or (np.nan, np.nan)
        lat1, lon1 = np.radians(point[0]), np.radians(point[1])
        lat2, lon2 = np.radians(self.lat[rows]), np.radians(self.lon[rows])
        a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))
        # Same prefecture and city, without coordinates on either side: 0 km.
        city = self._city(worker.place, grow=False)
        if city >= 0:
            same = self.city[rows] == city
            if worker.place.latitude is not None:
                same &= ~self.exact_place[rows]
            km = np.where(same, 0.0, km)
        out: Matrix = np.where(np.isnan(km), NEUTRAL, np.exp(-km / LOCATION_SCALE_KM))
        return out


def totals(components: Mapping[Component, Matrix], weights: Mapping[Component, float]) -> Matrix:
    total = sum(weights.get(c, 0.0) * components[c] for c in POSITIVE)
    total = total - weights.get(Component.EXPOSURE, 0.0) * components[Component.EXPOSURE]
    out: Matrix = np.clip(total, 0.0, 1.0)
    return out


def eligibility_matrix(workers: Sequence[Worker], jobs: Sequence[Job]) -> npt.NDArray[np.bool_]:
    """Whether each worker may take each job (the rules, via the column filter)."""
    table = JobTable()
    for row, job in enumerate(jobs):
        table.set(row, job)
    return np.stack([table.eligible_mask(w, len(jobs)) for w in workers]) if workers else np.zeros((0, len(jobs)), bool)


def score_matrix(
    workers: Sequence[Worker],
    jobs: Sequence[Job],
    now: dt.datetime,
    weights: Mapping[Component, float],
    **kw: Mapping[str, npt.NDArray[np.float32]] | Mapping[str, float] | None,
) -> Matrix:
    """Totals for every pair, NaN where the worker is not eligible."""
    comps = component_matrices(workers, jobs, now, **kw)  # type: ignore[arg-type]
    out = totals(comps, weights)
    out[~eligibility_matrix(workers, jobs)] = np.nan
    return out


def top_candidates(
    workers: Sequence[Worker],
    jobs: Sequence[Job],
    now: dt.datetime,
    weights: Mapping[Component, float],
    k: int,
    *,
    worker_vectors: Mapping[str, npt.NDArray[np.float32]],
    job_vectors: Mapping[str, npt.NDArray[np.float32]],
    pool: int = 4,
    block: int = 500,
) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]:
    """Each worker's k best eligible jobs by full score: (job indices, scores), best first.

    For cohorts too large to score every pair: a semantic pre-rank among
    eligible jobs keeps `pool` × k per worker; workers are grouped by their
    best pre-ranked job, so a block of similar workers shares few candidate
    jobs, and each block is scored in full over the union of its candidates.
    """
    table = JobTable()
    for index, job in enumerate(jobs):
        table.set(index, job)
    some = next(iter(job_vectors.values()), None)
    if some is None:
        some = next(iter(worker_vectors.values()), np.zeros(1, np.float32))
    dim = len(some)  # without vectors the pre-rank ties and the full scores decide
    jv = np.stack([job_vectors.get(j.name, np.zeros(dim, np.float32)) for j in jobs]).astype(np.float32)
    keep = min(len(jobs), pool * k)
    pre: list[npt.NDArray[np.int64]] = []
    eligible_rows: list[npt.NDArray[np.bool_]] = []
    for start in range(0, len(workers), 2000):
        chunk = workers[start : start + 2000]
        wv = np.stack([worker_vectors.get(w.name, np.zeros(dim, np.float32)) for w in chunk]).astype(np.float32)
        sims = wv @ jv.T
        for i, worker in enumerate(chunk):
            mask = table.eligible_mask(worker, len(jobs))
            eligible_rows.append(mask)
            row = np.where(mask, sims[i], -np.inf)
            top = np.argpartition(-row, keep - 1)[:keep] if keep < len(jobs) else np.arange(len(jobs))
            pre.append(top[np.isfinite(row[top])])
    order = sorted(range(len(workers)), key=lambda wi: (int(pre[wi][0]) if len(pre[wi]) else -1, wi))
    out: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = [
        (np.zeros(0, np.int64), np.zeros(0)) for _ in workers
    ]
    for start in range(0, len(order), block):
        members = order[start : start + block]
        union = np.unique(np.concatenate([pre[m] for m in members] + [np.zeros(0, np.int64)])).astype(np.int64)
        if len(union) == 0:
            continue
        comps = component_matrices(
            [workers[m] for m in members],
            [jobs[j] for j in union],
            now,
            worker_vectors=worker_vectors,
            job_vectors=job_vectors,
        )
        scores = totals(comps, weights)
        for i, member in enumerate(members):
            row = np.where(eligible_rows[member][union], scores[i], -np.inf)
            take = min(k, int(np.isfinite(row).sum()))
            if take == 0:
                continue
            best = np.argpartition(-row, take - 1)[:take]
            best = best[np.argsort(-row[best], kind="stable")]
            out[member] = (union[best], row[best].astype(np.float64))
    return out
