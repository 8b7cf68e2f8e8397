"""Pages of the supervision app: obstacles, task forces, instructions and documents.

Every read goes through supervision.scoping / selectors: what the user may not see is a 404,
what she sees but may not act on a 403. Writes go through services.py; a form posts and the page
redirects back (to ``next`` when it is a page of this site).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yinli.core import scoping as core_scoping
from yinli.core.history import object_history
from yinli.core.models import OrgKind, OrgUnit
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.web.fields import apply_service_errors

from . import scoping, selectors, services
from .documents import document_storage
from .forms import (
    CloseForm,
    DocumentForm,
    DoneForm,
    InstructionForm,
    ObstacleForm,
    ProgressForm,
    ReopenForm,
    ResponseForm,
    TaskForceForm,
)
from .models import Department, InstructionUnit, ObstacleCategory, TaskForce

PER_PAGE = 50

STALE_MESSAGE = gettext_lazy(
    "This record was changed by someone else after you opened it; your change was not saved. "
    "Reload the page to see the current values."
)


def _back(request, default: str):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


# --- Documents --------------------------------------------------------------------------------


def _owner(type_id: int, owner_id: int):
    try:
        owner_type = ContentType.objects.get_for_id(type_id)
        return owner_type.get_object_for_this_type(pk=owner_id)
    except (ContentType.DoesNotExist, ObjectDoesNotExist, AttributeError):
        raise Http404 from None


@require_POST
def document_upload(request, type_id: int, owner_id: int):
    owner = _owner(type_id, owner_id)
    if not scoping.sees_owner(request.user, owner):
        raise Http404
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request, reverse("supervision:obstacles"))
    try:
        document = services.document_attach(
            user=request.user,
            owner=owner,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            kind=form.cleaned_data["kind"],
        )
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("“%(title)s” was attached.") % {"title": document.title})
    return _back(request, reverse("supervision:obstacles"))


def document_download(request, pk: int):
    """The only way to a stored file: the owner must be in the user's scope, else 404."""
    document = selectors.visible_document(user=request.user, pk=pk)
    if document is None:
        raise Http404
    storage = document_storage()
    try:
        handle = storage.open(document.stored_name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type=document.mime_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def document_delete(request, pk: int):
    document = selectors.visible_document(user=request.user, pk=pk)
    if document is None:
        raise Http404
    try:
        services.document_delete(user=request.user, document=document)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("“%(title)s” was removed.") % {"title": document.title})
    return _back(request, reverse("supervision:obstacles"))


# --- Obstacles --------------------------------------------------------------------------------


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def obstacle_list(request):
    user = request.user
    today = selectors.reference_day()
    services.escalate_overdue(today=today)
    filters = {
        "status": request.GET.get("status", ""),
        "department": _int_param(request, "department"),
        "district": _int_param(request, "district"),
        "category": request.GET.get("category", ""),
        "q": request.GET.get("q", ""),
    }
    if filters["category"] not in ObstacleCategory.values:
        filters["category"] = ""
    scoped = selectors.obstacles_for_list(user=user, filters={**filters, "status": ""}, today=today)
    queryset = selectors.obstacles_for_list(user=user, filters=filters, today=today)
    page = Paginator(
        queryset.select_related("project__district", "department").order_by(
            "status", "deadline", "pk"
        ),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/obstacle_list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "today": today,
            "totals": selectors.obstacle_totals(scoped, today=today),
            "by_department": selectors.obstacle_counts(scoped, by="department", today=today),
            "by_district": selectors.obstacle_counts(scoped, by="district", today=today),
            "by_category": selectors.obstacle_counts(scoped, by="category", today=today),
            "departments": Department.objects.all(),
            "districts": OrgUnit.objects.filter(kind=OrgKind.DISTRICT, valid_to__isnull=True),
            "categories": ObstacleCategory.choices,
        },
    )


def _visible_obstacle(request, pk: int):
    queryset = scoping.visible_obstacles(request.user).select_related(
        "project__district", "department", "closed_by", "created_by"
    )
    obstacle = get_object_or_404(queryset, pk=pk)
    if obstacle.project.is_deleted:
        raise Http404
    return obstacle


def obstacle_detail(request, pk: int):
    obstacle = _visible_obstacle(request, pk)
    user = request.user
    may_change = scoping.may_change_obstacles_of(user, obstacle.project)
    today = selectors.reference_day()
    return render(
        request,
        "supervision/obstacle_detail.html",
        {
            "obstacle": obstacle,
            "notes": obstacle.notes.select_related("by"),
            "may_change": may_change,
            "overdue": obstacle.is_overdue(today),
            "today": today,
            "progress_form": ProgressForm(initial={"on": today}),
            "close_form": CloseForm(initial={"version": obstacle.version}),
            "reopen_form": ReopenForm(initial={"version": obstacle.version}),
            "edit_form": ObstacleForm(
                initial={
                    "title": obstacle.title,
                    "category": obstacle.category,
                    "department": obstacle.department_id,
                    "deadline": obstacle.deadline,
                    "description": obstacle.description,
                    "version": obstacle.version,
                }
            ),
            "documents": selectors.documents_for(user=user, owner=obstacle),
            "can_change_documents": scoping.changes_owner(user, obstacle),
            "history": object_history(obstacle),
        },
    )


