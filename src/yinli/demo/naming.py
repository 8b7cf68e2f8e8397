"""Invented names for the demo city: companies, projects, people, addresses.

Every name is built from the word lists in ``data/words.json`` with a seeded ``random.Random``.
A brand (品牌字号) is two or three characters that name no place (checked against every region
name and short name of the region table) and contain none of the famous firms in
``data/real_companies.txt``; a whole company name is checked against that list once more.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from yinli.core import regiondata

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def words() -> dict:
    return json.loads((DATA_DIR / "words.json").read_text(encoding="utf-8"))


@cache
def real_company_names() -> tuple[str, ...]:
    """The deny list: names and short names of real, well-known firms."""
    lines = (DATA_DIR / "real_companies.txt").read_text(encoding="utf-8").splitlines()
    return tuple(
        line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
    )


def names_a_real_company(name: str) -> bool:
    return any(real in name for real in real_company_names())


@cache
def place_names() -> frozenset[str]:
    """Names and short names (two characters or more) of every region and country."""
    found: set[str] = set()
    for row in regiondata.read_regions_cn():
        found.update(n for n in (row["name"], row["short_name"]) if len(n) >= 2)
    for row in regiondata.read_countries():
        if len(row["name_zh"]) >= 2:
            found.add(row["name_zh"])
    for row in regiondata.read_foreign_cities():
        if len(row["name_zh"]) >= 2:
            found.add(row["name_zh"])
    return frozenset(found)


def names_a_place(text: str) -> bool:
    places = place_names()
    return any(text[i:j] in places for i in range(len(text)) for j in range(i + 2, len(text) + 1))


def weighted(rng: random.Random, pairs) -> object:
    """One item of [(item, weight), …] (or a dict item → weight)."""
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    total = sum(w for _i, w in items)
    mark = rng.random() * total
    for item, weight in items:
        mark -= weight
        if mark < 0:
            return item
    return items[-1][0]


@dataclass(frozen=True)
class Product:
    name: str
    unit: str = ""
    low: int = 0
    high: int = 0

    @classmethod
    def parse(cls, text: str) -> Product:
        parts = text.split("|")
        if len(parts) == 4:
            return cls(parts[0], parts[1], int(parts[2]), int(parts[3]))
        return cls(parts[0])


class Namer:
    """Draws names; remembers the company names given so that none repeats."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.w = words()
        self.company_names: set[str] = set()
        self.brands: set[str] = set()

    # People and places.

    def person(self) -> str:
        rng = self.rng
        given = "".join(rng.choice(self.w["given_chars"]) for _ in range(rng.choice((1, 2, 2, 2))))
        return rng.choice(self.w["surnames"]) + given

    def road(self) -> str:
        rng = self.rng
        return (
            rng.choice(self.w["road_first"])
            + rng.choice(self.w["road_second"])
            + rng.choice(self.w["road_suffix"])
        )

    def address(self, place: str) -> str:
        return f"{place}{self.road()}{self.rng.randint(1, 399)}号"

    # Brands and companies.

    def brand(self, *, soe: bool = False) -> str:
        """A fresh two- or three-character brand that names no place and no real firm."""
        rng, w = self.rng, self.w
        for _attempt in range(500):
            if soe:
                candidate = "中" + rng.choice(w["soe_second"])
            elif rng.random() < 0.18:
                candidate = "".join(rng.sample(w["brand_syllables"], 3))
            else:
                candidate = rng.choice(w["brand_first"]) + rng.choice(w["brand_second"])
                if candidate[0] == candidate[1]:
                    continue
            if candidate in self.brands and not soe:
                continue
            if names_a_place(candidate) or names_a_real_company(candidate):
                continue
            self.brands.add(candidate)
            return candidate
        raise RuntimeError("the word lists cannot make another brand")  # pragma: no cover

    def phrase(self, industry: str) -> str:
        return self.rng.choice(self.w["phrases"][industry])

    def legal_form(self) -> str:
        return weighted(self.rng, self.w["legal_forms"])

    def company(
        self,
        *,
        brand: str,
        phrase: str,
        prefix: str = "",
        bracket: str = "",
        form: str | None = None,
    ) -> str | None:
        """``{prefix}{brand}{phrase}（{bracket}）{form}``, or None if taken or not allowed."""
        form = form or self.legal_form()
        if form == "科技有限公司" and (phrase.endswith("科技") or bracket):
            # 科技 belongs to the trade before a bracketed place: 恒远光电科技（镇江）有限公司.
            phrase = phrase if phrase.endswith("科技") else phrase + "科技"
            form = "有限公司"
        middle = f"（{bracket}）" if bracket else ""
        name = f"{prefix}{brand}{phrase}{middle}{form}"
        if name in self.company_names or names_a_real_company(name):
            return None
        self.company_names.add(name)
        return name

    def claim(self, name: str) -> bool:
        """Reserve a name built elsewhere (a variant); False if it is taken or not allowed."""
        if name in self.company_names or names_a_real_company(name):
            return False
        self.company_names.add(name)
        return True

    # Projects.

    def product(self, industry: str) -> Product:
        return Product.parse(self.rng.choice(self.w["products"][industry]))

    def capacity(self, product: Product) -> str:
        rng = self.rng
        value = rng.uniform(product.low, product.high)
        magnitude = 10 ** max(0, len(str(int(value))) - 2)
        value = max(product.low, round(value / magnitude) * magnitude)
        return f"{value}{product.unit}"

    def project(self, *, industry: str, brand: str, kind: str, service: bool) -> str:
        rng, templates = self.rng, self.w["project_templates"]
        product = self.product(industry)
        if kind == "expansion":
            template = rng.choice(templates["expansion"])
        elif service:
            template = rng.choice(templates["service"])
        elif product.unit and rng.random() < 0.45:
            template = rng.choice(templates["capacity"])
        elif rng.random() < 0.1:
            template = templates["rnd"][0]
        else:
            template = rng.choice(templates["plain"])
        return template.format(
            brand=brand,
            product=product.name,
            capacity=self.capacity(product) if product.unit else "",
        )
