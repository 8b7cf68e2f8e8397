"""`yinli alerts [--as-of DATE] [--district NAME] [--rule NAME] [--format json|text] [--user NAME]`.

The open follow-through alerts on a day (default: today, or the demo city's reference date), each
with its rule and project, scoped like the page: the acting user (default: the first city admin)
lists the alerts of the projects she follows. JSON alone on stdout; exit 2 for a usage error (a
bad date, an unknown district, rule or user), 0 otherwise (no alert is not an error).
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinli.api.api import DecimalAsNumberEncoder
from yinli.core.parsing import parse_date
from yinli.followup.alerts import open_alerts
from yinli.followup.models import AlertRule
from yinli.stats.dashboard import reference_day
from yinli.stats.management.commands.report import acting_user
from yinli.stats.report import resolve_district


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "The open follow-through alerts (rule and project) on a day, for the city or a district."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", help=gettext_lazy("the day (default: today, or the demo city's own day)")
        )
        parser.add_argument("--district", help=gettext_lazy("a district's code or exact name"))
        parser.add_argument("--rule", help=gettext_lazy("only this rule: its id or exact name"))
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument(
            "--user", help=gettext_lazy("act as this user (default: the first city admin)")
        )

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        as_of = reference_day()
        if options["as_of"]:
            try:
                as_of = parse_date(options["as_of"], allow_month=False).date
            except ValidationError as error:
                raise _usage(f"--as-of: {' '.join(error.messages)}") from error
        try:
            district = resolve_district(options["district"])
        except ValidationError as error:
            raise _usage(" ".join(error.messages)) from error
        rule = None
        if options["rule"]:
            text = options["rule"].strip()
            condition = Q(name=text) | (Q(pk=int(text)) if text.isdigit() else Q(pk__in=[]))
            rule = AlertRule.objects.filter(condition).first()
            if rule is None:
                raise _usage(_('There is no alert rule "%(rule)s".') % {"rule": text})
        alerts = open_alerts(user=user, as_of=as_of, rule=rule, district=district)
        self.stderr.write(
            _("%(count)s open alerts on %(day)s.") % {"count": len(alerts), "day": as_of}
        )
        if options["format"] == "text":
            for alert in alerts:
                self.stdout.write(
                    _("%(rule)s\t%(project)s\t%(district)s\tsince %(since)s\t%(days)s days")
                    % {
                        "rule": alert.rule.name,
                        "project": alert.project_name,
                        "district": alert.district_name,
                        "since": alert.since,
                        "days": alert.days,
                    }
                )
            return
        data = {
            "as_of": as_of,
            "district": district.name if district else None,
            "count": len(alerts),
            "alerts": [alert.as_dict() for alert in alerts],
        }
        self.stdout.write(
            json.dumps(data, cls=DecimalAsNumberEncoder, ensure_ascii=False, indent=2)
        )
