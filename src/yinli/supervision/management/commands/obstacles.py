"""`yinli obstacles list|escalate`: the obstacle list (要素保障问题) and its escalation.

- ``list [--status open|overdue|closed] [--district CODE|NAME] [--format json|text] [--user NAME]``
  prints the obstacles the acting user (default: the first city admin) may see.
- ``escalate [--today DATE] [--format json|text]`` flags every open obstacle past its deadline
  to the project's linked leader and the city analysts, once per obstacle (the pages do the same
  when they are opened; a scheduler can run this every morning).

JSON alone on stdout; exit 2 for a usage error (an unknown user or district, a bad date).
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from yinli.core.models import OrgKind, OrgUnit
from yinli.core.parsing import parse_date
from yinli.stats.management.commands.report import acting_user
from yinli.supervision import selectors, services


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _row(obstacle, today) -> dict:
    return {
        "id": obstacle.pk,
        "project": obstacle.project.name,
        "district": obstacle.project.district.name if obstacle.project.district_id else None,
        "title": obstacle.title,
        "category": obstacle.category,
        "department": obstacle.department.name,
        "raised_on": obstacle.raised_on.isoformat(),
        "deadline": obstacle.deadline.isoformat(),
        "status": obstacle.status,
        "overdue": obstacle.is_overdue(today),
        "closed_on": obstacle.closed_on.isoformat() if obstacle.closed_on else None,
    }


class Command(BaseCommand):
    help = _("Obstacles (要素保障问题) from the command line: list them, escalate overdue ones.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help=_("the obstacles the user may see"))
        listing.add_argument("--status", choices=["open", "overdue", "closed"])
        listing.add_argument("--district", help=_("a district's code or exact name"))
        listing.add_argument("--format", choices=["json", "text"], default="json")
        listing.add_argument("--user", help=_("act as this user (default: the first city admin)"))
        escalate = sub.add_parser(
            "escalate", help=_("flag overdue obstacles to the linked leader and the city, once")
        )
        escalate.add_argument("--today", help=_("judge deadlines on this day (default: today)"))
        escalate.add_argument("--format", choices=["json", "text"], default="json")

    def handle(self, *args, **options):
        if options["action"] == "escalate":
            return self._escalate(options)
        return self._list(options)

    def _list(self, options) -> None:
        user = acting_user(options["user"])
        today = selectors.reference_day()
        filters = {"status": options["status"] or ""}
        if options["district"]:
            text = options["district"]
            district = OrgUnit.objects.filter(
                Q(code=text) | Q(name=text) | Q(short_name=text), kind=OrgKind.DISTRICT
            ).first()
            if district is None:
                raise _usage(_('There is no district "%(value)s".') % {"value": text})
            filters["district"] = district.pk
        rows = [
            _row(o, today)
            for o in selectors.obstacles_for_list(user=user, filters=filters, today=today)
            .select_related("project__district", "department")
            .order_by("status", "deadline", "pk")
        ]
        if options["format"] == "text":
            for row in rows:
                flag = " !" if row["overdue"] else ""
                self.stdout.write(
                    f"{row['deadline']}{flag}\t{row['status']}\t{row['department']}\t"
                    f"{row['project']}\t{row['title']}"
                )
            return
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))

    def _escalate(self, options) -> None:
        today = None
        if options["today"]:
            try:
                today = parse_date(options["today"], allow_month=False).date
            except ValidationError as error:
                raise _usage(f"--today: {' '.join(error.messages)}") from error
        day = today or selectors.reference_day()
        escalated = services.escalate_overdue(today=day)
        rows = [_row(o, day) for o in escalated]
        if options["format"] == "text":
            self.stdout.write(_("%(n)s overdue obstacles flagged.") % {"n": len(rows)})
            return
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
