"""Progress and ranking as JSON-ready dicts: what the command line, the API and the pages show.

Exact Decimals become JSON numbers rounded half up to 0.1 (yinli.stats.report.present), dates
ISO text; the wording ("时序进度50.0%，完成61.2%，超序时11.2个百分点") is made from the exact values.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from yinli.core.models import OrgUnit
from yinli.stats.periods import Period, parse_period
from yinli.stats.report import present

from . import scoping
from .models import ScoringScheme
from .scoring import compute_ranking
from .selectors import progress_rows
from .services import default_scheme


def progress_report(
    *, user, year: int, on: date, district: OrgUnit | None = None, progress=None
) -> dict:
    """Every target of `year` the user may see (of `district`, if given) with its progress."""
    if district is not None and not scoping.visible_units(user).filter(pk=district.pk).exists():
        raise PermissionDenied(
            _("You may not see the targets of %(unit)s.") % {"unit": district.name}
        )
    rows = progress_rows(user=user, year=year, on=on, district=district, progress=progress)
    return present(
        {
            "year": year,
            "as_of": on,
            "scope": None
            if district is None
            else {"id": district.pk, "code": district.code, "name": district.display_name},
            "schedule_rule": _(
                "Months elapsed, the current month by its elapsed days; quarters spread evenly "
                "over their months."
            ),
            "targets": rows,
        }
    )


def resolve_scheme(value: int | str | ScoringScheme | None) -> ScoringScheme:
    if isinstance(value, ScoringScheme):
        return value
    if value in (None, ""):
        scheme = default_scheme()
        if scheme is None:
            raise ValidationError(_("There is no scoring scheme yet."), code="no_scheme")
        return scheme
    text = str(value).strip()
    scheme = None
    if text.isdigit():
        scheme = ScoringScheme.objects.filter(pk=int(text)).first()
    scheme = scheme or ScoringScheme.objects.filter(name=text).first()
    if scheme is None:
        raise ValidationError(
            _("There is no scoring scheme %(scheme)s.") % {"scheme": text}, code="no_scheme"
        )
    return scheme


def ranking_report(*, user, period: Period | str, scheme=None) -> dict:
    """The ranking of `period` under `scheme` (default: the default scheme), as the user may see."""
    if not scoping.sees_ranking(user):
        raise PermissionDenied(_("You may not see the ranking."))
    if isinstance(period, str):
        period = parse_period(period)
    ranking = compute_ranking(scheme=resolve_scheme(scheme), period=period, user=user)
    return present(ranking)
