"""The import pages: upload → column mapping → preview → commit (with progress) → history, undo;
and the statistics bureau's 入库 list.

The views are thin: the engine (``importer``, ``fai``) reads, checks and writes; ``jobs`` keeps
the uploaded file in a private folder and runs a large preview or commit in the background;
``batches`` reads the history as the user may see it. An upload belongs to the user who made it
(another user's token is a 404); an import she may not see is a 404, one she sees but may not
undo a 403.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from yinli.core import scoping
from yinli.core.models import OrgKind, OrgUnit
from yinli.core.services import PermissionDeniedError
from yinli.projects.models import Project

from . import batches, jobs
from .convert import shown
from .fai import import_fai
from .forms import CommitForm, DecisionForm, FaiUploadForm, MappingForm, UploadForm
from .importer import (
    check_row_decision,
    commit_import,
    open_for_import,
    preview_import,
    save_mapping,
    undo_import,
)
from .mapping import FIELD_LABELS
from .models import BatchStatus, ImportBatch
from .reader import LedgerFileError, open_ledger

PER_PAGE = 100
LIST_PER_PAGE = 50
SAMPLES = 3
SAMPLE_SCAN_ROWS = 50
ACTIONS = ("create", "update", "unchanged", "error", "held")
DUPLICATE_ROWS_PER_PAGE = 50


# -- helpers -----------------------------------------------------------------------------------


def may_import(user) -> bool:
    return scoping.districts_for_entry(user).exists()


def _require_importer(user) -> None:
    if not may_import(user):
        raise PermissionDenied(_("You may not import projects."))


def _get_upload(request, token: str, kind: str = "projects") -> jobs.Upload:
    upload = jobs.get_upload(token, user=request.user, kind=kind)
    if upload is None:
        raise Http404
    return upload


def _district(request, upload: jobs.Upload) -> OrgUnit | None:
    """The upload's district, if the user may still import into it."""
    if upload.district_id is None:
        if not scoping.changes_everything(request.user):
            raise PermissionDenied(_("You may not import projects."))
        return None
    district = scoping.districts_for_entry(request.user).filter(pk=upload.district_id).first()
    if district is None:
        raise PermissionDenied(_("You may not import projects."))
    return district


def _samples(ledger) -> dict[int, list[str]]:
    """A few values of each column, from the first data rows."""
    samples: dict[int, list[str]] = defaultdict(list)
    for seen, (_number, cells) in enumerate(ledger.data_rows()):
        if seen >= SAMPLE_SCAN_ROWS:
            break
        for column in ledger.columns:
            if len(samples[column.index]) >= SAMPLES or column.index >= len(cells):
                continue
            text = shown(cells[column.index])
            if text:
                samples[column.index].append(text if len(text) <= 40 else text[:39] + "…")
    return samples


def _estimate(ledger) -> int:
    """Rows after the header (an upper bound of the data rows)."""
    total = ledger.total_rows or 0
    return max(total - (ledger.header_rows[-1] if ledger.header_rows else 0), 0)


