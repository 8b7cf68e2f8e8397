"""The ranking of districts (考核排名 / 龙虎榜): a scheme's items applied to a period.

Each district's score is the sum of its lines, each explained:

- figure (目标完成): points = weight × min(actual ÷ due, cap), where `due` is the part of the
  district's target scheduled within the period (yinli.targets.schedule.due_between) and
  `actual` is the stats figure for the period under the target's definition version. No cap
  given: no cap. Nothing due in the period (a zero target, or a schedule that puts nothing
  there): the full weight — the district is not behind. No target for the figure: 0 points,
  and the line says so.
- big_project (bonus): `points` per project counted as signed above the threshold in the
  period (yinli.stats.selectors.counted_projects, current definition) whose total investment
  reaches `threshold_yi` 亿元.
- lost_project (deduction): `points` per live project of the district whose status is 流失 and
  became so within the period (the date of the change history's entry that made it 流失).
- late_report (deduction): `points` per monthly report of the district for a month within the
  period that was submitted after its deadline, or is still missing past it
  (yinli.reporting.selectors.submissions: days_late).
- conflict_against (deduction): `points` per 撞车 ruling made within the period against the
  district: "keep" by the other side, or "transfer" of its record to the other district. A joint
  ruling shares the project and a "distinct"/"reject" ruling takes nothing: not against.

Points are exact Decimals, shown rounded half up to 0.1; districts are ranked by the exact
total (ties share a rank: 1, 1, 3).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.models import OrgKind, OrgUnit
from yinli.projects.models import Conflict, ConflictStatus, Project, Ruling, Side, Status
from yinli.stats import selectors as stats_selectors
from yinli.stats.definitions import current_definition
from yinli.stats.periods import Period

from . import schedule
from .figures import FIGURES, Actuals
from .models import ItemKind, ScoringScheme, Target
from .selectors import target_months

YI = Decimal(10000)


def _day(value) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    return timezone.localdate(value)


def _n(value: Decimal | None) -> str:
    return schedule.shown(value)


def _amount(value: Decimal | None, whole: bool) -> str:
    """A count as a whole number, an amount to 0.1."""
    if value is not None and whole and value == value.to_integral_value():
        return str(int(value))
    return _n(value)


# --- occurrences ---------------------------------------------------------------------------------


def lost_projects(*, start: date, end: date, district: OrgUnit | None = None) -> list[dict]:
    """Projects that became 流失 within [start, end] and are still 流失, with the date."""
    candidates = stats_selectors.live_projects(district=district).filter(status=Status.LOST)
    ids = list(candidates.values_list("pk", flat=True))
    if not ids:
        return []
    history = (
        Project.history.model.objects.filter(id__in=ids)
        .order_by("id", "history_id")
        .values_list("id", "status", "history_date")
    )
    since: dict[int, object] = {}
    previous: dict[int, str] = {}
    for pk, status, when in history:
        if status == Status.LOST and previous.get(pk) != Status.LOST:
            since[pk] = when
        previous[pk] = status
    names = dict(candidates.values_list("pk", "name"))
    districts = dict(candidates.values_list("pk", "district_id"))
    found = []
    for pk, when in since.items():
        if previous.get(pk) != Status.LOST:
            continue
        day = _day(when)
        if start <= day <= end:
            found.append(
                {"project_id": pk, "name": names[pk], "district_id": districts[pk], "on": day}
            )
    return sorted(found, key=lambda item: (item["on"], item["project_id"]))


def conflicts_against(*, start: date, end: date) -> list[dict]:
    """撞车 rulings made in [start, end] against a district (see the module's docstring)."""
    begin = timezone.make_aware(datetime.combine(start, time.min))
    finish = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    rulings = Conflict.objects.filter(
        status=ConflictStatus.RULED,
        ruling__in=[Ruling.KEEP, Ruling.TRANSFER],
        ruled_at__gte=begin,
        ruled_at__lt=finish,
    ).select_related("project_a", "project_b")
    found = []
    for conflict in rulings:
        losing = Side.B if conflict.ruling_side == Side.A else Side.A
        project = conflict.project_a if losing == Side.A else conflict.project_b
        found.append(
            {
                "conflict_id": conflict.pk,
                "district_id": conflict.district_a_id
                if losing == Side.A
                else conflict.district_b_id,
                "project_id": project.pk,
                "name": project.name,
                "ruling": conflict.ruling,
                "on": _day(conflict.ruled_at),
            }
        )
    return sorted(found, key=lambda item: (item["on"], item["conflict_id"]))


def _field(row, name: str):
    return row.get(name) if isinstance(row, dict) else getattr(row, name, None)


def late_reports(*, start: date, end: date) -> tuple[list[dict], bool]:
    """Reports of the period submitted late (or not yet, past their deadline), and whether the
    report cycle could be asked at all."""
    try:
        from yinli.reporting.selectors import submissions
    except ImportError:
        return [], False
    found = []
    for row in submissions(start=start, end=end):
        days_late = _field(row, "days_late")
        if not days_late:
            continue
        district = _field(row, "district")
        district_id = getattr(district, "pk", None) or _field(row, "district_id") or district
        period = _field(row, "period")
        found.append(
            {
                "district_id": district_id,
                "period": getattr(period, "code", None) or str(period or ""),
                "deadline": _field(row, "deadline"),
                "submitted_on": _field(row, "submitted_on"),
                "days_late": days_late,
            }
        )
    return found, True


def big_projects(*, start: date, end: date, threshold_yi: Decimal, definition) -> list[dict]:
    queryset = stats_selectors.counted_projects(definition=definition, start=start, end=end).filter(
        total_investment__gte=Decimal(threshold_yi) * YI
    )
    return [
        {"project_id": pk, "name": name, "district_id": district_id, "on": on, "wan": wan}
        for pk, name, district_id, on, wan in queryset.order_by(
            "first_signed_on", "pk"
        ).values_list("pk", "name", "district_id", "first_signed_on", "total_investment")
    ]


# --- the ranking -------------------------------------------------------------------------------


def ranked_districts(period: Period) -> list[OrgUnit]:
    """Districts in being during the period."""
    return list(
        OrgUnit.objects.filter(kind=OrgKind.DISTRICT)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=period.end))
        .order_by("sort_order", "code")
    )


