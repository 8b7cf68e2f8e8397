"""Obstacles (要素保障问题), task forces (专班), leaders' instructions (批示) and documents.

Reads go through yinli.supervision.scoping (a district sees its projects' obstacles and task
forces and the instructions assigned to its units, the city everything); what is outside is 404.
Writes go through yinli.supervision.services: 403 when the user may see but not act, 409 on a
stale version, 422 on bad input (an obstacle closed without a resolution, a disguised file …).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.contrib.contenttypes.models import ContentType
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus

from yinli.core import scoping as core_scoping
from yinli.core.models import User
from yinli.projects.models import Project
from yinli.supervision import scoping, selectors, services
from yinli.supervision.documents import document_storage
from yinli.supervision.models import (
    Department,
    Document,
    DocumentKind,
    Instruction,
    InstructionStatus,
    InstructionUnit,
    Obstacle,
    ObstacleCategory,
    ObstacleNote,
    ObstacleStatus,
    TaskForce,
)

from .lookups import Resolver
from .schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    Error,
    IdOrCode,
    NamedRef,
    Page,
    PageQuery,
    UnitRef,
    ValidationErrorOut,
    WriteSchema,
    paginate,
    unit_ref,
)

router = Router(tags=["supervision"])

CategoryCode = Literal[tuple(ObstacleCategory.values)]
ObstacleStatusCode = Literal[tuple(ObstacleStatus.values)]
InstructionStatusCode = Literal[tuple(InstructionStatus.values)]
KindCode = Literal[tuple(DocumentKind.values)]


def _local(moment: datetime | None) -> datetime | None:
    return timezone.localtime(moment) if moment else None


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def _project_ref(project) -> dict | None:
    return None if project is None else {"id": project.pk, "name": project.name}


# --- Departments ------------------------------------------------------------------------------


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    active: bool


@router.get("/departments", response={200: list[DepartmentOut], **READ_ERRORS})
def department_list(request: HttpRequest):
    """The city departments obstacles are assigned to (data; the city adds its own)."""
    return list(Department.objects.all())


def _department(resolve: Resolver, field: str, value) -> Department | None:
    return resolve.model(
        field,
        value,
        Department.objects.all(),
        code="code",
        names=("name", "short_name"),
        missing=_('There is no department "%(value)s".'),
    )


def _user(resolve: Resolver, field: str, value) -> User | None:
    return resolve.model(
        field,
        value,
        User.objects.filter(is_active=True),
        code="username",
        names=("display_name",),
        missing=_('There is no user "%(value)s".'),
    )


# --- Obstacles --------------------------------------------------------------------------------


class NoteOut(Schema):
    id: int
    on: date
    text: str
    by: NamedRef | None


class ObstacleOut(Schema):
    id: int
    version: int
    project: NamedRef
    district: UnitRef | None
    title: str
    description: str
    category: CategoryCode
    category_label: str
    department: DepartmentOut
    raised_on: date
    raised_by: NamedRef | None
    deadline: date
    status: ObstacleStatusCode
    overdue: bool = Field(description="Open and past its deadline (today, or the demo's date).")
    escalated_at: datetime | None = Field(
        description="When it was flagged to the linked leader and the city (once)."
    )
    resolution: str
    closed_on: date | None
    closed_by: NamedRef | None
    notes: list[NoteOut]


class ObstaclePage(Page):
    items: list[ObstacleOut]


def _note_data(note: ObstacleNote) -> dict:
    return {"id": note.pk, "on": note.on, "text": note.text, "by": _person(note.by)}


def _obstacle_data(obstacle: Obstacle, today: date) -> dict:
    return {
        "id": obstacle.pk,
        "version": obstacle.version,
        "project": _project_ref(obstacle.project),
        "district": unit_ref(obstacle.project.district),
        "title": obstacle.title,
        "description": obstacle.description,
        "category": obstacle.category,
        "category_label": str(obstacle.get_category_display()),
        "department": obstacle.department,
        "raised_on": obstacle.raised_on,
        "raised_by": _person(obstacle.created_by),
        "deadline": obstacle.deadline,
        "status": obstacle.status,
        "overdue": obstacle.is_overdue(today),
        "escalated_at": _local(obstacle.escalated_at),
        "resolution": obstacle.resolution,
        "closed_on": obstacle.closed_on,
        "closed_by": _person(obstacle.closed_by),
        "notes": [_note_data(n) for n in obstacle.notes.all()],
    }


def _obstacles(user):
    return (
        scoping.visible_obstacles(user)
        .filter(project__deleted_at__isnull=True)
        .select_related("project__district", "department", "created_by", "closed_by")
        .prefetch_related("notes__by")
    )


def _obstacle(request: HttpRequest, obstacle_id: int) -> Obstacle:
    obstacle = _obstacles(request.auth).filter(pk=obstacle_id).first()
    if obstacle is None:
        raise Http404
    return obstacle


class ObstacleQuery(PageQuery):
    status: Literal["open", "closed", "overdue"] | None = None
    department: int | None = Field(None, description="Department id.")
    district: int | None = Field(None, description="District (org unit) id.")
    category: CategoryCode | None = None
    project: int | None = Field(None, description="Project id.")
    q: str | None = Field(None, description="Text in the problem or the project's name.")


@router.get("/obstacles", response={200: ObstaclePage, 422: ValidationErrorOut, **READ_ERRORS})
def obstacle_list(request: HttpRequest, filters: Query[ObstacleQuery]):
    """Obstacles the user may see, open ones first, by deadline."""
    today = selectors.reference_day()
    queryset = selectors.obstacles_for_list(
        user=request.auth, filters=filters.dict(exclude={"page", "page_size"}), today=today
    )
    queryset = queryset.select_related(
        "project__district", "department", "created_by", "closed_by"
    ).prefetch_related("notes__by")
    page = paginate(queryset.order_by("status", "deadline", "pk"), filters)
    page["items"] = [_obstacle_data(o, today) for o in page["items"]]
    return page


class CountOut(Schema):
    key: int | str | None = Field(description="Department or district id, or category code.")
    name: str
    open: int
    closed: int
    overdue: int
    total: int


class CountQuery(Schema):
    by: Literal["department", "district", "category"] = "department"
    status: Literal["open", "closed", "overdue"] | None = None
    department: int | None = None
    district: int | None = None
    category: CategoryCode | None = None


@router.get(
    "/obstacles/counts", response={200: list[CountOut], 422: ValidationErrorOut, **READ_ERRORS}
)
def obstacle_counts(request: HttpRequest, filters: Query[CountQuery]):
    """Open, closed and overdue obstacles per department, district or category, counted in the
    database over what the user may see."""
    today = selectors.reference_day()
    queryset = selectors.obstacles_for_list(
        user=request.auth, filters=filters.dict(exclude={"by"}), today=today
    )
    return selectors.obstacle_counts(queryset, by=filters.by, today=today)


@router.get("/obstacles/{obstacle_id}", response={200: ObstacleOut, **READ_ERRORS})
def obstacle_detail(request: HttpRequest, obstacle_id: int):
    return _obstacle_data(_obstacle(request, obstacle_id), selectors.reference_day())


class ObstacleIn(WriteSchema):
    project: int = Field(description="Project id.")
    title: str
    category: CategoryCode
    department: IdOrCode = Field(description="Department id, code or name.")
    deadline: date
    description: str = ""
    raised_on: date | None = Field(None, description="Default: today.")


@router.post("/obstacles", response={201: ObstacleOut, **WRITE_ERRORS})
def obstacle_create(request: HttpRequest, payload: ObstacleIn):
    """Raise an obstacle on a project the user may change (or, for the city, any project)."""
    user = request.auth
    resolve = Resolver()
    project = core_scoping.visible_projects(user).filter(pk=payload.project).first()
    if project is None:
        resolve.fail(
            "project", _("There is no project with id %(value)s.") % {"value": payload.project}
        )
    department = _department(resolve, "department", payload.department)
    resolve.check()
    obstacle = services.obstacle_raise(
        user=user,
        project=project,
        title=payload.title,
        category=payload.category,
        department=department,
        deadline=payload.deadline,
        description=payload.description,
        raised_on=payload.raised_on,
    )
    return HttpStatus(
        201, _obstacle_data(_obstacle(request, obstacle.pk), selectors.reference_day())
    )


class ProgressIn(WriteSchema):
    text: str
    on: date | None = Field(None, description="Default: today.")


@router.post("/obstacles/{obstacle_id}/progress", response={200: ObstacleOut, **WRITE_ERRORS})
def obstacle_progress(request: HttpRequest, obstacle_id: int, payload: ProgressIn):
    """Add a dated progress note to an open obstacle."""
    obstacle = _obstacle(request, obstacle_id)
    services.obstacle_progress(
        user=request.auth, obstacle=obstacle, text=payload.text, on=payload.on
    )
    return _obstacle_data(_obstacle(request, obstacle_id), selectors.reference_day())


class ResolveIn(WriteSchema):
    resolution: str = Field(description="How it was resolved; required (办结销号).")
    on: date | None = Field(None, description="Default: today.")
    version: int


@router.post("/obstacles/{obstacle_id}/resolve", response={200: ObstacleOut, **WRITE_ERRORS})
def obstacle_resolve(request: HttpRequest, obstacle_id: int, payload: ResolveIn):
    """Close an obstacle with its resolution; without one it is refused (422)."""
    obstacle = _obstacle(request, obstacle_id)
    services.obstacle_close(
        user=request.auth,
        obstacle=obstacle,
        resolution=payload.resolution,
        on=payload.on,
        version=payload.version,
    )
    return _obstacle_data(_obstacle(request, obstacle_id), selectors.reference_day())


class ObstacleReopenIn(WriteSchema):
    reason: str
    deadline: date | None = Field(None, description="A new deadline, if any.")
    version: int


@router.post("/obstacles/{obstacle_id}/reopen", response={200: ObstacleOut, **WRITE_ERRORS})
def obstacle_reopen(request: HttpRequest, obstacle_id: int, payload: ObstacleReopenIn):
    """Reopen a closed obstacle that came back."""
    obstacle = _obstacle(request, obstacle_id)
    services.obstacle_reopen(
        user=request.auth,
        obstacle=obstacle,
        reason=payload.reason,
        deadline=payload.deadline,
        version=payload.version,
    )
    return _obstacle_data(_obstacle(request, obstacle_id), selectors.reference_day())


# --- Task forces ------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    unit: UnitRef | None


class TaskForceOut(Schema):
    id: int
    version: int
    project: NamedRef
    name: str
    lead: PersonOut
    members: list[PersonOut]
    linked_leader: PersonOut | None
    linked_leader_name: str = Field(description="The leader's name when she has no login.")
    note: str


class TaskForcePage(Page):
    items: list[TaskForceOut]


def _person_unit(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": str(user), "unit": unit_ref(user.org_unit)}


def _task_force_data(task_force: TaskForce) -> dict:
    return {
        "id": task_force.pk,
        "version": task_force.version,
        "project": _project_ref(task_force.project),
        "name": task_force.name,
        "lead": _person_unit(task_force.lead),
        "members": [_person_unit(m) for m in task_force.members.all()],
        "linked_leader": _person_unit(task_force.linked_leader),
        "linked_leader_name": task_force.linked_leader_name,
        "note": task_force.note,
    }


def _task_forces(user):
    return (
        scoping.visible_task_forces(user)
        .filter(project__deleted_at__isnull=True)
        .select_related("project", "lead__org_unit", "linked_leader__org_unit")
        .prefetch_related("members__org_unit")
    )


class TaskForceQuery(PageQuery):
    mine: bool = Field(False, description="Only those the user leads, sits on or is leader of.")


@router.get("/task-forces", response={200: TaskForcePage, 422: ValidationErrorOut, **READ_ERRORS})
def task_force_list(request: HttpRequest, filters: Query[TaskForceQuery]):
    queryset = _task_forces(request.auth)
    if filters.mine:
        queryset = queryset.filter(pk__in=selectors.task_forces_of(request.auth).values("pk"))
    page = paginate(queryset.order_by("project__name", "pk"), filters)
    page["items"] = [_task_force_data(t) for t in page["items"]]
    return page


def _visible_project(request: HttpRequest, project_id: int) -> Project:
    project = core_scoping.visible_projects(request.auth).filter(pk=project_id).first()
    if project is None:
        raise Http404
    return project


@router.get("/projects/{project_id}/task-force", response={200: TaskForceOut, **READ_ERRORS})
def task_force_detail(request: HttpRequest, project_id: int):
    """The project's task force (404 when it has none)."""
    project = _visible_project(request, project_id)
    task_force = _task_forces(request.auth).filter(project=project).first()
    if task_force is None:
        raise Http404
    return _task_force_data(task_force)


