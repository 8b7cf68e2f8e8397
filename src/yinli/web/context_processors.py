from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The top navigation: sections, each a link or a menu of links. A link appears only once its
# page exists (its URL name reverses); a section with one link left is a plain link.
SECTIONS = [
    (
        _("Projects"),
        [
            ("projects:list", _("Project ledger")),
            ("projects:board", _("Board")),
            ("projects:conflicts", _("Conflicts")),
            ("referrals:index", _("Referrals")),
            ("ledger:index", _("Import and export")),
        ],
    ),
    (None, [("companies:list", _("Companies"))]),
    (
        _("Statistics"),
        [
            ("stats:index", _("Dashboard")),
            ("stats:published-list", _("Published reports")),
            ("stats:definitions", _("Statistical definitions")),
            ("reporting:index", _("Report cycle")),
            ("targets:index", _("Targets and ranking")),
        ],
    ),
    (None, [("fieldwork:index", _("Field work"))]),
    (None, [("chains:index", _("Industry chains"))]),
    (
        _("Follow-through"),
        [
            ("followup:index", _("Follow-through")),
            ("supervision:obstacles", _("Obstacles")),
            ("supervision:taskforces", _("Task forces")),
            ("supervision:instructions", _("Instructions")),
        ],
    ),
]


def _navigation(request) -> tuple[list[dict], list[dict]]:
    """(every link, flat; the sections with their links) for the current user's page."""
    items, sections = [], []
    path = request.path_info if request is not None else ""
    for title, links in SECTIONS:
        section = {"title": title, "items": []}
        for name, label in links:
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            item = {"url": url, "label": label, "active": False}
            section["items"].append(item)
            items.append(item)
        if section["items"]:
            sections.append(section)
    # The longest matching prefix is the current page (/projects/board/ is 看板, not 台账).
    matches = [item for item in items if path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    for section in sections:
        section["active"] = any(item["active"] for item in section["items"])
    return items, sections


def yinli(request):
    from yinli.demo.services import is_demo_city

    items, sections = _navigation(request)
    return {
        "IS_DEMO": is_demo_city(),
        "HOME_REGION": settings.HOME_REGION,
        "NAVIGATION": items,
        "NAVIGATION_SECTIONS": sections,
    }