def _field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    try:
        return str(Project._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _page(request, items: list, param: str, per_page: int = PER_PAGE):
    return Paginator(items, per_page).get_page(request.GET.get(param))


def _progress_context(upload: jobs.Upload, status: dict) -> dict:
    """The bar: a job of several passes (check every row, then write) fills it pass by pass."""
    done, total = status.get("done") or 0, status.get("total") or 0
    step, steps = status.get("step") or 0, max(status.get("steps") or 1, 1)
    within = min(1.0, done / total) if total else 0.0
    return {
        "upload": upload,
        "status": status,
        "active": status.get("state") in jobs.ACTIVE_STATES,
        "writing": status.get("phase") == "writing",
        "percent": min(100, round(100 * (step + within) / steps)),
        "status_url": reverse("ledger:status", args=[upload.token]),
    }


# -- overview ----------------------------------------------------------------------------------


def index(request):
    user = request.user
    try:
        get_template("ledger/export/_index_card.html")
        export_card = "ledger/export/_index_card.html"  # the export's own card, if it has one
    except TemplateDoesNotExist:
        export_card = None
    try:
        export_url = None if export_card else reverse("ledger:export-log")
    except NoReverseMatch:
        export_url = None
    return render(
        request,
        "ledger/index.html",
        {
            "batches": batches.visible_batches(user)[:10],
            "pending": jobs.uploads_of(user)[:5],
            "may_import": may_import(user),
            "may_fai": scoping.changes_everything(user),
            "export_card": export_card,
            "export_url": export_url,
        },
    )


# -- 1. upload ---------------------------------------------------------------------------------


def upload(request):
    user = request.user
    _require_importer(user)
    form = UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        district = form.cleaned_data.get("district")
        chosen = form.cleaned_data.get("mapping")
        kept = jobs.create_upload(
            user=user, file=form.cleaned_data["file"], kind="projects", district=district
        )
        try:
            ledger, saved = open_for_import(kept.path, mapping=chosen, district=district)
            mapping = chosen or saved
        except LedgerFileError as exc:
            kept.remove()
            form.add_error("file", exc.messages)
        else:
            kept.meta.update(
                overrides={c.header: c.field for c in ledger.columns},
                header_rows=ledger.header_rows,
                estimate=_estimate(ledger),
                format=ledger.format,
                mapping_name=mapping.name if mapping is not None else "",
            )
            kept.save_meta()
            if mapping is not None and chosen is None:
                messages.info(
                    request,
                    _("The saved mapping “%(name)s” fits this file and was applied.")
                    % {"name": mapping.name},
                )
            return redirect("ledger:mapping", kept.token)
    return render(request, "ledger/upload.html", {"form": form})


# -- 2. mapping --------------------------------------------------------------------------------


def mapping(request, token: str):
    user = request.user
    kept = _get_upload(request, token)
    district = _district(request, kept)
    if kept.active:
        return redirect("ledger:commit", kept.token)
    try:
        ledger = open_ledger(kept.path, overrides=kept.overrides or None)
    except LedgerFileError as exc:
        return render(request, "ledger/upload_error.html", {"upload": kept, "errors": exc.messages})
    samples = _samples(ledger)
    form = MappingForm(request.POST or None, columns=ledger.columns, can_save=district is not None)
    if request.method == "POST" and form.is_valid():
        overrides = form.overrides()
        try:
            checked = open_ledger(kept.path, overrides=overrides)
        except LedgerFileError as exc:
            form.add_error(None, exc.messages)
        else:
            name = (form.cleaned_data.get("save_as") or "").strip()
            saved_ok = True
            if name:
                try:
                    save_mapping(district=district, name=name, columns=overrides, by=user)
                except ValidationError as exc:
                    form.add_error("save_as", exc.messages)
                    saved_ok = False
                else:
                    messages.success(
                        request,
                        _("The mapping “%(name)s” was saved for %(district)s.")
                        % {"name": name, "district": district.display_name},
                    )
            if saved_ok:
                kept.meta.update(
                    overrides=overrides,
                    header_rows=checked.header_rows,
                    estimate=_estimate(checked),
                    mapping_name=name or kept.meta.get("mapping_name", ""),
                )
                kept.save_meta()
                kept.forget_preview()
                kept.reset_status()
                return redirect("ledger:preview", kept.token)
    rows = [
        {"column": column, "field": field, "samples": samples.get(column.index, [])}
        for column, field in form.rows()
    ]
    return render(
        request,
        "ledger/mapping.html",
        {
            "upload": kept,
            "district": district,
            "form": form,
            "rows": rows,
            "header_rows": ledger.header_rows,
        },
    )


# -- 3. preview --------------------------------------------------------------------------------


def _preview_payload(result) -> dict:
    data = result.summary()
    data["counts"] = dict(result.counts)
    data["outcomes"] = [[r.row, r.action, r.name, r.project_id, r.changes] for r in result.rows]
    return data


def _run_preview(kept: jobs.Upload, *, user, district) -> dict:
    progress = jobs.Progress(kept, expected=kept.meta.get("estimate"), phases=["checking"])
    result = preview_import(
        path=kept.path,
        user=user,
        district=district,
        mapping=kept.overrides or None,
        progress=progress,
    )
    kept.save_preview(_preview_payload(result))
    return {"rows": result.counts["rows"]}


def preview(request, token: str):
    user = request.user
    kept = _get_upload(request, token)
    district = _district(request, kept)
    data = kept.preview()
    if data is None:
        status = kept.status()
        if status.get("state") in jobs.ACTIVE_STATES:
            return render(request, "ledger/progress.html", _progress_context(kept, status))
        if status.get("state") == "failed" and status.get("action") == "preview":
            kept.reset_status()
            return render(
                request, "ledger/upload_error.html", {"upload": kept, "errors": [status["error"]]}
            )
        estimate = kept.meta.get("estimate") or 0
        background = estimate > jobs.inline_rows()
        if not jobs.claim(kept, action="preview", total=estimate):
            return render(request, "ledger/progress.html", _progress_context(kept, kept.status()))
        status = jobs.run(
            kept,
            partial(_run_preview, user=user, district=district),
            background=background,
            lock_writes=False,
        )
        if background:
            return render(request, "ledger/progress.html", _progress_context(kept, status))
        if status["state"] == "failed":
            kept.reset_status()
            return render(
                request, "ledger/upload_error.html", {"upload": kept, "errors": [status["error"]]}
            )
        data = kept.preview()
    return _render_preview(request, kept, district, data)


def _render_preview(request, kept, district, data, form=None):
    counts = data["counts"]
    outcomes = data["outcomes"]
    errors = data["errors"]
    per_row = Counter(e["row"] for e in errors)
    show = request.GET.get("show")
    shown_rows = [o for o in outcomes if o[1] == show] if show in ACTIONS else outcomes
    rows_page = _page(request, shown_rows, "page")
    rows = [
        {
            "row": row,
            "action": action,
            "name": name,
            "project_id": project_id,
            "changes": [_field_label(c) for c in changes],
            "problems": per_row.get(row, 0),
        }
        for row, action, name, project_id, changes in rows_page.object_list
    ]
    names = {o[0]: o[2] for o in outcomes}
    decisions = kept.decisions
    duplicates_page, duplicate_rows = _duplicate_rows(request, data, decisions, names)
    held = [o[0] for o in outcomes if o[1] == "held"]
    undecided = sum(1 for row in held if str(row) not in decisions)
    return render(
        request,
        "ledger/preview.html",
        {
            "upload": kept,
            "district": district,
            "data": data,
            "counts": counts,
            "columns": [
                dict(c, label=_field_label(c["field"]) if c["field"] else "")
                for c in data["columns"]
            ],
            "errors_page": _page(request, errors, "epage"),
            "rows_page": rows_page,
            "rows": rows,
            "show": show if show in ACTIONS else "",
            "duplicates_page": duplicates_page,
            "duplicate_rows": duplicate_rows,
            "held_count": len(held),
            "undecided_count": undecided,
            "warnings": data["warnings"][:200],
            "skipped_rows": data["skipped_rows"],
            "form": form or CommitForm(),
            "importable": counts["create"] + counts["update"] + len(held),
        },
    )


def _duplicate_rows(request, data: dict, decisions: dict, names: dict):
    """The possible duplicates by row (a page of rows), each with its warnings and its answer."""
    by_row: dict[int, list[dict]] = {}
    for entry in data["possible_duplicates"]:
        by_row.setdefault(entry["row"], []).append(entry)
    actions = {o[0]: o[1] for o in data["outcomes"]}
    page = _page(request, list(by_row.items()), "dpage", DUPLICATE_ROWS_PER_PAGE)
    entries = [entry for _row, found in page.object_list for entry in found]
    described: dict[int, list[dict]] = defaultdict(list)
    for item in batches.describe_duplicates(request.user, entries, names):
        described[item["row"]].append(item)
    rows = []
    for row, _found in page.object_list:
        decision = decisions.get(str(row))
        rows.append(
            {
                "row": row,
                "name": names.get(row, ""),
                "action": actions.get(row, ""),
                "decidable": actions.get(row) == "held",
                "decision": decision,
                "items": described.get(row, []),
            }
        )
    return page, rows


@require_POST
def decide(request, token: str):
    """Record (or clear) the answer for one row's duplicate warning; written at the commit."""
    kept = _get_upload(request, token)
    _district(request, kept)
    data = kept.preview()
    if data is None or kept.active:
        return redirect("ledger:preview", kept.token)
    form = DecisionForm(request.POST)
    anchor = "#duplicates"
    if not form.is_valid():
        messages.error(request, _("The answer could not be read; choose one of the options."))
        return redirect(reverse("ledger:preview", args=[kept.token]) + anchor)
    row = form.cleaned_data["row"]
    candidates = [d["project_id"] for d in data["possible_duplicates"] if d["row"] == row]
    held = any(o[0] == row and o[1] == "held" for o in data["outcomes"])
    if not candidates or not held:
        raise Http404
    decisions = kept.decisions
    if form.cleaned_data["decision"] == "clear":
        decisions.pop(str(row), None)
    else:
        try:
            answer = check_row_decision(
                {
                    "decision": form.cleaned_data["decision"],
                    "reason": form.cleaned_data.get("reason") or "",
                    "same_as": form.cleaned_data.get("same_as"),
                },
                candidates,
            )
        except ValidationError as exc:
            messages.error(
                request,
                _("Row %(row)s: %(message)s") % {"row": row, "message": " ".join(exc.messages)},
            )
            return redirect(reverse("ledger:preview", args=[kept.token]) + anchor)
        decisions[str(row)] = answer
    kept.meta["decisions"] = decisions
    kept.save_meta()
    page = request.POST.get("dpage")
    query = f"?dpage={page}" if page and page.isdigit() else ""
    return redirect(reverse("ledger:preview", args=[kept.token]) + query + anchor)


# -- 4. commit ---------------------------------------------------------------------------------


def _run_commit(
    kept: jobs.Upload,
    *,
    user,
    district,
    skip_invalid: bool,
    bulk: bool,
    undecided_reason: str = "",
) -> dict:
    rows = (kept.preview() or {}).get("counts", {}).get("rows") or kept.meta.get("estimate")
    # Bulk mode with skip_invalid writes in one pass; otherwise every row is checked first.
    phases = ["writing"] if bulk and skip_invalid else ["checking", "writing"]
    progress = jobs.Progress(kept, expected=rows, phases=phases)
    result = commit_import(
        path=kept.path,
        user=user,
        district=district,
        mapping=kept.overrides or None,
        skip_invalid=skip_invalid,
        bulk=bulk,
        progress=progress,
        decisions=kept.decisions,
        undecided="distinct" if undecided_reason else "hold",
        undecided_reason=undecided_reason,
    )
    kept.path.unlink(missing_ok=True)
    kept.forget_preview()
    return {"batch": result.batch.pk if result.batch else None, "committed": result.committed}


def _finished(request, kept: jobs.Upload, status: dict):
    """After a commit: the upload goes, the user lands on the import's page."""
    if status.get("state") == "failed":
        kept.reset_status()
        messages.error(request, status.get("error") or _("The import failed."))
        return redirect("ledger:preview", kept.token)
    kept.remove()
    batch = ImportBatch.objects.filter(pk=status.get("batch")).first()
    if batch is None:
        raise Http404
    if batch.status == BatchStatus.FAILED:
        messages.error(
            request,
            _("Nothing was imported: %(count)s problems stopped the import.")
            % {"count": batch.error_count},
        )
    else:
        messages.success(
            request,
            _(
                "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(skipped)s skipped."
            )
            % {
                "created": batch.created,
                "updated": batch.updated,
                "unchanged": batch.unchanged,
                "skipped": batch.skipped,
            },
        )
    return redirect("ledger:batch-detail", batch.pk)


def commit(request, token: str):
    user = request.user
    kept = _get_upload(request, token)
    district = _district(request, kept)
    status = kept.status()
    if request.method != "POST":
        if status.get("action") == "commit" and status.get("state") in ("done", "failed"):
            return _finished(request, kept, status)
        if status.get("state") in jobs.ACTIVE_STATES:
            return render(request, "ledger/progress.html", _progress_context(kept, status))
        return redirect("ledger:preview", kept.token)
    if status.get("state") in jobs.ACTIVE_STATES:
        return redirect("ledger:commit", kept.token)
    data = kept.preview()
    if data is None:
        return redirect("ledger:preview", kept.token)
    form = CommitForm(request.POST)
    if not form.is_valid():
        return _render_preview(request, kept, district, data, form=form)
    skip_invalid = form.cleaned_data.get("skip_invalid", False)
    undecided_reason = (
        form.cleaned_data["undecided_reason"].strip()
        if form.cleaned_data.get("undecided_distinct")
        else ""
    )
    if data["errors"] and not skip_invalid:
        messages.error(
            request,
            _(
                "%(count)s problems in %(rows)s rows: correct the ledger and upload it again, or "
                "tick “Skip invalid rows”."
            )
            % {"count": len(data["errors"]), "rows": data["counts"]["error"]},
        )
        return redirect("ledger:preview", kept.token)
    rows = data["counts"]["rows"]
    background = rows > jobs.inline_rows()
    if not jobs.claim(kept, action="commit", total=rows):
        return redirect("ledger:commit", kept.token)
    work = partial(
        _run_commit,
        user=user,
        district=district,
        skip_invalid=skip_invalid,
        bulk=jobs.use_bulk(rows),
        undecided_reason=undecided_reason,
    )
    if not background:
        with jobs.write_lock(wait=False) as free:
            if free:
                status = jobs.run(kept, work, background=False, lock_writes=False)
                return _finished(request, kept, status)
    # A large file, or another import is writing: in the background, after it.
    jobs.run(kept, work, background=True, lock_writes=True)
    return redirect("ledger:commit", kept.token)


def status(request, token: str):
    """The progress of the upload's job, polled by the page every second (htmx)."""
    kept = _get_upload(request, token)
    state = kept.status()
    if state.get("state") in ("done", "failed") and state.get("action") == "commit":
        target = reverse("ledger:commit", args=[kept.token])
    elif state.get("state") == "done" and state.get("action") == "preview":
        target = reverse("ledger:preview", args=[kept.token])
    elif state.get("state") in ("failed", "idle") and state.get("action") != "commit":
        target = reverse("ledger:preview", args=[kept.token])
    else:
        target = None
    if target is not None:
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)
    return render(request, "ledger/_progress.html", _progress_context(kept, state))