class TaskForceIn(WriteSchema):
    name: str = Field("", description="Default: the project's name and 专班.")
    lead: IdOrCode = Field(description="User id or user name.")
    members: list[IdOrCode] = Field(default_factory=list)
    linked_leader: IdOrCode | None = None
    linked_leader_name: str = ""
    note: str = ""
    version: int | None = Field(None, description="Required when changing an existing one.")


@router.put("/projects/{project_id}/task-force", response={200: TaskForceOut, **WRITE_ERRORS})
def task_force_save(request: HttpRequest, project_id: int, payload: TaskForceIn):
    """Set up or change the project's task force; the project's task_force and linked_leader
    text fields follow it."""
    project = _visible_project(request, project_id)
    resolve = Resolver()
    lead = _user(resolve, "lead", payload.lead)
    members = [_user(resolve, "members", m) for m in payload.members]
    leader = _user(resolve, "linked_leader", payload.linked_leader)
    resolve.check()
    task_force = services.task_force_save(
        user=request.auth,
        project=project,
        name=payload.name,
        lead=lead,
        members=[m for m in members if m is not None],
        linked_leader=leader,
        linked_leader_name=payload.linked_leader_name,
        note=payload.note,
        version=payload.version,
    )
    return _task_force_data(_task_forces(request.auth).get(pk=task_force.pk))


