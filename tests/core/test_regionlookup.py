"""Free-text region lookup (no database)."""

from __future__ import annotations

import timeit
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yinli.core.regiondata import iter_region_records
from yinli.core.regionlookup import LookupResult, RegionIndex, default_index, normalize


@pytest.fixture(scope="module")
def index() -> RegionIndex:
    return default_index()


RECORDS = list(iter_region_records())
BY_CODE = {r["code"]: r for r in RECORDS}
CURRENT = [r for r in RECORDS if r["valid_to"] is None]
COUNTIES_UNDER_CITIES = [
    r for r in CURRENT if r["kind"] == "county" and BY_CODE[r["parent_code"]]["kind"] == "city"
]
PROVINCIAL_COUNTIES = [
    r for r in CURRENT if r["kind"] == "county" and BY_CODE[r["parent_code"]]["kind"] == "province"
]
CITIES = [r for r in CURRENT if r["kind"] == "city"]
FOREIGN_CITIES = [r for r in CURRENT if r["kind"] == "foreign_city"]


@pytest.mark.parametrize(
    "text,code",
    [
        ("广东省深圳市南山区科技园", "440305"),
        ("深圳", "440300"),
        ("深圳市", "440300"),
        ("上海浦东", "310115"),
        ("上海", "310000"),
        ("北京市朝阳区", "110105"),
        ("北京朝阳", "110105"),
        ("香港", "810000"),
        ("中国香港", "810000"),
        ("澳门", "820000"),
        ("台湾", "710000"),
        ("韩国首尔", "KR-SEOUL"),
        ("首尔", "KR-SEOUL"),
        ("汉城", "KR-SEOUL"),
        ("韩国", "KR"),
        ("大韩民国", "KR"),
        ("奥地利维也纳", "AT-VIENNA"),
        ("奥地利林茨", "AT-LINZ"),
        ("江苏镇江", "321100"),
        ("镇江市京口区", "321102"),
        ("江苏省镇江市京口区", "321102"),
        ("丹阳", "321181"),
        ("南京", "320100"),
        ("中国江苏镇江", "321100"),
        ("仙桃", "429004"),
        ("湖北仙桃", "429004"),
        ("恩施州", "422800"),
        ("内蒙古", "150000"),
        ("广西", "450000"),
        ("新加坡", "SG"),
        ("美国纽约", "US-NEW-YORK-CITY"),
        ("德国", "DE"),
        ("吉林市", "220200"),
        ("滦县", "130284"),  # former name of 滦州市
        ("梅列区", "350402"),  # abolished, still resolves for old ledgers
        ("重庆江北区", "500105"),
    ],
)
def test_examples(index, text, code):
    result = index.lookup(text)
    assert (result.status, result.code, result.candidates) == ("ok", code, []), result
    assert text in result.message


def test_park_falls_back_to_its_city(index):
    result = index.lookup("苏州工业园区")
    assert (result.status, result.code) == ("ok", "320500")
    assert result.matched == "苏州"
    assert "苏州工业园区" in result.message


def test_address_tail_is_ignored_and_reported(index):
    result = index.lookup("广东省深圳市南山区科技园")
    assert result.matched == "广东省深圳市南山区"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("朝阳区", {"110105", "220104"}),
        ("鼓楼区", {"320106", "350102"}),
        ("朝阳", {"110105", "220104", "211300"}),
        ("大田", {"350425", "KR-DAEJEON"}),
    ],
)
def test_ambiguous(index, text, expected):
    result = index.lookup(text)
    assert result.status == "ambiguous" and result.code is None
    assert expected <= set(result.candidates)
    assert len(result.candidates) >= 2
    assert text in result.message
    for code in result.candidates:
        assert code in result.message


def test_ambiguous_candidates_are_never_nested(index):
    """朝阳 lists 朝阳市 but not 朝阳县 inside it."""
    result = index.lookup("朝阳")
    assert "211321" not in result.candidates


