"""The report of a period and scope as one JSON-ready dict: every figure, its drill-down, the bulletin.

`build_report(user=…, period="2025H1")` is what the command line, the API and the pages call.
Numbers are JSON numbers: counts as integers; amounts in 亿元 and percents rounded half up to the
definition's places (0.1) — computed unrounded, rounded only here; None where undefined (a
change on a zero base, a share of nothing). Every figure carries `url`, the project list filtered
to exactly the projects it counts.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.models import OrgKind, OrgUnit, Region

from .bulletin import bulletin_text
from .definitions import get_definition
from .figures import Context, all_figures
from .periods import Period, parse_period

# Values that are not rounded to the definition's places.
KEEP = {"lng", "lat", "version", "years"}


def resolve_district(text: str | int | OrgUnit | None) -> OrgUnit | None:
    """A district by id, code or exact name (or short name); ValidationError when none or many."""
    if text is None or text == "" or isinstance(text, OrgUnit):
        return text or None
    districts = OrgUnit.objects.filter(kind=OrgKind.DISTRICT)
    value = str(text).strip()
    if value.isdigit() and (found := districts.filter(pk=int(value)).first()):
        return found
    for field in ("code", "name", "short_name"):
        matches = list(districts.filter(**{field: value})[:2])
        if len(matches) == 1:
            return matches[0]
    raise ValidationError(
        _("There is no district %(district)s (give its code or exact name).") % {"district": value},
        code="no_district",
    )


def default_district(user) -> OrgUnit | None:
    """A user who cannot see the whole city reports on her own district."""
    if user is None or scoping.sees_everything(user):
        return None
    unit = getattr(user, "org_unit", None)
    return unit.district if unit is not None and unit.district_id else None


def build_report(
    *,
    user,
    period: Period | str,
    district: OrgUnit | str | int | None = None,
    definition=None,
) -> dict[str, Any]:
    """Every figure of `period` for the city (or `district`) as `user` may see it.

    `definition` is a Definition, a version number, or None for the current version.
    """
    if isinstance(period, str):
        period = parse_period(period)
    if definition is None or isinstance(definition, int | str):
        definition = get_definition(definition)
    district = resolve_district(district) or default_district(user)
    if (
        district is not None
        and user is not None
        and not scoping.sees_everything(user)
        and district != default_district(user)
    ):
        raise PermissionDenied(
            _("You may not report on %(district)s.") % {"district": district.name}
        )
    ctx = Context(definition=definition, period=period, user=user, district=district)
    exact: dict[str, Any] = {
        "period": period.as_dict(ctx.words.get("period")),
        "previous_period": ctx.previous.as_dict(ctx.words.get("period")),
        "definition": {
            "name": definition.name,
            "version": definition.version,
            "is_current": definition.is_current,
        },
        "scope": scope_of(district),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        **all_figures(ctx),
    }
    exact["warnings"] = warnings_of(exact)
    exact["bulletin"] = bulletin_text(exact, definition=definition)
    return present(exact, places=int(definition.decimal_places))


def scope_of(district: OrgUnit | None) -> dict:
    if district is not None:
        return {
            "kind": "district",
            "id": district.pk,
            "code": district.code,
            "name": district.name,
            "short_name": district.short_name or district.name,
        }
    home = Region.objects.filter(code=settings.HOME_REGION).first()
    city = OrgUnit.objects.filter(kind=OrgKind.CITY).order_by("sort_order", "pk").first()
    name = city.name if city else (home.name if home else "")
    return {
        "kind": "city",
        "id": None,
        "code": settings.HOME_REGION,
        "name": name,
        "short_name": home.short_name if home else name,
    }


def warnings_of(report: dict) -> list[str]:
    warnings = []
    unconverted = report["foreign"]["unconverted_count"]
    if unconverted:
        warnings.append(
            _(
                "%(count)s foreign project(s) have agreed foreign investment in a currency without "
                "a conversion rate for their signing month; it is left out of the agreed foreign "
                "investment."
            )
            % {"count": unconverted}
        )
    return warnings


def round_half_up(value: Decimal, places: int = 1) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def present(value: Any, *, places: int = 1, key: str = "") -> Any:
    """Round every Decimal half up to `places` and make it a JSON number (a float that prints
    exactly as the rounded decimal: 1158.8); dates become ISO text."""
    if isinstance(value, dict):
        return {k: present(v, places=places, key=k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [present(v, places=places, key=key) for v in value]
    if isinstance(value, Decimal):
        if key in KEEP:
            return float(value)
        rounded = round_half_up(value, places)
        return float(rounded) if rounded else 0.0  # never -0.0
    if isinstance(value, date):
        return value.isoformat()
    return value


def report_json(report: dict, *, indent: int | None = 2) -> str:
    return json.dumps(report, ensure_ascii=False, indent=indent)


def _n(value) -> str:
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def report_text(report: dict) -> str:
    """The report for a terminal: the bulletin, the headline figures, then each breakdown."""
    lines = [
        f"{report['scope']['name']} {report['period']['label']}"
        f"（{report['definition']['name']} v{report['definition']['version']}）",
        "",
        report["bulletin"],
        "",
    ]
    signed, foreign, fai = report["signed"], report["foreign"], report["in_statistics"]
    lines += [
        _(
            "Signed above the threshold: %(count)s projects, %(yi)s (100 million yuan); "
            "change on last year: count %(cy)s%%, investment %(iy)s%%"
        )
        % {
            "count": signed["count"],
            "yi": _n(signed["investment_yi"]),
            "cy": _n(signed["count_yoy_pct"]),
            "iy": _n(signed["investment_yoy_pct"]),
        },
        _(
            "Foreign-funded: %(count)s projects, agreed foreign investment %(yi)s "
            "(100 million yuan), share %(share)s%%"
        )
        % {
            "count": foreign["count"],
            "yi": _n(foreign["agreed_investment_yi"]),
            "share": _n(foreign["investment_share_pct"]),
        },
        _(
            "Newly in statistics (入库列统): %(count)s projects, %(yi)s (100 million yuan); "
            "change on last year %(iy)s%%"
        )
        % {
            "count": fai["count"],
            "yi": _n(fai["investment_yi"]),
            "iy": _n(fai["investment_yoy_pct"]),
        },
    ]
    follow = report["follow_through"]
    lines.append(
        _(
            "Follow-through: started %(s)s%%, fulfilled %(f)s%%, funds in place %(m)s%%, "
            "producing %(p)s%%"
        )
        % {
            "s": _n(follow["started_pct"]),
            "f": _n(follow["fulfilled_pct"]),
            "m": _n(follow["funds_in_place_pct"]),
            "p": _n(follow["producing_pct"]),
        }
    )
    sections = [
        ("by_category", _("By category")),
        ("by_region_group", _("By source region group (outside the city)")),
        ("by_source_class", _("Outside the city and local")),
        ("by_source_province", _("By source province")),
        ("by_source_city", _("By source city")),
        ("by_source_country", _("By source country")),
        ("by_district", _("By district")),
        ("by_industry", _("By industry direction")),
        ("by_channel", _("By channel")),
        ("by_size_band", _("By size")),
        ("by_ownership", _("By ownership")),
        ("by_event", _("By event")),
        ("top_source_cities", _("Top source cities")),
    ]
    header = _("count, share %, 100 million yuan, share %")
    for key, title in sections:
        rows = report.get(key) or []
        if not rows:
            continue
        lines += ["", f"{title}（{header}）"]
        for row in rows:
            lines.append(
                f"  {row['name']}\t{row['count']}\t{_n(row['count_share_pct'])}\t"
                f"{_n(row['investment_yi'])}\t{_n(row['investment_share_pct'])}"
            )
    for warning in report.get("warnings", []):
        lines += ["", "! " + warning]
    return "\n".join(lines)