# --- Instructions -----------------------------------------------------------------------------


class AssignmentOut(Schema):
    id: int
    version: int
    unit: UnitRef
    response: str
    responded_at: datetime | None
    responded_by: NamedRef | None


class InstructionOut(Schema):
    id: int
    version: int
    text: str
    issued_on: date
    leader: NamedRef | None
    leader_name: str
    project: NamedRef | None
    matter: str
    deadline: date
    status: InstructionStatusCode
    overdue: bool
    units: list[AssignmentOut]
    done_at: datetime | None
    done_by: NamedRef | None
    done_note: str


class InstructionPage(Page):
    items: list[InstructionOut]


def _instruction_data(instruction: Instruction, today: date) -> dict:
    return {
        "id": instruction.pk,
        "version": instruction.version,
        "text": instruction.text,
        "issued_on": instruction.issued_on,
        "leader": _person(instruction.leader),
        "leader_name": instruction.leader_name,
        "project": _project_ref(instruction.project),
        "matter": instruction.matter,
        "deadline": instruction.deadline,
        "status": instruction.status,
        "overdue": instruction.is_overdue(today),
        "units": [
            {
                "id": a.pk,
                "version": a.version,
                "unit": unit_ref(a.unit),
                "response": a.response,
                "responded_at": _local(a.responded_at),
                "responded_by": _person(a.responded_by),
            }
            for a in instruction.units.all()
        ],
        "done_at": _local(instruction.done_at),
        "done_by": _person(instruction.done_by),
        "done_note": instruction.done_note,
    }