def obstacle_create(request, project_pk: int):
    """Raise an obstacle on a project (a page of its own; the project panel posts here too)."""
    user = request.user
    project = get_object_or_404(core_scoping.visible_projects(user), pk=project_pk)
    if not scoping.may_change_obstacles_of(user, project):
        raise PermissionDenied
    today = selectors.reference_day()
    form = ObstacleForm(request.POST or None, initial={"deadline": None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            obstacle = services.obstacle_raise(
                user=user,
                project=project,
                title=data["title"],
                category=data["category"],
                department=data["department"],
                deadline=data["deadline"],
                description=data["description"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The obstacle was raised."))
            return _back(request, reverse("supervision:obstacle", args=[obstacle.pk]))
    return render(
        request,
        "supervision/obstacle_form.html",
        {
            "form": form,
            "project": project,
            "today": today,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


def _act(request, pk: int, action):
    obstacle = _visible_obstacle(request, pk)
    try:
        action(obstacle)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except StaleWriteError:
        messages.error(request, STALE_MESSAGE)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return None
    return obstacle


@require_POST
def obstacle_progress(request, pk: int):
    form = ProgressForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    obstacle = _act(
        request,
        pk,
        lambda o: services.obstacle_progress(
            user=request.user, obstacle=o, text=data.get("text", ""), on=data.get("on")
        ),
    )
    if obstacle is not None:
        messages.success(request, _("The progress was recorded."))
    return _back(request, reverse("supervision:obstacle", args=[pk]))


@require_POST
def obstacle_close(request, pk: int):
    form = CloseForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    obstacle = _act(
        request,
        pk,
        lambda o: services.obstacle_close(
            user=request.user,
            obstacle=o,
            resolution=data.get("resolution", ""),
            version=data.get("version"),
        ),
    )
    if obstacle is not None:
        messages.success(request, _("The obstacle was closed."))
    return _back(request, reverse("supervision:obstacle", args=[pk]))


@require_POST
def obstacle_reopen(request, pk: int):
    form = ReopenForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    obstacle = _act(
        request,
        pk,
        lambda o: services.obstacle_reopen(
            user=request.user,
            obstacle=o,
            reason=data.get("reason", ""),
            deadline=data.get("deadline"),
            version=data.get("version"),
        ),
    )
    if obstacle is not None:
        messages.success(request, _("The obstacle was reopened."))
    return _back(request, reverse("supervision:obstacle", args=[pk]))


@require_POST
def obstacle_edit(request, pk: int):
    form = ObstacleForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return _back(request, reverse("supervision:obstacle", args=[pk]))
    data = form.cleaned_data
    obstacle = _act(
        request,
        pk,
        lambda o: services.obstacle_update(
            user=request.user,
            obstacle=o,
            title=data["title"],
            category=data["category"],
            department=data["department"],
            deadline=data["deadline"],
            description=data["description"],
            version=data.get("version"),
        ),
    )
    if obstacle is not None:
        messages.success(request, _("The obstacle was saved."))
    return _back(request, reverse("supervision:obstacle", args=[pk]))


# --- Task forces ------------------------------------------------------------------------------


def taskforce_list(request):
    user = request.user
    mine = request.GET.get("mine") == "1"
    queryset = (
        selectors.task_forces_of(user)
        if mine
        else scoping.visible_task_forces(user).filter(project__deleted_at__isnull=True)
    )
    queryset = queryset.select_related(
        "project__district", "lead__org_unit", "linked_leader"
    ).prefetch_related("members__org_unit")
    page = Paginator(queryset.order_by("project__name", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "supervision/taskforce_list.html", {"page": page, "mine": mine})


def taskforce_edit(request, project_pk: int):
    user = request.user
    project = get_object_or_404(
        core_scoping.visible_projects(user).filter(deleted_at__isnull=True), pk=project_pk
    )
    if not scoping.may_change_task_force_of(user, project):
        raise PermissionDenied
    task_force = TaskForce.objects.filter(project=project).first()
    initial = {"name": f"{project.name.removesuffix('项目')}推进专班"}
    if task_force is not None:
        initial = {
            "name": task_force.name,
            "lead": task_force.lead_id,
            "members": list(task_force.members.values_list("pk", flat=True)),
            "linked_leader": task_force.linked_leader_id,
            "linked_leader_name": task_force.linked_leader_name,
            "note": task_force.note,
            "version": task_force.version,
        }
    elif project.linked_leader:
        initial["linked_leader_name"] = project.linked_leader
    form = TaskForceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.task_force_save(
                user=user,
                project=project,
                name=data["name"],
                lead=data["lead"],
                members=list(data["members"]),
                linked_leader=data["linked_leader"],
                linked_leader_name=data["linked_leader_name"],
                note=data["note"],
                version=data.get("version"),
            )
        except StaleWriteError:
            form.add_error(None, STALE_MESSAGE)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The task force was saved."))
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "supervision/taskforce_form.html",
        {"form": form, "project": project, "task_force": task_force},
    )


# --- Instructions -----------------------------------------------------------------------------


def instruction_list(request):
    user = request.user
    today = selectors.reference_day()
    status = request.GET.get("status", "")
    scoped = scoping.visible_instructions(user)
    queryset = selectors.instructions_for_list(user=user, filters={"status": status}, today=today)
    page = Paginator(queryset.order_by("status", "deadline", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supervision/instruction_list.html",
        {
            "page": page,
            "status": status,
            "today": today,
            "totals": selectors.instruction_totals(scoped, today=today),
            "may_issue": scoping.may_issue_instructions(user),
        },
    )


def instruction_create(request):
    user = request.user
    if not scoping.may_issue_instructions(user):
        raise PermissionDenied
    today = selectors.reference_day()
    initial = {"issued_on": today}
    if request.GET.get("project", "").isdigit():
        initial["project"] = int(request.GET["project"])
    form = InstructionForm(request.POST or None, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            instruction = services.instruction_create(
                user=user,
                text=data["text"],
                issued_on=data["issued_on"],
                deadline=data["deadline"],
                units=list(data["units"]),
                leader=data["leader"],
                leader_name=data["leader_name"],
                project=data["project"],
                matter=data["matter"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The instruction was entered."))
            return redirect("supervision:instruction", pk=instruction.pk)
    return render(request, "supervision/instruction_form.html", {"form": form})


def _visible_instruction(request, pk: int):
    queryset = scoping.visible_instructions(request.user).select_related(
        "project", "leader", "done_by", "created_by"
    )
    return get_object_or_404(queryset, pk=pk)


def instruction_detail(request, pk: int):
    user = request.user
    instruction = _visible_instruction(request, pk)
    today = selectors.reference_day()
    rows = []
    for assignment in instruction.units.select_related("unit", "responded_by"):
        may_respond = instruction.is_open and scoping.may_respond_for(user, assignment)
        rows.append(
            {
                "assignment": assignment,
                "may_respond": may_respond,
                "form": ResponseForm(
                    initial={"response": assignment.response, "version": assignment.version}
                )
                if may_respond
                else None,
            }
        )
    return render(
        request,
        "supervision/instruction_detail.html",
        {
            "instruction": instruction,
            "rows": rows,
            "today": today,
            "overdue": instruction.is_overdue(today),
            "project_visible": instruction.project_id
            and core_scoping.can_see_project(user, instruction.project),
            "may_close": instruction.is_open and scoping.may_close_instruction(user, instruction),
            "done_form": DoneForm(initial={"version": instruction.version}),
            "documents": selectors.documents_for(user=user, owner=instruction),
            "can_change_documents": scoping.changes_owner(user, instruction),
            "history": object_history(instruction),
        },
    )


@require_POST
def instruction_respond(request, pk: int):
    user = request.user
    assignment = get_object_or_404(
        InstructionUnit.objects.select_related("instruction", "unit").filter(
            instruction__in=scoping.visible_instructions(user)
        ),
        pk=pk,
    )
    form = ResponseForm(request.POST)
    form.is_valid()
    try:
        services.instruction_respond(
            user=user,
            assignment=assignment,
            response=form.cleaned_data.get("response", ""),
            version=form.cleaned_data.get("version"),
        )
    except PermissionDeniedError:
        raise PermissionDenied from None
    except StaleWriteError:
        messages.error(request, STALE_MESSAGE)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The report was recorded."))
    return redirect("supervision:instruction", pk=assignment.instruction_id)


@require_POST
def instruction_done(request, pk: int):
    instruction = _visible_instruction(request, pk)
    form = DoneForm(request.POST)
    form.is_valid()
    try:
        services.instruction_done(
            user=request.user,
            instruction=instruction,
            note=form.cleaned_data.get("note", ""),
            version=form.cleaned_data.get("version"),
        )
    except PermissionDeniedError:
        raise PermissionDenied from None
    except StaleWriteError:
        messages.error(request, STALE_MESSAGE)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The instruction was marked done."))
    return redirect("supervision:instruction", pk=instruction.pk)