@pytest.mark.parametrize("text", ["火星", "", "   ", None, "！！", "zzzz", "12345"])
def test_not_found(index, text):
    result = index.lookup(text)
    assert (result.status, result.code, result.candidates) == ("not_found", None, [])
    assert result.message
    if text and text.strip():
        assert text in result.message


def test_within_prefers_the_home_region(index):
    assert index.lookup("朝阳区", within="110000").code == "110105"
    assert index.lookup("朝阳区", within="220100").code == "220104"
    assert index.lookup("鼓楼区", within="350100").code == "350102"
    # two 鼓楼区 in 江苏 (南京, 徐州): still ambiguous
    result = index.lookup("鼓楼区", within="320000")
    assert result.status == "ambiguous"
    assert set(result.candidates) == {"320106", "320302"}
    # a home region that contains none of them changes nothing
    assert index.lookup("朝阳区", within="321100").status == "ambiguous"


@pytest.mark.parametrize(
    "text,code",
    [
        ("北 京 市 朝 阳 区", "110105"),
        ("　江苏　镇江　", "321100"),
        ("ＳＥＯＵＬ", "KR-SEOUL"),
        ("Seoul", "KR-SEOUL"),
        ("vienna", "AT-VIENNA"),
        ("Hong Kong", "810000"),
        ("江苏·镇江", "321100"),
        ("韩国（首尔）", "KR-SEOUL"),
    ],
)
def test_width_case_and_space_tolerant(index, text, code):
    assert index.lookup(text).code == code


def test_hierarchy_must_be_consistent(index):
    """A county named after a province must lie inside it: 江苏朝阳区 does not give 北京's."""
    result = index.lookup("江苏朝阳区")
    assert (result.code, result.matched) == ("320000", "江苏")
    result = index.lookup("吉林朝阳区")
    assert result.code == "220104"


def test_hong_kong_is_not_a_foreign_country(index):
    for text in ("香港", "中国香港", "Hong Kong", "香港特别行政区"):
        assert index.lookup(text).code == "810000"
    assert "HK" not in index


# -- properties --------------------------------------------------------------------------
def _short(code: str) -> str:
    return BY_CODE[code]["short_name"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    county=st.sampled_from(COUNTIES_UNDER_CITIES),
    full_province=st.booleans(),
    full_city=st.booleans(),
    spaces=st.booleans(),
)
def test_province_city_county_resolves_to_the_county(
    index, county, full_province, full_city, spaces
):
    city = BY_CODE[county["parent_code"]]
    province = BY_CODE[city["parent_code"]]
    parts = [
        province["name"] if full_province else province["short_name"],
        city["name"] if full_city else city["short_name"],
        county["name"],
    ]
    text = (" " if spaces else "").join(parts)
    result = index.lookup(text)
    assert (result.status, result.code) == ("ok", county["code"]), (text, result)
    assert normalize(result.matched) == normalize(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(county=st.sampled_from(COUNTIES_UNDER_CITIES), tail=st.sampled_from(["88号", "123", "#"]))
def test_an_address_tail_does_not_change_the_answer(index, county, tail):
    city = BY_CODE[county["parent_code"]]
    text = city["short_name"] + county["name"]
    assert index.lookup(text + tail).code == index.lookup(text).code == county["code"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(county=st.sampled_from(PROVINCIAL_COUNTIES))
def test_province_and_provincial_county(index, county):
    province = BY_CODE[county["parent_code"]]
    assert index.lookup(province["short_name"] + county["name"]).code == county["code"]


def test_every_city_name_resolves_to_itself_or_is_reported_ambiguous(index):
    for city in CITIES:
        for text in {city["name"], city["short_name"]}:
            result = index.lookup(text)
            if result.status == "ok":
                same_name_ancestor = (
                    city["parent_code"] == result.code
                    and BY_CODE[result.code]["name"] == city["name"]
                )
                assert (
                    result.code == city["code"]
                    or same_name_ancestor
                    or (
                        # 海南 is the province; 海南藏族自治州 is reached by its full name
                        BY_CODE[result.code]["kind"] == "province" and text == city["short_name"]
                    )
                ), (text, result)
            else:
                assert result.status == "ambiguous", (text, result)
                assert city["code"] in result.candidates, (text, result)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(city=st.sampled_from(FOREIGN_CITIES))
def test_country_and_foreign_city(index, city):
    country = BY_CODE[city["parent_code"]]
    result = index.lookup(country["name"] + city["name"])
    assert result.code == city["code"], result


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("江苏镇江市京口区朝阳北京上海韩国首尔鼓楼县 　（）ＡaZ1-火星")
        ),
        max_size=14,
    )
)
def test_result_invariants_on_any_text(index, text):
    result = index.lookup(text)
    assert isinstance(result, LookupResult)
    if result.status == "ok":
        assert result.code in index and result.candidates == []
    elif result.status == "ambiguous":
        assert result.code is None and len(result.candidates) >= 2
        assert all(c in index for c in result.candidates)
    else:
        assert result.status == "not_found" and result.code is None and not result.candidates
    assert result.matched in text
    assert result.message