def _figure_line(item, target: Target | None, district, period: Period, actuals: Actuals) -> dict:
    spec = FIGURES.get(item.figure)
    label = str(spec.label) if spec else item.figure
    line = {
        "kind": ItemKind.FIGURE,
        "label": label,
        "figure": item.figure,
        "weight": item.weight,
        "cap": item.cap,
        "annual": None,
        "due": None,
        "actual": None,
        "ratio_pct": None,
        "definition_version": None,
        "points": Decimal(0),
    }
    if target is None or spec is None:
        line["text"] = _("%(figure)s: no target set for %(year)s; 0 points.") % {
            "figure": label,
            "year": period.year,
        }
        return line
    due = schedule.due_between(
        year=target.year, months=target_months(target), start=period.start, end=period.end
    )
    actual = actuals.value(
        figure=item.figure, unit=district, definition=target.definition, period=period
    )
    whole = spec.whole
    line.update(
        annual=target.annual,
        due=due,
        actual=actual,
        definition_version=target.definition.version,
    )
    if not due:
        line["points"] = Decimal(item.weight)
        line["text"] = _(
            "%(figure)s: actual %(actual)s, nothing scheduled in the period (annual target "
            "%(annual)s); full weight %(points)s."
        ) % {
            "figure": label,
            "actual": _amount(actual, whole),
            "annual": _amount(target.annual, whole),
            "points": _n(line["points"]),
        }
        return line
    ratio = actual / due
    capped = min(ratio, Decimal(item.cap)) if item.cap is not None else ratio
    line["ratio_pct"] = ratio * 100
    line["points"] = Decimal(item.weight) * capped
    cap_text = (
        _(" (capped at %(cap)s%%)") % {"cap": _n(Decimal(item.cap) * 100)}
        if item.cap is not None and ratio > item.cap
        else ""
    )
    line["text"] = _(
        "%(figure)s: actual %(actual)s against %(due)s scheduled in the period (annual target "
        "%(annual)s), %(ratio)s%% of schedule%(cap)s; %(weight)s × %(factor)s = %(points)s."
    ) % {
        "figure": label,
        "actual": _amount(actual, whole),
        "due": _n(due),
        "annual": _amount(target.annual, whole),
        "ratio": _n(ratio * 100),
        "cap": cap_text,
        "weight": _n(item.weight),
        "factor": f"{capped:.3f}",
        "points": _n(line["points"]),
    }
    return line


