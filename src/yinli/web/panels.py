"""Panels on the home page, contributed by the apps.

An app puts a ``panels.py`` module next to its models and registers functions there::

    from yinli.web.panels import home_panel

    @home_panel(order=40, name="overdue-referrals")
    def overdue_referrals(request):
        items = ...  # scoped to request.user
        if not items:
            return None          # nothing to show: no panel
        return {"template": "referrals/_home_panel.html", "items": items}

The project page works the same way with ``project_panel``: the function takes
``(request, project)`` (the project already scoped to the user) and its template gets ``panel``
and ``project``; those panels stand below the project's own cards, full width::

    @project_panel(order=20, name="obstacles")
    def obstacles(request, project):
        return {"template": "supervision/_project_obstacles.html", "items": ...}

The home page calls every registered function in ``order`` and includes each returned
``template`` with the returned dict available as ``panel``. A panel is a Bootstrap card; the
page lays them out two to a row on wide screens, one on a phone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

PanelFunction = Callable[[HttpRequest], dict | None]
ProjectPanelFunction = Callable[[HttpRequest, object], dict | None]

_PANELS: dict[str, tuple[int, PanelFunction]] = {}
_PROJECT_PANELS: dict[str, tuple[int, ProjectPanelFunction]] = {}


def home_panel(*, order: int, name: str) -> Callable[[PanelFunction], PanelFunction]:
    def register(func: PanelFunction) -> PanelFunction:
        _PANELS[name] = (order, func)
        return func

    return register


def collect(request: HttpRequest) -> list[dict]:
    panels = []
    for name, (_order, func) in sorted(_PANELS.items(), key=lambda item: (item[1][0], item[0])):
        panel = func(request)
        if panel:
            panels.append({"name": name, **panel})
    return panels


def project_panel(
    *, order: int, name: str
) -> Callable[[ProjectPanelFunction], ProjectPanelFunction]:
    def register(func: ProjectPanelFunction) -> ProjectPanelFunction:
        _PROJECT_PANELS[name] = (order, func)
        return func

    return register


def collect_project(request: HttpRequest, project) -> list[dict]:
    """The panels of one project's page, in order; a function returning None shows nothing."""
    panels = []
    ordered = sorted(_PROJECT_PANELS.items(), key=lambda item: (item[1][0], item[0]))
    for name, (_order, func) in ordered:
        panel = func(request, project)
        if panel:
            panels.append({"name": name, **panel})
    return panels
