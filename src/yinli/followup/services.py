"""Writes of the followup app: funds in place, permit checklists, alert rules.

Each checks that the user may change the project (yinli.core.scoping) and raises
PermissionDeniedError otherwise, ValidationError with a Chinese message on bad input.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.services import PermissionDeniedError, save_tracked
from yinli.projects.models import FundsInPlace, FundsSource, Project

from .models import AlertRule, PermitItem, PermitStatus, PermitTemplate
from .scoping import may_edit_rules
from .selectors import template_for


def _check_project(user, project: Project) -> None:
    if not scoping.can_change_project(user, project):
        raise PermissionDeniedError(_("You may not change this project's follow-through."))
    if project.is_deleted:
        raise ValidationError(_("The project is deleted; restore it first."), code="deleted")


# --- funds in place ---------------------------------------------------------------------------


@transaction.atomic
def funds_add(
    *,
    user,
    project: Project,
    on: date,
    amount: Decimal,
    source: str = FundsSource.OWN,
    foreign_amount: Decimal | None = None,
    note: str = "",
) -> FundsInPlace:
    """Record money that arrived (到位资金), in 万元; its foreign part (实际使用外资) in 万美元."""
    _check_project(user, project)
    errors: dict[str, list[str]] = {}
    if amount is None or amount <= 0:
        errors.setdefault("amount", []).append(
            _("The amount must be above zero (it is %(value)s 万元).") % {"value": amount}
        )
    if source not in FundsSource.values:
        errors.setdefault("source", []).append(
            _('"%(value)s" is not a source of funds.') % {"value": source}
        )
    if foreign_amount is not None:
        if foreign_amount <= 0:
            errors.setdefault("foreign_amount", []).append(
                _("Foreign capital actually used must be above zero (it is %(value)s).")
                % {"value": foreign_amount}
            )
        elif source != FundsSource.FOREIGN:
            errors.setdefault("foreign_amount", []).append(
                _("Foreign capital actually used (实际使用外资) goes with the source 外资.")
            )
    if on is None:
        errors.setdefault("on", []).append(_("Give the day the money arrived."))
    elif project.first_signed_on and on < project.first_signed_on:
        errors.setdefault("on", []).append(
            _("%(on)s is before the project was signed (%(signed)s).")
            % {"on": on, "signed": project.first_signed_on}
        )
    if errors:
        raise ValidationError(errors)
    entry = FundsInPlace(
        project=project,
        on=on,
        amount=amount,
        source=source,
        foreign_amount=foreign_amount,
        note=(note or "").strip(),
        by=user,
    )
    entry._history_user = user
    entry.save()
    return entry


@transaction.atomic
def funds_delete(*, user, entry: FundsInPlace) -> None:
    """Take back an entry made in error (the change history keeps it)."""
    _check_project(user, entry.project)
    entry._history_user = user
    entry.delete()


# --- permits ----------------------------------------------------------------------------------


@transaction.atomic
def permits_from_template(
    *, user, project: Project, template: PermitTemplate | None = None
) -> list[PermitItem]:
    """Put the template's permits on the project's checklist; those already there stay as they
    are, so doing it twice adds nothing. Returns the items added."""
    _check_project(user, project)
    template = template or template_for(project)
    if template is None:
        raise ValidationError(_("No permit template fits this project; an analyst can add one."))
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one at a time
    present = set(PermitItem.objects.filter(project=project).values_list("name", flat=True))
    added = []
    for item in template.items.all():
        if item.name in present:
            continue
        permit = PermitItem(
            project=project,
            template_item=item,
            name=item.name,
            department=item.department,
            order=item.order,
            updated_by=user,
        )
        save_tracked(instance=permit, by=user)
        added.append(permit)
    return added


PERMIT_FIELDS = ("status", "department", "started_on", "due_on", "done_on", "note")


def _check_permit(item: PermitItem) -> None:
    errors: dict[str, str] = {}
    if item.status not in PermitStatus.values:
        errors["status"] = _('"%(value)s" is not a permit status.') % {"value": item.status}
    if item.status == PermitStatus.DONE and item.done_on is None:
        errors["done_on"] = _("A permit that is done needs the day it was granted.")
    if item.status != PermitStatus.DONE and item.done_on is not None:
        errors["done_on"] = _("Only a permit that is done has a day it was granted.")
    if item.started_on and item.done_on and item.done_on < item.started_on:
        errors["done_on"] = _("Granted on %(done)s, before it was applied for (%(started)s).") % {
            "done": item.done_on,
            "started": item.started_on,
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def permit_update(*, user, item: PermitItem, data: dict, version: int | None) -> PermitItem:
    """Change a permit's status, dates, department or note (refused on a stale version)."""
    _check_project(user, item.project)
    unknown = set(data) - set(PERMIT_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    for name, value in data.items():
        setattr(
            item, name, value if value is not None or name not in ("department", "note") else ""
        )
    _check_permit(item)
    item.updated_by = user
    return save_tracked(instance=item, by=user, expected_version=version)


# --- alert rules ------------------------------------------------------------------------------


@transaction.atomic
def rule_save(*, user, rule: AlertRule) -> AlertRule:
    """Save a rule an analyst edited (model validation included)."""
    if not may_edit_rules(user):
        raise PermissionDeniedError(
            _("Only the city's analysts and administrators set alert rules.")
        )
    rule.full_clean()
    rule._history_user = user
    rule.save()
    return rule
