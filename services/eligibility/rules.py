"""The hard rules: may this worker lawfully take this job, and would they?

Status-of-residence rules follow Japanese immigration law as far as a job
board can check them (the employer still checks the residence card):

- Japanese nationals, permanent residents, spouses or children of Japanese
  nationals or permanent residents and long-term residents may do any work.
- Specified Skilled Worker (i) and (ii) holders only in their designated
  field; a job must declare its field for an SSW holder to be eligible. The
  same holds for the Employment for Skill Development status (育成就労), which
  replaces technical intern training, and for the Nursing Care status
  (介護), whose field is nursing care.
- Students and dependents only part-time, up to 28 hours a week, and only
  with permission to work outside their status (資格外活動許可).
- Engineer/Specialist in Humanities/International Services and Highly
  Skilled Professional holders not in manual or simple labour.
- Technical intern trainees cannot change employer: only jobs of the
  organisation they train with.
- Designated Activities: what the holder may do is written in their
  designation, so only jobs that accept the status explicitly.
- Workers who need a status of residence (sponsorship) only where the
  employer sponsors.

A job's list of accepted statuses narrows every restricted status (an
unrestricted one may take any job). The other hard rules: Japanese level,
employment type, location or willingness to relocate, availability date and
required licences (held when verified by a credential, or self-declared
where the job accepts that).

Every rule yields a verdict with a reason, and a failed rule says what would
fix it, in English and Japanese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from services.eligibility.facts import (
    JLPT_NAMES,
    EmploymentType,
    Job,
    Relocation,
    Status,
    Worker,
)
from services.eligibility.geo import distance_km, prefecture_name
from services.eligibility.text import Text

# Within this distance a job counts as commutable for a worker who does not relocate.
COMMUTE_KM = 60.0
# Students and dependents may work at most this many hours a week.
PART_TIME_HOURS_LIMIT = 28

UNRESTRICTED = frozenset(
    {
        Status.JAPANESE_NATIONAL,
        Status.PERMANENT_RESIDENT,
        Status.SPOUSE_OR_CHILD,
        Status.LONG_TERM_RESIDENT,
    }
)
# Statuses tied to one industry field (the worker's `field`).
FIELD_BOUND = frozenset({Status.SSW_1, Status.SSW_2, Status.SKILL_DEVELOPMENT})
# Statuses that allow only part-time work with permission.
PART_TIME_ONLY = frozenset({Status.STUDENT, Status.DEPENDENT})
# Statuses closed to manual or simple labour.
PROFESSIONAL_ONLY = frozenset({Status.ENGINEER_SPECIALIST, Status.HIGHLY_SKILLED_PROFESSIONAL})
# Contract forms a student or dependent may take within the weekly hours: the permission to work
# outside their status (資格外活動許可) limits the hours (28 a week), not the form of the contract, so
# any form but full-time employment (a part-time contract, dispatch or internship of up to 28 hours).
PART_TIME_TYPES = frozenset(set(EmploymentType) - {EmploymentType.FULL_TIME})
NURSING_CARE_FIELD = "NURSING_CARE"


class HardRule(Enum):
    """Named like the contract's HardRule values without the prefix."""

    STATUS_OF_RESIDENCE = "STATUS_OF_RESIDENCE"
    SSW_FIELD = "SSW_FIELD"
    JAPANESE_LEVEL = "JAPANESE_LEVEL"
    EMPLOYMENT_TYPE = "EMPLOYMENT_TYPE"
    HOURS = "HOURS"
    LOCATION = "LOCATION"
    AVAILABILITY = "AVAILABILITY"
    LICENCES = "LICENCES"
    SPONSORSHIP = "SPONSORSHIP"
    EMPLOYER_CHANGE = "EMPLOYER_CHANGE"
    KIND_OF_WORK = "KIND_OF_WORK"


# What an application must pass: the law and the job's requirements. Location,
# availability and contract form are the worker's own preferences (applying
# overrides them); licences are checked by matching, which knows verified credentials.
APPLICATION_RULES = frozenset(
    {
        HardRule.STATUS_OF_RESIDENCE,
        HardRule.SSW_FIELD,
        HardRule.HOURS,
        HardRule.KIND_OF_WORK,
        HardRule.EMPLOYER_CHANGE,
        HardRule.SPONSORSHIP,
        HardRule.JAPANESE_LEVEL,
    }
)


