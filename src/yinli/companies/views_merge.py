"""Company merge pages (city roles): a preview of what will move, the merge, and its undoing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinli.core import scoping
from yinli.core.services import PermissionDeniedError
from yinli.projects.forms import MergeForm

from . import merge
from .models import Company, CompanyMerge


def _company(request, pk: int) -> Company:
    return get_object_or_404(scoping.visible_companies(request.user), pk=pk)


def company_merge(request, pk: int):
    user = request.user
    if not merge.may_merge(user):
        raise PermissionDenied
    company = _company(request, pk)
    form = MergeForm(request.POST or None, target_label=_("Merge into company (id)"))
    preview = None
    target = None
    if request.method == "POST" and form.is_valid():
        target = scoping.visible_companies(user).filter(pk=form.cleaned_data["target"]).first()
        if target is None:
            form.add_error(
                "target", _("There is no company #%(id)s.") % {"id": form.data["target"]}
            )
        elif request.POST.get("confirm") == "1":
            try:
                merge.company_merge(
                    kept=target, merged=company, by=user, reason=form.cleaned_data["reason"]
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _("“%(merged)s” was merged into “%(kept)s”.")
                    % {"merged": company.name, "kept": target.name},
                )
                return redirect("companies:detail", pk=target.pk)
        else:
            preview = merge.merge_preview(kept=target, merged=company)
    return render(
        request,
        "companies/merge_form.html",
        {"form": form, "company": company, "target": target, "preview": preview},
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
