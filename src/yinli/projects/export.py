"""The filtered project list as CSV (``project-export``), through the ledger's export templates.

The export itself (templates, .xlsx, the log) lives in :mod:`yinli.ledger.export`; this URL keeps
working for the links and scripts that know it: ``/projects/export.csv?stage=signed&unit=wan``.
"""

from __future__ import annotations

from yinli.ledger.export import FORMULA_STARTS, neutralize


def project_export_csv(request):
    from yinli.ledger.export_views import project_export

    return project_export(request, fmt="csv")


__all__ = ["FORMULA_STARTS", "neutralize", "project_export_csv"]
