"""Ledger words → system values: stages, categories, kinds, industry directions, channels,
districts and places.

The words come from :class:`~yinli.ledger.models.ValueSynonym` (seeded with
:data:`DEFAULT_SYNONYMS`, extended by an admin) plus the names the records carry themselves
(an industry direction's name and synonyms, a channel's name, a district's name, short name and
code). A :class:`ValueResolver` loads them once per import and caches every answer, because a
ledger repeats the same few words thousands of times.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yinli.core.models import OrgKind, OrgUnit, Region
from yinli.core.regions import resolve_region
from yinli.fieldwork.models import Channel
from yinli.projects.models import Category, Industry, Kind, Stage, Status

# (kind, text, value) seeded by the data migration 0002; an admin adds more in the admin site.
DEFAULT_SYNONYMS: list[tuple[str, str, str]] = [
    *[("stage", t, Stage.LEAD) for t in ["线索", "信息", "项目信息", "在跟踪", "跟踪", "初步接触"]],
    *[
        ("stage", t, Stage.NEGOTIATING)
        for t in [
            "洽谈",
            "在谈",
            "洽谈中",
            "在洽谈",
            "正在洽谈",
            "意向",
            "有意向",
            "推进中",
            "框架协议",
            "签订框架协议",
            "已签框架协议",
        ]
    ],
    *[
        ("stage", t, Stage.SIGNED)
        for t in [
            "签约",
            "已签约",
            "正式签约",
            "签订协议",
            "已签协议",
            "签约未注册",
            "协议签约",
            "已签订正式协议",
            "签约待注册",
        ]
    ],
    *[
        ("stage", t, Stage.REGISTERED)
        for t in ["注册", "已注册", "完成注册", "注册未开工", "待开工"]
    ],
    *[
        ("stage", t, Stage.STARTED)
        for t in ["开工", "已开工", "在建", "建设中", "正在建设", "施工中", "新开工", "开工建设"]
    ],
    *[("stage", t, Stage.COMPLETED) for t in ["竣工", "已竣工", "建成", "完工", "竣工验收"]],
    *[
        ("stage", t, Stage.PRODUCING)
        for t in ["投产", "已投产", "试生产", "试投产", "部分投产", "运营"]
    ],
    *[("stage", t, Stage.FULL) for t in ["达产", "已达产", "全面达产", "满产"]],
    *[("category", t, Category.INDUSTRIAL) for t in ["工业", "工业项目", "制造业", "先进制造业"]],
    *[("category", t, Category.SERVICE) for t in ["服务业", "服务业项目", "现代服务业", "服务"]],
    *[("category", t, Category.OTHER) for t in ["其他", "其它", "农业", "基础设施"]],
    *[("kind", t, Kind.NEW) for t in ["新建", "新设", "新项目", "新引进"]],
    *[
        ("kind", t, Kind.EXPANSION)
        for t in ["增资扩产", "增资", "扩产", "扩建", "技改", "增资扩股"]
    ],
    *[
        ("status", t, Status.ACTIVE)
        for t in ["推进中", "正常推进", "在谈", "在推进", "正常", "跟进中", "在跟踪"]
    ],
    *[("status", t, Status.PAUSED) for t in ["暂缓", "搁置", "暂停", "停滞", "已搁置", "缓建"]],
    *[("status", t, Status.LOST) for t in ["流失", "已流失", "外流"]],
    *[("status", t, Status.TERMINATED) for t in ["终止", "已终止", "取消", "放弃", "中止"]],
    *[("channel", t, "驻点招商") for t in ["驻点", "驻外招商"]],
    *[("channel", t, "以商引商") for t in ["以商招商", "商引商"]],
    *[("channel", t, "委托招商") for t in ["委托"]],
    *[("channel", t, "中介招商") for t in ["中介", "第三方招商"]],
    *[("channel", t, "活动招商") for t in ["活动", "推介会", "节会招商", "展会招商"]],
    *[("channel", t, "网络招商") for t in ["网络", "线上招商", "云招商"]],
]

_SPACES = re.compile(r"\s+")


def word_key(text: object) -> str:
    """How a ledger word is compared: NFKC, no spaces, lower case."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).lower()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class ValueResolver:
    """Turns ledger words into system values; raises ``ValidationError`` naming the text."""

    def __init__(self) -> None:
        from .models import ValueSynonym

        self._synonyms: dict[str, dict[str, str]] = {}
        stored = list(ValueSynonym.objects.values_list("kind", "text", "value"))
        # The table is seeded by migrations; the built-in words stand in for a kind the table
        # has no word of (an emptied table, a kind added later).
        kinds = {kind for kind, _text, _value in stored}
        defaults = [d for d in DEFAULT_SYNONYMS if d[0] not in kinds]
        for kind, text, value in [*stored, *defaults]:
            self._synonyms.setdefault(kind, {})[word_key(text)] = str(value)
        self._industries = {i.pk: i for i in Industry.objects.all()}
        self._industry_words: dict[str, Industry] = {}
        for industry in self._industries.values():
            self._industry_words[word_key(industry.name)] = industry
            for line in industry.synonyms.splitlines():
                if line.strip():
                    self._industry_words.setdefault(word_key(line), industry)
        self._channels = list(Channel.objects.all())
        self._districts = list(
            OrgUnit.objects.filter(kind=OrgKind.DISTRICT).order_by("valid_to", "pk")
        )
        self.home_region = getattr(settings, "HOME_REGION", "") or None
        self._cache: dict[tuple[str, str], object] = {}
        self._units: list[OrgUnit] | None = None

    # -- choices -----------------------------------------------------------------------
    def _choice(self, kind: str, text: object, choices, message: str):
        key = word_key(_cell_text(text))
        found = self._synonyms.get(kind, {}).get(key)
        if found is None:
            for value, label in choices:
                # "签约" is inside the label "Signed (签约)"; the value itself also counts.
                if key == word_key(value) or f"({key})" in word_key(str(label)):
                    found = value
                    break
        if found is None:
            raise ValidationError(message % {"text": _cell_text(text)}, code="unknown_value")
        return found

    def stage(self, text: object) -> str:
        return self._choice(
            "stage",
            text,
            Stage.choices,
            _(
                '"%(text)s" is no stage Yinli knows (线索, 洽谈, 签约, 注册, 开工, 竣工, 投产, 达产).'
            ),
        )

    def category(self, text: object) -> str:
        return self._choice(
            "category",
            text,
            Category.choices,
            _('"%(text)s" is no project category (工业, 服务业, 其他).'),
        )

    def kind(self, text: object) -> str:
        return self._choice(
            "kind", text, Kind.choices, _('"%(text)s" is no project kind (新建, 增资扩产).')
        )

    def status(self, text: object) -> str:
        return self._choice(
            "status",
            text,
            Status.choices,
            _('"%(text)s" is no project status Yinli knows (推进中, 暂缓, 流失, 终止).'),
        )

    # -- records -----------------------------------------------------------------------
    def industry(self, text: object) -> Industry:
        key = word_key(_cell_text(text))
        found = self._industry_words.get(key)
        if found is None:
            name = self._synonyms.get("industry", {}).get(key)
            if name is not None:
                found = self._industry_words.get(word_key(name))
        if found is None:
            # "生物医药" for "生物医药及大健康": a unique industry whose name starts with the word.
            starts = {i.pk for k, i in self._industry_words.items() if k.startswith(key) and key}
            if len(starts) == 1:
                found = self._industries[starts.pop()]
        if found is None:
            raise ValidationError(
                _(
                    '"%(text)s" is no industry direction Yinli knows; an administrator can add it '
                    "as a synonym."
                )
                % {"text": _cell_text(text)},
                code="unknown_value",
            )
        return found

    def channel(self, text: object) -> Channel:
        key = word_key(_cell_text(text))
        name = self._synonyms.get("channel", {}).get(key)
        for channel in self._channels:
            if key in (word_key(channel.name), word_key(channel.code)) or (
                name and word_key(name) == word_key(channel.name)
            ):
                return channel
        # "以商引商(老乡)": a unique channel whose name the text contains.
        inside = [c for c in self._channels if word_key(c.name) in key]
        if len(inside) == 1:
            return inside[0]
        raise ValidationError(
            _('"%(text)s" is no channel Yinli knows (%(known)s).')
            % {"text": _cell_text(text), "known": "、".join(c.name for c in self._channels)},
            code="unknown_value",
        )

    def district(self, text: object) -> OrgUnit:
        cache_key = ("district", word_key(_cell_text(text)))
        if cache_key in self._cache:
            return self._cache[cache_key]  # type: ignore[return-value]
        key = cache_key[1]
        synonym = self._synonyms.get("district", {}).get(key)
        exact = [
            d
            for d in self._districts
            if key in {word_key(d.name), word_key(d.short_name), word_key(d.code)}
            or (synonym and synonym == d.code)
        ]
        if not exact:
            exact = [d for d in self._districts if key and (key in word_key(d.name))]
        current = [d for d in exact if d.valid_to is None] or exact
        if len(current) != 1:
            if not current:
                message = _('"%(text)s" is no district or park of the city.')
            else:
                message = _('"%(text)s" could be several districts: %(names)s.')
            raise ValidationError(
                message % {"text": _cell_text(text), "names": "、".join(d.name for d in current)},
                code="unknown_value",
            )
        self._cache[cache_key] = current[0]
        return current[0]

    def unit(self, text: object) -> OrgUnit:
        """A unit of the city by its name, short name or code (a current unit before an ended
        one of the same name): the responsible unit (责任单位)."""
        key = word_key(_cell_text(text))
        cache_key = ("unit", key)
        if cache_key not in self._cache:
            if self._units is None:
                self._units = list(OrgUnit.objects.order_by("valid_to", "pk"))
            exact = [
                u
                for u in self._units
                if key in {word_key(u.name), word_key(u.short_name), word_key(u.code)}
            ]
            current = [u for u in exact if u.valid_to is None] or exact
            if len(current) == 1:
                self._cache[cache_key] = current[0]
            else:
                if not current:
                    message = _('"%(text)s" is no unit of the city.')
                else:
                    message = _('"%(text)s" could be several units: %(names)s.')
                self._cache[cache_key] = ValidationError(
                    message
                    % {"text": _cell_text(text), "names": "、".join(u.name for u in current)},
                    code="unknown_value",
                )
        found = self._cache[cache_key]
        if isinstance(found, ValidationError):
            raise found
        return found  # type: ignore[return-value]

    def region(self, text: object) -> Region:
        """A place: "广东省深圳市", "深圳", "韩国首尔"; bare district names within the home city."""
        cache_key = ("region", _cell_text(text))
        if cache_key not in self._cache:
            region, result = resolve_region(cache_key[1], within=self.home_region)
            self._cache[cache_key] = (
                region
                if region is not None
                else ValidationError(
                    result.message or _('No region matches "%(text)s".') % {"text": cache_key[1]},
                    code="unknown_region",
                )
            )
        found = self._cache[cache_key]
        if isinstance(found, ValidationError):
            raise found
        return found  # type: ignore[return-value]


@lru_cache(maxsize=65536)
def normalize_project_name(name: str) -> str:
    """The matching key of a project name: NFKC, lower case, letters and digits only."""
    text = unicodedata.normalize("NFKC", name).lower()
    if text.isalnum():  # isalnum is exactly "category L* or N*" (tests/ledger/test_import_speed.py)
        return text
    return "".join(c for c in text if c.isalnum())
