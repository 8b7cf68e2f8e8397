"""Writes of the supervision app. Views, the API and the commands call these; each checks who
may act (supervision.scoping) and raises ValidationError with a Chinese message naming the field.

Notifications (yinli.core.notifications): the department's unit (when it has one) hears of an
obstacle assigned to it; an overdue obstacle is flagged once to the project's linked leader and
the city analysts; the units assigned to an instruction hear of it.
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePath

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.core import scoping as core_scoping
from yinli.core.models import OrgUnit, Role, User
from yinli.core.notifications import notify
from yinli.core.services import PermissionDeniedError, save_tracked, soft_delete

from . import scoping
from .documents import check_upload, document_storage, stored_name_for
from .models import (
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
from .selectors import reference_day

# --- Documents --------------------------------------------------------------------------------


def document_attach(
    *,
    user,
    owner: Model,
    upload,
    title: str = "",
    kind: str = DocumentKind.OTHER,
) -> Document:
    """Store an uploaded file and attach it to ``owner``.

    The file is written first, the record second; if the record cannot be written the file is
    removed again, so nothing is left half-written.
    """
    if not scoping.sees_owner(user, owner) or not scoping.changes_owner(user, owner):
        raise PermissionDeniedError(_("You may not attach documents to this record."))
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")}, code="required")
    if kind not in DocumentKind.values:
        raise ValidationError(
            {"kind": _("“%(value)s” is not a kind of document.") % {"value": kind}}
        )
    file_type = check_upload(upload)
    filename = PurePath(upload.name).name[:255]
    extension = filename.rsplit(".", 1)[-1].lower()
    title = (title or "").strip() or PurePath(filename).stem
    storage = document_storage()
    upload.seek(0)
    stored = storage.save(stored_name_for(extension), upload)
    try:
        with transaction.atomic():
            document = Document(
                owner_type=ContentType.objects.get_for_model(owner),
                owner_id=owner.pk,
                title=title[:200],
                kind=kind,
                filename=filename,
                stored_name=stored,
                size=upload.size,
                mime_type=file_type.mime,
            )
            save_tracked(instance=document, by=user)
    except BaseException:
        storage.delete(stored)
        raise
    return document


def document_delete(*, user, document: Document, version: int | None = None) -> Document:
    """Soft delete: the file stays in the storage, so the document can be restored."""
    owner = document.owner
    if not scoping.changes_owner(user, owner):
        raise PermissionDeniedError(_("You may not remove documents of this record."))
    return soft_delete(instance=document, by=user, expected_version=version)


# --- Obstacles --------------------------------------------------------------------------------


def _check_project_open(project) -> None:
    if project.is_deleted:
        raise ValidationError(_("The project is deleted; restore it first."), code="deleted")
    if project.merged_into_id:
        raise ValidationError(
            _("This project was merged into another; work on that one instead."), code="merged"
        )


def _check_day(field: str, day: date | None, today: date, *, label: str) -> None:
    if day is not None and day > today:
        raise ValidationError(
            {field: _("%(what)s cannot be in the future (%(day)s).") % {"what": label, "day": day}}
        )


def _obstacle_link(obstacle: Obstacle) -> str:
    return reverse("supervision:obstacle", args=[obstacle.pk])


def _validate_obstacle_fields(
    *, title: str, category: str, department: Department | None, deadline, raised_on
) -> None:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Say what the problem is.")
    if category not in ObstacleCategory.values:
        errors["category"] = _("“%(value)s” is not an obstacle category.") % {"value": category}
    if department is None:
        errors["department"] = _("Name the department responsible.")
    elif not department.active:
        errors["department"] = _("%(name)s is no longer in use.") % {"name": department}
    if deadline is None:
        errors["deadline"] = _("Set a deadline.")
    elif raised_on and deadline < raised_on:
        errors["deadline"] = _("The deadline (%(deadline)s) is before the day raised (%(on)s).") % {
            "deadline": deadline,
            "on": raised_on,
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def obstacle_raise(
    *,
    user,
    project,
    title: str,
    category: str,
    department: Department | None,
    deadline: date | None,
    description: str = "",
    raised_on: date | None = None,
) -> Obstacle:
    """Raise an obstacle on a project (提出问题)."""
    if not scoping.may_change_obstacles_of(user, project):
        raise PermissionDeniedError(_("You may not raise obstacles on this project."))
    _check_project_open(project)
    today = reference_day()
    raised_on = raised_on or today
    _check_day("raised_on", raised_on, max(today, timezone.localdate()), label=_("The day raised"))
    title = (title or "").strip()
    _validate_obstacle_fields(
        title=title,
        category=category,
        department=department,
        deadline=deadline,
        raised_on=raised_on,
    )
    obstacle = Obstacle(
        project=project,
        title=title[:200],
        description=(description or "").strip(),
        category=category,
        department=department,
        raised_on=raised_on,
        deadline=deadline,
    )
    save_tracked(instance=obstacle, by=user)
    if department.org_unit_id:
        notify(
            text=_(
                "An obstacle of “%(project)s” is assigned to %(department)s: %(title)s (by %(deadline)s)."
            )
            % {
                "project": project.name,
                "department": department.name,
                "title": obstacle.title,
                "deadline": deadline,
            },
            link=_obstacle_link(obstacle),
            units=[department.org_unit],
        )
    return obstacle


@transaction.atomic
def obstacle_update(
    *,
    user,
    obstacle: Obstacle,
    title: str,
    category: str,
    department: Department | None,
    deadline: date | None,
    description: str = "",
    version: int | None = None,
) -> Obstacle:
    """Change what an open obstacle says: its wording, category, department or deadline."""
    if not scoping.may_change_obstacles_of(user, obstacle.project):
        raise PermissionDeniedError(_("You may not change the obstacles of this project."))
    if not obstacle.is_open:
        raise ValidationError(_("The obstacle is closed; reopen it to change it."), code="closed")
    title = (title or "").strip()
    _validate_obstacle_fields(
        title=title,
        category=category,
        department=department,
        deadline=deadline,
        raised_on=obstacle.raised_on,
    )
    obstacle.title = title[:200]
    obstacle.category = category
    obstacle.department = department
    obstacle.deadline = deadline
    obstacle.description = (description or "").strip()
    return save_tracked(instance=obstacle, by=user, expected_version=version)


@transaction.atomic
def obstacle_progress(
    *, user, obstacle: Obstacle, text: str, on: date | None = None
) -> ObstacleNote:
    """Add a dated progress note (进展) to an open obstacle."""
    if not scoping.may_change_obstacles_of(user, obstacle.project):
        raise PermissionDeniedError(_("You may not change the obstacles of this project."))
    if not obstacle.is_open:
        raise ValidationError(
            _("The obstacle is closed; reopen it before adding progress."), code="closed"
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what has happened.")})
    today = reference_day()
    on = on or today
    _check_day("on", on, max(today, timezone.localdate()), label=_("The date of the progress"))
    if on < obstacle.raised_on:
        raise ValidationError(
            {
                "on": _(
                    "The progress (%(on)s) is dated before the obstacle was raised (%(raised)s)."
                )
                % {"on": on, "raised": obstacle.raised_on}
            }
        )
    note = ObstacleNote.objects.create(obstacle=obstacle, on=on, text=text, by=user)
    # The obstacle itself changed (it has news): its version moves, so a stale form notices.
    save_tracked(instance=obstacle, by=user)
    return note


@transaction.atomic
def obstacle_close(
    *,
    user,
    obstacle: Obstacle,
    resolution: str,
    on: date | None = None,
    version: int | None = None,
) -> Obstacle:
    """Close an obstacle (办结销号): only with a note of how it was resolved."""
    if not scoping.may_change_obstacles_of(user, obstacle.project):
        raise PermissionDeniedError(_("You may not change the obstacles of this project."))
    if not obstacle.is_open:
        raise ValidationError(_("The obstacle is already closed."), code="closed")
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError(
            {"resolution": _("An obstacle is closed only with a note of how it was resolved.")},
            code="resolution",
        )
    today = reference_day()
    on = on or today
    _check_day("on", on, max(today, timezone.localdate()), label=_("The day closed"))
    if on < obstacle.raised_on:
        raise ValidationError(
            {
                "on": _("It cannot be closed (%(on)s) before it was raised (%(raised)s).")
                % {"on": on, "raised": obstacle.raised_on}
            }
        )
    obstacle.status = ObstacleStatus.CLOSED
    obstacle.resolution = resolution
    obstacle.closed_on = on
    obstacle.closed_by = user
    return save_tracked(instance=obstacle, by=user, expected_version=version)


@transaction.atomic
def obstacle_reopen(
    *,
    user,
    obstacle: Obstacle,
    reason: str,
    deadline: date | None = None,
    version: int | None = None,
) -> Obstacle:
    """Reopen a closed obstacle that came back; the reason is kept as a progress note and the
    earlier resolution stays in the history."""
    if not scoping.may_change_obstacles_of(user, obstacle.project):
        raise PermissionDeniedError(_("You may not change the obstacles of this project."))
    if obstacle.is_open:
        raise ValidationError(_("The obstacle is open already."), code="open")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the obstacle is reopened.")})
    today = reference_day()
    if deadline is not None and deadline < today:
        raise ValidationError(
            {"deadline": _("The new deadline (%(day)s) has passed already.") % {"day": deadline}}
        )
    obstacle.status = ObstacleStatus.OPEN
    obstacle.closed_on = None
    obstacle.closed_by = None
    if deadline is not None:
        obstacle.deadline = deadline
    obstacle.resolution = ""
    saved = save_tracked(instance=obstacle, by=user, expected_version=version)
    ObstacleNote.objects.create(
        obstacle=obstacle, on=today, text=_("Reopened: %(reason)s") % {"reason": reason}, by=user
    )
    return saved


def _linked_leader_of(project) -> User | None:
    task_force = TaskForce.objects.filter(project=project).select_related("linked_leader").first()
    leader = task_force.linked_leader if task_force else None
    return leader if leader is not None and leader.is_active else None


def escalate_overdue(*, today: date | None = None) -> list[Obstacle]:
    """Flag every open obstacle past its deadline to the project's linked leader and the city
    analysts — once per obstacle (``escalated_at`` is claimed with a conditional update, so two
    requests running this at the same time cannot both send)."""
    today = today or reference_day()
    candidates = (
        Obstacle.objects.filter(
            status=ObstacleStatus.OPEN,
            deadline__lt=today,
            escalated_at__isnull=True,
            project__deleted_at__isnull=True,
        )
        .select_related("project", "department__org_unit")
        .order_by("deadline", "pk")
    )
    escalated = []
    analysts: list[User] | None = None
    for obstacle in candidates:
        now = timezone.now()
        claimed = Obstacle.all_objects.filter(pk=obstacle.pk, escalated_at__isnull=True).update(
            escalated_at=now
        )
        if not claimed:
            continue
        obstacle.escalated_at = now
        if analysts is None:
            analysts = list(User.objects.filter(role=Role.CITY_ANALYST, is_active=True))
        notify(
            text=_(
                "Overdue obstacle of “%(project)s”: %(title)s — %(department)s was to resolve it "
                "by %(deadline)s."
            )
            % {
                "project": obstacle.project.name,
                "title": obstacle.title,
                "department": obstacle.department.name,
                "deadline": obstacle.deadline,
            },
            link=_obstacle_link(obstacle),
            users=[_linked_leader_of(obstacle.project), *analysts],
            units=[obstacle.department.org_unit],
        )
        escalated.append(obstacle)
    return escalated


# --- Task forces ------------------------------------------------------------------------------


def _active_user(field: str, person, errors: dict) -> None:
    if person is not None and not person.is_active:
        errors[field] = _("%(name)s can no longer sign in.") % {"name": person}


@transaction.atomic
def task_force_save(
    *,
    user,
    project,
    lead: User | None,
    members: list[User] | None = None,
    name: str = "",
    linked_leader: User | None = None,
    linked_leader_name: str = "",
    note: str = "",
    version: int | None = None,
) -> TaskForce:
    """Set up or change a project's task force (专班).

    The project's own text fields follow it, so the ledger and its exports say the same:
    ``task_force`` takes the task force's name, ``linked_leader`` the leader's name.
    """
    if not scoping.may_change_task_force_of(user, project):
        raise PermissionDeniedError(_("You may not change this project's task force."))
    _check_project_open(project)
    errors: dict[str, str] = {}
    if lead is None:
        errors["lead"] = _("Name the lead of the task force.")
    _active_user("lead", lead, errors)
    _active_user("linked_leader", linked_leader, errors)
    for person in members or []:
        _active_user("members", person, errors)
    if errors:
        raise ValidationError(errors)
    name = (name or "").strip() or _("%(project)s task force") % {"project": project.name}
    task_force = TaskForce.all_objects.filter(project=project).first() or TaskForce(project=project)
    if task_force.pk and version is None:
        version = task_force.version
    task_force.name = name[:200]
    task_force.lead = lead
    task_force.linked_leader = linked_leader
    task_force.linked_leader_name = (linked_leader_name or "").strip()[:64]
    task_force.note = (note or "").strip()
    task_force.deleted_at = None
    save_tracked(instance=task_force, by=user, expected_version=version if task_force.pk else None)
    task_force.members.set([m for m in (members or []) if m.pk != lead.pk])
    _sync_project_fields(task_force, by=user)
    return task_force


def _sync_project_fields(task_force: TaskForce, *, by) -> None:
    project = type(task_force.project).all_objects.select_for_update().get(pk=task_force.project_id)
    leader = task_force.leader_display[:64]
    if project.task_force != task_force.name[:200] or project.linked_leader != leader:
        project.task_force = task_force.name[:200]
        project.linked_leader = leader
        project._change_reason = "task force"
        save_tracked(instance=project, by=by)


# --- Instructions -----------------------------------------------------------------------------


def _instruction_link(instruction: Instruction) -> str:
    return reverse("supervision:instruction", args=[instruction.pk])


@transaction.atomic
def instruction_create(
    *,
    user,
    text: str,
    issued_on: date | None,
    deadline: date | None,
    units: list[OrgUnit],
    leader: User | None = None,
    leader_name: str = "",
    project=None,
    matter: str = "",
) -> Instruction:
    """Enter a leader's instruction (批示) and assign it to units, each to report back."""
    if not scoping.may_issue_instructions(user):
        raise PermissionDeniedError(_("Only the leader's office enters instructions."))
    today = reference_day()
    errors: dict[str, str] = {}
    text = (text or "").strip()
    matter = (matter or "").strip()
    leader_name = (leader_name or "").strip()
    if not text:
        errors["text"] = _("Write the instruction as the leader gave it.")
    if issued_on is None:
        errors["issued_on"] = _("Give the date of the instruction.")
    elif issued_on > max(today, timezone.localdate()):
        errors["issued_on"] = _("The date cannot be in the future (%(day)s).") % {"day": issued_on}
    if deadline is None:
        errors["deadline"] = _("Set a deadline.")
    elif issued_on and deadline < issued_on:
        errors["deadline"] = _(
            "The deadline (%(deadline)s) is before the instruction (%(on)s)."
        ) % {
            "deadline": deadline,
            "on": issued_on,
        }
    if project is None and not matter:
        errors["matter"] = _("Name the project or the matter the instruction is about.")
    if project is not None:
        if not core_scoping.can_see_project(user, project):
            errors["project"] = _("There is no such project.")
        elif project.is_deleted:
            errors["project"] = _("The project is deleted; restore it first.")
    if leader is None and not leader_name:
        errors["leader"] = _("Name the leader who gave the instruction.")
    chosen: list[OrgUnit] = []
    for unit in units or []:
        if unit.valid_to is not None:
            errors["units"] = _("%(unit)s no longer exists.") % {"unit": unit}
        elif unit not in chosen:
            chosen.append(unit)
    if not chosen and "units" not in errors:
        errors["units"] = _("Assign the instruction to at least one unit.")
    if errors:
        raise ValidationError(errors)
    instruction = Instruction(
        text=text,
        issued_on=issued_on,
        deadline=deadline,
        leader=leader,
        leader_name=leader_name[:64] if leader is None else "",
        project=project,
        matter=matter[:200],
    )
    save_tracked(instance=instruction, by=user)
    for unit in chosen:
        save_tracked(instance=InstructionUnit(instruction=instruction, unit=unit), by=user)
    notify(
        text=_("Instruction of %(leader)s on “%(subject)s”: report back by %(deadline)s.")
        % {
            "leader": instruction.leader_display,
            "subject": instruction.subject,
            "deadline": deadline,
        },
        link=_instruction_link(instruction),
        units=chosen,
    )
    return instruction