@require_POST
def cancel(request, token: str):
    kept = jobs.get_upload(token, user=request.user)
    if kept is None:
        raise Http404
    if kept.active:
        messages.error(request, _("The file is being imported; it can no longer be cancelled."))
        return redirect("ledger:commit", kept.token)
    kept.remove()
    messages.info(
        request, _("The upload of %(name)s was cancelled.") % {"name": kept.meta["file_name"]}
    )
    return redirect("ledger:index")


# -- 5. history and undo -----------------------------------------------------------------------


def batch_list(request):
    queryset = batches.visible_batches(request.user)
    state = request.GET.get("status")
    if state in BatchStatus.values:
        queryset = queryset.filter(status=state)
    # The city reads every district's imports: it may narrow them to one district.
    districts = (
        OrgUnit.objects.filter(kind=OrgKind.DISTRICT).order_by("code")
        if scoping.sees_everything(request.user)
        else OrgUnit.objects.none()
    )
    district = districts.filter(pk=request.GET.get("district") or None).first()
    if district is not None:
        queryset = queryset.filter(district=district)
    page = Paginator(queryset, LIST_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/batch_list.html",
        {
            "page": page,
            "statuses": BatchStatus.choices,
            "state": state or "",
            "districts": districts,
            "district": district,
        },
    )


