"""What the ledger commands share: the acting user, the district, output and progress."""

from __future__ import annotations

import json
import sys

from django.core.management.base import CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from yinli.core.models import OrgKind, OrgUnit, Role, User


def acting_user(name: str | None) -> User:
    """--user NAME, else the first active city administrator."""
    if name:
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": name}, returncode=2)
        return user
    user = (
        User.objects.filter(is_active=True)
        .filter(Q(role=Role.CITY_ADMIN) | Q(is_superuser=True))
        .order_by("-role", "pk")
        .first()
    )
    user = User.objects.filter(is_active=True, role=Role.CITY_ADMIN).order_by("pk").first() or user
    if user is None:
        raise CommandError(
            _("There is no active city administrator; name one with --user."), returncode=2
        )
    return user


def district_named(text: str | None) -> OrgUnit | None:
    """--district takes a code or an exact name (or short name)."""
    if not text:
        return None
    found = list(
        OrgUnit.objects.filter(kind=OrgKind.DISTRICT)
        .filter(Q(code=text) | Q(name=text) | Q(short_name=text))
        .order_by("valid_to", "pk")[:2]
    )
    if len(found) != 1:
        raise CommandError(
            _("No single district or park is called %(name)s.") % {"name": text}, returncode=2
        )
    return found[0]


def emit_json(stdout, data: dict) -> None:
    stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class Progress:
    """A tqdm bar on stderr (silent when stderr is not a terminal and ``quiet``)."""

    def __init__(self, *, enabled: bool = True, unit: str = "行"):
        self.bar = None
        self.enabled = enabled
        self.unit = unit

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if self.bar is not None and done < self.bar.n:  # a second pass over the file
            self.bar.close()
            self.bar = None
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, unit=self.unit, file=sys.stderr, leave=False, dynamic_ncols=True
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
