"""Pages of targets, target lists and company relationships.

A node's targets are read by every signed-in user (the registry is the city's); target lists go
through chains.scoping (a list outside it is 404); relationships are read by everyone and
entered by those chains.relationships allows.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinli.core.services import PermissionDeniedError

from . import relationships, scoping, target_lists, targets
from .models import Relationship
from .targeting_forms import LeadForm, RelationshipForm, RelationshipImportForm, TargetListForm
from .views import _node, _reader

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _limit(request) -> int:
    try:
        value = int(request.GET.get("limit") or DEFAULT_LIMIT)
    except ValueError:
        value = DEFAULT_LIMIT
    return max(1, min(value, MAX_LIMIT))


def _targets_page(request, node, form, status=200, chosen=()):
    limit = _limit(request)
    found = targets.rank_targets(node=node, user=request.user, limit=limit)
    return render(
        request,
        "chains/targets.html",
        {
            "node": node,
            "chain": node.chain,
            "targets": found,
            "limit": limit,
            "rule": targets.score_rule(),
            "part_labels": [str(targets.PART_LABELS[k]) for k in targets.PARTS],
            "form": form,
            "may_save": scoping.may_make_target_lists(request.user),
            "chosen": {int(pk) for pk in chosen if str(pk).isdigit()},
        },
        status=status,
    )


def node_targets(request, pk: int):
    _reader(request)
    node = _node(pk)
    return _targets_page(request, node, TargetListForm(user=request.user))


@require_POST
def target_list_create(request, pk: int):
    _reader(request)
    node = _node(pk)
    if not scoping.may_make_target_lists(request.user):
        raise PermissionDenied
    form = TargetListForm(request.POST, user=request.user)
    chosen = request.POST.getlist("company")
    if form.is_valid():
        try:
            saved = target_lists.target_list_create(
                node=node,
                team=form.cleaned_data["team"],
                company_ids=[int(pk) for pk in chosen if pk.isdigit()],
                by=request.user,
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
            )
        except PermissionDeniedError as error:
            form.add_error("team", error.messages)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Target list “%(name)s” saved.") % {"name": saved.name})
            return redirect("chains:target_list", pk=saved.pk)
    return _targets_page(request, node, form, status=400, chosen=chosen)


SCOPES = {"all", "mine", "team"}


def target_list_index(request):
    _reader(request)
    scope = request.GET.get("scope", "all")
    scope = scope if scope in SCOPES else "all"
    lists = target_lists.lists_for(request.user, scope=scope)
    from django.db.models import Count, Q

    lists = lists.annotate(
        n_items=Count("items", distinct=True),
        n_leads=Count("items", filter=Q(items__project__isnull=False), distinct=True),
    )
    page = Paginator(lists, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "chains/target_lists.html",
        {"page": page, "scope": scope, "has_unit": bool(request.user.org_unit_id)},
    )


def _visible_list(request, pk: int):
    _reader(request)
    return get_object_or_404(
        scoping.visible_target_lists(request.user).select_related("node__chain", "team"), pk=pk
    )


def target_list_detail(request, pk: int):
    target_list = _visible_list(request, pk)
    rows = target_lists.list_rows(target_list=target_list, user=request.user)
    return render(
        request,
        "chains/target_list.html",
        {
            "target_list": target_list,
            "node": target_list.node,
            "chain": target_list.node.chain,
            "rows": rows,
            "summary": target_lists.list_summary(rows),
            "part_labels": [str(targets.PART_LABELS[k]) for k in targets.PARTS],
            "may_change": scoping.can_change_target_list(request.user, target_list),
            "lead_form": LeadForm(user=request.user),
            "needs_district": not target_list.team.district_id,
        },
    )


def target_list_export(request, pk: int):
    target_list = _visible_list(request, pk)
    data = target_lists.export_workbook(target_list=target_list, user=request.user)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    from urllib.parse import quote

    name = target_lists.export_filename(target_list)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@require_POST
def target_item_lead(request, pk: int, item_pk: int):
    target_list = _visible_list(request, pk)
    item = get_object_or_404(target_list.items.select_related("company"), pk=item_pk)
    form = LeadForm(request.POST, user=request.user)
    district = form.cleaned_data.get("district") if form.is_valid() else None
    item.target_list = target_list
    try:
        project = target_lists.target_make_lead(item=item, by=request.user, district=district)
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("chains:target_list", pk=target_list.pk)
    messages.success(
        request,
        _("Lead “%(name)s” created for %(company)s.")
        % {"name": project.name, "company": item.company.name},
    )
    return redirect("chains:target_list", pk=target_list.pk)


# --- relationships ---------------------------------------------------------------------


def _back(request, default: str):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def relationship_index(request):
    _reader(request)
    rows = (
        relationships.live()
        .select_related("company", "other", "company__region", "other__region")
        .order_by("-created_at", "-pk")
    )
    query = (request.GET.get("q") or "").strip()
    if query:
        from django.db.models import Q

        rows = rows.filter(Q(company__name__contains=query) | Q(other__name__contains=query))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    may_enter = relationships.may_enter_relationships(request.user)
    return render(
        request,
        "chains/relationships.html",
        {
            "page": page,
            "query": query,
            "may_enter": may_enter,
            "rel_form": RelationshipForm(),
            "import_form": RelationshipImportForm(),
            "import_errors": [],
        },
    )


@require_POST
def relationship_create(request):
    _reader(request)
    if not relationships.may_enter_relationships(request.user):
        raise PermissionDenied
    form = RelationshipForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{' '.join(errors)}" if label else " ".join(errors))
        return _back(request, "chains:relationships")
    data = form.cleaned_data
    found = {}
    for key in ("company", "other"):
        company, why = relationships.find_company(data[key])
        if company is None:
            messages.error(
                request,
                _("%(field)s “%(value)s”: %(why)s.")
                % {"field": form.fields[key].label, "value": data[key], "why": why},
            )
            return _back(request, "chains:relationships")
        found[key] = company
    try:
        rel = relationships.relationship_create(
            company=found["company"],
            other=found["other"],
            kind=data["kind"],
            by=request.user,
            started_on=data["started_on"],
            ended_on=data["ended_on"],
            note=data["note"],
        )
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Recorded: %(what)s.") % {"what": relationships.describe(rel)})
    return _back(request, "chains:relationships")


@require_POST
def relationship_delete(request, pk: int):
    _reader(request)
    rel = get_object_or_404(Relationship.objects.select_related("company", "other"), pk=pk)
    try:
        relationships.relationship_delete(
            relationship=rel, by=request.user, expected_version=request.POST.get("version")
        )
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Removed: %(what)s.") % {"what": relationships.describe(rel)})
    return _back(request, "chains:relationships")


def relationship_import(request):
    _reader(request)
    if not relationships.may_enter_relationships(request.user):
        raise PermissionDenied
    form = RelationshipImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        from yinli.ledger.reader import bytes_to_tempfile

        upload = form.cleaned_data["file"]
        path = bytes_to_tempfile(upload, Path(upload.name).suffix.lower())
        try:
            result = relationships.relationships_import(path=path, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _(
                    "%(created)s relationships imported from %(rows)s rows; %(skipped)s were "
                    "already recorded."
                )
                % {"created": result.created, "rows": result.rows, "skipped": result.skipped},
            )
            return redirect("chains:relationships")
        finally:
            path.unlink(missing_ok=True)
    rows = relationships.live().select_related("company", "other").order_by("-created_at", "-pk")
    return render(
        request,
        "chains/relationships.html",
        {
            "page": Paginator(rows, 50).get_page(1),
            "query": "",
            "may_enter": True,
            "rel_form": RelationshipForm(),
            "import_form": form,
            "import_errors": errors,
        },
        status=400 if request.method == "POST" else 200,
    )