def _visible_projects(user, ids: list[int], limit: int = 200):
    if not ids:
        return []
    return list(
        scoping.visible_projects(user, Project.objects.filter(pk__in=ids))
        .select_related("district")
        .order_by("id")[:limit]
    )


def batch_detail(request, pk: int):
    user = request.user
    batch = get_object_or_404(batches.visible_batches(user), pk=pk)
    summary = batch.summary or {}
    created_ids = batches.created_project_ids(batch)
    updated_ids = batches.updated_project_ids(batch)
    duplicates_page = _page(request, summary.get("possible_duplicates", []), "dpage")
    return render(
        request,
        "ledger/batch_detail.html",
        {
            "batch": batch,
            "errors_page": _page(request, summary.get("errors", []), "epage"),
            "duplicates_page": duplicates_page,
            "duplicates": batches.describe_duplicates(user, list(duplicates_page.object_list)),
            "unmatched_page": _page(request, summary.get("unmatched", []), "upage"),
            "created_count": len(created_ids),
            "created": _visible_projects(user, created_ids),
            "updated_count": len(updated_ids),
            "updated": _visible_projects(user, updated_ids),
            "may_undo": batches.may_undo(user, batch),
            "chunks": batch.chunks.count(),
        },
    )


def undo(request, pk: int):
    user = request.user
    batch = get_object_or_404(batches.visible_batches(user), pk=pk)
    if not batches.may_undo(user, batch):
        if batch.status == BatchStatus.UNDONE:
            messages.info(request, _("This import was already undone."))
            return redirect("ledger:batch-detail", batch.pk)
        raise PermissionDenied(_("You may not undo this import."))
    if request.method == "POST":
        try:
            undo_import(batch=batch, by=user)
        except PermissionDeniedError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The import of %(name)s was undone.") % {"name": batch.file_name},
            )
        return redirect("ledger:batch-detail", batch.pk)
    return render(
        request,
        "ledger/undo_confirm.html",
        {
            "batch": batch,
            "created_count": len(batches.created_project_ids(batch)),
            "updated_count": len(batches.updated_project_ids(batch)),
        },
    )


