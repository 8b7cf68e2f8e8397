"""The merge page shared by companies and projects: pick the record to keep, see what will
move, confirm. The apps' merge services do the work (companies.merge, projects.merge)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yinli.core.services import PermissionDeniedError
from yinli.projects.forms import MergeForm


def merge_page(
    request,
    *,
    merged: Model,
    candidates: QuerySet,
    merge: Callable[..., object],
    preview: Callable[..., dict],
    target_label: str,
    missing: str,
    template: str,
    context_name: str,
    detail_url: str,
):
    """GET: the form; POST: the preview of what moves, then (with confirm=1) the merge."""
    form = MergeForm(request.POST or None, target_label=target_label)
    moves = None
    target = None
    if request.method == "POST" and form.is_valid():
        target = candidates.filter(pk=form.cleaned_data["target"]).first()
        if target is None:
            form.add_error("target", missing % {"id": form.data["target"]})
        elif request.POST.get("confirm") == "1":
            try:
                merge(
                    kept=target, merged=merged, by=request.user, reason=form.cleaned_data["reason"]
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _("“%(merged)s” was merged into “%(kept)s”.")
                    % {"merged": merged.name, "kept": target.name},
                )
                return redirect(detail_url, pk=target.pk)
        else:
            moves = preview(kept=target, merged=merged)
    return render(
        request,
        template,
        {"form": form, context_name: merged, "target": target, "preview": moves},
    )