def _instructions(user):
    return (
        scoping.visible_instructions(user)
        .select_related("project", "leader", "done_by")
        .prefetch_related("units__unit", "units__responded_by")
    )


def _instruction(request: HttpRequest, instruction_id: int) -> Instruction:
    instruction = _instructions(request.auth).filter(pk=instruction_id).first()
    if instruction is None:
        raise Http404
    return instruction


class InstructionQuery(PageQuery):
    status: Literal["open", "done", "overdue"] | None = None
    project: int | None = None


@router.get(
    "/instructions", response={200: InstructionPage, 422: ValidationErrorOut, **READ_ERRORS}
)
def instruction_list(request: HttpRequest, filters: Query[InstructionQuery]):
    """Instructions the user may see: the city all, a unit those assigned to it."""
    today = selectors.reference_day()
    queryset = selectors.instructions_for_list(
        user=request.auth,
        filters={"status": filters.status, "project": filters.project},
        today=today,
    ).prefetch_related("units__responded_by")
    page = paginate(queryset.order_by("status", "deadline", "-pk"), filters)
    page["items"] = [_instruction_data(i, today) for i in page["items"]]
    return page


@router.get("/instructions/{instruction_id}", response={200: InstructionOut, **READ_ERRORS})
def instruction_detail(request: HttpRequest, instruction_id: int):
    return _instruction_data(_instruction(request, instruction_id), selectors.reference_day())


