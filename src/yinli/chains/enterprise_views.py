"""The enterprise-base import page: upload a vendor's or a registry's company list, follow it
row by row, read what it did.

The file is kept like a ledger upload (yinli.ledger.jobs: a private folder, the import write
lock, status.json polled by the page). A small file is imported inside the request; a larger one
(above CHAINS_ENTERPRISE_INLINE_BYTES) in a background thread, the page showing its progress —
the rows read and written, then the companies classified. The result page lists every problem
by row, column and value, as `yinli chains import` does.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from yinli.ledger import jobs
from yinli.web.fields import bootstrap

from .enterprise import import_enterprises, may_import

KIND = "enterprises"
PHASES = ["importing", "classifying"]


def inline_bytes() -> int:
    return int(getattr(settings, "CHAINS_ENTERPRISE_INLINE_BYTES", 2 * 1024 * 1024))


class EnterpriseUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Company list"),
        help_text=_(
            "A .csv (UTF-8 or GBK), .xlsx, .xls or .ods file as data vendors and registries export "
            "it: 企业名称, 统一社会信用代码, 法定代表人, 注册资本, 成立日期, 登记状态, 所属省份/城市/区县, "
            "企业类型, 国标行业, 参保人数, 经营范围, 企业地址."
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=64,
        required=False,
        help_text=_(
            "Where the list comes from (a vendor, a registry export); the file name if empty."
        ),
    )
    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows and list the others"),
        required=False,
        help_text=_("Without it, one bad row stops the whole import and nothing is written."),
    )
    classify = forms.BooleanField(
        label=_("Place the companies on the chains afterwards"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


def _require(user) -> None:
    if not may_import(user):
        raise PermissionDenied(
            _("Only the city's analysts and administrators import the enterprise base.")
        )


def _work(user):
    def work(upload: jobs.Upload) -> dict:
        progress = jobs.Progress(upload, expected=None, phases=PHASES)
        meta = upload.meta
        result = import_enterprises(
            path=upload.path,
            user=user,
            source=meta.get("source", ""),
            skip_invalid=bool(meta.get("skip_invalid")),
            classify=bool(meta.get("classify")),
            progress=progress,
            classify_progress=progress,
            file_name=upload.file_name,
        )
        return {"result": result.summary()}

    return work


def enterprise_import(request):
    user = request.user
    _require(user)
    form = EnterpriseUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kept = jobs.create_upload(
            user=user,
            file=data["file"],
            kind=KIND,
            extra={
                "source": data["source"],
                "skip_invalid": data["skip_invalid"],
                "classify": data["classify"],
            },
        )
        jobs.claim(kept, action="commit", total=None)
        background = kept.path.stat().st_size > inline_bytes()
        jobs.run(kept, _work(user), background=background, lock_writes=True)
        return redirect("chains:enterprise_status", kept.token)
    return render(
        request,
        "chains/enterprise_import.html",
        {"form": form, "waiting": jobs.uploads_of(user, kind=KIND)},
        status=400 if request.method == "POST" else 200,
    )


def _progress_context(kept: jobs.Upload, status: dict) -> dict:
    done, total = status.get("done") or 0, status.get("total") or 0
    step, steps = status.get("step") or 0, max(status.get("steps") or 1, 1)
    within = min(1.0, done / total) if total else 0.0
    return {
        "upload": kept,
        "status": status,
        "active": status.get("state") in jobs.ACTIVE_STATES,
        "classifying": status.get("phase") == "classifying",
        "percent": min(100, round(100 * (step + within) / steps)),
        "status_url": reverse("chains:enterprise_status", args=[kept.token]),
    }


def enterprise_status(request, token: str):
    """While the import runs: its progress (the bar polls this page every second); after it:
    the result, and the upload's folder is removed once the result has been shown."""
    user = request.user
    _require(user)
    kept = jobs.get_upload(token, user=user, kind=KIND)
    if kept is None:
        raise Http404
    status = kept.status()
    context = _progress_context(kept, status)
    if context["active"]:
        template = (
            "chains/_enterprise_progress.html" if request.htmx else "chains/enterprise_status.html"
        )
        return render(request, template, context)
    if request.htmx:  # finished while the page polled: show the result page
        return HttpResponseClientRedirect(reverse("chains:enterprise_status", args=[token]))
    response = render(
        request,
        "chains/enterprise_result.html",
        {**context, "result": status.get("result"), "error": status.get("error", "")},
    )
    kept.remove()
    return response
