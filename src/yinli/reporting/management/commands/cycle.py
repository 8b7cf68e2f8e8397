"""`yinli cycle status --period 2025-07 [--district CODE] [--format json|text] [--user NAME]`
and `yinli cycle overdue [--format json|text]`.

The state of a reporting period: each district's state, first submission and acceptance dates,
days overdue; or the 催报 list (the text format is the block the city copies into its notice).
JSON alone on stdout; exit 2 for a usage error (a bad period, unknown district or user).
Scoped like the pages: the acting user (default: the first city admin) sees what she may.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from yinli.core.models import OrgKind
from yinli.reporting import calendar, scoping, selectors
from yinli.stats.management.commands.report import acting_user


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = _("The report cycle from the command line: the state of a period, overdue reports.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser(
            "status", help=_("each district's state, submitted and accepted dates, days overdue")
        )
        status.add_argument(
            "--period", required=True, help=_("a month (2025-07) or week (2025-W28)")
        )
        status.add_argument("--district", help=_("a district's code or exact name"))
        status.add_argument("--format", choices=["json", "text"], default="json")
        status.add_argument("--user", help=_("act as this user (default: the first city admin)"))
        overdue = sub.add_parser("overdue", help=_("the districts that have not submitted in time"))
        overdue.add_argument("--format", choices=["json", "text"], default="json")
        overdue.add_argument("--user", help=_("act as this user (default: the first city admin)"))

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        today = selectors.reference_day()
        if options["action"] == "overdue":
            items = selectors.overdue(user=user, today=today)
            if options["format"] == "text":
                self.stdout.write(selectors.reminder_text(items, today=today))
            else:
                data = {"as_of": today.isoformat(), "overdue": [i.as_dict() for i in items]}
                self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        try:
            period = calendar.period_for(options["period"])
        except ValidationError as error:
            raise _usage("--period: " + " ".join(error.messages)) from error
        states = selectors.period_states(period=period, user=user, today=today)
        if options["district"]:
            name = options["district"]
            unit = (
                scoping.visible_districts(user)
                .filter(Q(code=name) | Q(name=name) | Q(short_name=name), kind=OrgKind.DISTRICT)
                .first()
            )
            if unit is None:
                raise _usage(_('No district called "%(name)s" is visible.') % {"name": name})
            states = [s for s in states if s.district.pk == unit.pk]
        if options["format"] == "text":
            self.stdout.write(
                f"{period.schedule.name} {period.label}（{period.code}）"
                + _("deadline")
                + f" {period.deadline:%Y-%m-%d}"
            )
            for item in states:
                line = [
                    item.district.name,
                    item.state_label,
                    _("submitted")
                    + " "
                    + (item.first_submitted_on.isoformat() if item.first_submitted_on else "—"),
                    _("accepted")
                    + " "
                    + (item.accepted_on.isoformat() if item.accepted_on else "—"),
                ]
                if item.days_overdue:
                    line.append(_("%(n)s days overdue") % {"n": item.days_overdue})
                self.stdout.write("  ".join(line))
            return
        data = {
            "period": {
                "code": period.code,
                "schedule": period.schedule.name,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "deadline": period.deadline.isoformat(),
            },
            "as_of": today.isoformat(),
            "districts": [s.as_dict() for s in states],
        }
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
