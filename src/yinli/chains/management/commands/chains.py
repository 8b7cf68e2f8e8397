"""`yinli chains ACTION …`: industry chains from the command line.

    yinli chains load [--replace] [--file PATH]
    yinli chains classify [--chain NAME] [--chunk N] [--user NAME] [--format json|text]
    yinli chains classify-text TEXT [--code C3841] [--chain NAME] [--format json|text]

``load`` loads the shipped chains (chains/data/chains.json) and the GB/T 4754 table; a chain that
exists is kept unless --replace. ``classify`` places every company on the nodes (of one chain
with --chain), streamed in chunks with a progress bar on stderr; reviewed placements stay.
``classify-text`` prints the nodes a business scope lands on: with --format json
``[{"chain", "node", "node_id", "score", "matched"}]`` best first, ``[]`` when it lands nowhere.
JSON alone on stdout; exit 0 on success, 1 when the data stopped it, 2 for a usage error.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from yinli.chains import services
from yinli.chains.loading import CHAINS_FILE, load_chains, load_industry_classes
from yinli.chains.models import Chain
from yinli.companies.models import Company
from yinli.core.models import User


def _chain(name: str | None) -> Chain | None:
    if not name:
        return None
    chain = Chain.objects.filter(name=name.strip()).first()
    if chain is None:
        names = "、".join(Chain.objects.values_list("name", flat=True))
        raise CommandError(
            _("No chain named “%(name)s”. The chains are: %(names)s.")
            % {"name": name, "names": names or "-"},
            returncode=2,
        )
    return chain


class Command(BaseCommand):
    help = "Industry chains: load the shipped chains, classify companies, classify a text."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
        load = actions.add_parser("load", help="Load the shipped chains and industry table.")
        load.add_argument("--file", help="a chains JSON file (default: the shipped one)")
        load.add_argument("--replace", action="store_true", help="replace chains of the same name")
        load.add_argument("--format", choices=["json", "text"], default="text")

        classify = actions.add_parser("classify", help="Place every company on chain nodes.")
        classify.add_argument("--chain", help="only the nodes of this chain (its exact name)")
        classify.add_argument(
            "--chunk", type=int, default=services.CHUNK, help="companies per batch"
        )
        classify.add_argument("--user", help="act as this user (must edit chains)")
        classify.add_argument("--format", choices=["json", "text"], default="text")

        text = actions.add_parser("classify-text", help="The nodes a business scope lands on.")
        text.add_argument("text", metavar="TEXT", help="a business scope (经营范围) or name")
        text.add_argument("--code", default="", help="a GB/T 4754 industry code, e.g. C3841")
        text.add_argument("--chain", help="only the nodes of this chain")
        text.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, action: str, **options):
        return getattr(self, action.replace("-", "_"))(**options)

    def load(self, *, file: str | None, replace: bool, format: str, **options):
        path = Path(file) if file else CHAINS_FILE
        if not path.exists():
            raise CommandError(_("No such file: %(path)s.") % {"path": path}, returncode=2)
        try:
            classes = load_industry_classes()
            counts = load_chains(path, replace=replace)
        except (ValidationError, ValueError, KeyError) as error:
            message = "; ".join(getattr(error, "messages", [str(error)]))
            raise CommandError(message, returncode=1) from None
        counts["industry_classes"] = classes
        if format == "json":
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
        else:
            self.stderr.write(
                _("Loaded %(chains)s chains with %(nodes)s nodes, %(classes)s industry classes.")
                % {"chains": counts["chains"], "nodes": counts["nodes"], "classes": classes}
            )

    def classify(self, *, chain: str | None, chunk: int, user: str | None, format: str, **options):
        if chunk < 1:
            raise CommandError(_("--chunk must be at least 1."), returncode=2)
        if user:
            acting = User.objects.filter(username=user, is_active=True).first()
            if acting is None:
                raise CommandError(_("No active user %(name)s.") % {"name": user}, returncode=2)
            if not services.may_edit_chains(acting):
                raise CommandError(
                    _("%(name)s may not classify companies: only city roles edit chains.")
                    % {"name": user},
                    returncode=1,
                )
        selected = _chain(chain)
        total = Company.objects.filter(merged_into__isnull=True).count()
        bar = tqdm(
            total=total,
            desc=_("Classifying"),
            unit=_("companies"),
            file=self.stderr._out,
            disable=options.get("verbosity", 1) == 0,
        )
        started = time.perf_counter()
        try:
            counts = services.classify_companies(
                chain=selected, chunk_size=chunk, progress=bar.update
            )
        finally:
            bar.close()
        seconds = time.perf_counter() - started
        counts["seconds"] = round(seconds, 2)
        counts["companies_per_second"] = round(counts["companies"] / seconds, 1) if seconds else 0
        if format == "json":
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
        else:
            self.stderr.write(
                _(
                    "%(companies)s companies classified: %(placed)s placed on %(placements)s "
                    "nodes in all."
                )
                % {
                    "companies": counts["companies"],
                    "placed": counts["placed_companies"],
                    "placements": counts["placements"],
                }
            )

    def classify_text(self, *, text: str, code: str, chain: str | None, format: str, **options):
        if not text.strip() and not code.strip():
            raise CommandError(_("TEXT is empty: give a business scope."), returncode=2)
        matches = services.classify_text(text=text, code=code, chain=_chain(chain))
        if format == "json":
            self.stdout.write(json.dumps(matches, ensure_ascii=False))
            return
        if not matches:
            self.stderr.write(_("The text lands on no node."))
            return
        for m in matches:
            self.stdout.write(
                f"{m['score']:>5}  {m['chain']} · {m['node']}  ({'、'.join(m['matched'])})"
            )
