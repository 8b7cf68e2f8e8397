"""撞车 pages: the conflict queue, a conflict with both sides and the ruling, claims, merges.

The queue lists the conflicts the user may know of (yinli.projects.conflicts.visible_conflicts):
the city all, a district those naming it; a conflict outside that is a 404. Each side shows the
record only when scoping lets the user see that project. Only city roles rule, open a conflict
between any two projects, merge and unmerge.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinli.core import scoping
from yinli.core.services import PermissionDeniedError
from yinli.web.fields import apply_service_errors
from yinli.web.merging import merge_page

from . import claims, conflicts, merge
from .forms import ClaimForm, ConflictOpenForm, ConflictRuleForm
from .models import Conflict, ConflictStatus, Project, ProjectMerge
from .views import get_project

PER_PAGE = 100


def conflict_list(request):
    user = request.user
    status = request.GET.get("status", ConflictStatus.OPEN)
    queryset = conflicts.visible_conflicts(user).select_related(
        "district_a", "district_b", "ruled_by", "opened_by"
    )
    if status in ConflictStatus.values:
        queryset = queryset.filter(status=status)
    rows = []
    for conflict in queryset[:PER_PAGE]:
        rows.append(
            {
                "conflict": conflict,
                "a": conflicts.side_view(conflict, "a", user),
                "b": conflicts.side_view(conflict, "b", user),
            }
        )
    return render(
        request,
        "projects/conflict_list.html",
        {
            "rows": rows,
            "status": status,
            "statuses": ConflictStatus,
            "may_rule": conflicts.may_rule(user),
            "open_form": ConflictOpenForm() if conflicts.may_rule(user) else None,
        },
    )


def _conflict(request, pk: int) -> Conflict:
    queryset = conflicts.visible_conflicts(request.user).select_related(
        "district_a", "district_b", "project_a", "project_b", "ruled_by", "opened_by"
    )
    return get_object_or_404(queryset, pk=pk)


def conflict_detail(request, pk: int):
    user = request.user
    conflict = _conflict(request, pk)
    form = None
    if conflict.is_open and conflicts.may_rule(user):
        form = ConflictRuleForm(request.POST or None, conflict=conflict)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                conflicts.conflict_rule(
                    conflict=conflict,
                    ruling=data["ruling"],
                    reason=data["ruling_reason"],
                    side=data.get("ruling_side") or "",
                    lead_share=data.get("lead_share"),
                    other_share=data.get("other_share"),
                    by=user,
                )
            except PermissionDeniedError:
                raise PermissionDenied from None
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("The ruling was recorded; both districts are notified.")
                )
                return redirect("projects:conflict", pk=conflict.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "projects/conflict_detail.html",
        {
            "conflict": conflict,
            "sides": [
                conflicts.side_view(conflict, "a", user),
                conflicts.side_view(conflict, "b", user),
            ],
            "form": form,
        },
    )


@require_POST
def conflict_open(request):
    user = request.user
    if not conflicts.may_rule(user):
        raise PermissionDenied
    form = ConflictOpenForm(request.POST)
    if form.is_valid():
        a = Project.objects.filter(pk=form.cleaned_data["project_a"]).first()
        b = Project.objects.filter(pk=form.cleaned_data["project_b"]).first()
        if a is None or b is None:
            messages.error(request, _("There is no such project."))
            return redirect("projects:conflicts")
        try:
            conflict = conflicts.conflict_open(
                project_a=a, project_b=b, by=user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("projects:conflicts")
        return redirect("projects:conflict", pk=conflict.pk)
    messages.error(request, _("Give the ids of both projects."))
    return redirect("projects:conflicts")


def claim_add(request, pk: int):
    user = request.user
    project = get_project(request, pk, change=True)
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claims.claim_create(project=project, by=user, **form.cleaned_data)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The claim was recorded."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/claim_form.html", {"form": form, "project": project})


def project_merge(request, pk: int):
    """Merge this project into another (city roles), with a preview of what will move."""
    if not merge.may_merge(request.user):
        raise PermissionDenied
    return merge_page(
        request,
        merged=get_project(request, pk),
        candidates=scoping.visible_projects(request.user),
        merge=merge.project_merge,
        preview=merge.merge_preview,
        target_label=_("Merge into project (id)"),
        missing=_("There is no project #%(id)s."),
        template="projects/merge_form.html",
        context_name="project",
        detail_url="projects:detail",
    )


@require_POST
def project_unmerge(request, pk: int):
    user = request.user
    if not merge.may_merge(user):
        raise PermissionDenied
    project = get_project(request, pk)
    record = get_object_or_404(ProjectMerge, merged=project, undone_at__isnull=True)
    try:
        merge.project_unmerge(record=record, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The merge was undone."))
    return redirect("projects:detail", pk=project.pk)
