"""Where the demo city's investors come from: source places drawn from the region table.

Pure data (read from yinli.core.regiondata, no database). A source is a region code: a Chinese
county or city, 香港 (810000), 澳门 (820000), a city of 台湾 (71xxxx) or a foreign city
(KR-SEOUL …).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from yinli.core import regiondata

from .naming import weighted

GBA_CITIES = frozenset(
    {"440100", "440300", "440400", "440600", "441300", "441900", "442000", "440700", "441200"}
)
GBA_SAR = frozenset({"810000", "820000"})

# Out-of-city Chinese sources, by city (weights): Shanghai first, then the rest of the Yangtze
# delta, the Greater Bay Area, Beijing and the other hubs.
DOMESTIC_CITIES = {
    "310100": 22,
    "320500": 7,
    "320100": 6,
    "320200": 4,
    "320400": 4,
    "320600": 2,
    "321000": 2,
    "321200": 1.5,
    "320300": 1,
    "320900": 0.7,
    "320800": 0.5,
    "330100": 4,
    "330200": 3,
    "330400": 2,
    "330300": 1,
    "330600": 1.2,
    "330500": 0.8,
    "440300": 5,
    "440100": 1.6,
    "441900": 0.8,
    "440600": 0.8,
    "440400": 0.4,
    "441300": 0.3,
    "442000": 0.3,
    "440700": 0.2,
    "441200": 0.1,
    "110100": 6,
    "120100": 1,
    "340100": 2,
    "340200": 0.6,
    "340500": 0.4,
    "370100": 0.8,
    "370200": 1,
    "350200": 0.8,
    "350100": 0.4,
    "420100": 1,
    "430100": 0.6,
    "510100": 1,
    "500100": 0.6,
    "610100": 1,
    "410100": 0.4,
    "210200": 0.3,
    "130100": 0.3,
}
# The 2025 Shanghai signing: "来自上海及周边地区".
SHANGHAI_AREA = {"310100": 15, "320500": 2, "330400": 1.5, "320600": 1, "320200": 1}
GBA_WEIGHTS = {
    "440300": 11,
    "440100": 3,
    "441900": 2,
    "440600": 1.5,
    "440400": 1,
    "441300": 0.5,
    "442000": 0.5,
    "440700": 0.3,
    "441200": 0.2,
    "810000": 2.5,
    "820000": 0.3,
}
# Foreign and 港澳台 sources, by country or region.
FOREIGN_COUNTRIES = {
    "KR": 20,
    "JP": 18,
    "DE": 14,
    "AT": 5,
    "SG": 10,
    "US": 10,
    "TW": 10,
    "HK": 10,
    "FR": 3,
    "CH": 3,
    "NL": 2,
    "IT": 2,
    "GB": 2,
    "SE": 1,
    "MO": 0.5,
}
TAIWAN_CITIES = {"710100": 5, "710400": 2, "710500": 1, "710200": 1.5, "719002": 2, "710300": 1}
EURO_COUNTRIES = frozenset({"DE", "AT", "FR", "IT", "NL"})
COUNTRY_NAMES = {
    "KR": "韩国",
    "JP": "日本",
    "DE": "德国",
    "AT": "奥地利",
    "SG": "新加坡",
    "US": "美国",
    "FR": "法国",
    "CH": "瑞士",
    "NL": "荷兰",
    "IT": "意大利",
    "GB": "英国",
    "SE": "瑞典",
    "TW": "台湾",
    "HK": "香港",
    "MO": "澳门",
}


@dataclass(frozen=True)
class Source:
    """Where a project's investor comes from."""

    kind: str  # "local" (本地), "domestic" (市外), "foreign" (外资 or 港澳台)
    region: str  # the region code of the investor's seat
    city: str  # city-level code (310100), 810000/820000, a 71 code, or the country code
    country: str  # "CN", "HK", "MO", "TW" or an ISO code

    @property
    def hmt(self) -> bool:
        return self.country in ("HK", "MO", "TW")

    @property
    def is_foreign(self) -> bool:
        return self.kind == "foreign"

    @property
    def gba(self) -> bool:
        return self.city in GBA_CITIES or self.region in GBA_SAR


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    short_name: str
    parent: str | None
    level: str


