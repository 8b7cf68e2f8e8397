"""Statistics definitions (统计口径): the defaults, validation, and new versions.

A definition is data. Version 1 is seeded by a migration with the defaults of DESIGN.md (as
Zhenjiang counts); an analyst's change makes a new version, never an edit in place.

The bulletin's Chinese words and sentences belong to the version (`wording`), not to the
translation catalogue: the bulletin is generated text in Chinese whatever the reader's language,
and changing its wording is a change of the definition that published it.
"""

from __future__ import annotations

import copy
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .periods import DEFAULT_PERIOD_WORDS

DEFAULT_NAME = "亿元以上项目统计口径"

DEFAULT_WORDING: dict[str, Any] = {
    # Words the bulletin and the report's rows use.
    "scope_city": "全市",
    "increase": "增长",
    "decrease": "下降",
    "flat": "持平",
    "over": "超过",
    "under": "不足",
    "about": "约",
    "equal": "为",
    "yoy": "同比",
    "respectively": "分别",
    "both": "均",
    "and": "和",
    "count_subject": "项目数量",
    "investment_subject": "投资额",
    "outside": "市外",
    "local": "本地",
    "local_expansion": "本地增资",
    "unknown_source": "来源不详",
    "not_given": "未填写",
    "categories": {"industrial": "工业", "service": "服务业", "other": "其他"},
    "size_band_at_least": "{n}亿元以上",
    "size_band_below": "{n}亿元以下",
    # Empty: said from the threshold (亿元以上, 5000万元以上).
    "threshold": "",
    # Rules. A share named here is shown rounded down to a whole percent, with `over` when the
    # unrounded share is above it ("超过8%") and `under` below 1% ("不足1%"). An amount named
    # here is shown to whole 亿元, with `about` when that changed it ("约115亿元").
    "floored_shares": ["foreign_share"],
    "rounded_amounts": ["group_investment"],
    # The region groups the bulletin names, in this order (by name or short name).
    "highlight_groups": ["粤港澳大湾区"],
    "period": DEFAULT_PERIOD_WORDS,
    "sentences": {
        "headline": "{period}{scope}新签约{threshold}项目{count}个，总投资{investment}亿元{change}。",
        "foreign": "其中外资项目协议投资比重{share}",
        "in_statistics": "新入库列统投资{investment}亿元{change}",
        "categories": "分产业看，{items}。",
        "category_item": "{name}项目{count}个、总投资{investment}亿元",
        "group": (
            "新签约项目中来自{group}的有{count}个（占比{count_share}%），"
            "总投资{investment}亿元（占{whole}{investment_share}%）。"
        ),
        "top_city": "近{years}年，{city}是{home}市外项目来源最多的城市。",
    },
}

PARAMETER_DEFAULTS: dict[str, Any] = {
    "threshold_total_wan": Decimal(10000),
    "threshold_foreign": Decimal(1000),
    "threshold_foreign_currency": "USD",
    "convert_foreign_threshold": False,
    "categories": ["industrial", "service"],
    "count_expansion": True,
    "count_at": "first_signed_on",
    "expansion_as_local": True,
    "foreign_share_basis": "total_investment_of_foreign_projects",
    "source_rule": "controller_else_signer",
    "size_bands_yi": [1, 10, 30],
    "rounding": "half_up",
    "decimal_places": 1,
    "yoy_on_zero": "null",
    "top_cities_years": 3,
}