@dataclass(frozen=True)
class Verdict:
    """One rule's verdict, why, and for a failure what would fix it."""

    rule: HardRule
    passed: bool
    reason: Text
    fix: Text | None = None


@dataclass(frozen=True)
class Eligibility:
    """Every rule that applies, failed ones first."""

    verdicts: tuple[Verdict, ...]

    @property
    def eligible(self) -> bool:
        return all(v.passed for v in self.verdicts)

    @property
    def failures(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if not v.passed)


STATUS_LABELS: dict[Status, Text] = {
    Status.UNSPECIFIED: Text("no stated status of residence", "在留資格の記載なし"),
    Status.JAPANESE_NATIONAL: Text("Japanese nationals", "日本国籍"),
    Status.PERMANENT_RESIDENT: Text("permanent residents", "永住者"),
    Status.SPOUSE_OR_CHILD: Text(
        "spouses or children of Japanese nationals or permanent residents",
        "日本人の配偶者等・永住者の配偶者等",
    ),
    Status.LONG_TERM_RESIDENT: Text("long-term residents", "定住者"),
    Status.SSW_1: Text("Specified Skilled Worker (i) holders", "特定技能1号"),
    Status.SSW_2: Text("Specified Skilled Worker (ii) holders", "特定技能2号"),
    Status.TECHNICAL_INTERN: Text("technical intern trainees", "技能実習"),
    Status.ENGINEER_SPECIALIST: Text(
        "Engineer/Specialist in Humanities/International Services holders",
        "技術・人文知識・国際業務",
    ),
    Status.STUDENT: Text("students", "留学"),
    Status.NEEDS_SPONSORSHIP: Text("workers who need visa sponsorship", "在留資格の取得支援が必要な方"),
    Status.DEPENDENT: Text("dependents", "家族滞在"),
    Status.DESIGNATED_ACTIVITIES: Text("Designated Activities holders", "特定活動"),
    Status.NURSING_CARE: Text("Nursing Care status holders", "介護"),
    Status.HIGHLY_SKILLED_PROFESSIONAL: Text("Highly Skilled Professionals", "高度専門職"),
    Status.SKILL_DEVELOPMENT: Text("Employment for Skill Development holders", "育成就労"),
}

FIELD_LABELS: dict[str, Text] = {
    "NURSING_CARE": Text("nursing care", "介護"),
    "BUILDING_CLEANING": Text("building cleaning", "ビルクリーニング"),
    "MANUFACTURING": Text("industrial products manufacturing", "工業製品製造業"),
    "CONSTRUCTION": Text("construction", "建設"),
    "SHIPBUILDING": Text("shipbuilding and ship machinery", "造船・舶用工業"),
    "AUTOMOBILE_MAINTENANCE": Text("automobile maintenance", "自動車整備"),
    "AVIATION": Text("aviation", "航空"),
    "ACCOMMODATION": Text("accommodation", "宿泊"),
    "AGRICULTURE": Text("agriculture", "農業"),
    "FISHERY": Text("fishery and aquaculture", "漁業"),
    "FOOD_MANUFACTURING": Text("food and beverage manufacturing", "飲食料品製造業"),
    "FOOD_SERVICE": Text("food service", "外食業"),
    "TRANSPORTATION": Text("automobile transportation", "自動車運送業"),
    "RAILWAY": Text("railway", "鉄道"),
    "FORESTRY": Text("forestry", "林業"),
    "WOOD_INDUSTRY": Text("wood industry", "木材産業"),
}


def field_label(name: str) -> Text:
    return FIELD_LABELS.get(name, Text(name.replace("_", " ").lower(), name))


def jlpt_label(rank: int) -> Text:
    if rank <= 0:
        return Text("no JLPT level", "日本語能力試験なし")
    if rank >= 6:
        return Text("native Japanese", "日本語ネイティブ")
    return Text(f"JLPT {JLPT_NAMES[rank]}", f"日本語能力試験{JLPT_NAMES[rank]}")


# Entries for a JLPT session close about three months before it.
JLPT_ENTRY_DAYS = 90