# -- 6. the 入库 list --------------------------------------------------------------------------


def _require_fai(user) -> None:
    if not scoping.changes_everything(user):
        raise PermissionDenied(_("Only a city administrator imports the 入库 list."))


def fai(request):
    user = request.user
    _require_fai(user)
    form = FaiUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kept = jobs.create_upload(user=user, file=form.cleaned_data["file"], kind="fai")
        try:
            result = import_fai(path=kept.path, user=user, dry_run=True)
        except ValidationError as exc:  # LedgerFileError too
            kept.remove()
            form.add_error("file", exc.messages)
        else:
            kept.save_preview(result.summary())
            return redirect("ledger:fai-preview", kept.token)
    return render(request, "ledger/fai_upload.html", {"form": form})


def fai_preview(request, token: str):
    user = request.user
    _require_fai(user)
    kept = _get_upload(request, token, kind="fai")
    data = kept.preview()
    if data is None:
        raise Http404
    if request.method == "POST":
        if data["errors"]:
            messages.error(request, _("Correct the list and upload it again."))
            return redirect("ledger:fai-preview", kept.token)
        try:
            with jobs.write_lock():
                result = import_fai(path=kept.path, user=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("ledger:fai-preview", kept.token)
        kept.remove()
        messages.success(
            request,
            _("入库 list imported: %(updated)s projects updated, %(unmatched)s rows not matched.")
            % {"updated": result.batch.updated, "unmatched": len(result.unmatched)},
        )
        return redirect("ledger:batch-detail", result.batch.pk)
    return render(
        request,
        "ledger/fai_preview.html",
        {
            "upload": kept,
            "data": data,
            "changed": [m for m in data["matched"] + data["matched_by_name"] if m["changed"]],
            "errors_page": _page(request, data["errors"], "epage"),
            "unmatched_page": _page(request, data["unmatched"], "upage"),
        },
    )
