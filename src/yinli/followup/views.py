"""Follow-through pages: the alert list with 实际使用外资 by month, a project's funds and permit
checklist, the alert rules. Projects are read through yinli.core.scoping (outside it: 404; seen
but not changeable: 403 on a write); writes go through yinli.followup.services."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinli.core import scoping
from yinli.core.models import OrgKind, OrgUnit
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.projects.models import Project
from yinli.stats import figures
from yinli.stats.dashboard import default_period, reference_day
from yinli.stats.definitions import get_definition
from yinli.web.fields import apply_service_errors

from . import alerts, selectors, services
from .forms import AlertFilterForm, FundsForm, PermitForm, RuleForm
from .models import AlertRule, PermitItem
from .scoping import may_edit_rules

PER_PAGE = 50


def _project(request, pk: int, *, change: bool = False) -> Project:
    """A live project the user may see (else 404) and, for `change`, change (else 403)."""
    project = get_object_or_404(
        scoping.visible_projects(request.user).select_related("district", "responsible_unit"),
        pk=pk,
    )
    if change and not scoping.can_change_project(request.user, project):
        raise PermissionDenied
    return project


def _districts(user):
    districts = OrgUnit.objects.filter(kind=OrgKind.DISTRICT, valid_to__isnull=True)
    if scoping.sees_everything(user):
        return districts
    return districts.filter(pk__in=scoping.visible_projects(user).values("district_id"))


# --- the alert list ------------------------------------------------------------------------


def index(request):
    user = request.user
    today = reference_day()
    form = AlertFilterForm(request.GET or None, districts=_districts(user))
    values = form.cleaned_data if form.is_valid() else {}
    as_of = values.get("as_of") or today
    rule, district = values.get("rule"), values.get("district")
    found = alerts.open_alerts(user=user, as_of=as_of, rule=rule, district=district)
    counts: dict[int, int] = {}
    by_district: dict[tuple[int, str], int] = {}
    for alert in found:
        counts[alert.rule.pk] = counts.get(alert.rule.pk, 0) + 1
        key = (alert.district_id, alert.district_name)
        by_district[key] = by_district.get(key, 0) + 1
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    year = values.get("year") or as_of.year
    foreign = selectors.foreign_capital_by_month(
        user=user,
        start=date(year, 1, 1),
        end=min(date(year, 12, 31), max(as_of, date(year, 1, 1))),
        district=district,
    )
    period = default_period(as_of)
    definition = get_definition()
    follow = figures.follow_through(
        figures.Context(definition=definition, period=period, user=user, district=district)
    )
    return render(
        request,
        "followup/index.html",
        {
            "form": form,
            "as_of": as_of,
            "page": page,
            "count": len(found),
            "rule_counts": [
                (r, counts.get(r.pk, 0)) for r in alerts.active_rules() if not rule or r == rule
            ],
            "by_district": sorted(by_district.items(), key=lambda item: (-item[1], item[0][1]))
            if len(by_district) > 1
            else [],
            "foreign": foreign,
            "foreign_max": max((m["amount_wan_usd"] for m in foreign.months), default=0) or 1,
            "follow": follow,
            "rates": [
                (_("Started (开工率)"), follow["started_pct"]),
                (_("Fulfilled (履约率)"), follow["fulfilled_pct"]),
                (_("Funds in place (资金到位率)"), follow["funds_in_place_pct"]),
                (_("Producing (投产率)"), follow["producing_pct"]),
            ],
            "period_label": period.label(),
            "definition": definition,
            "may_edit_rules": may_edit_rules(user),
        },
    )


# --- funds in place ------------------------------------------------------------------------


def funds(request, pk: int):
    project = _project(request, pk)
    can_change = scoping.can_change_project(request.user, project)
    form = None
    if can_change:
        form = FundsForm(request.POST or None, initial={"on": reference_day()})
        if request.method == "POST" and form.is_valid():
            try:
                services.funds_add(user=request.user, project=project, **form.service_data())
            except PermissionDeniedError as error:
                raise PermissionDenied(error.messages[0]) from error
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Funds in place recorded."))
                return redirect("followup:funds", pk=project.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "followup/funds.html",
        {
            "project": project,
            "funds": selectors.project_funds(project=project),
            "form": form,
            "can_change": can_change,
        },
    )


@require_POST
def funds_delete(request, pk: int, entry: int):
    project = _project(request, pk, change=True)
    item = get_object_or_404(project.funds.all(), pk=entry)
    services.funds_delete(user=request.user, entry=item)
    messages.success(request, _("The entry was taken back."))
    return redirect("followup:funds", pk=project.pk)


# --- permits -------------------------------------------------------------------------------


def permits(request, pk: int):
    project = _project(request, pk)
    today = reference_day()
    items = list(PermitItem.objects.filter(project=project).select_related("updated_by"))
    # The project is in the user's scope (above), so she sees its permits' documents.
    documents = selectors.permit_documents(items=items)
    for item in items:
        item.documents = documents[item.pk]
    return render(
        request,
        "followup/permits.html",
        {
            "project": project,
            "items": items,
            "today": today,
            "progress": selectors.permit_progress(project=project, today=today),
            "template": selectors.template_for(project),
            "can_change": scoping.can_change_project(request.user, project),
        },
    )


@require_POST
def permits_create(request, pk: int):
    project = _project(request, pk, change=True)
    try:
        added = services.permits_from_template(user=request.user, project=project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if added:
            messages.success(
                request, _("%(count)s permits added to the checklist.") % {"count": len(added)}
            )
        else:
            messages.info(request, _("The checklist already holds every permit of the template."))
    return redirect("followup:permits", pk=project.pk)


def permit_edit(request, pk: int, item: int):
    project = _project(request, pk, change=True)
    permit = get_object_or_404(PermitItem.objects.filter(project=project), pk=item)
    form = PermitForm(request.POST or None, instance=permit)
    if request.method == "POST" and form.is_valid():
        try:
            services.permit_update(
                user=request.user,
                item=permit,
                data=form.service_data(),
                version=form.cleaned_data["version"],
            )
        except StaleWriteError as error:
            form.add_error(None, error.messages)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Permit saved."))
            return redirect("followup:permits", pk=project.pk)
    return render(
        request, "followup/permit_form.html", {"project": project, "permit": permit, "form": form}
    )


# --- rules ---------------------------------------------------------------------------------


def rules(request):
    return render(
        request,
        "followup/rules.html",
        {
            "rules": AlertRule.objects.all(),
            "may_edit": may_edit_rules(request.user),
        },
    )


def rule_edit(request, pk: int | None = None):
    if not may_edit_rules(request.user):
        raise PermissionDenied
    rule = get_object_or_404(AlertRule, pk=pk) if pk else AlertRule()
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_save(user=request.user, rule=form.instance)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("followup:rules")
    return render(request, "followup/rule_form.html", {"form": form, "rule": rule if pk else None})