def next_jlpt_date(today: dt.date) -> dt.date:
    """The next JLPT in Japan one can still enter: the first Sunday of July or of
    December, at least `JLPT_ENTRY_DAYS` ahead."""

    def first_sunday(year: int, month: int) -> dt.date:
        day = dt.date(year, month, 1)
        return day + dt.timedelta(days=(6 - day.weekday()) % 7)

    for year in (today.year, today.year + 1, today.year + 2):
        for month in (7, 12):
            date = first_sunday(year, month)
            if (date - today).days >= JLPT_ENTRY_DAYS:
                return date
    raise AssertionError("unreachable")


def check(worker: Worker, job: Job, today: dt.date) -> Eligibility:
    """Every hard rule that applies to this worker and job, failed first."""
    verdicts = [
        *_status_rules(worker, job),
        _japanese(worker, job, today),
        _employment_type(worker, job),
        _location(worker, job),
        _availability(worker, job, today),
        _licences(worker, job),
    ]
    verdicts.sort(key=lambda v: v.passed)  # stable: failures first, rule order kept
    return Eligibility(tuple(verdicts))


def _status_rules(worker: Worker, job: Job) -> list[Verdict]:
    status = worker.status
    label = STATUS_LABELS[status]
    rule = HardRule.STATUS_OF_RESIDENCE
    if status is Status.UNSPECIFIED:
        return [
            Verdict(
                rule,
                False,
                Text("You have not stated your status of residence.", "在留資格が登録されていません。"),
                Text(
                    "Add your status of residence to your profile.",
                    "プロフィールに在留資格を登録してください。",
                ),
            )
        ]
    out: list[Verdict] = []
    if status in UNRESTRICTED:
        out.append(
            Verdict(
                rule,
                True,
                Text(
                    f"{label.en[0].upper()}{label.en[1:]} may do any kind of work.",
                    f"{label.ja}は就労制限がありません。",
                ),
            )
        )
        return out
    if job.eligible_statuses and status not in job.eligible_statuses:
        accepted_en = ", ".join(STATUS_LABELS[s].en for s in job.eligible_statuses)
        accepted_ja = "・".join(STATUS_LABELS[s].ja for s in job.eligible_statuses)
        out.append(
            Verdict(
                rule,
                False,
                Text(
                    f"The job is open only to {accepted_en}, not to {label.en}.",
                    f"この求人の対象は{accepted_ja}で、{label.ja}は対象外です。",
                ),
                Text(
                    "Look for jobs that accept your status of residence.",
                    "お持ちの在留資格を受け入れる求人を探してください。",
                ),
            )
        )
        return out
    if status is Status.DESIGNATED_ACTIVITIES and Status.DESIGNATED_ACTIVITIES not in job.eligible_statuses:
        out.append(
            Verdict(
                rule,
                False,
                Text(
                    "Designated Activities allow only the work written in your designation; "
                    "this job does not accept the status.",
                    "特定活動は指定書に記載された活動のみ可能で、この求人は特定活動を受け入れていません。",
                ),
                Text(
                    "Ask the employer whether your designation covers this work.",
                    "指定書の内容でこの仕事ができるか、雇用主に確認してください。",
                ),
            )
        )
        return out
    out.append(Verdict(rule, True, Text(f"The job accepts {label.en}.", f"この求人は{label.ja}を受け入れています。")))

    if status in FIELD_BOUND:
        out.append(_field(worker, job, worker.designated_field))
    elif status is Status.NURSING_CARE:
        out.append(_field(worker, job, NURSING_CARE_FIELD))
    elif status in PART_TIME_ONLY:
        out.append(_part_time(worker, job, label))
    elif status in PROFESSIONAL_ONLY:
        out.append(_kind_of_work(job, label))
    elif status is Status.TECHNICAL_INTERN:
        out.append(_employer_change(worker, job))
    elif status is Status.NEEDS_SPONSORSHIP:
        out.append(_sponsorship(job))
    return out


