"""Writes on the company registry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinli.core import scoping
from yinli.core.services import PermissionDeniedError, save_tracked, soft_delete

from .models import Company
from .uscc import validate_uscc

EDITABLE_FIELDS = {
    "name",
    "uscc",
    "region",
    "address",
    "ownership",
    "parent",
    "legal_representative",
    "registered_capital",
    "established_on",
    "registration_status",
    "industry_code",
    "insured_staff",
    "business_scope",
    "notes",
}


def _clean(company: Company) -> None:
    company.name = " ".join((company.name or "").split())
    if not company.name:
        raise ValidationError({"name": _("A company needs a name.")})
    if company.uscc:
        try:
            company.uscc = validate_uscc(company.uscc)
        except ValidationError as exc:
            raise ValidationError({"uscc": exc.messages}) from exc
        clash = Company.all_objects.filter(uscc=company.uscc).exclude(pk=company.pk).first()
        if clash is not None:
            raise ValidationError(
                {
                    "uscc": _('The credit code %(code)s already belongs to "%(name)s".')
                    % {"code": company.uscc, "name": clash.name}
                }
            )
    if company.parent_id and company.parent_id == company.pk:
        raise ValidationError({"parent": _("A company cannot be its own parent.")})
    company.full_clean(exclude=["name_normalized", "name_initials", "created_by"])


@transaction.atomic
def company_create(*, data: dict[str, Any], by) -> Company:
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    if not scoping.can_create_company(by):
        raise PermissionDeniedError(_("You may not add companies."))
    company = Company(**data)
    _clean(company)
    return save_tracked(instance=company, by=by)


@transaction.atomic
def company_update(*, company: Company, data: dict[str, Any], version: int, by) -> Company:
    if not scoping.can_change_company(by, company):
        raise PermissionDeniedError()
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    for field, value in data.items():
        setattr(company, field, value)
    _clean(company)
    return save_tracked(instance=company, by=by, expected_version=version)


def company_delete(*, company: Company, by, version: int) -> Company:
    if not scoping.can_change_company(by, company):
        raise PermissionDeniedError()
    if company.projects.exists():
        raise ValidationError(
            _("The company has projects; delete or move them first."), code="has_projects"
        )
    return soft_delete(instance=company, by=by, expected_version=version)