def wording_of(definition) -> dict[str, Any]:
    """The version's wording over the defaults (a key a version lacks falls back to them)."""
    merged = copy.deepcopy(DEFAULT_WORDING)
    for key, value in (definition.wording or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError(
            {field: _("%(value)s is not a number.") % {"value": value}}
        ) from error
    if not number.is_finite():
        raise ValidationError({field: _("%(value)s is not a number.") % {"value": value}})
    return number


def validate_definition(definition) -> None:
    """Raise ValidationError naming each parameter that does not make sense."""
    from yinli.projects.models import Category

    from .models import CountAt, ForeignShareBasis, Rounding, SourceRule, YoyOnZero

    errors: dict[str, str] = {}
    if not (definition.name or "").strip():
        errors["name"] = _("Give the definition a name.")
    threshold = _decimal(definition.threshold_total_wan, "threshold_total_wan")
    if threshold <= 0:
        errors["threshold_total_wan"] = _("The threshold on total investment must be above zero.")
    if definition.threshold_foreign is not None:
        if _decimal(definition.threshold_foreign, "threshold_foreign") <= 0:
            errors["threshold_foreign"] = _(
                "The threshold on foreign investment must be above zero (or empty)."
            )
    currency = definition.threshold_foreign_currency or ""
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        errors["threshold_foreign_currency"] = _(
            "Give the currency as a three-letter code such as USD."
        )
    categories = definition.categories
    if (
        not isinstance(categories, list)
        or not categories
        or any(c not in Category.values for c in categories)
        or len(set(categories)) != len(categories)
    ):
        errors["categories"] = _("Choose one or more of: %(choices)s.") % {
            "choices": ", ".join(Category.values)
        }
    for field, choices in (
        ("count_at", CountAt),
        ("foreign_share_basis", ForeignShareBasis),
        ("source_rule", SourceRule),
        ("rounding", Rounding),
        ("yoy_on_zero", YoyOnZero),
    ):
        if getattr(definition, field) not in choices.values:
            errors[field] = _("Choose one of: %(choices)s.") % {
                "choices": ", ".join(choices.values)
            }
    bands = definition.size_bands_yi
    try:
        numbers = [Decimal(str(b)) for b in bands] if isinstance(bands, list) else []
    except InvalidOperation:
        numbers = []
    if not numbers or any(b <= 0 for b in numbers) or numbers != sorted(set(numbers)):
        errors["size_bands_yi"] = _(
            "Give the size bands as rising numbers of 100 million yuan, e.g. [1, 10, 30]."
        )
    if not 0 <= int(definition.decimal_places) <= 4:
        errors["decimal_places"] = _("Show between 0 and 4 decimal places.")
    if int(definition.top_cities_years) < 1:
        errors["top_cities_years"] = _("Look back at least one year.")
    wording = definition.wording
    if not isinstance(wording, dict):
        errors["wording"] = _("The wording rules must be a JSON object.")
    else:
        sentences = wording.get("sentences", {})
        if not isinstance(sentences, dict) or any(
            not isinstance(v, str) for v in sentences.values()
        ):
            errors["wording"] = _("Each sentence of the wording rules must be text.")
    if errors:
        raise ValidationError(errors)


def current_definition():
    """The current version; version 1 (seeded by the migration) if none is marked."""
    from .models import Definition

    definition = Definition.objects.filter(is_current=True).first()
    if definition is None:
        definition = Definition.objects.order_by("-version").first()
    if definition is None:
        raise ValidationError(
            _("No statistics definition exists; run the migrations."), code="no_definition"
        )
    return definition


def get_definition(version: int | str | None = None):
    """A version by number, or the current one."""
    from .models import Definition

    if version in (None, ""):
        return current_definition()
    try:
        number = int(version)
    except (TypeError, ValueError) as error:
        raise ValidationError(
            _("%(version)s is not a definition version.") % {"version": version},
            code="bad_version",
        ) from error
    definition = Definition.objects.filter(version=number).first()
    if definition is None:
        raise ValidationError(
            _("There is no definition version %(version)s.") % {"version": number},
            code="no_version",
        )
    return definition


@transaction.atomic
def definition_new_version(
    *, based_on, changes: dict[str, Any], by, note: str = "", make_current: bool = True
):
    """Make version n+1 from `based_on` with `changes` applied; it becomes current by default.

    `changes` maps parameter fields to new values (`wording` is merged key by key). The old
    version stays as it was, so figures published under it can still be explained.
    """
    from .models import PARAMETER_FIELDS, Definition

    unknown = set(changes) - set(PARAMETER_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown definition parameters: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    values = {field: copy.deepcopy(getattr(based_on, field)) for field in PARAMETER_FIELDS}
    for field, value in changes.items():
        if field == "wording" and isinstance(value, dict):
            merged = copy.deepcopy(values["wording"] or {})
            merged.update(value)
            value = merged
        if field in ("threshold_total_wan", "threshold_foreign") and value is not None:
            value = _decimal(value, field)
        values[field] = value
    last = Definition.objects.select_for_update().order_by("-version").first()
    definition = Definition(
        **values,
        version=(last.version if last else 0) + 1,
        based_on=based_on,
        note=note,
        created_by=by if getattr(by, "pk", None) else None,
    )
    validate_definition(definition)
    if make_current:
        Definition.objects.filter(is_current=True).update(is_current=False)
        definition.is_current = True
    definition.save()
    return definition


def definition_make_current(*, definition) -> None:
    from .models import Definition

    with transaction.atomic():
        Definition.objects.filter(is_current=True).exclude(pk=definition.pk).update(
            is_current=False
        )
        Definition.objects.filter(pk=definition.pk).update(is_current=True)
    definition.is_current = True


def threshold_words(definition) -> str:
    """亿元以上 for 10000万元; 5亿元以上; 5000万元以上."""
    wording = wording_of(definition)
    if wording.get("threshold"):
        return wording["threshold"]
    wan = Decimal(definition.threshold_total_wan)
    if wan % 10000 == 0:
        yi = wan / 10000
        return "亿元以上" if yi == 1 else f"{_plain(yi)}亿元以上"
    return f"{_plain(wan)}万元以上"


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text