def _field(worker: Worker, job: Job, field: str) -> Verdict:
    rule = HardRule.SSW_FIELD
    label = STATUS_LABELS[worker.status]
    if not job.fields:
        return Verdict(
            rule,
            False,
            Text(
                f"{label.en[0].upper()}{label.en[1:]} may work only in their designated field, "
                "and this job declares no field.",
                f"{label.ja}は指定された分野でのみ就労でき、この求人は分野を記載していません。",
            ),
            Text(
                "Only jobs that declare your field are open to you; the employer can add it.",
                "分野を記載した求人のみ応募できます。雇用主が分野を追加できます。",
            ),
        )
    if not field:
        return Verdict(
            rule,
            False,
            Text("You have not stated the field of your status.", "在留資格の分野が登録されていません。"),
            Text("Add your field to your profile.", "プロフィールに分野を登録してください。"),
        )
    mine = field_label(field)
    if field in job.fields:
        return Verdict(
            rule,
            True,
            Text(f"Your field ({mine.en}) is the job's.", f"あなたの分野（{mine.ja}）はこの求人の分野です。"),
        )
    theirs = field_label(job.fields[0]) if len(job.fields) == 1 else None
    needed_en = theirs.en if theirs else ", ".join(field_label(f).en for f in job.fields)
    needed_ja = theirs.ja if theirs else "・".join(field_label(f).ja for f in job.fields)
    return Verdict(
        rule,
        False,
        Text(
            f"Your field is {mine.en}; the job is in {needed_en}.",
            f"あなたの分野は{mine.ja}で、この求人は{needed_ja}です。",
        ),
        Text(
            f"Working in {needed_en} needs the skills test of that field and a change of status.",
            f"{needed_ja}で働くには、その分野の技能試験と在留資格の変更が必要です。",
        ),
    )


def _part_time(worker: Worker, job: Job, label: Text) -> Verdict:
    rule = HardRule.HOURS
    limit = PART_TIME_HOURS_LIMIT
    if not worker.work_permission:
        return Verdict(
            rule,
            False,
            Text(
                f"{label.en[0].upper()}{label.en[1:]} may work only with permission to work outside their status.",
                f"{label.ja}の方は資格外活動許可がある場合のみ働けます。",
            ),
            Text(
                "Apply for permission to engage in activity other than that permitted "
                "at the immigration bureau, then add it to your profile.",
                "出入国在留管理局で資格外活動許可を申請し、プロフィールに登録してください。",
            ),
        )
    if job.employment_type not in PART_TIME_TYPES:
        return Verdict(
            rule,
            False,
            Text(
                f"{label.en[0].upper()}{label.en[1:]} may take only part-time work; this job is not part-time.",
                f"{label.ja}の方はアルバイト・パートのみ可能で、この求人はパートではありません。",
            ),
            Text(
                f"Look for part-time jobs of at most {limit} hours a week.",
                f"週{limit}時間以内のパート求人を探してください。",
            ),
        )
    if job.hours_per_week <= 0 or job.hours_per_week > limit:
        stated_en = f"{job.hours_per_week} hours a week" if job.hours_per_week > 0 else "no weekly hours"
        stated_ja = f"週{job.hours_per_week}時間" if job.hours_per_week > 0 else "週の労働時間の記載なし"
        return Verdict(
            rule,
            False,
            Text(
                f"{label.en[0].upper()}{label.en[1:]} may work at most {limit} hours a week; "
                f"the job states {stated_en}.",
                f"{label.ja}の方の就労は週{limit}時間以内ですが、この求人は{stated_ja}です。",
            ),
            Text(
                f"Ask the employer for at most {limit} hours a week.",
                f"週{limit}時間以内で働けるか雇用主に相談してください。",
            ),
        )
    return Verdict(
        rule,
        True,
        Text(
            f"Part-time, {job.hours_per_week} hours a week, within the {limit}-hour limit.",
            f"パート週{job.hours_per_week}時間で、週{limit}時間の上限内です。",
        ),
    )


def _kind_of_work(job: Job, label: Text) -> Verdict:
    rule = HardRule.KIND_OF_WORK
    if job.manual_work:
        return Verdict(
            rule,
            False,
            Text(
                f"{label.en[0].upper()}{label.en[1:]} may not do manual or simple labour.",
                f"{label.ja}では単純労働に従事できません。",
            ),
            Text(
                "Look for professional, technical or specialist work.",
                "専門的・技術的な仕事を探してください。",
            ),
        )
    return Verdict(rule, True, Text("The job is professional work.", "この求人は専門的な業務です。"))


