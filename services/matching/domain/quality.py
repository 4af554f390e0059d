"""The quality set: generated workers and jobs with known true suitability.

Jobs are written in Japanese; worker profiles in Vietnamese, Indonesian,
English or Tagalog, so the semantic component must work across languages.
Every worker has a true occupation and true skills; what the ranker sees is
noisier: the profile text (which names the occupation), declared skills (some
true skills left out, some claimed falsely) and verified skills (only true
ones, from credentials). A pair's true suitability depends on the occupation
match and the true skills the job requires, so each signal adds something:
text finds the occupation, skills the level within it, evidence separates
true claims from false ones.

`report` gives NDCG@10 over each held-out worker's eligible jobs for a
ladder of rankers: eligibility only, + semantic, + skills, + evidence, the
hand-set weights and the weights learned from simulated feedback on the
training workers.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from services.eligibility import rules as eligibility
from services.eligibility.facts import EmploymentType, Job, JobSkill, Relocation, SkillClaim, Status, Worker
from services.eligibility.geo import Place
from services.eligibility.wages import WagePeriod
from services.matching.domain.ranking import Matcher
from services.matching.domain.scoring import Component
from services.matching.domain.weights import HAND_SET, OUTCOME_LABELS, Weights, features, learn_pairwise

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
LANGUAGES = ("vi", "id", "en", "tl")


@dataclass(frozen=True)
class Occupation:
    key: str
    field: str  # SSW field, "" for professional work
    manual: bool
    skills: tuple[str, ...]
    job_texts: tuple[str, ...]  # Japanese
    profiles: Mapping[str, tuple[str, ...]]  # by language


OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation(
        "welding",
        "MANUFACTURING",
        True,
        ("esco:tig-welding", "esco:arc-welding", "esco:read-blueprints", "esco:metal-cutting", "esco:grinding"),
        (
            "溶接工の募集です。工場でTIG溶接とアーク溶接を担当し、図面を読んで金属部品を製作します。",
            "金属加工工場での溶接作業。鉄骨やステンレスの溶接、切断、研磨をお願いします。",
        ),
        {
            "vi": (
                "Tôi là thợ hàn, có kinh nghiệm hàn TIG và hàn hồ quang trong nhà máy cơ khí.",
                "Tôi làm công việc hàn và cắt kim loại, đọc bản vẽ kỹ thuật.",
            ),
            "id": (
                "Saya tukang las berpengalaman dengan las TIG dan las busur di pabrik logam.",
                "Pengalaman saya adalah mengelas dan memotong logam serta membaca gambar teknik.",
            ),
            "en": (
                "I am a welder experienced in TIG and arc welding in a metal factory.",
                "I weld and cut steel parts and can read technical drawings.",
            ),
            "tl": (
                "Ako ay isang welder na may karanasan sa TIG at arc welding sa pabrika.",
                "Nagtatrabaho ako sa pagwelding at pagputol ng bakal sa pagawaan.",
            ),
        },
    ),
    Occupation(
        "care",
        "NURSING_CARE",
        True,
        ("esco:elderly-care", "esco:assist-mobility", "esco:bathing-assistance", "esco:meal-assistance"),
        (
            "介護職員の募集です。特別養護老人ホームで高齢者の食事、入浴、移動の介助をお願いします。",
            "介護施設でのお仕事。利用者様の身の回りのお世話と生活支援をしていただきます。",
        ),
        {
            "vi": (
                "Tôi là điều dưỡng viên chăm sóc người cao tuổi, hỗ trợ ăn uống và tắm rửa.",
                "Tôi có kinh nghiệm chăm sóc người già tại viện dưỡng lão.",
            ),
            "id": (
                "Saya perawat lansia yang membantu makan, mandi dan berpindah tempat.",
                "Saya berpengalaman merawat orang tua di panti jompo.",
            ),
            "en": (
                "I am a care worker for elderly people, helping with meals, bathing and moving.",
                "I have cared for elderly residents in a nursing home.",
            ),
            "tl": (
                "Ako ay caregiver ng matatanda, tumutulong sa pagkain at pagligo.",
                "May karanasan ako sa pag-aalaga ng matatanda sa nursing home.",
            ),
        },
    ),
    Occupation(
        "construction",
        "CONSTRUCTION",
        True,
        ("esco:scaffolding", "esco:concrete-work", "esco:formwork", "esco:operate-crane"),
        (
            "建設現場の作業員を募集します。足場の組立、型枠、コンクリート打設の作業です。",
            "建築工事の現場スタッフ。鉄筋や型枠の作業、重機の操作経験があれば歓迎します。",
        ),
        {
            "vi": (
                "Tôi là công nhân xây dựng, làm giàn giáo, cốp pha và đổ bê tông.",
                "Tôi có kinh nghiệm làm việc tại công trường xây dựng.",
            ),
            "id": (
                "Saya pekerja konstruksi, memasang perancah, bekisting dan mengecor beton.",
                "Saya berpengalaman bekerja di proyek pembangunan gedung.",
            ),
            "en": (
                "I am a construction worker: scaffolding, formwork and pouring concrete.",
                "I have worked on building construction sites.",
            ),
            "tl": (
                "Ako ay construction worker sa scaffolding, formwork at pagbuhos ng semento.",
                "May karanasan ako sa pagtatrabaho sa construction site.",
            ),
        },
    ),
    Occupation(
        "food",
        "FOOD_SERVICE",
        True,
        ("esco:cooking", "esco:food-hygiene", "esco:serve-customers", "esco:kitchen-prep"),
        (
            "飲食店の調理スタッフを募集。厨房での調理、仕込み、衛生管理をお願いします。",
            "レストランのホールとキッチンのスタッフ。接客と料理の盛り付けの仕事です。",
        ),
        {
            "vi": (
                "Tôi là đầu bếp, nấu ăn và chuẩn bị nguyên liệu trong nhà hàng.",
                "Tôi làm phục vụ và phụ bếp tại quán ăn.",
            ),
            "id": (
                "Saya juru masak di restoran, memasak dan menyiapkan bahan makanan.",
                "Saya bekerja sebagai pelayan dan asisten dapur di restoran.",
            ),
            "en": (
                "I am a cook preparing food in a restaurant kitchen.",
                "I work as a waiter and kitchen assistant in a restaurant.",
            ),
            "tl": (
                "Ako ay kusinero na nagluluto sa kusina ng restawran.",
                "Nagtrabaho ako bilang waiter at katulong sa kusina.",
            ),
        },
    ),
    Occupation(
        "cleaning",
        "BUILDING_CLEANING",
        True,
        ("esco:floor-cleaning", "esco:cleaning-equipment", "esco:waste-sorting"),
        (
            "ビル清掃スタッフの募集です。オフィスビルの床清掃や設備の清掃を担当します。",
            "商業施設の清掃業務。清掃機械を使った床の洗浄とゴミの分別です。",
        ),
        {
            "vi": (
                "Tôi làm vệ sinh tòa nhà, lau sàn và dùng máy làm sạch.",
                "Tôi có kinh nghiệm dọn dẹp văn phòng và phân loại rác.",
            ),
            "id": (
                "Saya petugas kebersihan gedung, membersihkan lantai dengan mesin.",
                "Saya berpengalaman membersihkan kantor dan memilah sampah.",
            ),
            "en": (
                "I clean office buildings and use floor cleaning machines.",
                "I have experience cleaning offices and sorting waste.",
            ),
            "tl": (
                "Ako ay tagalinis ng gusali at gumagamit ng makina sa paglilinis ng sahig.",
                "May karanasan ako sa paglilinis ng opisina.",
            ),
        },
    ),
    Occupation(
        "farm",
        "AGRICULTURE",
        True,
        ("esco:crop-harvesting", "esco:greenhouse", "esco:operate-tractor", "esco:livestock"),
        (
            "農業スタッフ募集。ビニールハウスでの野菜の栽培と収穫作業です。",
            "農場での仕事。トラクターの運転や家畜の世話をお願いします。",
        ),
        {
            "vi": (
                "Tôi làm nông nghiệp, trồng rau trong nhà kính và thu hoạch.",
                "Tôi có kinh nghiệm chăn nuôi và lái máy kéo ở trang trại.",
            ),
            "id": (
                "Saya petani yang menanam sayuran di rumah kaca dan memanen.",
                "Saya berpengalaman beternak dan mengemudikan traktor di pertanian.",
            ),
            "en": (
                "I am a farm worker growing vegetables in greenhouses and harvesting.",
                "I have raised livestock and driven tractors on a farm.",
            ),
            "tl": (
                "Ako ay magsasaka na nagtatanim ng gulay sa greenhouse.",
                "May karanasan ako sa pag-aalaga ng hayop at pagmamaneho ng traktora.",
            ),
        },
    ),
    Occupation(
        "hotel",
        "ACCOMMODATION",
        True,
        ("esco:front-desk", "esco:housekeeping", "esco:serve-customers", "esco:reservations"),
        (
            "ホテルのフロントスタッフ募集。チェックイン対応、予約管理、客室清掃の補助です。",
            "旅館での接客とお部屋の準備のお仕事です。",
        ),
        {
            "vi": (
                "Tôi làm lễ tân khách sạn, nhận đặt phòng và tiếp đón khách.",
                "Tôi có kinh nghiệm dọn phòng và phục vụ khách tại khách sạn.",
            ),
            "id": (
                "Saya resepsionis hotel yang menangani reservasi dan tamu.",
                "Saya berpengalaman di housekeeping dan melayani tamu hotel.",
            ),
            "en": (
                "I work at a hotel front desk handling reservations and guests.",
                "I have experience in hotel housekeeping and guest service.",
            ),
            "tl": (
                "Ako ay front desk staff sa hotel, humahawak ng reserbasyon.",
                "May karanasan ako sa housekeeping at pag-aasikaso ng bisita sa hotel.",
            ),
        },
    ),
    Occupation(
        "software",
        "",
        False,
        ("esco:python", "esco:web-development", "esco:databases", "esco:testing-software"),
        (
            "ソフトウェアエンジニアの募集。PythonでのWebアプリケーション開発とデータベース設計です。",
            "IT企業のプログラマー。システム開発とテストを担当していただきます。",
        ),
        {
            "vi": (
                "Tôi là kỹ sư phần mềm, lập trình Python và phát triển ứng dụng web.",
                "Tôi có kinh nghiệm thiết kế cơ sở dữ liệu và kiểm thử phần mềm.",
            ),
            "id": (
                "Saya insinyur perangkat lunak yang memprogram Python dan aplikasi web.",
                "Saya berpengalaman merancang basis data dan menguji perangkat lunak.",
            ),
            "en": (
                "I am a software engineer developing web applications in Python.",
                "I design databases and test software systems.",
            ),
            "tl": (
                "Ako ay software engineer na gumagawa ng web application sa Python.",
                "May karanasan ako sa pagdisenyo ng database at pag-test ng software.",
            ),
        },
    ),
)
RELATED = {
    frozenset({"welding", "construction"}),
    frozenset({"food", "hotel"}),
    frozenset({"cleaning", "hotel"}),
    frozenset({"farm", "food"}),
}
KANSAI = ("JP-27", "JP-28", "JP-26", "JP-29")


@dataclass(frozen=True)
class QualitySet:
    workers: tuple[Worker, ...]
    jobs: tuple[Job, ...]
    grades: dict[tuple[str, str], int]  # true suitability 0..3 of (worker, job)
    occupation: dict[str, str]  # name -> occupation key
    language: dict[str, str]  # name -> language of its text

    def texts(self) -> list[tuple[str, str, str]]:
        """(name, text, kind) for every worker (query) and job (passage)."""
        return [(w.name, w.text, "query") for w in self.workers] + [(j.name, j.text, "passage") for j in self.jobs]


def occupation_match(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return 0.4 if frozenset({a, b}) in RELATED else 0.0


def generate(seed: int = 10, n_workers: int = 160, n_jobs: int = 64, *, with_grades: bool = True) -> QualitySet:
    """Deterministic for a seed. `with_grades=False` skips the true grades (for large markets)."""
    rng = random.Random(seed)
    by_key = {o.key: o for o in OCCUPATIONS}
    jobs, occ, lang = [], {}, {}
    true_skills: dict[str, set[str]] = {}
    for i in range(n_jobs):
        o = OCCUPATIONS[i % len(OCCUPATIONS)]
        skills = list(o.skills)
        rng.shuffle(skills)
        required = skills[: rng.randint(1, 3)]
        preferred = skills[len(required) : len(required) + rng.randint(0, 2)]
        wage = rng.choice([190_000, 220_000, 250_000, 280_000]) if o.manual else rng.choice([300_000, 380_000])
        name = f"employers/q{i % 7}/jobs/{i:04d}"
        jobs.append(
            Job(
                name=name,
                employer=f"employers/q{i % 7}",
                title=f"{o.key} {i}",
                skills=tuple(JobSkill(s, s.split(":")[1], True) for s in required)
                + tuple(JobSkill(s, s.split(":")[1], False) for s in preferred),
                min_japanese_level=rng.choice([0, 1, 2, 3]) if o.manual else rng.choice([0, 3, 4]),
                place=Place(rng.choice(KANSAI)),
                wage_min_yen=wage - 20_000,
                wage_max_yen=wage,
                wage_period=WagePeriod.MONTHLY,
                employment_type=EmploymentType.FULL_TIME,
                hours_per_week=40,
                headcount=rng.randint(1, 4),
                fields=(o.field,) if o.field else (),
                manual_work=o.manual,
                offers_sponsorship=rng.random() < 0.5,
                text=rng.choice(o.job_texts),
                published=NOW - dt.timedelta(days=rng.randint(0, 40)),
            )
        )
        occ[name] = o.key
        lang[name] = "ja"
    workers = []
    for i in range(n_workers):
        o = OCCUPATIONS[rng.randrange(len(OCCUPATIONS))]
        language = LANGUAGES[i % len(LANGUAGES)]
        truth = set(rng.sample(o.skills, rng.randint(1, len(o.skills))))
        declared = {s for s in sorted(truth) if rng.random() < 0.75}
        # False claims: skills of another occupation, or of the worker's own that they lack.
        for _ in range(rng.randint(0, 2)):
            other = by_key[rng.choice([x.key for x in OCCUPATIONS])]
            declared.add(rng.choice(other.skills))
        verified = {s for s in sorted(truth) if rng.random() < 0.45}
        claims = tuple(
            SkillClaim(
                s, s.split(":")[1], years=rng.randint(1, 6) if s in truth else rng.randint(0, 2), verified=s in verified
            )
            for s in sorted(declared | verified)
        )
        r = rng.random()
        if r < 0.45:
            status, field = Status.PERMANENT_RESIDENT, ""
        elif r < 0.8 and o.field:
            status, field = Status.SSW_1, o.field
        elif not o.manual:
            status, field = Status.ENGINEER_SPECIALIST, ""
        else:
            status, field = Status.LONG_TERM_RESIDENT, ""
        name = f"workers/q{i:04d}"
        workers.append(
            Worker(
                name=name,
                status=status,
                designated_field=field,
                japanese_level=rng.choice([2, 3, 3, 4, 5]),
                skills=claims,
                place=Place(rng.choice(KANSAI)),
                relocation=Relocation.REGION,
                desired_wage_yen=rng.choice([200_000, 230_000, 260_000]),
                desired_wage_period=WagePeriod.MONTHLY,
                discoverable=True,
                text=rng.choice(o.profiles[language]),
                updated=NOW - dt.timedelta(days=rng.randint(0, 60)),
            )
        )
        occ[name] = o.key
        lang[name] = language
        true_skills[name] = truth
    grades: dict[tuple[str, str], int] = {}
    for w in workers if with_grades else ():
        for j in jobs:
            if not eligibility.check(w, j, NOW.date()).eligible:
                continue
            match = occupation_match(occ[w.name], occ[j.name])
            required = [s.taxonomy_id for s in j.skills if s.required]
            coverage = sum(s in true_skills[w.name] for s in required) / max(1, len(required))
            fit = match * (0.4 + 0.6 * coverage)
            grades[(w.name, j.name)] = 3 if fit >= 0.85 else 2 if fit >= 0.55 else 1 if fit >= 0.2 else 0
    return QualitySet(tuple(workers), tuple(jobs), grades, occ, lang)


def synthetic_vectors(qs: QualitySet, dim: int = 64, seed: int = 0) -> dict[str, npt.NDArray[np.float32]]:
    """Structured stand-ins for text vectors at scale: occupation centre + language offset + noise."""
    rng = np.random.default_rng(seed)
    centres = {o.key: rng.standard_normal(dim) for o in OCCUPATIONS}
    offsets = {lang: 0.5 * rng.standard_normal(dim) for lang in (*LANGUAGES, "ja")}
    out = {}
    for name, occupation in sorted(qs.occupation.items()):
        v = centres[occupation] + offsets[qs.language[name]] + 0.9 * rng.standard_normal(dim)
        out[name] = (v / np.linalg.norm(v)).astype(np.float32)
    return out


def dcg(grades: Sequence[int]) -> float:
    return float(sum((2.0**g - 1) / math.log2(i + 2) for i, g in enumerate(grades)))


def ndcg_at(ranked: Sequence[int], k: int = 10) -> float:
    """NDCG@k of grades in ranked order (the ideal is the same grades sorted)."""
    ideal = dcg(sorted(ranked, reverse=True)[:k])
    return float(dcg(list(ranked)[:k]) / ideal) if ideal > 0 else 0.0


def build_matcher(qs: QualitySet, vectors: Mapping[str, npt.NDArray[np.float32]], dim: int) -> Matcher:
    from services.matching.domain.retrieval import ExactIndex

    matcher = Matcher(dim, index=ExactIndex(dim))
    matcher.upsert_jobs((j, vectors.get(j.name)) for j in qs.jobs)
    for w in qs.workers:
        matcher.upsert_worker(w, vectors.get(w.name))
    return matcher


def only(*components: Component) -> Weights:
    name = "+".join(c.value.lower() for c in components) or "none"
    return Weights(name, {c: 1.0 / max(1, len(components)) for c in components})


def mean_ndcg(matcher: Matcher, qs: QualitySet, workers: Sequence[Worker], weights: Weights, k: int = 10) -> float:
    """Mean NDCG@k over workers with any relevant eligible job, ranking all their eligible jobs."""
    ranker = _with_weights(matcher, weights)
    values = []
    for w in workers:
        eligible = [j for j in qs.jobs if (w.name, j.name) in qs.grades]
        if not any(qs.grades[(w.name, j.name)] for j in eligible):
            continue
        ranked, _ = ranker.recommend_jobs(w, NOW, limit=len(eligible) or 1)
        if weights.version == "none":  # eligibility only: the order of the open list (newest first)
            ranked_names = [j.name for j in sorted(eligible, key=lambda j: j.published or NOW, reverse=True)]
        else:
            ranked_names = [r.id for r in ranked]
        values.append(ndcg_at([qs.grades[(w.name, n)] for n in ranked_names], k))
    return float(np.mean(values)) if values else 0.0


def _with_weights(matcher: Matcher, weights: Weights) -> Matcher:
    clone = Matcher.__new__(Matcher)
    clone.__dict__.update(matcher.__dict__)
    clone.weights = weights
    return clone


def simulated_feedback(qs: QualitySet, workers: Sequence[Worker], seed: int) -> dict[tuple[str, str], float]:
    """Outcomes for the training workers' eligible pairs: noisy functions of the true grade."""
    rng = random.Random(seed)
    outcome_by_grade = {0: "REJECTED", 1: "APPLIED", 2: "INTERVIEW", 3: "HIRED"}
    labels = {}
    for w in workers:
        for j in qs.jobs:
            grade = qs.grades.get((w.name, j.name))
            if grade is None or rng.random() < 0.5:  # workers act on about half of what they see
                continue
            noisy = min(3, max(0, grade + rng.choice([-1, 0, 0, 0, 1])))
            labels[(w.name, j.name)] = OUTCOME_LABELS[outcome_by_grade[noisy]]
    return labels


