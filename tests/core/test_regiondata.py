"""The shipped region reference data: counts, tree consistency, coordinates, known units.

No database: these read the files through ``yinli.core.regiondata``.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from yinli.core import regiondata
from yinli.core.regiondata import (
    DATA_DIR,
    ISO2_TO_REGION,
    KINDS,
    RECORD_KEYS,
    iter_region_records,
    read_countries,
    read_foreign_cities,
    read_region_groups,
    read_regions_cn,
)

CN_LNG, CN_LAT = (73.0, 136.0), (3.0, 54.0)


@pytest.fixture(scope="module")
def rows():
    return read_regions_cn()


@pytest.fixture(scope="module")
def by_code(rows):
    return {r["code"]: r for r in rows}


@pytest.fixture(scope="module")
def current(rows):
    return [r for r in rows if not r["valid_to"]]


@pytest.fixture(scope="module")
def records():
    return list(iter_region_records())


# -- regions_cn.csv ----------------------------------------------------------------------
def test_columns_are_as_specified():
    header = (DATA_DIR / "regions_cn.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "code,name,short_name,level,parent_code,lng,lat,valid_from,valid_to,former_names,"
        "coord_source"
    )


def test_codes_are_unique_six_digits(rows):
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"\d{6}", c) for c in codes)


def test_counts_of_current_units(current):
    levels = Counter(r["level"] for r in current)
    assert levels["province"] == 34
    assert levels["city"] >= 330
    assert levels["county"] >= 2800
    assert set(levels) == {"province", "city", "county"}


def test_hong_kong_macao_taiwan_are_province_level(by_code):
    for code, name in (("810000", "香港"), ("820000", "澳门"), ("710000", "台湾")):
        assert by_code[code]["level"] == "province"
        assert by_code[code]["short_name"] == name
        assert not by_code[code]["parent_code"]


def test_tree_is_county_city_province(rows, by_code):
    for r in rows:
        parent = by_code.get(r["parent_code"])
        if r["level"] == "province":
            assert r["parent_code"] == "", r
            continue
        assert parent is not None, f"{r['code']} {r['name']} has no parent"
        assert parent["code"][:2] == r["code"][:2], r
        if r["level"] == "city":
            assert parent["level"] == "province", r
        elif r["code"][2:4] == "90":  # 省直辖县级: 仙桃市 429004
            assert parent["level"] == "province", r
        else:
            assert parent["level"] == "city", r


def test_municipalities_have_one_city_level_unit(current, by_code):
    for prov in ("110000", "120000", "310000", "500000"):
        cities = [r for r in current if r["parent_code"] == prov]
        assert [c["code"] for c in cities] == [prov[:2] + "0100"]
        assert cities[0]["name"] == by_code[prov]["name"]
        counties = [r for r in current if r["code"][:2] == prov[:2] and r["level"] == "county"]
        assert counties and all(c["parent_code"] == prov[:2] + "0100" for c in counties)


def test_current_units_have_current_parents(current, by_code):
    for r in current:
        if r["parent_code"]:
            assert not by_code[r["parent_code"]]["valid_to"], r


def test_every_row_has_plausible_coordinates(rows):
    for r in rows:
        lng, lat = float(r["lng"]), float(r["lat"])
        assert CN_LNG[0] <= lng <= CN_LNG[1] and CN_LAT[0] <= lat <= CN_LAT[1], r
        assert r["coord_source"], r


def test_coordinates_mostly_come_from_a_data_set(rows):
    fallbacks = [r for r in rows if r["coord_source"].startswith("parent:")]
    assert len(fallbacks) < 0.03 * len(rows)
    for r in fallbacks:  # a fallback point is the parent's (or grandparent's) own point
        code = r["coord_source"].split(":")[1]
        parent = next(p for p in rows if p["code"] == code)
        assert (parent["lng"], parent["lat"]) == (r["lng"], r["lat"])


def test_counties_lie_near_their_city(current, by_code):
    """A county's point is within 700 km of its city's (the largest prefectures are in 西藏/新疆)."""
    from math import asin, cos, radians, sin, sqrt

    def km(a, b):
        lng1, lat1, lng2, lat2 = map(radians, (*a, *b))
        h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lng2 - lng1) / 2) ** 2
        return 2 * 6371 * asin(sqrt(h))

    for r in current:
        parent = by_code.get(r["parent_code"])
        if r["level"] == "county" and parent and parent["level"] == "city":
            d = km((float(r["lng"]), float(r["lat"])), (float(parent["lng"]), float(parent["lat"])))
            assert d < 700, (r["code"], r["name"], round(d))


@pytest.mark.parametrize(
    "code,name,short,level,parent",
    [
        ("320000", "江苏省", "江苏", "province", ""),
        ("321100", "镇江市", "镇江", "city", "320000"),
        ("321102", "京口区", "京口", "county", "321100"),
        ("321181", "丹阳市", "丹阳", "county", "321100"),
        ("440305", "南山区", "南山", "county", "440300"),
        ("450000", "广西壮族自治区", "广西", "province", ""),
        ("150000", "内蒙古自治区", "内蒙古", "province", ""),
        ("422800", "恩施土家族苗族自治州", "恩施", "city", "420000"),
        ("429004", "仙桃市", "仙桃", "county", "420000"),
        ("110100", "北京市", "北京", "city", "110000"),
        ("110105", "朝阳区", "朝阳", "county", "110100"),
        ("310115", "浦东新区", "浦东", "county", "310100"),
    ],
)
def test_known_units(by_code, code, name, short, level, parent):
    r = by_code[code]
    assert (r["name"], r["short_name"], r["level"], r["parent_code"]) == (
        name,
        short,
        level,
        parent,
    )
    assert not r["valid_to"]


def test_short_names_never_lose_meaning(current):
    """Generic names keep their suffix (城区, 郊区, 东区, 市中区); no short name is one character."""
    for r in current:
        assert len(r["short_name"]) >= 2, r
        assert r["name"].startswith(r["short_name"]), r


def test_development_zones_are_not_divisions(by_code):
    """NBS statistical codes for parks (镇江新区 321171, 苏州工业园区 320576) are not GB/T 2260."""
    assert "321171" not in by_code
    assert "320576" not in by_code
    assert not [c for c, r in by_code.items() if r["level"] == "county" and c[4] == "7"]


def test_abolished_units_are_kept_with_valid_to(by_code):
    old = by_code["130223"]  # 滦县, now 滦州市 130284
    assert old["name"] == "滦县" and old["valid_to"]
    assert "滦县" in by_code["130284"]["former_names"].split("|")
    assert by_code["350402"]["valid_to"]  # 梅列区, merged into 三元区
    assert by_code["500105"]["valid_to"] == "2025-11-06"  # 江北区 → 两江新区
    assert by_code["500157"]["valid_from"] == "2025-11-06"


def test_validity_dates_are_ordered(rows):
    for r in rows:
        start = date.fromisoformat(r["valid_from"]) if r["valid_from"] else date.min
        end = date.fromisoformat(r["valid_to"]) if r["valid_to"] else date.max
        assert start < end, r


def test_former_names_differ_from_the_name(rows):
    for r in rows:
        former = [f for f in r["former_names"].split("|") if f]
        assert r["name"] not in former
        assert len(former) == len(set(former))


# -- countries.csv -----------------------------------------------------------------------
def test_countries_are_all_of_iso_3166():
    import pycountry

    countries = read_countries()
    assert {c["code"] for c in countries} == {c.alpha_2 for c in pycountry.countries}
    names = [c["name_zh"] for c in countries]
    assert all(names) and len(names) == len(set(names))


@pytest.mark.parametrize(
    "code,name",
    [
        ("KR", "韩国"),
        ("KP", "朝鲜"),
        ("AT", "奥地利"),
        ("US", "美国"),
        ("GB", "英国"),
        ("DE", "德国"),
        ("JP", "日本"),
        ("SG", "新加坡"),
        ("LA", "老挝"),
        ("IR", "伊朗"),
        ("CN", "中国"),
    ],
)
def test_everyday_country_names(code, name):
    row = next(c for c in read_countries() if c["code"] == code)
    assert row["name_zh"] == name
    assert -180 <= float(row["lng"]) <= 180 and -90 <= float(row["lat"]) <= 90


def test_formal_country_names_are_aliases():
    kr = next(c for c in read_countries() if c["code"] == "KR")
    assert "大韩民国" in kr["aliases"].split("|")


def test_country_coordinates():
    countries = read_countries()
    missing = [c["code"] for c in countries if not c["lng"]]
    assert len(missing) <= 6  # uninhabited: AQ, BV, HM, UM …
    seoul = next(c for c in countries if c["code"] == "KR")
    assert 37 < float(seoul["lat"]) < 38 and 126 < float(seoul["lng"]) < 128  # Seoul


# -- foreign_cities.csv ------------------------------------------------------------------
def test_foreign_cities():
    cities = read_foreign_cities()
    countries = {c["code"] for c in read_countries()}
    assert len(cities) >= 120
    codes = [c["code"] for c in cities]
    assert len(codes) == len(set(codes))
    for c in cities:
        assert re.fullmatch(r"[A-Z]{2}-[A-Z0-9-]+", c["code"]), c
        assert c["code"].startswith(c["country"] + "-")
        assert c["country"] in countries
        assert c["country"] not in ("CN", "HK", "MO", "TW")  # not foreign
        assert -180 <= float(c["lng"]) <= 180 and -90 <= float(c["lat"]) <= 90


def test_foreign_city_examples():
    cities = {c["code"]: c for c in read_foreign_cities()}
    assert cities["KR-SEOUL"]["name_zh"] == "首尔"
    assert "汉城" in cities["KR-SEOUL"]["aliases"].split("|")
    austria = {c["name_zh"] for c in cities.values() if c["country"] == "AT"}
    assert {"维也纳", "林茨", "格拉茨", "萨尔茨堡"} <= austria
    for cc in ("KR", "JP", "SG", "DE", "US", "GB", "FR", "NL", "CH", "IT", "ES", "IL", "AE", "AU"):
        assert any(c["country"] == cc for c in cities.values()), cc
    vienna = cities["AT-VIENNA"]
    assert 48 < float(vienna["lat"]) < 48.5 and 16 < float(vienna["lng"]) < 16.6


# -- region_groups.json ------------------------------------------------------------------
def test_group_members_exist(by_code):
    groups = {g["name"]: g for g in read_region_groups()}
    assert {"粤港澳大湾区", "长江三角洲", "京津冀", "成渝地区双城经济圈"} <= set(groups)
    for g in groups.values():
        assert g["members"] and g["short_name"] and g["note"]
        for code in g["members"]:
            assert code in by_code and not by_code[code]["valid_to"], (g["name"], code)
    gba = groups["粤港澳大湾区"]["members"]
    assert "810000" in gba and "820000" in gba
    assert sum(by_code[c]["parent_code"] == "440000" for c in gba) == 9
    yrd = groups["长江三角洲"]["members"]
    assert {by_code[c]["short_name"] for c in yrd} == {"上海", "江苏", "浙江", "安徽"}
    cy = groups["成渝地区双城经济圈"]["members"]
    assert "500000" in cy and sum(by_code[c]["parent_code"] == "510000" for c in cy) == 15


# -- iter_region_records -----------------------------------------------------------------
def test_records_have_the_model_shape(records):
    for r in records:
        assert tuple(r) == RECORD_KEYS
        assert r["kind"] in KINDS
        assert r["lng"] is None or isinstance(r["lng"], Decimal)
        assert r["valid_to"] is None or isinstance(r["valid_to"], date)
    codes = [r["code"] for r in records]
    assert len(codes) == len(set(codes))


def test_records_list_parents_first(records):
    seen: set[str] = set()
    for r in records:
        if r["parent_code"]:
            assert r["parent_code"] in seen, r["code"]
        seen.add(r["code"])


def test_records_treat_hong_kong_macao_taiwan_as_china(records):
    by_code = {r["code"]: r for r in records}
    for iso, region in ISO2_TO_REGION.items():
        assert iso not in by_code
        assert by_code[region]["country"] == "CN"
        assert by_code[region]["kind"] == "province"
    assert "中国香港" in by_code["810000"]["aliases"].split("|")
    for r in records:
        if r["kind"] in ("province", "city", "county"):
            assert r["country"] == "CN"
        if r["kind"] == "foreign_city":
            assert by_code[r["parent_code"]]["kind"] == "country"
            assert r["country"] == r["parent_code"]


def test_record_counts_match_the_files(records):
    kinds = Counter(r["kind"] for r in records)
    assert kinds["country"] == len(read_countries()) - 3
    assert kinds["foreign_city"] == len(read_foreign_cities())
    assert kinds["province"] + kinds["city"] + kinds["county"] == len(read_regions_cn())


def test_data_files_are_small():
    total = sum(p.stat().st_size for p in DATA_DIR.glob("*.csv"))
    assert total < 600_000


def test_module_reads_from_its_own_folder():
    assert regiondata.DATA_DIR.name == "data"
    assert (regiondata.DATA_DIR / "SOURCES.md").exists()