class InstructionIn(WriteSchema):
    text: str
    issued_on: date
    deadline: date
    units: list[IdOrCode] = Field(description="Org units by id, code or name.")
    leader: IdOrCode | None = Field(None, description="The leader's user id or user name.")
    leader_name: str = Field("", description="The leader's name when she has no login.")
    project: int | None = None
    matter: str = ""


@router.post("/instructions", response={201: InstructionOut, **WRITE_ERRORS})
def instruction_create(request: HttpRequest, payload: InstructionIn):
    """Enter a leader's instruction (the leader's office: city roles)."""
    user = request.auth
    resolve = Resolver()
    units = [resolve.unit("units", u) for u in payload.units]
    leader = _user(resolve, "leader", payload.leader)
    project = None
    if payload.project is not None:
        project = core_scoping.visible_projects(user).filter(pk=payload.project).first()
        if project is None:
            resolve.fail(
                "project", _("There is no project with id %(value)s.") % {"value": payload.project}
            )
    resolve.check()
    instruction = services.instruction_create(
        user=user,
        text=payload.text,
        issued_on=payload.issued_on,
        deadline=payload.deadline,
        units=[u for u in units if u is not None],
        leader=leader,
        leader_name=payload.leader_name,
        project=project,
        matter=payload.matter,
    )
    return HttpStatus(
        201, _instruction_data(_instruction(request, instruction.pk), selectors.reference_day())
    )


class RespondIn(WriteSchema):
    response: str
    version: int | None = None