def _occurrence_line(item, occurrences: list[dict], describe, label: str | None = None) -> dict:
    points = Decimal(item.points)
    line = {
        "kind": item.kind,
        "label": label or str(ItemKind(item.kind).label),
        "points_each": points,
        "count": len(occurrences),
        "points": points * len(occurrences),
        "occurrences": [{**o, "points": points, "text": describe(o)} for o in occurrences],
    }
    line["text"] = _("%(label)s: %(count)s × %(each)s = %(points)s.") % {
        "label": line["label"],
        "count": len(occurrences),
        "each": _n(points),
        "points": _n(line["points"]),
    }
    return line


def compute_ranking(*, scheme: ScoringScheme, period: Period, user=None) -> dict:
    """Every district's score for `period` under `scheme`, explained line by line (exact)."""
    if period.start.year != period.end.year:
        raise ValidationError(
            _("A ranking compares with the targets of one year; %(period)s spans two.")
            % {"period": period.code},
            code="two_years",
        )
    items = list(scheme.items.all())
    districts = ranked_districts(period)
    targets = {
        (t.unit_id, t.figure): t
        for t in Target.objects.filter(year=period.year, unit__in=districts).select_related(
            "definition"
        )
    }
    actuals = Actuals()
    definition = current_definition()
    kinds = {item.kind for item in items}
    lost = lost_projects(start=period.start, end=period.end) if "lost_project" in kinds else []
    against = (
        conflicts_against(start=period.start, end=period.end) if "conflict_against" in kinds else []
    )
    late, cycle = (
        late_reports(start=period.start, end=period.end) if "late_report" in kinds else ([], True)
    )
    big: dict[Decimal, list[dict]] = {}
    for item in items:
        if item.kind == ItemKind.BIG_PROJECT and item.threshold_yi not in big:
            big[item.threshold_yi] = big_projects(
                start=period.start,
                end=period.end,
                threshold_yi=item.threshold_yi,
                definition=definition,
            )
    named = _nameable(user, [o for o in lost + against] + [o for v in big.values() for o in v])

    def project_text(o: dict) -> str:
        if o["project_id"] in named:
            return f"{o['name']}（{o['on'].isoformat()}）"
        return _("a project of the district (%(on)s)") % {"on": o["on"].isoformat()}

    def late_text(o: dict) -> str:
        return _("report %(period)s, %(days)s day(s) late") % {
            "period": o["period"],
            "days": o["days_late"],
        }

    def of(found: list[dict], district: OrgUnit) -> list[dict]:
        return [o for o in found if o["district_id"] == district.pk]

    rows = []
    for district in districts:
        lines = []
        for item in items:
            mine = partial(of, district=district)
            if item.kind == ItemKind.FIGURE:
                lines.append(
                    _figure_line(
                        item, targets.get((district.pk, item.figure)), district, period, actuals
                    )
                )
            elif item.kind == ItemKind.BIG_PROJECT:
                label = _("Bonus per signed project of %(yi)s (100 million yuan) or more") % {
                    "yi": schedule.shown(item.threshold_yi).removesuffix(".0")
                }
                lines.append(
                    _occurrence_line(item, mine(big[item.threshold_yi]), project_text, label)
                )
            elif item.kind == ItemKind.LOST_PROJECT:
                lines.append(_occurrence_line(item, mine(lost), project_text))
            elif item.kind == ItemKind.CONFLICT_AGAINST:
                lines.append(_occurrence_line(item, mine(against), project_text))
            elif item.kind == ItemKind.LATE_REPORT:
                line = _occurrence_line(item, mine(late), late_text)
                if not cycle:
                    line["text"] += " " + _("(the report cycle is not available)")
                lines.append(line)
        total = sum((line["points"] for line in lines), Decimal(0))
        rows.append(
            {
                "district": {
                    "id": district.pk,
                    "code": district.code,
                    "name": district.display_name,
                },
                "score": total,
                "lines": lines,
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["district"]["name"]))
    rank, previous = 0, None
    for i, row in enumerate(rows, start=1):
        if row["score"] != previous:
            rank, previous = i, row["score"]
        row["rank"] = rank
    return {
        "scheme": {"id": scheme.pk, "name": scheme.name},
        "period": period.as_dict(),
        "definition_version": definition.version,
        "rows": rows,
    }


def _nameable(user, occurrences: list[dict]) -> set[int]:
    """The projects among the occurrences the user may see by name (None: a command's own)."""
    ids = {o["project_id"] for o in occurrences}
    if not ids:
        return set()
    if user is None:
        return ids
    return set(
        scoping.visible_projects(user, Project.all_objects.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
