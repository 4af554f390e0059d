"""Where prefectures are and how far apart places are.

`data/prefectures.csv` ships one reference point per prefecture (the
prefectural office, which stands in for its centroid: for commute and
relocation decisions the seat of government is where people and jobs
cluster), its names in English and Japanese, and its region. Distances are
great-circle (haversine) kilometres; exact coordinates, when both sides have
them, win over the prefecture's point.
"""

from __future__ import annotations

import csv
import math
import pathlib
from dataclasses import dataclass
from functools import cache

EARTH_RADIUS_KM = 6371.0088
_DATA = pathlib.Path(__file__).with_name("data") / "prefectures.csv"


@dataclass(frozen=True)
class Prefecture:
    """One of Japan's 47 prefectures."""

    code: str  # ISO 3166-2, "JP-27"
    name_en: str
    name_ja: str
    region: str  # "kansai", "kanto", ...
    latitude: float
    longitude: float


@cache
def prefectures() -> dict[str, Prefecture]:
    """Every prefecture by ISO code, read once from the shipped table."""
    with _DATA.open(encoding="utf-8") as f:
        return {
            row["code"]: Prefecture(
                code=row["code"],
                name_en=row["name_en"],
                name_ja=row["name_ja"],
                region=row["region"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
            for row in csv.DictReader(f)
        }


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Place:
    """A prefecture, optionally a city and exact coordinates."""

    prefecture: str = ""
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None

    @property
    def known(self) -> bool:
        return bool(self.prefecture) or self.latitude is not None

    def point(self) -> tuple[float, float] | None:
        """Coordinates: exact if given, else the prefecture's reference point."""
        if self.latitude is not None and self.longitude is not None:
            return self.latitude, self.longitude
        pref = prefectures().get(self.prefecture)
        return (pref.latitude, pref.longitude) if pref else None

    @property
    def region(self) -> str:
        pref = prefectures().get(self.prefecture)
        return pref.region if pref else ""


def distance_km(a: Place, b: Place) -> float | None:
    """Distance between two places; 0 within one city; None if either is unknown."""
    if a.prefecture and a.prefecture == b.prefecture and a.city and a.city.lower() == b.city.lower():
        if a.latitude is None or b.latitude is None:
            return 0.0
    pa, pb = a.point(), b.point()
    if pa is None or pb is None:
        return None
    return haversine_km(pa[0], pa[1], pb[0], pb[1])


def prefecture_name(code: str, language: str) -> str:
    """`Osaka` / `大阪府`; the code itself if unknown."""
    pref = prefectures().get(code)
    if pref is None:
        return code
    return pref.name_ja if language.startswith("ja") else pref.name_en