@router.post(
    "/instructions/units/{assignment_id}/respond", response={200: InstructionOut, **WRITE_ERRORS}
)
def instruction_respond(request: HttpRequest, assignment_id: int, payload: RespondIn):
    """A unit assigned reports back (its own part only)."""
    assignment = (
        InstructionUnit.objects.select_related("instruction", "unit")
        .filter(instruction__in=scoping.visible_instructions(request.auth), pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404
    services.instruction_respond(
        user=request.auth,
        assignment=assignment,
        response=payload.response,
        version=payload.version,
    )
    return _instruction_data(
        _instruction(request, assignment.instruction_id), selectors.reference_day()
    )


class DoneIn(WriteSchema):
    note: str = ""
    version: int


@router.post("/instructions/{instruction_id}/done", response={200: InstructionOut, **WRITE_ERRORS})
def instruction_done(request: HttpRequest, instruction_id: int, payload: DoneIn):
    """The leader's office marks the instruction done, once every unit has reported back."""
    instruction = _instruction(request, instruction_id)
    services.instruction_done(
        user=request.auth, instruction=instruction, note=payload.note, version=payload.version
    )
    return _instruction_data(_instruction(request, instruction_id), selectors.reference_day())


# --- Documents --------------------------------------------------------------------------------


OwnerType = Literal["project", "obstacle", "instruction", "permit_item"]
OWNER_MODELS = {
    "project": ("projects", "project"),
    "obstacle": ("supervision", "obstacle"),
    "instruction": ("supervision", "instruction"),
    "permit_item": ("followup", "permititem"),
}


class DocumentOut(Schema):
    id: int
    version: int
    title: str
    kind: KindCode
    kind_label: str
    filename: str
    size: int = Field(description="Bytes.")
    content_type: str
    uploaded_by: NamedRef | None
    uploaded_at: datetime
    download_url: str


def _document_data(document: Document) -> dict:
    from django.urls import reverse

    return {
        "id": document.pk,
        "version": document.version,
        "title": document.title,
        "kind": document.kind,
        "kind_label": str(document.get_kind_display()),
        "filename": document.filename,
        "size": document.size,
        "content_type": document.mime_type,
        "uploaded_by": _person(document.created_by),
        "uploaded_at": _local(document.created_at),
        "download_url": reverse("api-1:document_download", args=[document.pk]),
    }


def _owner(request: HttpRequest, owner_type: str, owner_id: int):
    app_label, model = OWNER_MODELS[owner_type]
    try:
        model_class = ContentType.objects.get_by_natural_key(app_label, model).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    if model_class is None:
        raise Http404
    owner = model_class._default_manager.filter(pk=owner_id).first()
    if owner is None or not scoping.sees_owner(request.auth, owner):
        raise Http404
    return owner


class DocumentQuery(Schema):
    owner_type: OwnerType
    owner_id: int


@router.get("/documents", response={200: list[DocumentOut], 422: ValidationErrorOut, **READ_ERRORS})
def document_list(request: HttpRequest, filters: Query[DocumentQuery]):
    """The documents attached to one record (404 when the record is outside the user's scope)."""
    owner = _owner(request, filters.owner_type, filters.owner_id)
    return [_document_data(d) for d in selectors.documents_for(user=request.auth, owner=owner)]


class DocumentIn(Schema):
    owner_type: OwnerType
    owner_id: int
    title: str = ""
    kind: KindCode = "other"


@router.post("/documents", response={201: DocumentOut, **WRITE_ERRORS})
def document_upload(request: HttpRequest, payload: Form[DocumentIn], file: File[UploadedFile]):
    """Attach a file (multipart/form-data). Refused with 422 when its type is not allowed, its
    content does not match its extension, or it is larger than the limit."""
    owner = _owner(request, payload.owner_type, payload.owner_id)
    document = services.document_attach(
        user=request.auth, owner=owner, upload=file, title=payload.title, kind=payload.kind
    )
    return HttpStatus(201, _document_data(document))


@router.get(
    "/documents/{document_id}/download",
    response={200: None, **READ_ERRORS},
    url_name="document_download",
)
def document_download(request: HttpRequest, document_id: int):
    """The file itself, only when its owner is in the user's scope (404 otherwise)."""
    document = selectors.visible_document(user=request.auth, pk=document_id)
    if document is None:
        raise Http404
    try:
        handle = document_storage().open(document.stored_name, "rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type=document.mime_type
    )


@router.delete("/documents/{document_id}", response={204: None, 401: Error, 403: Error, 404: Error})
def document_delete(request: HttpRequest, document_id: int):
    """Remove a document (soft delete: it can be restored)."""
    document = selectors.visible_document(user=request.auth, pk=document_id)
    if document is None:
        raise Http404
    services.document_delete(user=request.auth, document=document)
    return HttpStatus(204, None)
