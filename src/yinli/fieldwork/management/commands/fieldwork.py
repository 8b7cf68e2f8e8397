"""`yinli fieldwork summary --unit NAME --from DATE --to DATE [--format json|text] [--user NAME]`.

The field-work summary of a unit (with every unit under it) in the report's wording. JSON alone on
stdout; exit 2 for a usage error (an unknown unit or user, a bad date), 0 otherwise. The summary is
scoped like the page: the acting user (default: the first city admin) must see the unit.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.models import OrgUnit
from yinli.core.parsing import parse_date
from yinli.fieldwork.selectors import summary
from yinli.stats.management.commands.report import acting_user


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def unit_named(text: str) -> OrgUnit:
    """A unit by code or exact name (or short name); a current unit wins over an ended one."""
    found = list(
        OrgUnit.objects.filter(Q(code=text) | Q(name=text) | Q(short_name=text)).order_by(
            "valid_to", "pk"
        )[:3]
    )
    current = [unit for unit in found if unit.valid_to is None]
    found = current or found
    if len(found) != 1:
        raise _usage(_('No single organisation unit is called "%(name)s".') % {"name": text})
    return found[0]


def _day(text: str, option: str):
    try:
        return parse_date(text, allow_month=False).date
    except ValidationError as error:
        raise _usage(f"{option}: {' '.join(error.messages)}") from error


class Command(BaseCommand):
    help = _("Field work from the command line: the summary of a unit and period.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        summary_parser = sub.add_parser(
            "summary", help=_("days away, cities, regions, visits and km")
        )
        summary_parser.add_argument("--unit", required=True, help=_("a unit's code or exact name"))
        summary_parser.add_argument("--from", dest="start", required=True)
        summary_parser.add_argument("--to", dest="end", required=True)
        summary_parser.add_argument("--format", choices=["json", "text"], default="json")
        summary_parser.add_argument(
            "--user", help=_("act as this user (default: the first city admin)")
        )

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        unit = unit_named(options["unit"])
        start, end = _day(options["start"], "--from"), _day(options["end"], "--to")
        if end < start:
            raise _usage(
                _("The end (%(end)s) is before the start (%(start)s).")
                % {"end": end, "start": start}
            )
        if not scoping.visible_fieldwork_units(user).filter(pk=unit.pk).exists():
            raise _usage(
                _("%(user)s may not see the field work of %(unit)s.") % {"user": user, "unit": unit}
            )
        result = summary(user=user, unit=unit, start=start, end=end)
        if options["format"] == "text":
            self.stdout.write(result.text)
            return
        data = result.as_dict()
        data["from"], data["to"] = start.isoformat(), end.isoformat()
        data["km"] = int(data["km"]) if data["km"] == int(data["km"]) else float(data["km"])
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
