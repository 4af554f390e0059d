"""The demo data set: employers in Osaka, Aichi, Tokyo and Fukuoka, their jobs,
workers of many nationalities and statuses of residence, and applications in
every status.

Plain data with no SDK in it: enum values are the proto names without their
prefix (`"SSW_1"` for `VISA_STATUS_SSW_1`), wages are whole yen, dates are
ISO strings. `load.py` turns it into requests. The people, companies, phone
numbers and residence card numbers are invented; emails use example.com.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Every demo account logs in with this password.
DEMO_PASSWORD = "iworkz-demo-2026"


@dataclass(frozen=True)
class Place:
    prefecture: str  # ISO 3166-2, JP-01..JP-47
    city: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Employer:
    key: str
    email: str  # login of the organisation's first admin
    contact_name: str
    company: str
    description: str
    industry: str
    location: Place
    website: str
    supports_ssw: bool
    locale: str = "ja"


@dataclass(frozen=True)
class Job:
    key: str
    employer: str  # Employer.key
    title: str
    description: str
    location: Place
    wage_min: int
    wage_max: int
    wage_period: str  # HOURLY, DAILY, MONTHLY, ANNUAL
    employment_type: str  # FULL_TIME, PART_TIME, CONTRACT, TEMPORARY, INTERNSHIP
    min_japanese_level: str  # NONE, N5..N1, NATIVE
    headcount: int
    start_date: str
    required_skills: tuple[tuple[str, int], ...] = ()  # (label, years)
    preferred_skills: tuple[tuple[str, int], ...] = ()
    eligible_visa_statuses: tuple[str, ...] = ()  # empty: any status that allows the work
    eligible_ssw_fields: tuple[str, ...] = ()
    offers_visa_sponsorship: bool = False
    hours_per_week: int = 40
    manual_work: bool = False  # manual or simple labour (closed to Engineer/Specialist holders)
    licences_required: tuple[str, ...] = ()
    accepts_self_declared_licences: bool = False


@dataclass(frozen=True)
class Language:
    language: str  # BCP 47
    proficiency: str  # BASIC, CONVERSATIONAL, BUSINESS, NATIVE
    jlpt: str = ""  # for Japanese: N5..N1


@dataclass(frozen=True)
class Experience:
    employer_name: str
    title: str
    start: str
    end: str  # "" while current
    description: str
    country: str


@dataclass(frozen=True)
class Education:
    institution: str
    qualification: str
    field_of_study: str
    graduation_year: int


@dataclass(frozen=True)
class Worker:
    key: str
    email: str
    display_name: str
    locale: str
    nationality: str
    visa_status: str
    visa_expiry: str  # "" for no expiry
    birth_date: str
    phone: str  # E.164
    address: str
    residence_card_number: str  # "" for Japanese nationals and people not yet in Japan
    languages: tuple[Language, ...]
    skills: tuple[tuple[str, int], ...]
    experience: tuple[Experience, ...]
    education: tuple[Education, ...]
    location: Place
    desired_wage: int
    desired_wage_period: str
    available_from: str
    hours_per_week: int
    employment_types: tuple[str, ...]
    summary: str
    ssw_field: str = ""
    relocation: str = "NONE"  # NONE, REGION, ANYWHERE
    discoverable: bool = True
    work_permission: bool = False  # students and dependents: 資格外活動許可
    current_employer: str = ""  # technical intern trainees: Employer.key they train with


@dataclass(frozen=True)
class Application:
    worker: str  # Worker.key
    job: str  # Job.key
    cover_letter: str
    # Status changes after APPLIED, in order, with the note given. WITHDRAWN is
    # the worker's move; the others are the employer's.
    history: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def status(self) -> str:
        return self.history[-1][0] if self.history else "APPLIED"


# --- places ------------------------------------------------------------------

OSAKA_NISHIYODOGAWA = Place("JP-27", "Osaka-shi Nishiyodogawa-ku", 34.7107, 135.4510)
OSAKA_NAMBA = Place("JP-27", "Osaka-shi Chuo-ku (Namba)", 34.6659, 135.5013)
OSAKA_TAISHO = Place("JP-27", "Osaka-shi Taisho-ku", 34.6520, 135.4720)
SAKAI = Place("JP-27", "Sakai-shi Sakai-ku", 34.5733, 135.4830)
NAGOYA_CHIKUSA = Place("JP-23", "Nagoya-shi Chikusa-ku", 35.1668, 136.9466)
NAGOYA_MINATO = Place("JP-23", "Nagoya-shi Minato-ku", 35.1080, 136.8850)
TOYOTA = Place("JP-23", "Toyota-shi", 35.0825, 137.1560)
TOKYO_KOTO = Place("JP-13", "Koto-ku", 35.6729, 139.8173)
TOKYO_SHIBUYA = Place("JP-13", "Shibuya-ku", 35.6620, 139.7038)
TOKYO_SETAGAYA = Place("JP-13", "Setagaya-ku", 35.6466, 139.6532)
TOKYO_EDOGAWA = Place("JP-13", "Edogawa-ku", 35.7066, 139.8683)
TOKYO_SHINAGAWA = Place("JP-13", "Shinagawa-ku", 35.6092, 139.7302)
TOKYO_TAITO = Place("JP-13", "Taito-ku", 35.7126, 139.7800)
FUKUOKA_HAKATA = Place("JP-40", "Fukuoka-shi Hakata-ku", 33.5902, 130.4207)
FUKUOKA_TENJIN = Place("JP-40", "Fukuoka-shi Chuo-ku (Tenjin)", 33.5898, 130.3987)
FUKUOKA_HIGASHI = Place("JP-40", "Fukuoka-shi Higashi-ku", 33.6177, 130.4171)
FUKUOKA_MINAMI = Place("JP-40", "Fukuoka-shi Minami-ku", 33.5612, 130.4263)


# --- employers -----------------------------------------------------------------

EMPLOYERS: tuple[Employer, ...] = (
    Employer(
        key="naniwa",
        email="recruit@naniwa-metal.example.com",
        contact_name="Kenji Yamada",
        company="Naniwa Metal Works (なにわ金属工業)",
        description=(
            "Stainless piping, steel frames and pressed automotive parts since 1968. "
            "Plants in Osaka and Toyota; in-house support for Specified Skilled Workers, "
            "company dormitory near the Osaka plant."
        ),
        industry="Metal fabrication and welding",
        location=OSAKA_NISHIYODOGAWA,
        website="https://naniwa-metal.example.com",
        supports_ssw=True,
    ),
    Employer(
        key="sakura",
        email="jinji@sakura-care.example.com",
        contact_name="Yumi Kato",
        company="Sakura Care Group (さくらケアグループ)",
        description=(
            "Special elderly nursing homes (特別養護老人ホーム) and group homes in Aichi "
            "and Tokyo. Japanese lessons and support for the care worker national exam."
        ),
        industry="Nursing care",
        location=NAGOYA_CHIKUSA,
        website="https://sakura-care.example.com",
        supports_ssw=True,
    ),
    Employer(
        key="musashino",
        email="saiyo@musashino-kensetsu.example.com",
        contact_name="Takashi Suzuki",
        company="Musashino Construction (武蔵野建設)",
        description=(
            "General contractor for mid-rise housing and public works in Tokyo and "
            "Fukuoka. Registered with the Japan Association for Construction Human "
            "Resources (JAC) for SSW construction workers."
        ),
        industry="Construction",
        location=TOKYO_KOTO,
        website="https://musashino-kensetsu.example.com",
        supports_ssw=True,
    ),
    Employer(
        key="hakata",
        email="recruit@hakata-yatai.example.com",
        contact_name="Mika Nakashima",
        company="Hakata Yatai Foods (博多屋台フーズ)",
        description=(
            "Tonkotsu ramen chain with 14 shops in Fukuoka and Osaka. Staff meals, "
            "flexible shifts for students, a path to shop manager."
        ),
        industry="Restaurants",
        location=FUKUOKA_HAKATA,
        website="https://hakata-yatai.example.com",
        supports_ssw=True,
    ),
    Employer(
        key="shibuya",
        email="talent@shibuya-cloudworks.example.com",
        contact_name="Daisuke Ito",
        company="Shibuya Cloudworks (渋谷クラウドワークス)",
        description=(
            "B2B SaaS for logistics scheduling. Offices in Shibuya and Fukuoka, an "
            "offshore team in Da Nang; English and Japanese are both working languages."
        ),
        industry="Software",
        location=TOKYO_SHIBUYA,
        website="https://shibuya-cloudworks.example.com",
        supports_ssw=False,
        locale="en",
    ),
)


# --- jobs ----------------------------------------------------------------------

JOBS: tuple[Job, ...] = (
    # Naniwa Metal Works
    Job(
        key="naniwa-tig",
        employer="naniwa",
        title="TIG welder – stainless steel piping",
        description=(
            "TIG welding of stainless piping for food and chemical plants, from "
            "drawings. Day shift 8:00–17:00, overtime about 20 hours a month. Dormitory "
            "available (25,000 JPY/month). Help with the SSW change of status."
        ),
        location=OSAKA_NISHIYODOGAWA,
        wage_min=260_000,
        wage_max=330_000,
        wage_period="MONTHLY",
        employment_type="FULL_TIME",
        min_japanese_level="N4",
        headcount=3,
        start_date="2026-04-01",
        required_skills=(("TIG welding", 3), ("Reading welding drawings", 1)),
        preferred_skills=(("JIS welding certification (stainless)", 0),),
        eligible_visa_statuses=("SSW_1", "SSW_2"),
        eligible_ssw_fields=("MANUFACTURING",),
        offers_visa_sponsorship=True,
    ),
    Job(
        key="naniwa-co2",
        employer="naniwa",
        title="Semi-automatic CO2 welder – steel frames",
        description=(
            "CO2 (MAG) welding of steel building frames. One-year contract, renewable. "
            "Safety shoes and welding gear provided."
        ),
        location=OSAKA_NISHIYODOGAWA,
        wage_min=1_450,
        wage_max=1_800,
        wage_period="HOURLY",
        employment_type="CONTRACT",
        min_japanese_level="N4",
        headcount=2,
        start_date="2026-03-02",
        required_skills=(("CO2 welding", 2),),
        preferred_skills=(("Grinding and finishing", 1),),
        eligible_visa_statuses=("SSW_1", "SSW_2"),
        eligible_ssw_fields=("MANUFACTURING",),
    ),
    Job(
        key="naniwa-press",
        employer="naniwa",
        title="Press machine operator – automotive parts",
        description=(
            "Operate 200–400 t presses for body panels at our Toyota plant; die changes "
            "and first-article checks. Technical intern trainees finishing their "
            "programme can move to SSW (i) with our support."
        ),
        location=TOYOTA,
        wage_min=230_000,
        wage_max=280_000,
        wage_period="MONTHLY",
        employment_type="FULL_TIME",
        min_japanese_level="N4",
        headcount=4,
        start_date="2026-04-01",
        required_skills=(("Press operation", 1),),
        preferred_skills=(("Forklift licence", 0), ("Quality inspection", 1)),
        eligible_visa_statuses=("SSW_1", "SSW_2", "TECHNICAL_INTERN"),
        eligible_ssw_fields=("MANUFACTURING",),
        offers_visa_sponsorship=True,
    ),
    Job(
        key="naniwa-trainee",
        employer="naniwa",
        title="Welding technical intern trainee (3-year programme)",
        description=(
            "Three-year Technical Intern Training in welding, through our supervising "
            "organisation. Japanese classes twice a week; dormitory and flights paid."
        ),
        location=OSAKA_NISHIYODOGAWA,
        wage_min=190_000,
        wage_max=215_000,
        wage_period="MONTHLY",
        employment_type="FULL_TIME",
        min_japanese_level="N5",
        headcount=4,
        start_date="2026-10-01",
        required_skills=(("Basic metalworking", 0),),
        eligible_visa_statuses=("TECHNICAL_INTERN", "NEEDS_SPONSORSHIP"),
        offers_visa_sponsorship=True,
    ),
    # Sakura Care Group
    Job(
        key="sakura-kaigo",
        employer="sakura",
        title="Care worker – special elderly nursing home",
        description=(
            "Bathing, meals, toileting and recreation for 80 residents in units of 10. "
            "Four shift patterns including nights (5 a month). Night allowance 6,000 JPY; "
            "support for the kaigo fukushishi exam."
        ),
        location=NAGOYA_CHIKUSA,
        wage_min=235_000,
        wage_max=275_000,
        wage_period="MONTHLY",
        employment_type="FULL_TIME",
        min_japanese_level="N4",
        headcount=5,
        start_date="2026-04-01",
        required_skills=(("Personal care", 1),),
        preferred_skills=(("Dementia care", 1), ("Care records (kaigo kiroku)", 0)),
        eligible_visa_statuses=("SSW_1", "SSW_2"),
        eligible_ssw_fields=("NURSING_CARE",),
        offers_visa_sponsorship=True,
    ),
    Job(
        key="sakura-night",
        employer="sakura",
        title="Night-shift care assistant (part-time)",
        description=(
            "Night rounds, toileting help and morning preparation, 22:00–7:00, two or "
            "three nights a week. Training given; students welcome within their "
            "permitted hours."
        ),
        location=NAGOYA_CHIKUSA,
        wage_min=1_350,
        wage_max=1_600,
        wage_period="HOURLY",
        employment_type="PART_TIME",
        min_japanese_level="N3",
        headcount=3,
        start_date="2026-02-01",
        required_skills=(("Personal care", 0),),
        eligible_ssw_fields=("NURSING_CARE",),
        hours_per_week=24,
        manual_work=True,
    ),
    Job(
        key="sakura-setagaya",
        employer="sakura",
        title="Certified care worker – group home (Setagaya)",
        description=(
            "Lead care for 18 residents with dementia in a group home; plan care with "
            "the care manager and train new staff."
        ),
        location=TOKYO_SETAGAYA,
        wage_min=280_000,
        wage_max=340_000,
        wage_period="MONTHLY",
        employment_type="FULL_TIME",
        min_japanese_level="N2",
        headcount=2,
        start_date="2026-05-01",
        required_skills=(("Personal care", 3), ("Dementia care", 2)),
        preferred_skills=(("Kaigo fukushishi (certified care worker)", 0),),
        eligible_visa_statuses=("SSW_1", "SSW_2"),
        eligible_ssw_fields=("NURSING_CARE",),
        offers_visa_sponsorship=True,
    ),
    # Musashino Construction
    Job(
        key="musashino-formwork",
        employer="musashino",
        title="Formwork carpenter (kata-waku daiku)",
        description=(
            "Build and strip concrete formwork on mid-rise housing sites in Tokyo. "
            "Paid daily, settled monthly; company housing in Koto-ku. We sponsor SSW "
            "construction workers who passed the skills test abroad."
        ),
        location=TOKYO_KOTO,
        wage_min=15_000,
        wage_max=20_000,
        wage_period="DAILY",
        employment_type="FULL_TIME",
        min_japanese_level="N4",
        headcount=4,
        start_date="2026-04-01",
        required_skills=(("Formwork", 2),),
        preferred_skills=(("Reading construction drawings", 1),),
        eligible_visa_statuses=("SSW_1", "SSW_2", "NEEDS_SPONSORSHIP"),
        eligible_ssw_fields=("CONSTRUCTION",),
        offers_visa_sponsorship=True,
    ),
    Job(
        key="musashino-scaffold",
        employer="musashino",
        title="Scaffolding worker (tobi) – Fukuoka sites",
        description="Erect and dismantle system scaffolding on housing and school sites around Fukuoka.",
        location=FUKUOKA_HIGASHI,
        wage_min=13_000,
        wage_max=18_000,
        wage_period="DAILY",
        employment_type="CONTRACT",
        min_japanese_level="N5",
        headcount=6,
        start_date="2026-03-02",
        required_skills=(("Scaffolding", 1),),
        preferred_skills=(("Working at height training", 0),),
        eligible_visa_statuses=("SSW_1", "SSW_2", "TECHNICAL_INTERN"),
        eligible_ssw_fields=("CONSTRUCTION",),
    ),
    Job(
        key="musashino-cad",
        employer="musashino",
        title="Construction management assistant (CAD/BIM)",
        description=(
            "Drawings in AutoCAD and Revit, schedules and safety documents for the site "
            "manager; site visits twice a week."
        ),
        location=TOKYO_KOTO,
        wage_min=290_000,
        wage_max=380_000,
        wage_period="MONTHLY",
        employment_type="FULL_TIME",
        min_japanese_level="N2",
        headcount=1,
        start_date="2026-04-01",
        required_skills=(("AutoCAD", 2),),
        preferred_skills=(("Revit (BIM)", 1), ("Construction site management", 1)),
        eligible_visa_statuses=("ENGINEER_SPECIALIST", "NEEDS_SPONSORSHIP"),
        offers_visa_sponsorship=True,
    ),
    # Hakata Yatai Foods
    Job(
        key="hakata-kitchen",
        employer="hakata",
        title="Kitchen staff – tonkotsu ramen shop (Tenjin)",
        description="Boil noodles, prepare toppings, keep the kitchen clean. Shifts from 3 hours; staff meal included.",
        location=FUKUOKA_TENJIN,
        wage_min=1_100,
        wage_max=1_300,
        wage_period="HOURLY",
        employment_type="PART_TIME",
        min_japanese_level="N4",
        headcount=4,
        start_date="2026-01-15",
        preferred_skills=(("Food preparation", 0), ("Kitchen hygiene (HACCP)", 0)),
        hours_per_week=20,
        manual_work=True,
    ),
    Job(
        key="hakata-namba",
        employer="hakata",
        title="Floor staff – Namba branch",
        description="Take orders, serve, run the ticket machine and help tourists in English or Chinese.",
        location=OSAKA_NAMBA,
        wage_min=1_200,
        wage_max=1_450,
        wage_period="HOURLY",
        employment_type="PART_TIME",
        min_japanese_level="N3",
        headcount=3,
        start_date="2026-02-01",
        preferred_skills=(("Customer service", 0),),
    ),
    Job(
        key="hakata-manager",
        employer="hakata",
        title="Shop manager candidate",
        description=(
            "Run a shop of 10 staff after a six-month training: shifts, stock, hygiene checks and sales reports."
        ),
        location=FUKUOKA_HAKATA,
        wage_min=260_000,
        wage_max=320_000,
        wage_period="MONTHLY",
        employment_type="FULL_TIME",
        min_japanese_level="N3",
        headcount=2,
        start_date="2026-04-01",
        required_skills=(("Restaurant work", 2),),
        preferred_skills=(("Team leadership", 1),),
        eligible_visa_statuses=("SSW_1", "SSW_2"),
        eligible_ssw_fields=("FOOD_SERVICE",),
        offers_visa_sponsorship=True,
    ),
    # Shibuya Cloudworks
    Job(
        key="shibuya-backend",
        employer="shibuya",
        title="Backend engineer (Python / Go)",
        description=(
            "Design and run the scheduling APIs (gRPC, PostgreSQL, Kubernetes). English "
            "is enough in the team; Japanese lessons paid. Hybrid, 2 office days."
        ),
        location=TOKYO_SHIBUYA,
        wage_min=6_500_000,
        wage_max=9_500_000,
        wage_period="ANNUAL",
        employment_type="FULL_TIME",
        min_japanese_level="NONE",
        headcount=2,
        start_date="2026-04-01",
        required_skills=(("Python", 3), ("PostgreSQL", 2)),
        preferred_skills=(("Go", 1), ("Kubernetes", 1)),
        eligible_visa_statuses=("ENGINEER_SPECIALIST", "NEEDS_SPONSORSHIP"),
        offers_visa_sponsorship=True,
    ),
    Job(
        key="shibuya-bridge",
        employer="shibuya",
        title="Bridge SE (Japan–Vietnam offshore team)",
        description=(
            "Turn Japanese customer requirements into specifications for our Da Nang "
            "team, review deliveries and join customer meetings."
        ),
        location=TOKYO_SHIBUYA,
        wage_min=5_500_000,
        wage_max=7_500_000,
        wage_period="ANNUAL",
        employment_type="FULL_TIME",
        min_japanese_level="N2",
        headcount=1,
        start_date="2026-04-01",
        required_skills=(("Requirements translation (Japanese–Vietnamese)", 2), ("Java", 2)),
        eligible_visa_statuses=("ENGINEER_SPECIALIST", "NEEDS_SPONSORSHIP"),
        offers_visa_sponsorship=True,
    ),
    Job(
        key="shibuya-intern",
        employer="shibuya",
        title="Software engineering intern (part-time)",
        description=(
            "Up to 20 hours a week on real features with a mentor; for university and vocational school students."
        ),
        location=TOKYO_SHIBUYA,
        wage_min=1_500,
        wage_max=1_900,
        wage_period="HOURLY",
        employment_type="INTERNSHIP",
        min_japanese_level="N4",
        headcount=3,
        start_date="2026-04-06",
        required_skills=(("Programming (any language)", 1),),
        eligible_visa_statuses=("STUDENT",),
    ),
    Job(
        key="shibuya-frontend",
        employer="shibuya",
        title="Frontend engineer (TypeScript / React) – Fukuoka office",
        description="Build the dispatcher web app with designers in our Fukuoka office (Tenjin). Relocation support.",
        location=FUKUOKA_TENJIN,
        wage_min=5_000_000,
        wage_max=7_000_000,
        wage_period="ANNUAL",
        employment_type="FULL_TIME",
        min_japanese_level="N3",
        headcount=1,
        start_date="2026-06-01",
        required_skills=(("TypeScript", 2), ("React", 2)),
        eligible_visa_statuses=("ENGINEER_SPECIALIST",),
        offers_visa_sponsorship=True,
    ),
)


# --- workers -------------------------------------------------------------------

JA = "ja"

WORKERS: tuple[Worker, ...] = (
    Worker(
        key="lan",
        email="lan.nguyen@example.com",
        display_name="Nguyen Thi Lan",
        locale="vi",
        nationality="VN",
        visa_status="SSW_1",
        ssw_field="NURSING_CARE",
        visa_expiry="2027-03-31",
        birth_date="1996-08-14",
        phone="+819000010001",
        address="Nagoya-shi Chikusa-ku Imaike 1-2-3",
        residence_card_number="AB12345678CD",
        languages=(Language("vi", "NATIVE"), Language(JA, "CONVERSATIONAL", "N3"), Language("en", "BASIC")),
        skills=(
            ("Personal care", 3),
            ("Dementia care", 2),
            ("Mobility and transfer assistance", 3),
            ("Care records (kaigo kiroku)", 2),
        ),
        experience=(
            Experience(
                "Aoba Care Home",
                "Care worker",
                "2022-04-01",
                "",
                "Daily care for 20 residents; night shifts; care records in Japanese.",
                "JP",
            ),
            Experience(
                "Ha Dong General Clinic",
                "Nursing assistant",
                "2018-09-01",
                "2021-12-31",
                "Patient hygiene, vital signs and meals on a medical ward.",
                "VN",
            ),
        ),
        education=(Education("Ha Dong Nursing College", "Diploma", "Nursing", 2018),),
        location=NAGOYA_CHIKUSA,
        desired_wage=250_000,
        desired_wage_period="MONTHLY",
        available_from="2026-04-01",
        hours_per_week=40,
        employment_types=("FULL_TIME",),
        summary="Care worker with four years in Japan and Vietnam; passed the SSW nursing care skills test.",
    ),
    Worker(
        key="minh",
        email="minh.tran@example.com",
        display_name="Tran Van Minh",
        locale="vi",
        nationality="VN",
        visa_status="TECHNICAL_INTERN",
        visa_expiry="2026-09-30",
        birth_date="1999-02-03",
        phone="+819000010002",
        address="Osaka-shi Taisho-ku Sangenya 4-5-6",
        residence_card_number="EF23456789GH",
        languages=(Language("vi", "NATIVE"), Language(JA, "CONVERSATIONAL", "N4")),
        skills=(("CO2 welding", 3), ("TIG welding", 2), ("Grinding and finishing", 3)),
        experience=(
            Experience(
                "Kansai Steel Fabrication",
                "Welding technical intern",
                "2023-10-01",
                "",
                "CO2 welding of brackets and frames; passed the Grade 3 skills test.",
                "JP",
            ),
            Experience("Hai Phong Shipyard", "Welder", "2019-06-01", "2023-08-31", "Hull block welding.", "VN"),
        ),
        education=(Education("Hai Phong Vocational College", "Certificate", "Welding", 2019),),
        location=OSAKA_TAISHO,
        desired_wage=250_000,
        desired_wage_period="MONTHLY",
        available_from="2026-10-01",
        hours_per_week=40,
        employment_types=("FULL_TIME",),
        summary="Technical intern finishing in September 2026; wants to stay as an SSW manufacturing worker.",
        current_employer="naniwa",
    ),
    Worker(
        key="budi",
        email="budi.santoso@example.com",
        display_name="Budi Santoso",
        locale="id",
        nationality="ID",
        visa_status="SSW_1",
        ssw_field="MANUFACTURING",
        visa_expiry="2027-10-31",
        birth_date="1992-11-20",
        phone="+819000010003",
        address="Sakai-shi Sakai-ku Minamihanada 7-8",
        residence_card_number="IJ34567890KL",
        languages=(Language("id", "NATIVE"), Language(JA, "CONVERSATIONAL", "N4"), Language("en", "CONVERSATIONAL")),
        skills=(("TIG welding", 6), ("Reading welding drawings", 4), ("JIS welding certification (stainless)", 2)),
        experience=(
            Experience(
                "Sakai Pipe Works",
                "Welder (SSW)",
                "2021-05-01",
                "",
                "Stainless piping for breweries; JIS TIG certificate.",
                "JP",
            ),
            Experience(
                "PT Baja Nusantara Fabrikasi",
                "Welder",
                "2015-03-01",
                "2020-12-31",
                "Pressure vessel and piping welding.",
                "ID",
            ),
        ),
        education=(Education("SMK Negeri 2 Cilegon", "Vocational high school", "Welding", 2011),),
        location=SAKAI,
        desired_wage=300_000,
        desired_wage_period="MONTHLY",
        available_from="2026-04-01",
        hours_per_week=40,
        employment_types=("FULL_TIME",),
        summary="Ten years of TIG welding, five of them in Japan; holds a JIS stainless TIG certificate.",
    ),
    Worker(
        key="maria",
        email="maria.reyes@example.com",
        display_name="Maria Cristina Reyes",
        locale="en",
        nationality="PH",
        visa_status="SSW_1",
        ssw_field="NURSING_CARE",
        visa_expiry="2026-12-31",
        birth_date="1994-05-09",
        phone="+819000010004",
        address="Nagoya-shi Minato-ku Tsukiji-cho 2-1",
        residence_card_number="MN45678901PQ",
        languages=(Language("tl", "NATIVE"), Language("en", "BUSINESS"), Language(JA, "CONVERSATIONAL", "N3")),
        skills=(("Personal care", 4), ("Rehabilitation assistance", 2), ("Dementia care", 1)),
        experience=(
            Experience(
                "Minato Day Service Center",
                "Care worker",
                "2023-01-10",
                "",
                "Day-service care and recreation for 30 users.",
                "JP",
            ),
            Experience(
                "St. Luke's Home Care Manila",
                "Caregiver",
                "2016-07-01",
                "2022-10-31",
                "Home care for elderly clients.",
                "PH",
            ),
        ),
        education=(Education("TESDA Manila", "Caregiving NC II", "Caregiving", 2016),),
        location=NAGOYA_MINATO,
        desired_wage=1_400,
        desired_wage_period="HOURLY",
        available_from="2026-02-01",
        hours_per_week=24,
        employment_types=("PART_TIME", "FULL_TIME"),
        summary="Caregiver since 2016; looking for night shifts next to my day-service job.",
    ),
    Worker(
        key="sita",
        email="sita.gurung@example.com",
        display_name="Sita Gurung",
        locale="ne",
        nationality="NP",
        visa_status="STUDENT",
        visa_expiry="2027-04-30",
        birth_date="2003-01-25",
        phone="+819000010005",
        address="Fukuoka-shi Hakata-ku Hakataekimae 3-4-5",
        residence_card_number="RS56789012TU",
        languages=(Language("ne", "NATIVE"), Language("en", "CONVERSATIONAL"), Language(JA, "CONVERSATIONAL", "N3")),
        skills=(("Food preparation", 1), ("Customer service", 2), ("Kitchen hygiene (HACCP)", 1)),
        experience=(
            Experience(
                "Himalayan Kitchen Pokhara",
                "Kitchen helper",
                "2020-06-01",
                "2023-03-31",
                "Prep and dishwashing in a family restaurant.",
                "NP",
            ),
        ),
        education=(
            Education("Fukuoka International Japanese Language School", "Japanese course", "Japanese language", 0),
        ),
        location=FUKUOKA_HAKATA,
        desired_wage=1_150,
        desired_wage_period="HOURLY",
        available_from="2026-01-15",
        hours_per_week=28,
        employment_types=("PART_TIME",),
        summary="Japanese language student with permission to work 28 hours a week.",
        work_permission=True,
    ),
    Worker(
        key="aung",
        email="aung.koko@example.com",
        display_name="Aung Ko Ko",
        locale="my",
        nationality="MM",
        visa_status="NEEDS_SPONSORSHIP",
        visa_expiry="",
        birth_date="1995-07-17",
        phone="+959000010006",
        address="Yangon, Hlaing Township",
        residence_card_number="",
        languages=(Language("my", "NATIVE"), Language(JA, "BASIC", "N4"), Language("en", "BASIC")),
        skills=(("Formwork", 7), ("Rebar tying", 4), ("Reading construction drawings", 3)),
        experience=(
            Experience(
                "Golden Delta Construction",
                "Formwork carpenter",
                "2017-01-01",
                "",
                "Formwork for condominiums and a hospital in Yangon.",
                "MM",
            ),
        ),
        education=(Education("Yangon Technical High School", "Certificate", "Civil works", 2013),),
        location=TOKYO_KOTO,
        desired_wage=17_000,
        desired_wage_period="DAILY",
        available_from="2026-06-01",
        hours_per_week=40,
        employment_types=("FULL_TIME",),
        summary="Passed the SSW construction (formwork) skills test and JLPT N4 in Yangon; needs sponsorship.",
    ),
    Worker(
        key="wei",
        email="li.wei@example.com",
        display_name="Li Wei",
        locale="zh",
        nationality="CN",
        visa_status="ENGINEER_SPECIALIST",
        visa_expiry="2028-06-30",
        birth_date="1990-10-02",
        phone="+819000010007",
        address="Shinagawa-ku Osaki 2-3-4",
        residence_card_number="VW67890123XY",
        languages=(Language("zh", "NATIVE"), Language(JA, "BUSINESS", "N1"), Language("en", "BUSINESS")),
        skills=(("Python", 6), ("PostgreSQL", 5), ("Go", 3), ("Kubernetes", 3)),
        experience=(
            Experience(
                "Tokyo Fintech Lab",
                "Software engineer",
                "2019-04-01",
                "",
                "Payments APIs in Python and Go; on-call lead.",
                "JP",
            ),
            Experience(
                "Hangzhou Commerce Cloud",
                "Backend developer",
                "2014-07-01",
                "2019-02-28",
                "Order services for an e-commerce platform.",
                "CN",
            ),
        ),
        education=(Education("Zhejiang University", "B.Eng.", "Computer science", 2014),),
        location=TOKYO_SHINAGAWA,
        desired_wage=8_500_000,
        desired_wage_period="ANNUAL",
        available_from="2026-04-01",
        hours_per_week=40,
        employment_types=("FULL_TIME",),
        summary="Backend engineer, eleven years; six in Tokyo.",
    ),
    Worker(
        key="rafael",
        email="rafael.nakamura@example.com",
        display_name="Rafael Nakamura Silva",
        locale="pt",
        nationality="BR",
        visa_status="PERMANENT_RESIDENT",
        visa_expiry="",
        birth_date="1988-03-30",
        phone="+819000010008",
        address="Toyota-shi Homi-cho 5-6-7",
        residence_card_number="ZA78901234BC",
        languages=(Language("pt", "NATIVE"), Language(JA, "CONVERSATIONAL", "N2"), Language("es", "CONVERSATIONAL")),
        skills=(("Press operation", 8), ("Forklift licence", 6), ("Quality inspection", 5)),
        experience=(
            Experience(
                "Aichi Auto Stamping",
                "Press operator",
                "2016-04-01",
                "2025-12-31",
                "Body-panel presses, die changes, first-article inspection.",
                "JP",
            ),
        ),
        education=(Education("SENAI São Paulo", "Technical course", "Mechanical manufacturing", 2007),),
        location=TOYOTA,
        desired_wage=270_000,
        desired_wage_period="MONTHLY",
        available_from="2026-02-01",
        hours_per_week=40,
        employment_types=("FULL_TIME", "CONTRACT"),
        summary="Press operator with ten years in Toyota; forklift licence.",
    ),
    Worker(
        key="kenta",
        email="kenta.sato@example.com",
        display_name="佐藤 健太 (Kenta Sato)",
        locale="ja",
        nationality="JP",
        visa_status="JAPANESE_NATIONAL",
        visa_expiry="",
        birth_date="1993-12-12",
        phone="+819000010009",
        address="Edogawa-ku Kasai 6-7-8",
        residence_card_number="",
        languages=(Language(JA, "NATIVE"), Language("en", "BASIC")),
        skills=(("AutoCAD", 8), ("Construction site management", 6), ("Revit (BIM)", 2)),
        experience=(
            Experience(
                "Edogawa Koumuten",
                "Site supervisor",
                "2015-04-01",
                "",
                "Housing sites; schedules, safety meetings, subcontractor coordination.",
                "JP",
            ),
        ),
        education=(Education("Tokyo Polytechnic College", "Associate degree", "Architecture", 2015),),
        location=TOKYO_EDOGAWA,
        desired_wage=350_000,
        desired_wage_period="MONTHLY",
        available_from="2026-04-01",
        hours_per_week=40,
        employment_types=("FULL_TIME",),
        summary="Second-class construction management engineer (2級施工管理技士).",
    ),
    Worker(
        key="hoa",
        email="hoa.pham@example.com",
        display_name="Pham Thi Hoa",
        locale="vi",
        nationality="VN",
        visa_status="ENGINEER_SPECIALIST",
        visa_expiry="2027-08-31",
        birth_date="1997-04-18",
        phone="+819000010010",
        address="Taito-ku Asakusabashi 1-9-9",
        residence_card_number="DE89012345FG",
        languages=(Language("vi", "NATIVE"), Language(JA, "BUSINESS", "N2"), Language("en", "BUSINESS")),
        skills=(("Java", 4), ("Requirements translation (Japanese–Vietnamese)", 3), ("Project coordination", 2)),
        experience=(
            Experience(
                "Asakusa Systems",
                "Communicator / junior SE",
                "2021-10-01",
                "",
                "Translated specifications and tested deliveries from Hanoi.",
                "JP",
            ),
        ),
        education=(Education("Hanoi University of Science and Technology", "B.Eng.", "Information technology", 2020),),
        location=TOKYO_TAITO,
        desired_wage=6_000_000,
        desired_wage_period="ANNUAL",
        available_from="2026-04-01",
        hours_per_week=40,
        employment_types=("FULL_TIME",),
        summary="Vietnamese–Japanese communicator moving into a bridge SE role.",
    ),
    Worker(
        key="dewi",
        email="dewi.lestari@example.com",
        display_name="Dewi Lestari",
        locale="id",
        nationality="ID",
        visa_status="SSW_1",
        ssw_field="FOOD_SERVICE",
        visa_expiry="2027-01-31",
        birth_date="1998-09-09",
        phone="+819000010011",
        address="Fukuoka-shi Minami-ku Ohashi 2-2-2",
        residence_card_number="HI90123456JK",
        languages=(Language("id", "NATIVE"), Language(JA, "CONVERSATIONAL", "N3")),
        skills=(("Restaurant work", 3), ("Kitchen hygiene (HACCP)", 3), ("Team leadership", 1)),
        experience=(
            Experience(
                "Fukuoka Udon Dining",
                "Kitchen staff (SSW)",
                "2022-11-01",
                "",
                "Noodle kitchen; trained two new staff.",
                "JP",
            ),
        ),
        education=(Education("SMK Pariwisata Bandung", "Vocational high school", "Culinary arts", 2016),),
        location=FUKUOKA_MINAMI,
        desired_wage=270_000,
        desired_wage_period="MONTHLY",
        available_from="2026-04-01",
        hours_per_week=40,
        employment_types=("FULL_TIME",),
        summary="SSW food service worker aiming for a shop manager role.",
    ),
)


# --- applications --------------------------------------------------------------

APPLICATIONS: tuple[Application, ...] = (
    Application(
        "budi",
        "naniwa-tig",
        "I have welded stainless piping for five years in Sakai and hold a JIS TIG certificate.",
        (
            ("SHORTLISTED", "Strong TIG background."),
            ("INTERVIEW", "Practical test on 12 February, 10:00."),
            ("OFFER", "Offer: 310,000 JPY a month from 1 April."),
        ),
    ),
    Application("minh", "naniwa-press", "My internship ends in September; I would like to move to SSW (i) with you."),
    Application(
        "rafael",
        "naniwa-press",
        "Ten years on body-panel presses in Toyota.",
        (("SHORTLISTED", "Please bring your forklift licence to the interview."),),
    ),
    Application(
        "lan",
        "sakura-kaigo",
        "I care for residents with dementia at Aoba Care Home and want full-time nights too.",
        (("SHORTLISTED", ""), ("INTERVIEW", "Online interview on 20 February.")),
    ),
    Application(
        "maria",
        "sakura-night",
        "I can work Tuesday, Thursday and Saturday nights.",
        (("SHORTLISTED", "Thank you — we will call you about a trial night."),),
    ),
    Application(
        "aung",
        "musashino-formwork",
        "Seven years of formwork; I passed the SSW construction skills test.",
        (("SHORTLISTED", ""), ("INTERVIEW", "Video interview with the site foreman.")),
    ),
    Application(
        "kenta",
        "musashino-cad",
        "AutoCAD for eight years; learning Revit.",
        (("WITHDRAWN", "I accepted another offer. Thank you."),),
    ),
    Application(
        "sita",
        "hakata-kitchen",
        "I can work evenings and weekends, up to 28 hours a week.",
        (
            ("SHORTLISTED", ""),
            ("INTERVIEW", ""),
            ("OFFER", "1,150 JPY an hour to start."),
            ("HIRED", "Welcome! First shift on 15 January."),
        ),
    ),
    Application(
        "dewi",
        "hakata-manager",
        "Three years in a noodle kitchen; I trained new staff.",
        (("SHORTLISTED", ""), ("REJECTED", "We chose a candidate with shop management experience.")),
    ),
    Application(
        "wei",
        "shibuya-backend",
        "Payments APIs in Python and Go for six years in Tokyo.",
        (("SHORTLISTED", ""), ("INTERVIEW", "System design interview on 18 February.")),
    ),
    Application("hoa", "shibuya-bridge", "I translate specifications between our Tokyo and Hanoi teams every day."),
)
