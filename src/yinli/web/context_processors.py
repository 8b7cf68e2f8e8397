from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The top navigation. Later capabilities (statistics, field work, chains) add their URL names;
# a link appears only once its page exists.
NAVIGATION = [
    ("projects:list", _("Project ledger")),
    ("projects:board", _("Board")),
    ("companies:list", _("Companies")),
    ("stats:index", _("Statistics")),
    ("stats:published-list", _("Published reports")),
    ("ledger:index", _("Import and export")),
    ("projects:conflicts", _("Conflicts")),
    ("referrals:index", _("Referrals")),
    ("fieldwork:index", _("Field work")),
    ("chains:index", _("Industry chains")),
]


def _navigation(request):
    items = []
    path = request.path_info if request is not None else ""
    for name, label in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": False})
    # The longest matching prefix is the current section (/projects/board/ is 看板, not 台账).
    matches = [item for item in items if path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items


def yinli(request):
    from yinli.demo.services import is_demo_city

    return {
        "IS_DEMO": is_demo_city(),
        "HOME_REGION": settings.HOME_REGION,
        "NAVIGATION": _navigation(request),
    }
