"""Chain pages: the list of chains, the chain map, a node's companies and projects, the editor.

Every signed-in user reads chains (districts included); only city roles edit chains and review
placements (services.may_edit_chains). Projects shown are those the reader may see.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinli.core import scoping
from yinli.core.services import PermissionDeniedError, StaleWriteError
from yinli.web.fields import apply_service_errors

from . import relationships, selectors, services
from .forms import AddCompanyForm, ChainForm, NodeForm
from .models import Chain, ChainNode, Decision
from .targeting_forms import RelationshipForm


def _reader(request) -> None:
    user = request.user
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied


def _editor(request) -> None:
    if not services.may_edit_chains(request.user):
        raise PermissionDenied


def _chain(pk: int) -> Chain:
    return get_object_or_404(Chain.objects, pk=pk)


def _node(pk: int) -> ChainNode:
    node = get_object_or_404(ChainNode.objects.select_related("chain", "parent"), pk=pk)
    if node.chain.deleted_at is not None:
        raise Http404
    return node


def chain_index(request):
    _reader(request)
    return render(
        request,
        "chains/index.html",
        {
            "chains": selectors.chain_summaries(user=request.user),
            "may_edit": services.may_edit_chains(request.user),
            "rule": selectors.STRENGTH_RULE,
        },
    )


def chain_detail(request, pk: int):
    _reader(request)
    chain = _chain(pk)
    data = selectors.chain_map(chain=chain, user=request.user)
    return render(
        request,
        "chains/detail.html",
        {**data, "may_edit": services.may_edit_chains(request.user)},
    )


def node_detail(request, pk: int):
    _reader(request)
    node = _node(pk)
    # One row per company (a merged company's rows may sit beside the kept one's): the reviewed
    # row first.
    rows = sorted(selectors.node_companies(node=node), key=lambda r: r.decision == "")
    seen: set[int] = set()
    local = [r for r in rows if not (r.company_id in seen or seen.add(r.company_id))]
    local.sort(key=lambda r: (-r.score, r.company.name))
    return render(
        request,
        "chains/node.html",
        {
            "node": node,
            "chain": node.chain,
            "local": local,
            "placed_local": [r for r in local if r.decision != Decision.REJECTED],
            "elsewhere": selectors.node_companies(node=node, local=False)
            .exclude(decision=Decision.REJECTED)
            .count(),
            "projects": selectors.node_project_list(node=node, user=request.user),
            "totals": selectors.node_totals(node=node),
            "may_edit": services.may_edit_chains(request.user),
            "add_form": AddCompanyForm(),
            # 以商引商: partners elsewhere of the node's local companies (chains.relationships).
            "partners": relationships.node_partners_elsewhere(node=node),
            "may_enter": relationships.may_enter_relationships(request.user),
            "rel_form": RelationshipForm(),
            "next": request.get_full_path(),
        },
    )


def _save(request, form, save, instance, template, context):
    """Validate, call the service with the version the form was based on, show its errors."""
    if request.method == "POST" and form.is_valid():
        based_on = form.cleaned_data.get("version") or (instance.version if instance.pk else None)
        try:
            saved = save(instance=form.instance, by=request.user, expected_version=based_on)
        except StaleWriteError as error:
            form.add_error(None, error.messages)
            form.data = form.data.copy()
            form.data["version"] = str(error.current_version)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return saved
    return render(request, template, {**context, "form": form})


def chain_create(request):
    _editor(request)
    chain = Chain()
    form = ChainForm(request.POST or None, instance=chain)
    result = _save(
        request,
        form,
        lambda instance, by, expected_version: services.save_chain(chain=instance, by=by),
        chain,
        "chains/chain_form.html",
        {"creating": True},
    )
    return redirect("chains:detail", pk=result.pk) if isinstance(result, Chain) else result


def chain_edit(request, pk: int):
    _editor(request)
    chain = _chain(pk)
    form = ChainForm(request.POST or None, instance=chain)
    result = _save(
        request,
        form,
        lambda instance, by, expected_version: services.save_chain(
            chain=instance, by=by, expected_version=expected_version
        ),
        chain,
        "chains/chain_form.html",
        {"chain": chain, "creating": False},
    )
    return redirect("chains:detail", pk=chain.pk) if isinstance(result, Chain) else result


def node_create(request, pk: int):
    _editor(request)
    chain = _chain(pk)
    node = ChainNode(chain=chain)
    form = NodeForm(request.POST or None, instance=node, chain=chain)
    result = _save(
        request,
        form,
        lambda instance, by, expected_version: services.save_node(node=instance, by=by),
        node,
        "chains/node_form.html",
        {"chain": chain, "creating": True},
    )
    return redirect("chains:node", pk=result.pk) if isinstance(result, ChainNode) else result


def node_edit(request, pk: int):
    _editor(request)
    node = _node(pk)
    form = NodeForm(request.POST or None, instance=node, chain=node.chain)
    result = _save(
        request,
        form,
        lambda instance, by, expected_version: services.save_node(
            node=instance, by=by, expected_version=expected_version
        ),
        node,
        "chains/node_form.html",
        {"chain": node.chain, "node": node, "creating": False},
    )
    return redirect("chains:node", pk=node.pk) if isinstance(result, ChainNode) else result


@require_POST
def node_delete(request, pk: int):
    _editor(request)
    node = _node(pk)
    try:
        services.delete_node(
            node=node, by=request.user, expected_version=request.POST.get("version")
        )
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("chains:node_edit", pk=node.pk)
    messages.success(request, _("Node “%(name)s” deleted.") % {"name": node.name})
    return redirect("chains:detail", pk=node.chain_id)


@require_POST
def node_propose(request, pk: int):
    """Keyword proposals from the scopes of the node's confirmed companies (htmx fragment)."""
    _editor(request)
    node = _node(pk)
    return render(
        request,
        "chains/_proposals.html",
        {
            "node": node,
            "proposals": services.propose_keywords(node=node),
            "confirmed": node.companies.filter(decision=Decision.CONFIRMED).count(),
        },
    )


