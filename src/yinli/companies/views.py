"""Company pages: the registry, a company's page (with only the projects the reader may see), forms.

The registry is shared by the whole city; a company's projects are filtered by the scoping
helper, and those of other districts are only counted.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

from yinli.core import scoping
from yinli.core.history import entries_from_records, object_history
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.projects.views import may_change_some
from yinli.web.fields import apply_service_errors, bootstrap

from . import merge, services
from .forms import CompanyForm
from .models import Company
from .search import search_candidates
from .selectors import CompanyFilter, company_projects
from .tables import CompanyTable

REGION_JOINS = ["region__city__province", "region__province", "region__parent"]
SUGGESTIONS = 10


def get_company(request, pk: int) -> Company:
    queryset = scoping.visible_companies(
        request.user, Company.objects.select_related(*REGION_JOINS, "parent", "merged_into")
    )
    return get_object_or_404(queryset, pk=pk)


def company_list(request):
    user = request.user
    base = (
        scoping.visible_companies(user)
        .select_related(*REGION_JOINS)
        .annotate(project_count=Count("projects", filter=Q(projects__deleted_at__isnull=True)))
    )
    filterset = CompanyFilter(request.GET or None, queryset=base, request=request)
    filterset.form.fields["q"].widget.attrs["placeholder"] = _(
        "Name, pinyin initials or credit code"
    )
    filterset.form.fields["ownership"].widget.attrs["size"] = 3
    bootstrap(filterset.form)
    queryset = filterset.qs
    table = CompanyTable(queryset, order_by=request.GET.get("sort") or "name")
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return render(
        request,
        "companies/company_list.html",
        {
            "filter": filterset,
            "table": table,
            "total": queryset.count(),
            "may_create": may_change_some(user),
        },
    )


def company_search(request):
    """Suggestions for the company box of the project form (htmx): the candidate search ranks
    every variant of a name, so an existing company is found before a duplicate is typed in."""
    text = (request.GET.get("q") or request.GET.get("company_name") or "").strip()
    suggestions = []
    if text:
        candidates = search_candidates(text, limit=SUGGESTIONS)
        companies = scoping.visible_companies(
            request.user, Company.objects.select_related(*REGION_JOINS)
        ).in_bulk([c.company_id for c in candidates])
        suggestions = [
            {"company": companies[c.company_id], "reason": c.reason, "score": c.score}
            for c in candidates
            if c.company_id in companies
        ]
    return render(
        request, "companies/_suggestions.html", {"suggestions": suggestions, "text": text}
    )


def company_detail(request, pk: int):
    user = request.user
    company = get_company(request, pk)
    projects, hidden = company_projects(user, company)
    return render(
        request,
        "companies/company_detail.html",
        {
            "company": company,
            "projects": projects.order_by("-first_signed_on", "-id"),
            "hidden_count": hidden,
            "subsidiaries": company.subsidiaries.select_related(*REGION_JOINS),
            "can_change": scoping.can_change_company(user, company),
            "history": object_history(company),
            "may_merge": merge.may_merge(user),
            "merge_record": merge.open_merge_of(company),
        },
    )


def company_create(request):
    user = request.user
    if not may_change_some(user):
        raise PermissionDenied
    form = CompanyForm(request.POST or None, instance=Company())
    if request.method == "POST" and form.is_valid():
        try:
            company = services.company_create(data=form.service_data(), by=user)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            apply_service_errors(form, error, {"parent": "parent_name"})
        else:
            messages.success(request, _("Company “%(name)s” created.") % {"name": company.name})
            return redirect("companies:detail", pk=company.pk)
    return render(request, "companies/company_form.html", {"form": form, "creating": True})


def company_edit(request, pk: int):
    user = request.user
    company = get_company(request, pk)
    if not scoping.can_change_company(user, company):
        raise PermissionDenied
    form = CompanyForm(request.POST or None, instance=company)
    stale = None
    if request.method == "POST" and form.is_valid():
        based_on = form.cleaned_data.get("version") or company.version
        try:
            services.company_update(
                company=company, data=form.service_data(), version=based_on, by=user
            )
        except StaleWriteError:
            current = Company.all_objects.select_related(*REGION_JOINS, "parent").get(pk=pk)
            stale = {
                "entries": entries_from_records(
                    current.history.filter(version__gt=based_on).order_by("-history_id")
                )
            }
            data = request.POST.copy()
            data["version"] = str(current.version)
            form = CompanyForm(data, instance=current)
            form.is_valid()
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            company.refresh_from_db()
            apply_service_errors(form, error, {"parent": "parent_name"})
        else:
            messages.success(request, _("Changes saved."))
            return redirect("companies:detail", pk=company.pk)
    return render(
        request,
        "companies/company_form.html",
        {"form": form, "company": company, "creating": False, "stale": stale},
    )
