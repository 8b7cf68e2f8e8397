"""Project pages: the ledger, the board, a project's page, its forms and actions.

Every view reads projects through the scoping helper: a project the user may not see is a 404
(its existence is not disclosed), one she sees but may not change is a 403 on every action.
Writes go through projects.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh
from django_tables2 import RequestConfig

from yinli.core import scoping
from yinli.core.history import entries_from_records, object_history
from yinli.core.models import Role
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.web.fields import apply_service_errors
from yinli.web.money import user_unit
from yinli.web.panels import collect_project

from . import claims, conflicts, merge, services
from .forms import PageProjectFilter, ProjectForm, StageForm, StatusForm
from .models import Project, Stage, Status, stage_rank
from .rules import incomplete_fields
from .tables import LIST_RELATED, ProjectTable

PER_PAGE = 50
BOARD_CAP = 50

DETAIL_RELATED = [
    *LIST_RELATED,
    "channel",
    "event",
    "merged_into",
    "company__region",
    "lost_to__city__province",
    "lost_to__province",
    "lost_to__parent",
]

FORM_ERROR_ALIASES = {"foreign_currency": "foreign_investment", "first_signed_on": "stage_on"}


def may_change_some(user) -> bool:
    """Whether the user may change any project at all (she sees the recycle bin and 新建)."""
    return scoping.changes_everything(user) or (
        user.org_unit_id is not None and user.role in (Role.DISTRICT_EDITOR, Role.TEAM_MEMBER)
    )


def get_project(request, pk: int, *, change: bool = False) -> Project:
    """The project if the user may see it (else 404) and, for `change`, change it (else 403).

    A deleted project is shown only to those who may change (and so restore) it.
    """
    user = request.user
    queryset = scoping.visible_projects(user, Project.all_objects.select_related(*DETAIL_RELATED))
    project = get_object_or_404(queryset, pk=pk)
    if change or project.is_deleted:
        if not scoping.can_change_project(user, project):
            if project.is_deleted:
                raise Http404
            raise PermissionDenied
    return project


def _filtered(request, base):
    filterset = PageProjectFilter(request.GET or None, queryset=base, request=request)
    return filterset, filterset.qs


def project_list(request):
    user = request.user
    trash = request.GET.get("deleted") == "1" and may_change_some(user)
    if trash:
        base = scoping.changeable_projects(
            user, Project.all_objects.filter(deleted_at__isnull=False)
        )
    else:
        base = scoping.visible_projects(user)
    filterset, queryset = _filtered(request, base.select_related(*LIST_RELATED))
    totals = queryset.order_by().aggregate(count=Count("id"), total=Sum("total_investment"))
    table = ProjectTable(queryset, unit=user_unit(user))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "projects/project_list.html",
        {
            "filter": filterset,
            "table": table,
            "totals": totals,
            "trash": trash,
            "may_change": may_change_some(user),
        },
    )


def project_board(request):
    user = request.user
    base = scoping.visible_projects(user).select_related("company", "district")
    filterset, queryset = _filtered(request, base)
    summary = {
        row["stage"]: row
        for row in queryset.order_by()
        .values("stage")
        .annotate(count=Count("id"), total=Sum("total_investment"))
    }
    columns = []
    shown_ids: list[int] = []
    for stage in Stage:
        row = summary.get(stage.value, {"count": 0, "total": None})
        cards = []
        if row["count"]:
            cards = list(
                queryset.filter(stage=stage.value).order_by("-stage_on", "-id")[:BOARD_CAP]
            )
        shown_ids.extend(card.pk for card in cards)
        columns.append(
            {
                "stage": stage,
                "cards": cards,
                "count": row["count"],
                "total": row["total"],
                "more": row["count"] - len(cards),
            }
        )
    changeable = set(
        scoping.changeable_projects(user, Project.objects.filter(pk__in=shown_ids)).values_list(
            "pk", flat=True
        )
    )
    return render(
        request,
        "projects/project_board.html",
        {"filter": filterset, "columns": columns, "changeable": changeable},
    )


def project_detail(request, pk: int):
    user = request.user
    project = get_project(request, pk)
    can_change = scoping.can_change_project(user, project)
    order = list(Stage)
    rank = stage_rank(project.stage)
    next_stage = order[rank + 1] if rank + 1 < len(order) else None
    context = {
        "project": project,
        "can_change": can_change,
        "next_stage": next_stage,
        "missing": incomplete_fields(project) if next_stage else [],
        "timeline": project.stage_changes.select_related("by"),
        "funds": project.funds.select_related("by"),
        "funds_total": project.funds.aggregate(total=Sum("amount"))["total"],
        "tags": list(project.tags.all()),
        "history": object_history(project),
        "merged_from": list(project.merged_from.all()),
        "claims": claims.claims_of(project),
        "conflicts": list(conflicts.conflicts_of(project, user)),
        "may_merge": merge.may_merge(user),
        "merge_record": merge.open_merge_of(project),
        "panels": collect_project(request, project),
    }
    if can_change and not project.is_deleted:
        if next_stage or scoping.changes_everything(user):
            context["stage_form"] = StageForm(project=project, user=user)
        context["status_form"] = StatusForm(project=project)
    return render(request, "projects/project_detail.html", context)


def _duplicate_warnings(form: ProjectForm, user, project: Project | None = None):
    """The duplicate warnings for what the form holds (an edit: only when the investor changed).

    A new record: its investor's projects, and other districts' projects of the same name."""
    company = form.cleaned_data.get("company")
    name = company.name if company is not None else form.new_company_name
    if project is not None and company is not None and company.pk == project.company_id:
        return []
    if project is not None and not name:
        return []
    return conflicts.duplicate_check(
        user=user,
        company=company,
        company_name=name or None,
        district=form.cleaned_data.get("district"),
        exclude_project_id=project.pk if project is not None else None,
        # A new record is also compared by its name with other districts' projects.
        project_name=form.cleaned_data.get("name") if project is None else None,
    )


def _ask_decision(form: ProjectForm, error: conflicts.DuplicateUnconfirmed) -> list:
    form.offer_decision(error.warnings)
    form.add_error("duplicate_decision", error.messages)
    return error.warnings


def _conflict_opened(request, conflict) -> None:
    if conflict is not None:
        messages.info(
            request,
            _(
                "A conflict (撞车) with %(district)s was opened; the city will rule on it and "
                "both districts will be notified."
            )
            % {"district": conflict.district_a.display_name},
        )


def project_create(request):
    user = request.user
    if not scoping.districts_for_entry(user).exists():
        raise PermissionDenied
    form = ProjectForm(request.POST or None, instance=Project(), user=user)
    warnings: list = []
    if request.method == "POST" and form.is_valid():
        try:
            answer = conflicts.require_decision(
                _duplicate_warnings(form, user), form.duplicate_answer()
            )
            with transaction.atomic():
                data, tags = form.service_data()
                project = services.project_create(
                    data=data,
                    by=user,
                    stage=form.cleaned_data["stage"],
                    stage_on=form.cleaned_data.get("stage_on"),
                    tags=tags,
                )
                conflict = conflicts.apply_decision(project=project, answer=answer, by=user)
        except conflicts.DuplicateUnconfirmed as error:
            warnings = _ask_decision(form, error)
        except PermissionDeniedError as error:
            form.add_error(None, error.messages)
        except ValidationError as error:
            apply_service_errors(form, error, FORM_ERROR_ALIASES)
        else:
            messages.success(request, _("Project “%(name)s” created.") % {"name": project.name})
            _conflict_opened(request, conflict)
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "creating": True, "duplicate_warnings": warnings},
    )


def project_edit(request, pk: int):
    user = request.user
    project = get_project(request, pk, change=True)
    if project.is_deleted:
        messages.error(request, _("Restore the project before changing it."))
        return redirect("projects:detail", pk=pk)
    form = ProjectForm(request.POST or None, instance=project, user=user)
    stale = None
    warnings: list = []
    if request.method == "POST" and form.is_valid():
        based_on = form.cleaned_data.get("version") or project.version
        try:
            answer = conflicts.require_decision(
                _duplicate_warnings(form, user, project), form.duplicate_answer()
            )
            with transaction.atomic():
                data, tags = form.service_data()
                services.project_update(
                    project=project, data=data, version=based_on, by=user, tags=tags
                )
                conflict = conflicts.apply_decision(project=project, answer=answer, by=user)
        except conflicts.DuplicateUnconfirmed as error:
            warnings = _ask_decision(form, error)
        except StaleWriteError:
            current = Project.all_objects.select_related(*DETAIL_RELATED).get(pk=pk)
            stale = {
                "entries": entries_from_records(
                    current.history.filter(version__gt=based_on).order_by("-history_id")
                ),
                "current": current,
            }
            # The person sees the newer values and what she typed; saving again is her choice.
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = ProjectForm(data, instance=current, user=user)
            form.is_valid()
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            project.refresh_from_db()
            apply_service_errors(form, error, FORM_ERROR_ALIASES)
        else:
            messages.success(request, _("Changes saved."))
            _conflict_opened(request, conflict)
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/project_form.html",
        {
            "form": form,
            "project": project,
            "creating": False,
            "stale": stale,
            "duplicate_warnings": warnings,
        },
    )


def _done(request, project: Project):
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect("projects:detail", pk=project.pk)


STALE_MESSAGE = gettext_lazy(
    "This record was changed by someone else after you opened it; your change was not saved. "
    "Reload the page to see the current values."
)


def project_stage(request, pk: int):
    user = request.user
    project = get_project(request, pk, change=True)
    if project.is_deleted:
        raise PermissionDenied
    form = StageForm(request.POST or None, project=project, user=user)
    missing = []
    if request.method == "POST" and form.is_valid():
        stage = form.cleaned_data["stage"]
        try:
            services.project_advance_stage(
                project=project,
                stage=stage,
                on=form.cleaned_data["on"],
                by=user,
                version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except StaleWriteError:
            project.refresh_from_db()
            form.add_error(None, STALE_MESSAGE)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            project.refresh_from_db()
            if error.code == "incomplete":
                missing = incomplete_fields(project, stage)
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” is now at stage %(stage)s.")
                % {"name": project.name, "stage": project.get_stage_display()},
            )
            return _done(request, project)
    template = "projects/_stage_form.html" if request.htmx else "projects/stage_form.html"
    return render(request, template, {"form": form, "project": project, "missing": missing})


def project_status(request, pk: int):
    user = request.user
    project = get_project(request, pk, change=True)
    if project.is_deleted:
        raise PermissionDenied
    form = StatusForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_set_status(
                project=project,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                lost_to=form.cleaned_data["lost_to"],
                by=user,
                version=form.cleaned_data["version"],
            )
        except StaleWriteError:
            project.refresh_from_db()
            form.add_error(None, STALE_MESSAGE)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            project.refresh_from_db()
            apply_service_errors(form, error, {"status_reason": "reason"})
        else:
            messages.success(
                request,
                _("Status of “%(name)s” set to %(status)s.")
                % {"name": project.name, "status": project.get_status_display()},
            )
            return _done(request, project)
    return render(
        request,
        "projects/status_form.html",
        {"form": form, "project": project, "statuses": Status},
    )


def project_delete(request, pk: int):
    user = request.user
    project = get_project(request, pk, change=True)
    if project.is_deleted:
        return redirect("projects:detail", pk=pk)
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            if version is None:
                raise StaleWriteError(current_version=project.version, based_on=0)
            services.project_delete(project=project, by=user, version=version)
        except StaleWriteError:
            messages.error(request, STALE_MESSAGE)
            return redirect("projects:detail", pk=pk)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("projects:detail", pk=pk)
        messages.success(
            request,
            _("“%(name)s” was deleted. It can be restored from the recycle bin.")
            % {"name": project.name},
        )
        return redirect("projects:list")
    return render(request, "projects/confirm_delete.html", {"project": project})


@require_POST
def project_restore(request, pk: int):
    user = request.user
    project = get_project(request, pk, change=True)
    try:
        services.project_restore(project=project, by=user)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” was restored.") % {"name": project.name})
    return redirect("projects:detail", pk=pk)