def _employer_change(worker: Worker, job: Job) -> Verdict:
    rule = HardRule.EMPLOYER_CHANGE
    if worker.current_employer and worker.current_employer == job.employer:
        return Verdict(rule, True, Text("The job is with your training employer.", "実習先の求人です。"))
    return Verdict(
        rule,
        False,
        Text(
            "Technical intern trainees cannot change employer.",
            "技能実習生は実習先を変更できません。",
        ),
        Text(
            "After completing your training you may move to Specified Skilled Worker (i) in the same field.",
            "実習修了後、同じ分野の特定技能1号に移行できます。",
        ),
    )


def _sponsorship(job: Job) -> Verdict:
    rule = HardRule.SPONSORSHIP
    if job.offers_sponsorship:
        return Verdict(
            rule, True, Text("The employer sponsors a status of residence.", "雇用主が在留資格の取得を支援します。")
        )
    return Verdict(
        rule,
        False,
        Text(
            "You need visa sponsorship and the employer does not offer it.",
            "在留資格の取得支援が必要ですが、この雇用主は支援していません。",
        ),
        Text("Look for jobs that offer visa sponsorship.", "在留資格の支援がある求人を探してください。"),
    )


def _japanese(worker: Worker, job: Job, today: dt.date) -> Verdict:
    rule = HardRule.JAPANESE_LEVEL
    need, have = job.min_japanese_level, worker.japanese_level
    if need <= 0:
        return Verdict(rule, True, Text("No Japanese level is required.", "日本語能力の要件はありません。"))
    if have >= need:
        return Verdict(
            rule,
            True,
            Text(
                f"{jlpt_label(have).en} meets the required {jlpt_label(need).en}.",
                f"{jlpt_label(have).ja}は必要な{jlpt_label(need).ja}を満たしています。",
            ),
        )
    test = next_jlpt_date(today)
    return Verdict(
        rule,
        False,
        Text(
            f"{jlpt_label(need).en} is needed; you have {jlpt_label(have).en}.",
            f"{jlpt_label(need).ja}が必要ですが、現在は{jlpt_label(have).ja}です。",
        ),
        Text(
            f"Pass {jlpt_label(need).en}: the next test you can still enter is on {test.day} {test:%B %Y}.",
            f"{jlpt_label(need).ja}に合格してください。次に申し込める試験は{test.year}年{test.month}月{test.day}日です。",
        ),
    )


def _employment_type(worker: Worker, job: Job) -> Verdict:
    rule = HardRule.EMPLOYMENT_TYPE
    kind = job.employment_type
    label = _EMPLOYMENT_LABELS[kind]
    if not worker.employment_types or kind is EmploymentType.UNSPECIFIED or kind in worker.employment_types:
        return Verdict(rule, True, Text(f"You accept {label.en} work.", f"{label.ja}の働き方を希望しています。"))
    return Verdict(
        rule,
        False,
        Text(
            f"The job is {label.en}; you look for "
            + ", ".join(_EMPLOYMENT_LABELS[k].en for k in worker.employment_types)
            + " work.",
            f"この求人は{label.ja}で、希望は"
            + "・".join(_EMPLOYMENT_LABELS[k].ja for k in worker.employment_types)
            + "です。",
        ),
        Text(
            f"Add {label.en} to the contract forms you accept.",
            f"希望する雇用形態に{label.ja}を追加してください。",
        ),
    )


_EMPLOYMENT_LABELS: dict[EmploymentType, Text] = {
    EmploymentType.UNSPECIFIED: Text("any", "指定なし"),
    EmploymentType.FULL_TIME: Text("full-time", "正社員"),
    EmploymentType.PART_TIME: Text("part-time", "パート・アルバイト"),
    EmploymentType.CONTRACT: Text("fixed-term contract", "契約社員"),
    EmploymentType.TEMPORARY: Text("temporary", "派遣"),
    EmploymentType.INTERNSHIP: Text("internship", "インターンシップ"),
}


