"""Published reports (发布): freeze a report, read it back, and explain what moved since.

    publish_report(user=…, period="2025H1")          a new PublishedReport (city roles only)
    published_report_for(user=…, period="2025H1")    the latest one of a period and scope
    report_for(user=…, period=…, published=True)     the JSON the command line and the API answer
    diff_since_published(published=…, user=…)        frozen figures against today's, and why

A published report keeps the report JSON exactly as computed, the definition version, the ids of
the projects each headline figure counted (`counted_ids`) and, for each of those projects, the
fields the figures depend on as they stood (`projects`). It never changes: publishing the same
period and scope again makes a new record that supersedes the previous one.

Who: city roles (admin, analyst) publish; every user of the organisation reads every published
report (DESIGN.md: a district sees "published reports"). Today's figures beside a published one
are shown to those who may compute them: city roles, and a district for its own district's report.
The projects behind a frozen figure are listed to a reader only where she may see the project.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.models import OrgUnit, Role
from yinli.core.services import PermissionDeniedError
from yinli.projects.models import Project

from . import selectors
from .definitions import get_definition
from .models import Definition, PublishedReport
from .periods import Period, PeriodError, parse_period
from .report import build_report, resolve_district

# The fields of a counted project the figures depend on, kept as they stood when published.
SNAPSHOT_FIELDS = {
    "name": "name",
    "district": "district__name",
    "category": "category",
    "kind": "kind",
    "first_signed_on": "first_signed_on",
    "total_investment": "total_investment",
    "foreign_investment": "foreign_investment",
    "foreign_currency": "foreign_currency",
    "fai_on": "fai_on",
    "stage": "stage",
    "status": "status",
    "ownership": "company__ownership",
    "controller_region": "controller_region__name",
    "signing_region": "signing_region__name",
    "merged_into": "merged_into_id",
    "deleted_at": "deleted_at",
}


class NotPublished(ObjectDoesNotExist):
    """No report of that period and scope has been published."""


def can_publish(user) -> bool:
    """City administrators and analysts publish (and superusers)."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in (Role.CITY_ADMIN, Role.CITY_ANALYST))
    )


def can_read_published(user) -> bool:
    """Every active user of the organisation reads every published report."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (scoping.sees_everything(user) or user.org_unit_id is not None)
    )


def can_compare(user, published: PublishedReport) -> bool:
    """Whether `user` may see today's figures beside `published` (she could compute them)."""
    if scoping.sees_everything(user):
        return True
    if not can_read_published(user) or published.district_id is None:
        return False
    unit = user.org_unit
    if unit is None or unit.district_id != published.district_id:
        return False
    # Only those who read the whole district's ledger (its editors and viewers, or a team of a
    # district that shares it with its sub-units) would compute the same live figures.
    return user.role in (Role.DISTRICT_EDITOR, Role.VIEWER) or unit.district.shares_with_subunits


def visible_published(user) -> QuerySet[PublishedReport]:
    queryset = PublishedReport.objects.select_related("district", "definition", "published_by")
    return queryset if can_read_published(user) else queryset.none()


# --- inputs ------------------------------------------------------------------------------------


def _period(period: Period | str) -> Period:
    if isinstance(period, Period):
        return period
    try:
        return parse_period(period)
    except PeriodError as error:
        raise ValidationError({"period": [str(error)]}) from error


def _definition(definition) -> Definition:
    if isinstance(definition, Definition):
        return definition
    return get_definition(definition)


# --- what a figure counted, and the projects as they stand -------------------------------------


def headline_sets(
    *, definition: Definition, period: Period, district: OrgUnit | None, user=None
) -> dict[str, QuerySet[Project]]:
    """The project sets behind the headline figures, through the one selector."""
    signed = selectors.counted_projects(
        definition=definition, start=period.start, end=period.end, user=user, district=district
    )
    sets = {"signed": signed}
    for category in definition.categories:
        sets[f"signed_{category}"] = signed.filter(category=category)
    sets["foreign"] = signed.filter(selectors.foreign_funded_q())
    sets["state_owned"] = signed.filter(selectors.state_owned_q())
    sets["in_statistics"] = selectors.in_statistics_projects(
        start=period.start, end=period.end, user=user, district=district
    )
    return sets


