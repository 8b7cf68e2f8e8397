"""The statistics definitions (统计口径): the versions, one version's rules, and a new version.

Every signed-in user reads the definitions (a district must know how its figures are counted);
only the city's analysts and administrators make a new version or change which one is current.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinli.core.models import CITY_ROLES
from yinli.web.fields import apply_service_errors

from .definitions import definition_make_current, definition_new_version, get_definition
from .describe import describe_definition
from .forms import DefinitionForm
from .models import Definition


def may_define(user) -> bool:
    """City analysts and administrators make definitions; districts only read them."""
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.role in CITY_ROLES)
    )


def definition_list(request):
    definitions = Definition.objects.select_related("created_by", "based_on").order_by("-version")
    return render(
        request,
        "stats/definition_list.html",
        {"definitions": definitions, "may_define": may_define(request.user)},
    )


def definition_detail(request, version: int):
    definition = get_object_or_404(
        Definition.objects.select_related("created_by", "based_on"), version=version
    )
    return render(
        request,
        "stats/definition_detail.html",
        {
            "definition": definition,
            "rules": describe_definition(definition),
            "may_define": may_define(request.user),
        },
    )


def definition_new(request):
    if not may_define(request.user):
        raise PermissionDenied
    source = request.POST.get("based_on") or request.GET.get("from")
    try:
        based_on = get_definition(source or None)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("stats:definitions")
    if request.method == "POST":
        form = DefinitionForm(request.POST, based_on=based_on)
        if form.is_valid():
            try:
                definition = definition_new_version(
                    based_on=based_on,
                    changes=form.changes(),
                    by=request.user,
                    note=form.cleaned_data.get("note", ""),
                    make_current=form.cleaned_data["make_current"],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Definition version %(version)s saved.") % {"version": definition.version},
                )
                return redirect("stats:definition", version=definition.version)
    else:
        form = DefinitionForm(based_on=based_on, initial={"note": ""})
    return render(
        request,
        "stats/definition_form.html",
        {
            "form": form,
            "based_on": based_on,
            "definitions": Definition.objects.order_by("-version"),
        },
    )


@require_POST
def definition_current(request, version: int):
    if not may_define(request.user):
        raise PermissionDenied
    definition = get_object_or_404(Definition, version=version)
    definition_make_current(definition=definition)
    messages.success(
        request,
        _("Version %(version)s is now the current definition.") % {"version": definition.version},
    )
    return redirect("stats:definition", version=definition.version)
