"""Company names reduced to a form for matching (企业名称归一化).

The same firm reaches the ledgers as "恒远光电科技（常州）有限公司", "恒远光电科技(常州)有限公司 ",
"江苏恒远光电科技股份有限公司" or "恒远光电科技有限公司镇江分公司". :func:`normalize_company_name`
maps such variants to one key ("恒远光电科技") so that duplicate checks and candidate search can
compare them. The key is for matching only: the name as registered is kept elsewhere.

What the key drops, repeatedly until nothing more changes (so the function is idempotent):

* width and case: NFKC (full-width → half-width), Latin letters lower-cased;
* whitespace and punctuation (· • . , 、 " ' & …); every bracket style (（）【】〔〕[]{}…) counts as
  one, and bracket characters go while their content stays ("(集团)" → "集团");
* a branch marker at the end ("…有限公司镇江分公司" → the parent's key; see :func:`split_branch`);
* the legal form at the end: 股份有限公司, 有限责任公司, 有限公司, 股份公司, 公司, (有限合伙),
  (普通合伙), 有限合伙, 合伙企业, Co., Ltd., Inc, GmbH, LLC, Corp(oration), AG, S.A., Pte …;
  集团 is part of the name and stays ("恒远集团有限公司" → "恒远集团");
* region names in brackets anywhere ("恒远光电科技(常州)" → "恒远光电科技"), including (中国) and
  a few countries;
* leading region names ("江苏", "江苏省", "广东省深圳市"), but only while at least three
  characters remain, so "北京银行" and "上海电气" keep their names.

A name that would reduce to nothing ("有限公司") keeps what it has instead.

Region names come from a small built-in list (provinces and major cities) and, when present,
from ``core/data/regions_cn.csv`` (columns code, name, short_name, level, …): its full names at
every level and its short names for provinces and cities (a short name such as "新华" of a
county is too common a word to strip).
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pypinyin import Style, lazy_pinyin

__all__ = [
    "RegionNames",
    "load_region_names",
    "normalize_company_name",
    "pinyin_full",
    "pinyin_initials",
    "split_branch",
]

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions_cn.csv"

# Leading regions are stripped only while this many characters remain.
_MIN_REMAINDER_AFTER_REGION = 3

_PROVINCES: dict[str, str] = {
    "北京": "北京市",
    "天津": "天津市",
    "上海": "上海市",
    "重庆": "重庆市",
    "河北": "河北省",
    "山西": "山西省",
    "辽宁": "辽宁省",
    "吉林": "吉林省",
    "黑龙江": "黑龙江省",
    "江苏": "江苏省",
    "浙江": "浙江省",
    "安徽": "安徽省",
    "福建": "福建省",
    "江西": "江西省",
    "山东": "山东省",
    "河南": "河南省",
    "湖北": "湖北省",
    "湖南": "湖南省",
    "广东": "广东省",
    "海南": "海南省",
    "四川": "四川省",
    "贵州": "贵州省",
    "云南": "云南省",
    "陕西": "陕西省",
    "甘肃": "甘肃省",
    "青海": "青海省",
    "台湾": "台湾省",
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
    "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
}

# Provincial capitals, the cities of Jiangsu and the other large cities investors come from.
_CITIES: tuple[str, ...] = (
    "石家庄 唐山 保定 太原 沈阳 大连 长春 哈尔滨 南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 "
    "扬州 镇江 泰州 宿迁 杭州 宁波 温州 嘉兴 湖州 绍兴 金华 台州 合肥 芜湖 福州 厦门 泉州 南昌 "
    "济南 青岛 烟台 潍坊 郑州 洛阳 武汉 宜昌 长沙 广州 深圳 珠海 佛山 东莞 中山 惠州 江门 肇庆 "
    "汕头 南宁 海口 三亚 成都 绵阳 贵阳 昆明 西安 兰州 西宁 银川 乌鲁木齐 呼和浩特 拉萨"
).split()

# Places that, in brackets, say where a firm sits rather than what it is: "恒远(中国)投资".
_BRACKET_ONLY_PLACES: tuple[str, ...] = (
    "中国 中国香港 中国澳门 中国台湾 亚太 亚洲 欧洲 北美 新加坡 美国 日本 韩国 德国 英国 法国 "
    "意大利 荷兰 瑞士 瑞典 加拿大 澳大利亚"
).split()

_OPEN_BRACKETS = "([{【〔〖「『〈《﹝"
_CLOSE_BRACKETS = ")]}】〕〗」』〉》﹞"
_BRACKET_TABLE = str.maketrans(
    {**dict.fromkeys(_OPEN_BRACKETS, "("), **dict.fromkeys(_CLOSE_BRACKETS, ")")}
)

# Chinese legal forms, longest first. "(有限合伙)" is matched with its brackets.
_CN_LEGAL_FORMS: tuple[str, ...] = tuple(
    sorted(
        [
            "股份有限公司",
            "有限责任公司",
            "有限公司",
            "股份公司",
            "公司",
            "(有限合伙)",
            "(普通合伙)",
            "(特殊普通合伙)",
            "有限合伙",
            "普通合伙",
            "合伙企业",
        ],
        key=len,
        reverse=True,
    )
)

# Latin legal forms; each letter may be followed by a dot ("S.A.", "Co.").
_LATIN_LEGAL_FORMS: tuple[str, ...] = (
    "incorporated",
    "corporation",
    "limited",
    "company",
    "gmbh",
    "corp",
    "ltd",
    "inc",
    "llc",
    "llp",
    "plc",
    "pte",
    "sarl",
    "srl",
    "spa",
    "sa",
    "ag",
    "kg",
    "nv",
    "bv",
    "kk",
    "lp",
    "co",
)
_LATIN_LEGAL_FORM_RE = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(r"\.?".join(re.escape(letter) for letter in form) for form in _LATIN_LEGAL_FORMS)
    + r")\.?[\s.,&]*$"
)

_LATIN_LETTER_RE = re.compile(r"[A-Za-z]")

_BRANCH_MARKERS: tuple[str, ...] = (
    "分公司",
    "分厂",
    "分店",
    "分行",
    "支行",
    "分所",
    "办事处",
    "代表处",
    "营业部",
)
# Markers that make a branch only after a parent's legal form: "XX办事处" alone is its own body.
_BRANCH_MARKERS_NEEDING_PARENT = frozenset({"办事处", "代表处", "营业部"})
# What a parent's name ends with, before the branch part.
_PARENT_ENDINGS: tuple[str, ...] = (
    "公司",
    "(有限合伙)",
    "(普通合伙)",
    "(特殊普通合伙)",
    "合伙企业",
    "事务所",
    "集团",
    "银行",
    "厂",
)


@dataclass(frozen=True)
class RegionNames:
    """Region names to strip: those allowed at the start of a name, and those in brackets."""

    leading: frozenset[str]
    bracketed: frozenset[str]

    @functools.cached_property
    def _leading_lengths(self) -> dict[str, tuple[int, ...]]:
        """First character → the lengths of the leading names that start with it, longest
        first (a name's first character leaves two or three lengths to try, not a dozen)."""
        lengths: dict[str, set[int]] = {}
        for name in self.leading:
            if name:
                lengths.setdefault(name[0], set()).add(len(name))
        return {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}

    def leading_match(self, text: str) -> str | None:
        """The longest region name ``text`` starts with, if any."""
        lengths = self._leading_lengths.get(text[:1])
        if lengths is None:  # most names: no place first
            return None
        size, leading = len(text), self.leading
        for length in lengths:
            if length < size and text[:length] in leading:
                return text[:length]
        return None


def _builtin_names() -> tuple[set[str], set[str]]:
    leading = set(_PROVINCES) | set(_PROVINCES.values())
    leading |= set(_CITIES) | {f"{city}市" for city in _CITIES}
    bracketed = leading | set(_BRACKET_ONLY_PLACES)
    return leading, bracketed


def _csv_names(rows: Iterable[dict[str, str]]) -> set[str]:
    names: set[str] = set()
    for row in rows:
        name = _clean(row.get("name") or "")
        short = _clean(row.get("short_name") or "")
        level = (row.get("level") or "").strip().lower()
        if len(name) >= 2:
            names.add(name)
        # Short names only for provinces and cities: "新华", "和平", "城关" are also plain words.
        is_upper_level = level in {"1", "2", "province", "city", "prefecture"}
        if (
            is_upper_level
            and len(short) >= 2
            and name.endswith(("省", "市", "自治区", "特别行政区"))
        ):
            names.add(short)
    return names


def load_region_names(path: Path | None = REGIONS_CSV) -> RegionNames:
    """The built-in region names, plus those of the CSV at ``path`` when it exists."""
    leading, bracketed = _builtin_names()
    if path is not None and path.is_file():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            extra = _csv_names(csv.DictReader(handle))
        leading |= extra
        bracketed |= extra
    return RegionNames(frozenset(leading), frozenset(bracketed))


@functools.cache
def _default_region_names() -> RegionNames:
    return load_region_names()


def _clean(name: str) -> str:
    """NFKC, one bracket style, no whitespace, Latin lower-cased."""
    text = unicodedata.normalize("NFKC", name).translate(_BRACKET_TABLE)
    return re.sub(r"\s+", "", text).lower()


def _strip_punctuation(text: str) -> str:
    """Keep letters and digits (CJK included); drop brackets and every other sign.

    ``str.isalnum`` is exactly "Unicode category L* or N*" (checked over every code point by
    tests/ledger/test_import_speed.py), and a name without signs — most names — is returned at once.
    """
    if text.isalnum():
        return text
    return "".join(char for char in text if char.isalnum())


def _split_branch_clean(text: str, regions: RegionNames) -> tuple[str, str | None]:
    if not text.endswith(_BRANCH_MARKERS):  # most names: no branch
        return text, None
    marker = next((m for m in _BRANCH_MARKERS if text.endswith(m)), None)
    if marker is None or len(text) == len(marker):
        return text, None
    head = text[: -len(marker)]
    ends = [
        head.rfind(ending) + len(ending) for ending in _PARENT_ENDINGS if head.rfind(ending) > 0
    ]
    if ends:
        cut = max(ends)
        return text[:cut], text[cut:]
    if marker in _BRANCH_MARKERS_NEEDING_PARENT:
        return text, None
    # "恒远光电科技镇江分公司": the branch names its place just before the marker.
    for length in range(min(len(head) - 1, 12), 1, -1):
        place = head[-length:].strip("()")
        if place in regions.bracketed or place in regions.leading:
            return text[: -length - len(marker)], text[-length - len(marker) :]
    return head, marker


def split_branch(name: str, *, regions: RegionNames | None = None) -> tuple[str, str | None]:
    """Split a branch's name into its parent's name and the branch part.

    "恒远光电科技有限公司镇江分公司" → ("恒远光电科技有限公司", "镇江分公司");
    "恒远光电科技有限公司" → ("恒远光电科技有限公司", None). The parts come from the name after
    NFKC (so "（常州）" reads "(常州)"), trimmed. Markers: 分公司, 分厂, 分店,
    分行, 支行, 分所, and after a parent's legal form also 办事处, 代表处, 营业部.
    """
    text = unicodedata.normalize("NFKC", name).strip()
    parent, branch = _split_branch_clean(text, regions or _default_region_names())
    if branch is None or not parent.strip():
        return text, None
    return parent.strip(), branch.strip()


def _strip_legal_forms(text: str) -> str:
    """Remove legal forms at the end, as long as something remains."""
    while True:
        if not text.endswith(_CN_LEGAL_FORMS):
            return text
        form = next((f for f in _CN_LEGAL_FORMS if text.endswith(f)), None)
        if form is None or len(form) == len(text):
            return text
        text = text[: -len(form)]


def _strip_latin_legal_forms(text: str) -> str:
    """Remove "Co., Ltd." and the like; needs the spaces that separate Latin words."""
    if _LATIN_LETTER_RE.search(text) is None:  # no Latin letter, no Latin legal form
        return text
    while True:
        stripped = _LATIN_LEGAL_FORM_RE.sub("", text).rstrip(" .,&")
        if stripped == text or not _strip_punctuation(stripped):
            return text
        text = stripped


def _strip_bracketed_regions(text: str, regions: RegionNames) -> str:
    if "(" not in text:  # nothing in brackets (the common case)
        return text

    def replace(match: re.Match[str]) -> str:
        return "" if match.group(1) in regions.bracketed else match.group(0)

    stripped = re.sub(r"\(([^()]*)\)", replace, text)
    return stripped if _strip_punctuation(stripped) else text


def _strip_leading_regions(text: str, regions: RegionNames) -> str:
    while (region := regions.leading_match(text)) is not None:
        rest = text[len(region) :]
        if len(_strip_punctuation(rest)) < _MIN_REMAINDER_AFTER_REGION:
            break
        text = rest
    return text


def _is_clean(text: str) -> bool:
    """Whether _clean and the Latin legal forms would leave ``text`` as it is: letters and
    digits only (no bracket, space or sign), no Latin letter, lower case, NFKC."""
    return (
        text.isalnum()
        and _LATIN_LETTER_RE.search(text) is None
        and text.lower() == text
        and unicodedata.is_normalized("NFKC", text)
    )


def _one_pass(text: str, regions: RegionNames) -> str:
    if not _is_clean(text):  # most Chinese names are: their clean-up is skipped
        text = _clean(_strip_latin_legal_forms(unicodedata.normalize("NFKC", text).lower()))
    parent, branch = _split_branch_clean(text, regions)
    if branch is not None and _strip_punctuation(parent):
        text = parent
    text = _strip_legal_forms(text)
    text = _strip_bracketed_regions(text, regions)
    text = _strip_leading_regions(text, regions)
    return _strip_punctuation(text)


def _is_reduced(text: str, regions: RegionNames) -> bool:
    """Whether :func:`_one_pass` would return ``text`` as it is, told by cheap tests alone:
    letters and digits only (no space, sign or bracket), NFKC, lower case, no Latin letter (no
    Latin legal form), and no branch marker, legal form or region name to strip. Most project
    names are, and most company names after their first pass; the second pass is then saved."""
    return (
        _is_clean(text)
        and not text.endswith(_BRANCH_MARKERS)
        and not text.endswith(_CN_LEGAL_FORMS)
        and regions.leading_match(text) is None
    )


def normalize_company_name(name: str, *, regions: RegionNames | None = None) -> str:
    """The matching key of a company name (see the module docstring for the rules).

    ``normalize_company_name("江苏恒远光电科技股份有限公司") == "恒远光电科技"``. Idempotent.
    ``regions`` replaces the default region names (built-in plus ``regions_cn.csv``).
    """
    regions = regions or _default_region_names()
    if _is_reduced(name, regions):
        return name
    text = name
    for _ in range(20):  # each pass only removes text, so this ends long before
        reduced = _one_pass(text, regions)
        if reduced == text or _is_reduced(reduced, regions):
            text = reduced
            break
        text = reduced
    if not text:
        # Nothing but signs: keep the cleaned original rather than an empty key.
        return _clean(name)
    return text


def pinyin_initials(name: str) -> str:
    """First letters of the pinyin of the normalized name; Latin letters and digits stay.

    ``pinyin_initials("恒远光电科技有限公司") == "hygdkj"``.
    """
    return "".join(lazy_pinyin(normalize_company_name(name), style=Style.FIRST_LETTER)).lower()


def pinyin_full(name: str) -> str:
    """Toneless pinyin of the normalized name, run together: "hengyuanguangdiankeji"."""
    return "".join(lazy_pinyin(normalize_company_name(name), style=Style.NORMAL)).lower()