@transaction.atomic
def instruction_respond(
    *, user, assignment: InstructionUnit, response: str, version: int | None = None
) -> InstructionUnit:
    """A unit reports back (反馈) on an instruction; a later report replaces the earlier one,
    which stays in the history."""
    if not scoping.may_respond_for(user, assignment):
        raise PermissionDeniedError(_("Only the unit assigned reports back for itself."))
    if not assignment.instruction.is_open:
        raise ValidationError(_("The instruction is done already."), code="done")
    response = (response or "").strip()
    if not response:
        raise ValidationError({"response": _("Write what the unit has done.")})
    assignment.response = response
    assignment.responded_at = timezone.now()
    assignment.responded_by = user
    return save_tracked(instance=assignment, by=user, expected_version=version)


@transaction.atomic
def instruction_done(
    *, user, instruction: Instruction, note: str = "", version: int | None = None
) -> Instruction:
    """The leader's office marks the instruction done (办结), once every unit has reported."""
    if not scoping.may_close_instruction(user, instruction):
        raise PermissionDeniedError(_("Only the leader's office marks an instruction done."))
    if not instruction.is_open:
        raise ValidationError(_("The instruction is done already."), code="done")
    waiting = [a.unit.name for a in instruction.units.select_related("unit") if not a.responded_at]
    if waiting:
        raise ValidationError(
            _("These units have not reported back yet: %(units)s.") % {"units": "、".join(waiting)},
            code="pending",
        )
    instruction.status = InstructionStatus.DONE
    instruction.done_at = timezone.now()
    instruction.done_by = user
    instruction.done_note = (note or "").strip()
    return save_tracked(instance=instruction, by=user, expected_version=version)