def _location(worker: Worker, job: Job) -> Verdict:
    rule = HardRule.LOCATION
    where_en = prefecture_name(job.place.prefecture, "en") or "an unstated place"
    where_ja = prefecture_name(job.place.prefecture, "ja") or "記載なし"
    if not worker.place.known or not job.place.known:
        return Verdict(rule, True, Text("No location limits this match.", "勤務地の制限はありません。"))
    relocation = worker.relocation
    if relocation is Relocation.ANYWHERE:
        return Verdict(rule, True, Text(f"You would move to {where_en}.", f"{where_ja}への転居が可能です。"))
    if worker.place.prefecture and worker.place.prefecture == job.place.prefecture:
        return Verdict(
            rule, True, Text(f"The job is in your prefecture ({where_en}).", f"勤務地はお住まいの{where_ja}です。")
        )
    km = distance_km(worker.place, job.place)
    if km is not None and km <= COMMUTE_KM:
        return Verdict(rule, True, Text(f"The job is {km:.0f} km away.", f"勤務地まで約{km:.0f}kmです。"))
    if relocation is Relocation.REGION and worker.place.region and worker.place.region == job.place.region:
        return Verdict(
            rule,
            True,
            Text(f"You would move within your region to {where_en}.", f"同じ地方の{where_ja}への転居が可能です。"),
        )
    distance_en = f" ({km:.0f} km away)" if km is not None else ""
    distance_ja = f"（約{km:.0f}km）" if km is not None else ""
    return Verdict(
        rule,
        False,
        Text(
            f"The job is in {where_en}{distance_en}, beyond commuting distance, and you do not want to move there.",
            f"勤務地は{where_ja}{distance_ja}で通勤圏外です。転居を希望していません。",
        ),
        Text(
            "Say in your profile that you are willing to relocate.",
            "転居可能であればプロフィールで転居の希望を設定してください。",
        ),
    )


def _availability(worker: Worker, job: Job, today: dt.date) -> Verdict:
    rule = HardRule.AVAILABILITY
    start = job.start_date
    if start is None or worker.available_from is None or worker.available_from <= start:
        return Verdict(rule, True, Text("You are available by the start date.", "開始日までに勤務可能です。"))
    return Verdict(
        rule,
        False,
        Text(
            f"The job starts on {start.isoformat()}; you are available from {worker.available_from.isoformat()}.",
            f"開始日は{start.isoformat()}ですが、勤務可能日は{worker.available_from.isoformat()}です。",
        ),
        Text(
            "Ask the employer whether a later start is possible, or update your availability.",
            "開始日を遅らせられるか雇用主に相談するか、勤務可能日を更新してください。",
        ),
    )


def licence_evidence(worker: Worker, licence: str, job: Job) -> str:
    """How a worker holds `licence` for this job: `verified`, `self-declared` or `none`.

    A self-declared licence counts only where the job accepts that.
    """
    for held in worker.licences:
        if held.taxonomy_id == licence:
            if held.verified:
                return "verified"
            if held.self_declared and job.accepts_self_declared_licences:
                return "self-declared"
    return "none"


def _licences(worker: Worker, job: Job) -> Verdict:
    rule = HardRule.LICENCES
    if not job.licences_required:
        return Verdict(rule, True, Text("No licence is required.", "必要な免許・資格はありません。"))
    missing = [lic for lic in job.licences_required if licence_evidence(worker, lic, job) == "none"]
    if not missing:
        return Verdict(rule, True, Text("You hold every licence required.", "必要な免許・資格をすべてお持ちです。"))
    declared = {c.taxonomy_id for c in worker.licences if c.self_declared and not c.verified}
    unproven = [lic for lic in missing if lic in declared]
    names = ", ".join(missing)
    if unproven and len(unproven) == len(missing):
        return Verdict(
            rule,
            False,
            Text(
                f"The job needs a verified credential for: {names}.",
                f"この求人は次の免許・資格の証明が必要です：{names}。",
            ),
            Text(
                "Ask the issuer of your licence for a verifiable credential.",
                "免許・資格の発行元にデジタル証明書の発行を依頼してください。",
            ),
        )
    return Verdict(
        rule,
        False,
        Text(f"The job requires: {names}.", f"この求人には次の免許・資格が必要です：{names}。"),
        Text(f"Obtain {names}.", f"{names}を取得してください。"),
    )
