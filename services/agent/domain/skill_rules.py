"""Domain terms that embeddings miss or confuse, in the platform's languages, mapped to ESCO skills.

Welding processes (TIG/MIG/MAG/arc and their Japanese and Vietnamese
names), care tasks, forklift and driving, JLPT levels (Japanese), the SSW
fields' core tasks, and a few trades. Each rule is a regular expression and
the ESCO skill URIs it shows; the matched text is the evidence span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

S = "http://data.europa.eu/esco/skill/"

TIG = S + "a51adea8-bf02-488a-a0d8-b0961caca5b0"
MIG = S + "f015c5d5-6a1c-4f63-9012-a05f4f34105e"
MAG = S + "60ff3eac-7d4d-4e51-87b8-74c3b5d62498"
ARC = S + "27d26fd6-5795-4f0a-884e-112df7c68314"
WELDING = S + "530cb489-d900-46ab-9350-4d50ccd49eea"
FORKLIFT = S + "28cb374e-6261-4133-8371-f9a5470145da"
DRIVE = S + "2a82241a-216e-44d8-bb50-6b9a0ef82084"
JAPANESE = S + "39c675c4-af13-49db-bbed-cf762102f85e"
DRESSING = S + "497b85db-c3ba-4d41-bc90-c2fd72eaa899"
TRANSFER = S + "949c119b-3433-439f-8ca9-1a9ce04b696d"
ELDERLY_NEEDS = S + "634865e0-2ec2-4b7f-bb7f-c196637f0f7b"
MOBILITY = S + "8ef1b45e-8499-4b1b-91f7-f8278bbb7767"
FOOD_SAFETY = S + "0ff99f51-40d9-42f1-a1ec-377b2bb5e15f"
COOKING = S + "f3934441-4bff-4076-9945-e6c51a01c467"
CLEAN_FLOORS = S + "a2cd3b30-2d6c-473e-a5d4-4e7cb576babe"
CLEANING_DUTIES = S + "4f1b6304-f54a-42f0-9604-5427a28d240f"
CLEAN_ROOMS = S + "7bb01a18-4637-4535-ba18-258f48f705b8"
CONCRETE = S + "46994031-5490-4a02-9937-c61f6e2d4fc9"
REBAR = S + "e9b19e2f-7ee7-4a6c-9ca9-639e02252824"
CRANE = S + "c96ab6ac-cf85-4c91-86b5-7ac5bb14eb28"
RIGGING = S + "43ea53b0-65a8-4c23-a0ef-b95389e7548e"
HARVEST = S + "2e4e8114-e579-453d-918e-b0262818ab76"
AGRI_MACHINES = S + "00dd3271-077f-4a12-a958-e297fdd724ce"
CASH_REGISTER = S + "0cb013af-6dd9-4fb2-b34e-63dda1a5cf82"
CUSTOMER_SERVICE = S + "15a33d76-4640-438d-ae64-fdc0c1d3eebc"
STOCK_SHELVES = S + "7e9daad3-8604-4839-af9b-dc6f8db3ef68"
PACK_GOODS = S + "667cbbaf-f377-46d8-8f2d-1f6d8a55d74a"
INSPECT_QUALITY = S + "1a3660c2-011c-4e96-9b1d-529afc305428"
PYTHON = S + "ccd0a1d9-afda-43d9-b901-96344886e14d"
JAVASCRIPT = S + "3cd569a2-4f88-4c1e-9995-8dce8c5e51a7"
TYPESCRIPT = S + "867137fb-ff1b-4ca3-99f3-cb6969aa2c68"
JAVA = S + "19a8293b-8e95-4de3-983f-77484079c389"
SQL = S + "598de5b0-5b58-4ea7-8058-a4bc4d18c742"
SERVE_FOOD = S + "42a6eff0-e9d9-423d-877b-e48fe91ff26f"


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    uris: tuple[str, ...]
    confidence: float = 0.9


def _rule(expression: str, *uris: str, confidence: float = 0.9) -> Rule:
    return Rule(re.compile(expression, re.IGNORECASE), uris, confidence)


RULES: tuple[Rule, ...] = (
    # Welding processes: the abbreviations and the Japanese / Vietnamese / Indonesian names.
    _rule(r"\bTIG\b|\bGTAW\b|tungsten inert gas|ティグ溶接|TIG溶接|hàn TIG|las TIG|アルゴン溶接", TIG),
    _rule(r"\bMIG\b|\bGMAW\b|metal inert gas|ミグ溶接|MIG溶接|hàn MIG|las MIG", MIG),
    _rule(r"\bMAG\b|metal active gas|マグ溶接|MAG溶接|炭酸ガス(アーク)?溶接|CO2溶接|半自動溶接|hàn MAG|las MAG", MAG),
    _rule(r"\bSMAW\b|被覆アーク溶接|手溶接|arc welding|hàn hồ quang|las listrik|stick welding", ARC),
    _rule(
        r"溶接|welding|\bwelder\b|hàn (?:điện|xì|kim loại)|thợ hàn|\blas\b|pengelasan|\bwelder\b|hinang",
        WELDING,
        confidence=0.8,
    ),
    # Forklift and driving.
    _rule(r"fork ?lift|フォークリフト|xe nâng|forklift|montacargas", FORKLIFT),
    _rule(
        r"普通(自動車)?免許|運転免許|driving licen[cs]e"
        r"|driver'?s licen[cs]e|bằng lái|SIM [ABC]\b|lisensya sa pagmamaneho",
        DRIVE,
        confidence=0.85,
    ),
    # Japanese: JLPT levels and the language itself.
    _rule(
        r"JLPT|日本語能力試験|\bN[1-5]\b|日本語|Japanese language|tiếng Nhật|bahasa Jepang|wikang Hapon|Nihongo",
        JAPANESE,
        confidence=0.95,
    ),
    # Care work (介護).
    _rule(r"着脱|更衣|dressing|mặc quần áo|berpakaian", DRESSING, confidence=0.85),
    _rule(
        r"移乗|移動介助|transfer(?:ring)? (?:patients|residents)|di chuyển người bệnh|memindahkan pasien",
        TRANSFER,
        confidence=0.85,
    ),
    _rule(
        r"介護|高齢者|elderly|older adults|người cao tuổi|chăm sóc người già|lansia|matatanda|nursing care",
        ELDERLY_NEEDS,
        confidence=0.8,
    ),
    _rule(r"歩行介助|車椅子|wheelchair|xe lăn|kursi roda", MOBILITY, confidence=0.8),
    # Food.
    _rule(
        r"食品衛生|HACCP|food (?:safety|hygiene)|vệ sinh (?:an toàn )?thực phẩm|keamanan pangan|kebersihan makanan",
        FOOD_SAFETY,
    ),
    _rule(
        r"調理|料理|cooking|\bcook\b|chef|nấu ăn|đầu bếp|memasak|juru masak|tagaluto|pagluluto",
        COOKING,
        confidence=0.85,
    ),
    _rule(r"配膳|ホール(スタッフ)?|serv(?:e|ing) food|table service|phục vụ bàn|pelayan", SERVE_FOOD, confidence=0.8),
    # Cleaning.
    _rule(r"床(の)?清掃|floor cleaning|clean(?:ing)? floors|lau sàn|mengepel", CLEAN_FLOORS),
    _rule(r"清掃|cleaning|dọn dẹp|vệ sinh tòa nhà|kebersihan|membersihkan|paglilinis", CLEANING_DUTIES, confidence=0.8),
    _rule(r"客室清掃|ベッドメイク|housekeeping|dọn phòng|membersihkan kamar", CLEAN_ROOMS),
    # Construction.
    _rule(r"コンクリート(打設)?|concrete|đổ bê tông|bê tông|beton|pagbuhos ng semento", CONCRETE, confidence=0.85),
    _rule(r"鉄筋|rebar|reinforcing steel|cốt thép|besi tulangan", REBAR),
    _rule(r"クレーン|crane|cần cẩu|cẩu trục|derek", CRANE, confidence=0.85),
    _rule(r"玉掛け|slinging|rigging|móc cáp", RIGGING),
    # Agriculture.
    _rule(r"収穫|harvest(?:ing)?|thu hoạch|memanen|panen|pag-aani", HARVEST, confidence=0.85),
    _rule(r"トラクター|tractor|máy cày|traktor", AGRI_MACHINES, confidence=0.85),
    # Retail and service.
    _rule(r"レジ(打ち)?|cash register|thu ngân|kasir|kahera", CASH_REGISTER),
    _rule(
        r"接客|customer service|chăm sóc khách hàng|pelayanan pelanggan|layanan pelanggan",
        CUSTOMER_SERVICE,
        confidence=0.85,
    ),
    _rule(r"品出し|stock(?:ing)? shelves|xếp hàng lên kệ|menata rak", STOCK_SHELVES),
    _rule(r"梱包|包装|packing|packaging|đóng gói|pengemasan|mengemas", PACK_GOODS, confidence=0.85),
    _rule(
        r"検品|品質検査|quality inspection|inspect(?:ing)? (?:the )?quality|kiểm tra chất lượng|pemeriksaan kualitas",
        INSPECT_QUALITY,
    ),
    # Software.
    _rule(r"\bPython\b", PYTHON, confidence=0.95),
    _rule(r"\bJavaScript\b|\bReact\b|\bNode\.js\b", JAVASCRIPT, confidence=0.9),
    _rule(r"\bTypeScript\b", TYPESCRIPT, confidence=0.95),
    _rule(r"\bJava\b(?!Script)", JAVA, confidence=0.9),
    _rule(r"\bSQL\b|PostgreSQL|MySQL", SQL, confidence=0.9),
)

# SSW fields (特定技能) named in a text, as the platform's SswField enum names.
SSW_FIELDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(expression, re.IGNORECASE), name)
    for expression, name in (
        (r"介護|nursing care|điều dưỡng|kaigo|perawatan lansia", "NURSING_CARE"),
        (r"ビルクリーニング|building cleaning|vệ sinh tòa nhà", "BUILDING_CLEANING"),
        (
            r"素形材|産業機械|電気・電子|工業製品製造|industrial products? manufacturing|manufacturing|chế tạo",
            "MANUFACTURING",
        ),
        (r"建設|construction|xây dựng|konstruksi", "CONSTRUCTION"),
        (r"造船|舶用|shipbuilding|đóng tàu", "SHIPBUILDING"),
        (r"自動車整備|automobile (?:repair|maintenance)|bảo dưỡng ô tô", "AUTOMOBILE_MAINTENANCE"),
        (r"航空|aviation|hàng không", "AVIATION"),
        (r"宿泊|accommodation|khách sạn|perhotelan", "ACCOMMODATION"),
        (r"農業|agriculture|nông nghiệp|pertanian", "AGRICULTURE"),
        (r"漁業|fishery|ngư nghiệp|perikanan", "FISHERY"),
        (
            r"飲食料品製造|food (?:and beverage )?manufacturing|chế biến thực phẩm|pengolahan makanan",
            "FOOD_MANUFACTURING",
        ),
        (r"外食|food service|nhà hàng|restoran", "FOOD_SERVICE"),
    )
)