@require_POST
def node_add_keywords(request, pk: int):
    _editor(request)
    node = _node(pk)
    words = [w for w in request.POST.getlist("word") if w.strip()]
    if not words:
        messages.warning(request, _("No word was chosen."))
        return redirect("chains:node", pk=node.pk)
    try:
        services.add_keywords(
            node=node, words=words, by=request.user, expected_version=request.POST.get("version")
        )
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Keywords added: %(words)s.") % {"words": "、".join(words)})
    return redirect("chains:node", pk=node.pk)


@require_POST
def node_add_company(request, pk: int):
    _editor(request)
    node = _node(pk)
    form = AddCompanyForm(request.POST)
    if form.is_valid():
        text = form.cleaned_data["company"].strip()
        companies = scoping.visible_companies(request.user).filter(merged_into__isnull=True)
        company = (
            companies.filter(pk=int(text)).first() if text.isdigit() else None
        ) or companies.filter(name=text).first()
        if company is None:
            messages.error(
                request, _("No company in the registry is named “%(text)s”.") % {"text": text}
            )
        else:
            services.confirm_placement(company=company, node=node, by=request.user)
            messages.success(
                request,
                _("%(company)s is now on “%(node)s”.") % {"company": company, "node": node.name},
            )
    return redirect("chains:node", pk=node.pk)


@require_POST
def placement_decide(request, pk: int, company_pk: int, action: str):
    _editor(request)
    node = _node(pk)
    company = get_object_or_404(scoping.visible_companies(request.user), pk=company_pk)
    note = request.POST.get("note", "")
    try:
        if action == "confirm":
            services.confirm_placement(company=company, node=node, by=request.user, note=note)
        elif action == "override":
            services.override_placement(company=company, node=node, by=request.user, note=note)
        elif action == "clear":
            services.clear_decision(company=company, node=node, by=request.user)
        else:
            raise Http404
    except PermissionDeniedError:
        raise PermissionDenied from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("chains:node", pk=node.pk)
