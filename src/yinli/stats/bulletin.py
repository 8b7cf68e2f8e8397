"""The bulletin: the Chinese paragraph of a report, generated from its figures, never typed.

    上半年全市新签约亿元以上项目267个，总投资1158.8亿元，项目数量和投资额同比分别增长20.8%和5.9%。
    其中外资项目协议投资比重超过8%，新入库列统投资200亿元，同比增长16.7%。……新签约项目中来自大湾区的
    有20个（占比7.5%），总投资约115亿元（占全市9.9%）。

Every word and sentence comes from the definition's wording rules (yinli.stats.definitions), so
that the version that published a bulletin also says how it was worded. The wording follows the
numbers: 增长 / 下降 / 持平 by the sign of the change as shown (never "增长-3.2%"); "分别增长X%和
下降Y%" when the two differ; a share named in `floored_shares` is said as a whole percent with
超过 when the unrounded share is above it (不足1% below one); an amount named in
`rounded_amounts` is said to whole 亿元 with 约.

It reads the exact (unrounded) figures when given them, as build_report does; given a rounded
report it words the rounded numbers.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from .definitions import get_definition, threshold_words, wording_of


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _rounded(value, places: int) -> Decimal:
    return _dec(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value, places: int = 1) -> str:
    """1158.8; 200 (not 200.0); 0."""
    rounded = _rounded(value, places)
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class Wording:
    def __init__(self, definition):
        self.definition = definition
        self.w = wording_of(definition)
        self.places = int(definition.decimal_places)

    def sentence(self, sentence: str, /, **values) -> str:
        return self.w["sentences"][sentence].format(**values)

    def direction(self, change) -> str | None:
        """'increase', 'decrease' or 'flat' as the change is shown; None when there is none."""
        if change is None:
            return None
        shown = _rounded(change, self.places)
        if shown > 0:
            return "increase"
        return "decrease" if shown < 0 else "flat"

    def change_phrase(self, change) -> str:
        """增长20.8% / 下降3.2% / 持平."""
        direction = self.direction(change)
        if direction == "flat":
            return self.w["flat"]
        return f"{self.w[direction]}{number(abs(_dec(change)), self.places)}%"

    def two_changes(self, count_change, investment_change) -> str:
        """The year-on-year clause of the count and the investment, worded by their signs."""
        w = self.w
        subjects = (w["count_subject"], w["investment_subject"])
        changes = (count_change, investment_change)
        directions = [self.direction(c) for c in changes]
        known = [(s, c) for s, c, d in zip(subjects, changes, directions, strict=True) if d]
        if not known:
            return ""
        if len(known) == 1:
            subject, change = known[0]
            return f"，{subject}{w['yoy']}{self.change_phrase(change)}"
        both = f"{subjects[0]}{w['and']}{subjects[1]}{w['yoy']}"
        if directions == ["flat", "flat"]:
            return f"，{both}{w['both']}{w['flat']}"
        if "flat" in directions:
            return "".join(
                f"，{subject}{w['yoy']}{self.change_phrase(change)}" for subject, change in known
            )
        a, b = (number(abs(_dec(c)), self.places) for c in changes)
        if directions[0] == directions[1]:
            return f"，{both}{w['respectively']}{w[directions[0]]}{a}%{w['and']}{b}%"
        return f"，{both}{w['respectively']}{w[directions[0]]}{a}%{w['and']}{w[directions[1]]}{b}%"

    def share(self, name: str, value) -> str:
        """超过8% (floored), 不足1%, or 为8.5%."""
        value = _dec(value)
        if name in self.w.get("floored_shares", []):
            whole = value.to_integral_value(rounding=ROUND_FLOOR)
            if whole < 1:
                return f"{self.w['under']}1%"
            if value > whole:
                return f"{self.w['over']}{whole}%"
            return f"{self.w.get('equal', '为')}{whole}%"
        return f"{self.w.get('equal', '为')}{number(value, self.places)}%"

    def amount(self, name: str, value) -> str:
        """约115 (to whole 亿元) or 1158.8."""
        if name in self.w.get("rounded_amounts", []):
            return f"{self.w['about']}{number(value, 0)}"
        return number(value, self.places)


def bulletin_text(report: dict, *, definition=None) -> str:
    """The bulletin paragraph of `report` (a build_report dict, exact or rounded)."""
    definition = definition or get_definition(report["definition"]["version"])
    wording = Wording(definition)
    w = wording.w
    places = wording.places
    scope = report["scope"]
    city_scope = scope["kind"] == "city"
    period = report["period"]
    period_words = period["label"] if period.get("kind") == "year" else period["short_label"]
    signed = report["signed"]
    parts = [
        wording.sentence(
            "headline",
            period=period_words,
            scope=w["scope_city"] if city_scope else scope["name"],
            threshold=threshold_words(definition),
            count=signed["count"],
            investment=number(signed["investment_yi"], places),
            change=wording.two_changes(signed["count_yoy_pct"], signed["investment_yoy_pct"]),
        )
    ]

    clauses = []
    foreign_share = report["foreign"]["investment_share_pct"]
    if foreign_share:
        clauses.append(
            wording.sentence("foreign", share=wording.share("foreign_share", foreign_share))
        )
    fai = report["in_statistics"]
    if fai["count"] or fai["previous"]["count"]:
        change = fai["investment_yoy_pct"]
        clauses.append(
            wording.sentence(
                "in_statistics",
                investment=number(fai["investment_yi"], places),
                change="" if change is None else f"，{w['yoy']}{wording.change_phrase(change)}",
            )
        )
    if clauses:
        parts.append("，".join(clauses) + "。")

    categories = [c for c in report.get("by_category", []) if c["count"]]
    if len(categories) > 1:
        items = "；".join(
            wording.sentence(
                "category_item",
                name=c["name"],
                count=c["count"],
                investment=number(c["investment_yi"], places),
            )
            for c in categories
        )
        parts.append(wording.sentence("categories", items=items))

    whole = w["scope_city"] if city_scope else scope["short_name"]
    groups = report.get("by_region_group", [])
    for wanted in w.get("highlight_groups", []):
        group = next(
            (g for g in groups if wanted in (g["name"], g.get("short_name")) and g["count"]), None
        )
        if group is None:
            continue
        parts.append(
            wording.sentence(
                "group",
                group=group.get("short_name") or group["name"],
                count=group["count"],
                count_share=number(group["count_share_pct"], places),
                investment=wording.amount("group_investment", group["investment_yi"]),
                whole=whole,
                investment_share=number(group["investment_share_pct"], places),
            )
        )

    top = report.get("top_source_cities") or []
    if top:
        parts.append(
            wording.sentence(
                "top_city",
                years=report["top_source_cities_window"]["years"],
                city=top[0].get("short_name") or top[0]["name"],
                home=scope["short_name"],
            )
        )
    return "".join(parts)