def headline_ids(**kwargs) -> dict[str, list[int]]:
    return {
        key: sorted(queryset.values_list("pk", flat=True))
        for key, queryset in headline_sets(**kwargs).items()
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(queryset: QuerySet) -> dict[str, dict[str, Any]]:
    """id → the figures' fields of each project in `queryset` (projects or their history)."""
    rows = queryset.values("id", *SNAPSHOT_FIELDS.values())
    return {
        str(row["id"]): {key: _plain(row[path]) for key, path in SNAPSHOT_FIELDS.items()}
        for row in rows
    }


def snapshot_as_of(ids: list[int], moment: datetime) -> dict[str, dict[str, Any]]:
    """The fields of these projects as they stood at `moment` (from the change history)."""
    history = (
        Project.history.filter(id__in=ids, history_date__lte=moment)
        .order_by("id", "-history_date", "-history_id")
        .values("history_id", "id")
    )
    latest: dict[int, int] = {}
    for row in history:
        latest.setdefault(row["id"], row["history_id"])
    if not latest:
        return {}
    return snapshot(Project.history.filter(history_id__in=latest.values()))


# --- publishing -------------------------------------------------------------------------------


def default_title(report: dict) -> str:
    return _("%(scope)s %(period)s investment attraction report") % {
        "scope": report["scope"]["name"],
        "period": report["period"]["label"],
    }


def latest_published(
    *, period: Period | str, district: OrgUnit | None = None, definition=None
) -> PublishedReport | None:
    """The newest report of the period and scope (under `definition`, if given)."""
    period = _period(period)
    queryset = PublishedReport.objects.filter(
        period_code=period.code, district=district
    ).select_related("district", "definition", "published_by")
    if definition is not None:
        queryset = queryset.filter(definition=_definition(definition))
    return queryset.order_by("-published_at", "-pk").first()


def publish_report(
    *,
    user,
    period: Period | str,
    district: OrgUnit | str | int | None = None,
    definition=None,
    title: str = "",
    note: str = "",
) -> PublishedReport:
    """Compute the report of `period` for the city (or `district`) and freeze it.

    The new record supersedes the latest earlier one of the same period and scope.
    """
    if not can_publish(user):
        raise PermissionDeniedError(_("Only the city's administrators and analysts publish."))
    period = _period(period)
    district = resolve_district(district)
    definition = _definition(definition)
    title = (title or "").strip()
    if len(title) > 200:
        raise ValidationError({"title": [_("The title is longer than 200 characters.")]})
    with transaction.atomic():
        report = build_report(user=user, period=period, district=district, definition=definition)
        ids = headline_ids(definition=definition, period=period, district=district, user=user)
        counted = sorted({pk for values in ids.values() for pk in values})
        # The latest of the period and scope is the one not yet superseded; lock it so that
        # two publications at once queue up rather than both superseding it.
        previous = (
            PublishedReport.objects.select_for_update()
            .filter(period_code=period.code, district=district)
            .order_by("-published_at", "-pk")
            .first()
        )
        return PublishedReport.objects.create(
            period_code=period.code,
            period_start=period.start,
            period_end=period.end,
            district=district,
            definition=definition,
            title=title or default_title(report),
            note=(note or "").strip(),
            report=report,
            counted_ids=ids,
            projects=snapshot(Project.all_objects.filter(pk__in=counted)),
            supersedes=previous,
            published_by=user,
        )


def published_report_for(
    *, user, period: Period | str, district: OrgUnit | str | int | None = None, definition=None
) -> PublishedReport:
    """The latest published report of the period for the city (or `district`).

    Every reader of published reports reads any scope: without `district` it is the city's.
    Raises NotPublished when there is none (or the user reads no published reports).
    """
    period = _period(period)
    district = resolve_district(district)
    found = latest_published(period=period, district=district, definition=definition)
    if found is None or not can_read_published(user):
        scope = district.name if district is not None else _("the city")
        raise NotPublished(
            _("No report of %(period)s for %(scope)s has been published.")
            % {"period": period.code, "scope": scope}
        )
    return found


def published_meta(published: PublishedReport) -> dict[str, Any]:
    superseded_by = getattr(published, "superseded_by", None)
    user = published.published_by
    return {
        "id": published.pk,
        "title": published.title,
        "note": published.note,
        "published_at": timezone.localtime(published.published_at).isoformat(timespec="seconds"),
        "published_by": user.get_full_name() or user.username,
        "supersedes": published.supersedes_id,
        "superseded_by": superseded_by.pk if superseded_by is not None else None,
        "counted": {key: len(ids) for key, ids in published.counted_ids.items()},
    }


def published_json(published: PublishedReport) -> dict[str, Any]:
    """The frozen report as published, with who published it, when, and what replaced it."""
    return {**published.report, "published": published_meta(published)}


def report_for(
    *,
    user,
    period: Period | str,
    district: OrgUnit | str | int | None = None,
    definition=None,
    published: bool = False,
) -> dict[str, Any]:
    """What `yinli report --format json` prints and /api/v1/stats/report answers."""
    period = _period(period)
    if published:
        return published_json(
            published_report_for(user=user, period=period, district=district, definition=definition)
        )
    return build_report(user=user, period=period, district=district, definition=definition)


# --- what changed since -----------------------------------------------------------------------


def figure_labels(definition: Definition) -> dict[str, str]:
    from .definitions import wording_of

    names = wording_of(definition)["categories"]
    labels = {"signed": _("Signed above the threshold")}
    for category in definition.categories:
        labels[f"signed_{category}"] = _("Signed above the threshold: %(category)s") % {
            "category": names.get(category, category)
        }
    labels["foreign"] = _("Foreign-funded projects")
    labels["state_owned"] = _("Central and local state-owned investors")
    labels["in_statistics"] = _("Newly in statistics (入库列统)")
    return labels


def field_label(key: str) -> str:
    if key == "ownership":
        return _("investor's ownership")
    if key == "deleted_at":
        return _("deleted")
    return str(Project._meta.get_field(key).verbose_name)


# The headline numbers compared, as (path in the report, label).
def headline_numbers(definition: Definition) -> list[tuple[tuple[str, ...], str]]:
    labels = figure_labels(definition)
    numbers = [
        (("signed", "count"), _("%(figure)s: count") % {"figure": labels["signed"]}),
        (
            ("signed", "investment_yi"),
            _("%(figure)s: investment (100 million yuan)") % {"figure": labels["signed"]},
        ),
    ]
    for category in definition.categories:
        label = labels[f"signed_{category}"]
        numbers += [
            (("signed", category, "count"), _("%(figure)s: count") % {"figure": label}),
            (
                ("signed", category, "investment_yi"),
                _("%(figure)s: investment (100 million yuan)") % {"figure": label},
            ),
        ]
    numbers += [
        (("foreign", "count"), _("%(figure)s: count") % {"figure": labels["foreign"]}),
        (("foreign", "investment_share_pct"), _("Foreign share (%)")),
        (
            ("in_statistics", "count"),
            _("%(figure)s: count") % {"figure": labels["in_statistics"]},
        ),
        (
            ("in_statistics", "investment_yi"),
            _("%(figure)s: investment (100 million yuan)") % {"figure": labels["in_statistics"]},
        ),
    ]
    return numbers


def _dig(report: dict, path: tuple[str, ...]):
    value: Any = report
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _changed_fields(before: dict | None, after: dict | None) -> list[dict[str, Any]]:
    if before is None or after is None:
        return []
    return [
        {
            "field": key,
            "label": field_label(key),
            "before": before.get(key),
            "after": after.get(key),
        }
        for key in SNAPSHOT_FIELDS
        if before.get(key) != after.get(key)
    ]


def diff_since_published(*, published: PublishedReport, user) -> dict[str, Any]:
    """The frozen figures beside today's (same period, scope and definition version), and for
    each headline figure the projects that joined or left its count and the fields that moved.

    Project rows the user may not see are counted (`hidden`) but not listed.
    """
    if not can_compare(user, published):
        raise PermissionDenied(_("You may not compare this report with today's figures."))
    period = _period(published.period_code)
    definition = published.definition
    district = published.district
    live_report = build_report(user=None, period=period, district=district, definition=definition)
    figures = []
    for path, label in headline_numbers(definition):
        then, now = _dig(published.report, path), _dig(live_report, path)
        change = None
        if isinstance(then, int | float) and isinstance(now, int | float):
            change = round(now - then, 1) if isinstance(now, float) else now - then
        figures.append(
            {
                "key": ".".join(path),
                "label": label,
                "published": then,
                "live": now,
                "change": change,
                "changed": then != now,
            }
        )
    live_ids = headline_ids(definition=definition, period=period, district=district)
    frozen_ids = {key: set(ids) for key, ids in published.counted_ids.items()}
    every = set().union(*frozen_ids.values(), *live_ids.values()) if live_ids else set()
    now_rows = snapshot(Project.all_objects.filter(pk__in=every))
    then_rows = dict(published.projects)
    missing = [pk for pk in every if str(pk) not in then_rows]
    then_rows.update(snapshot_as_of(missing, published.published_at))
    visible = set(
        scoping.visible_projects(user, Project.all_objects.filter(pk__in=every)).values_list(
            "pk", flat=True
        )
    )
    labels = figure_labels(definition)
    sets = []
    for key, label in labels.items():
        frozen, live = frozen_ids.get(key, set()), set(live_ids.get(key, []))
        groups: dict[str, list] = {"added": [], "removed": [], "changed": []}
        hidden = 0
        for kind, ids in (
            ("added", live - frozen),
            ("removed", frozen - live),
            ("changed", frozen & live),
        ):
            for pk in sorted(ids):
                before, after = then_rows.get(str(pk)), now_rows.get(str(pk))
                fields = _changed_fields(before, after)
                if kind == "changed" and not fields:
                    continue
                if pk not in visible:
                    hidden += 1
                    continue
                groups[kind].append(
                    {
                        "id": pk,
                        "name": (after or before or {}).get("name", ""),
                        "district": (after or before or {}).get("district"),
                        "new": before is None,
                        "fields": fields,
                    }
                )
        sets.append(
            {
                "key": key,
                "label": label,
                "published_count": len(frozen),
                "live_count": len(live),
                **groups,
                "hidden": hidden,
                "changed_any": bool(frozen != live or groups["changed"] or hidden),
            }
        )
    return {
        "published_id": published.pk,
        "as_of": timezone.localtime().isoformat(timespec="seconds"),
        "figures": figures,
        "sets": sets,
        "changed": any(f["changed"] for f in figures) or any(s["changed_any"] for s in sets),
    }


def frozen_projects(
    *, published: PublishedReport, figure: str, user
) -> tuple[list[dict[str, Any]], int]:
    """The projects a frozen headline figure counted, as they stood; and how many are hidden."""
    if figure not in published.counted_ids:
        raise NotPublished(_("The published report has no figure %(figure)s.") % {"figure": figure})
    ids = published.counted_ids[figure]
    visible = set(
        scoping.visible_projects(user, Project.all_objects.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
    rows = []
    for pk in ids:
        if pk in visible:
            rows.append({"id": pk, **published.projects.get(str(pk), {})})
    return rows, len(ids) - len(rows)
