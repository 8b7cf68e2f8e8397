"""A definition version's rules said in words, for its page (every parameter, none left out)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from yinli.projects.models import Category
from yinli.web.money import CURRENCY_WORDS

from .definitions import threshold_words, wording_of
from .models import PARAMETER_FIELDS, Definition


def _plain(number) -> str:
    return f"{Decimal(str(number)).normalize():f}"


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _value(definition: Definition, field: str) -> str:
    value = getattr(definition, field)
    if field == "threshold_total_wan":
        return _("%(wan)s万元 (%(yi)s亿元) or more") % {
            "wan": _plain(value),
            "yi": _plain(Decimal(value) / 10000),
        }
    if field == "threshold_foreign":
        if value is None:
            return _("Agreed foreign investment alone never qualifies a project.")
        currency = definition.threshold_foreign_currency
        word = CURRENCY_WORDS.get(currency, " " + currency)
        return _("%(amount)s万%(currency)s or more") % {"amount": _plain(value), "currency": word}
    if field == "threshold_foreign_currency":
        word = CURRENCY_WORDS.get(value)
        return f"{value}（{word}）" if word else value
    if field == "categories":
        return "、".join(str(Category(c).label) if c in Category.values else c for c in value)
    if field == "size_bands_yi":
        return "、".join(f"{_plain(b)}亿元" for b in value) + _(" (cumulative: at least each)")
    if field == "top_cities_years":
        return _("%(years)s years") % {"years": value}
    if field == "wording":
        return ""
    if field == "name":
        return value
    model_field = Definition._meta.get_field(field)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _yes_no(value)
    return str(value)


def describe_definition(definition: Definition) -> dict:
    """{'summary': the counting rule in one sentence, 'rules': [(label, value, help)],
    'words': [(key, text)], 'sentences': [(key, text)], 'lists': [(key, items)]}."""
    rules = []
    for field in PARAMETER_FIELDS:
        if field == "wording":
            continue
        model_field = Definition._meta.get_field(field)
        rules.append(
            {
                "field": field,
                "label": str(model_field.verbose_name),
                "value": _value(definition, field),
                "help": str(model_field.help_text or ""),
            }
        )
    wording = wording_of(definition)
    words, lists, nested = [], [], []
    for key, value in wording.items():
        if key == "sentences":
            continue
        if isinstance(value, str):
            words.append((key, value))
        elif isinstance(value, list):
            lists.append((key, "、".join(str(v) for v in value) or "—"))
        elif isinstance(value, dict):
            for sub, text in value.items():
                shown = "、".join(text) if isinstance(text, list) else str(text)
                nested.append((f"{key}.{sub}", shown))
    categories = "、".join(
        str(Category(c).label) if c in Category.values else c for c in definition.categories
    )
    parts = [
        _("A signed %(threshold)s project is a project of category %(categories)s")
        % {"threshold": threshold_words(definition), "categories": categories},
        _("whose total investment is %(total)s")
        % {"total": _value(definition, "threshold_total_wan")},
    ]
    if definition.threshold_foreign is not None:
        parts.append(
            _("or whose agreed foreign investment is %(foreign)s")
            % {"foreign": _value(definition, "threshold_foreign")}
        )
    summary = (
        "，".join(parts)
        + "；"
        + (
            _("expansions of local companies (增资扩产) count on their own added investment")
            if definition.count_expansion
            else _("expansions of local companies (增资扩产) do not count")
        )
        + "；"
        + _("each project counts once, at %(at)s.") % {"at": _value(definition, "count_at")}
    )
    return {
        "summary": summary,
        "rules": rules,
        "words": words,
        "lists": lists,
        "nested": nested,
        "sentences": list(wording.get("sentences", {}).items()),
    }
