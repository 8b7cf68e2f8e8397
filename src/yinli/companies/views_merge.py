"""Company merge pages (city roles): a preview of what will move, the merge, and its undoing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinli.core import scoping
from yinli.web.merging import merge_page

from . import merge
from .models import Company, CompanyMerge


def _company(request, pk: int) -> Company:
    return get_object_or_404(scoping.visible_companies(request.user), pk=pk)


def company_merge(request, pk: int):
    if not merge.may_merge(request.user):
        raise PermissionDenied
    return merge_page(
        request,
        merged=_company(request, pk),
        candidates=scoping.visible_companies(request.user),
        merge=merge.company_merge,
        preview=merge.merge_preview,
        target_label=_("Merge into company (id)"),
        missing=_("There is no company #%(id)s."),
        template="companies/merge_form.html",
        context_name="company",
        detail_url="companies:detail",
    )


@require_POST
def company_unmerge(request, pk: int):
    user = request.user
    if not merge.may_merge(user):
        raise PermissionDenied
    company = _company(request, pk)
    record = get_object_or_404(CompanyMerge, merged=company, undone_at__isnull=True)
    try:
        merge.company_unmerge(record=record, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The merge was undone."))
    return redirect("companies:detail", pk=company.pk)