@cache
def places() -> dict[str, Place]:
    table: dict[str, Place] = {}
    for row in regiondata.read_regions_cn():
        if row["valid_to"]:
            continue
        table[row["code"]] = Place(
            row["code"], row["name"], row["short_name"], row["parent_code"] or None, row["level"]
        )
    for row in regiondata.read_foreign_cities():
        table[row["code"]] = Place(
            row["code"], row["name_zh"], row["name_zh"], row["country"], "foreign_city"
        )
    return table


@cache
def counties_of(city: str) -> tuple[str, ...]:
    return tuple(
        sorted(p.code for p in places().values() if p.parent == city and p.level == "county")
    )


@cache
def foreign_cities_of(country: str) -> tuple[str, ...]:
    return tuple(
        row["code"] for row in regiondata.read_foreign_cities() if row["country"] == country
    )


def city_of(code: str) -> str:
    place = places().get(code)
    if place is None:
        return code
    if place.level == "county" and place.parent and places()[place.parent].level == "city":
        return place.parent
    return code


def full_name(code: str) -> str:
    """江苏省苏州市吴中区, 上海市浦东新区, 韩国首尔."""
    place = places().get(code)
    if place is None:
        return ""
    if place.level == "foreign_city":
        return COUNTRY_NAMES.get(place.parent or "", "") + place.name
    chain, current = [], place
    while current is not None:
        chain.append(current.name)
        current = places().get(current.parent) if current.parent else None
    names = []
    for name in reversed(chain):
        if not names or names[-1] != name:
            names.append(name)
    return "".join(names)


def short_name(code: str) -> str:
    place = places().get(city_of(code))
    return place.short_name if place else ""


class SourceDraw:
    """Draws sources with a seeded random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def _in_city(self, city: str, county_share: float = 0.75) -> Source:
        if city in GBA_SAR:
            return Source("domestic", city, city, "HK" if city == "810000" else "MO")
        counties = counties_of(city)
        region = (
            self.rng.choice(counties) if counties and self.rng.random() < county_share else city
        )
        return Source("domestic", region, city, "CN")

    def domestic(self, *, gba: bool | None = None, weights: dict | None = None) -> Source:
        """An out-of-city Chinese source; gba=False excludes the Greater Bay Area, True forces it."""
        weights = dict(weights or DOMESTIC_CITIES)
        if gba is False:
            weights = {c: w for c, w in weights.items() if c not in GBA_CITIES}
        elif gba is True:
            weights = GBA_WEIGHTS
        city = weighted(self.rng, weights)
        if city in GBA_SAR:
            return self.foreign(country="HK" if city == "810000" else "MO")
        return self._in_city(city)

    def foreign(self, *, country: str | None = None, gba: bool | None = None) -> Source:
        weights = dict(FOREIGN_COUNTRIES)
        if gba is False:
            weights.pop("HK")
            weights.pop("MO")
        country = country or weighted(self.rng, weights)
        if country == "HK":
            return Source("foreign", "810000", "810000", "HK")
        if country == "MO":
            return Source("foreign", "820000", "820000", "MO")
        if country == "TW":
            code = weighted(self.rng, TAIWAN_CITIES)
            return Source("foreign", code, city_of(code), "TW")
        cities = foreign_cities_of(country)
        code = weighted(self.rng, [(c, 1 / (i + 1)) for i, c in enumerate(cities[:8])])
        return Source("foreign", code, country, country)

    def local(self, counties: tuple[str, ...]) -> Source:
        return Source("local", self.rng.choice(counties), "321100", "CN")

    def beijing(self) -> Source:
        return self._in_city("110100", county_share=1.0)

    def shanghai(self) -> Source:
        return self._in_city("310100", county_share=1.0)