def learn_from_feedback(matcher: Matcher, qs: QualitySet, labels: Mapping[tuple[str, str], float]) -> Weights:
    workers = {w.name: w for w in qs.workers}
    jobs = {j.name: j for j in qs.jobs}
    keys = sorted(labels)
    values = [matcher.score_pair(workers[w], jobs[j], NOW).values for w, j in keys]
    return learn_pairwise(features(values), [labels[k] for k in keys], [w for w, _ in keys])


@dataclass(frozen=True)
class Report:
    ndcg: dict[str, float]
    learned: Weights
    test_workers: int
    train_labels: int


def report(
    qs: QualitySet,
    vectors: Mapping[str, npt.NDArray[np.float32]],
    dim: int,
    *,
    seed: int = 3,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """NDCG@10 on held-out workers for the ladder of rankers; learned weights from the rest."""
    matcher = build_matcher(qs, vectors, dim)
    half = len(qs.workers) // 2
    train, test = qs.workers[:half], qs.workers[half:]
    labels = simulated_feedback(qs, train, seed)
    learned = learn_from_feedback(matcher, qs, labels)
    ladder = {
        "eligibility only": only(),
        "+ semantic": only(Component.SEMANTIC),
        "+ skills": only(Component.SEMANTIC, Component.SKILLS),
        "+ evidence": Weights(
            "sem+skills+evidence", {Component.SEMANTIC: 0.4, Component.SKILLS: 0.4, Component.EVIDENCE: 0.2}
        ),
        "hand-set": HAND_SET,
        "learned": learned,
    }
    out = {}
    for label, weights in ladder.items():
        out[label] = mean_ndcg(matcher, qs, test, replace(weights, values={**weights.values, Component.EXPOSURE: 0.0}))
        if progress:
            progress(f"{label}: {out[label]:.3f}")
    return Report(out, learned, len(test), len(labels))