# -- the rules, on a small hand-made table ------------------------------------------------
def _toy() -> RegionIndex:
    rows = [
        ("CN", "country", "中国", "中国", None),
        ("XX", "country", "某某国", "某某国", None),
        ("100000", "province", "东江省", "东江", None),
        ("200000", "province", "西江省", "西江", None),
        ("100100", "city", "南城市", "南城", "100000"),
        ("100101", "county", "南城县", "南城", "100100"),
        ("100102", "county", "鼓楼区", "鼓楼", "100100"),
        ("200100", "city", "北城市", "北城", "200000"),
        ("200101", "county", "鼓楼区", "鼓楼", "200100"),
        ("200102", "county", "新华区", "新华", "200100"),
        ("200103", "county", "新华区", "新华", "200100"),
        ("XX-A", "foreign_city", "大港", "大港", "XX"),
    ]
    records = [
        {
            "code": c,
            "kind": k,
            "name": n,
            "short_name": s,
            "parent_code": p,
            "country": "XX" if c.startswith("XX") else "CN",
            "valid_to": date(2020, 1, 1) if c == "200102" else None,
            "former_names": "老城区" if c == "100102" else "",
            "aliases": "",
        }
        for c, k, n, s, p in rows
    ]
    return RegionIndex.from_records(records, today=date(2025, 1, 1))


def test_rules_on_a_toy_table():
    toy = _toy()
    # an ancestor wins over its like-named descendant
    assert toy.lookup("南城").code == "100100"
    assert toy.lookup("南城县").code == "100101"
    # same name in two places: ambiguous, with both; within= or the chain picks one
    assert set(toy.lookup("鼓楼区").candidates) == {"100102", "200101"}
    assert toy.lookup("鼓楼区", within="200000").code == "200101"
    assert toy.lookup("鼓楼区", within="100100").code == "100102"
    assert toy.lookup("西江鼓楼区").code == "200101"
    assert toy.lookup("北城鼓楼").code == "200101"
    # a current unit before an abolished one of the same name
    assert toy.lookup("新华区").code == "200103"
    # a former name still resolves
    assert toy.lookup("老城区").code == "100102"
    # the chain only accepts units inside what came before
    result = toy.lookup("东江新华区")
    assert (result.code, result.matched) == ("100000", "东江")
    # country then city; China then province then city
    assert toy.lookup("某某国大港").code == "XX-A"
    assert toy.lookup("中国东江南城").code == "100100"
    assert toy.display_name("200101") == "西江省北城市鼓楼区"


def test_messages_name_the_text():
    toy = _toy()
    assert "鼓楼区" in toy.lookup("鼓楼区").message
    assert "火星" in toy.lookup("火星").message
    assert "200101" in toy.lookup("鼓楼区").message


def test_lookup_is_fast(index):
    n = 2000
    per_call = timeit.timeit(lambda: index.lookup("广东省深圳市南山区科技园"), number=n) / n
    assert per_call < 0.001  # well under a millisecond: dict probes, no table scan
