"""`yinli chains ACTION …`: industry chains from the command line.

    yinli chains load [--replace] [--file PATH]
    yinli chains classify [--chain NAME] [--chunk N] [--user NAME] [--format json|text]
    yinli chains classify-text TEXT [--code C3841] [--chain NAME] [--format json|text]
    yinli chains import PATH [--source NAME] [--skip-invalid] [--classify] [--user NAME]
                             [--format json|text]
    yinli chains targets --chain NAME --node NAME [--limit N] [--user NAME]
                         [--format json|xlsx|text] [--output PATH]

``load`` loads the shipped chains (chains/data/chains.json) and the GB/T 4754 table; a chain that
exists is kept unless --replace. ``classify`` places every company on the nodes (of one chain
with --chain), streamed in chunks with a progress bar on stderr; reviewed placements stay.
``classify-text`` prints the nodes a business scope lands on: with --format json
``[{"chain", "node", "node_id", "score", "matched"}]`` best first, ``[]`` when it lands nowhere.
``import`` reads an enterprise-base file (企业名录: .csv, .xlsx, .xls; millions of rows) into the
company registry, matched by credit code (yinli.chains.enterprise), with a progress bar on
stderr, then (with --classify) places the companies it created or changed on the chain nodes;
--format json prints the summary (rows, created, updated, unchanged, errors […]).
``targets`` ranks the node's targets (chains.targets): with --format json
``[{"company", "credit_code", "region", "score", "parts": {…}}]`` best first; with xlsx a workbook
written to --output.
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
from yinli.chains.enterprise import CHUNK_SIZE, import_enterprises
from yinli.chains.loading import CHAINS_FILE, load_chains, load_industry_classes
from yinli.chains.models import Chain
from yinli.companies.models import Company
from yinli.core.models import User
from yinli.core.services import PermissionDeniedError
from yinli.ledger.management.commands._common import acting_user


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

        imp = actions.add_parser("import", help="Import an enterprise-base file (企业名录).")
        imp.add_argument("path", metavar="PATH", help="a .csv, .xlsx or .xls company list")
        imp.add_argument("--source", default="", help="where the list comes from (default: file)")
        imp.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows, list the others"
        )
        imp.add_argument(
            "--classify", action="store_true", help="then place the companies on chain nodes"
        )
        imp.add_argument("--chunk", type=int, default=CHUNK_SIZE, help="rows per batch")
        imp.add_argument("--user", help="act as this user (default: the first city admin)")
        imp.add_argument("--format", choices=["json", "text"], default="text")

        tgt = actions.add_parser("targets", help="The ranked targets of a chain node.")
        tgt.add_argument("--chain", required=True, help="the chain (its exact name)")
        tgt.add_argument("--node", required=True, help="the node (its exact name in the chain)")
        tgt.add_argument("--limit", type=int, default=50, help="how many targets (1-1000)")
        tgt.add_argument("--user", help="act as this user (default: the first city admin)")
        tgt.add_argument("--format", choices=["json", "xlsx", "text"], default="text")
        tgt.add_argument("--output", help="the file to write (required with --format xlsx)")

    def handle(self, *args, action: str, **options):
        method = {"import": "import_file"}.get(action, action)
        return getattr(self, method.replace("-", "_"))(**options)

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

    def import_file(
        self,
        *,
        path: str,
        source: str,
        skip_invalid: bool,
        classify: bool,
        chunk: int,
        user: str | None,
        format: str,
        **options,
    ):
        if chunk < 1:
            raise CommandError(_("--chunk must be at least 1."), returncode=2)
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("No such file: %(path)s.") % {"path": path}, returncode=2)
        acting = acting_user(user)
        quiet = options.get("verbosity", 1) == 0
        bars: dict[str, tqdm] = {}

        def bar(name: str, label: str, unit: str, done: int, total: int | None) -> None:
            if name not in bars:
                bars[name] = tqdm(
                    total=total, desc=label, unit=unit, file=self.stderr._out, disable=quiet
                )
            current = bars[name]
            if total is not None and current.total != total:
                current.total = total
            current.update(done - current.n)

        try:
            result = import_enterprises(
                path=file,
                user=acting,
                source=source,
                skip_invalid=skip_invalid,
                classify=classify,
                chunk_size=chunk,
                progress=lambda done, total: bar("rows", _("Importing"), _("rows"), done, total),
                classify_progress=lambda done, total: bar(
                    "classify", _("Classifying"), _("companies"), done, total
                ),
            )
        except PermissionDeniedError as error:
            raise CommandError(str(error), returncode=1) from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages), returncode=1) from None
        finally:
            for current in bars.values():
                current.close()
        summary = result.summary()
        if format == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False, default=str))
        else:
            for problem in result.errors[:50]:
                self.stderr.write(
                    _("Row %(row)s, %(column)s “%(value)s”: %(message)s")
                    % {
                        "row": problem.row,
                        "column": problem.column,
                        "value": problem.value,
                        "message": problem.message,
                    }
                )
            self.stderr.write(
                _(
                    "%(rows)s rows: %(created)s companies created, %(updated)s updated, "
                    "%(unchanged)s unchanged, %(errors)s rows with errors (%(seconds)s s)."
                )
                % {
                    "rows": summary["rows"],
                    "created": summary["created"],
                    "updated": summary["updated"],
                    "unchanged": summary["unchanged"],
                    "errors": summary["error_rows"],
                    "seconds": summary["seconds"],
                }
            )
            if not result.committed:
                self.stderr.write(
                    _("Nothing was imported: correct the rows above, or use --skip-invalid.")
                )
        if not result.committed:
            raise CommandError(
                _("The import stopped: %(count)s rows with errors.")
                % {"count": summary["error_rows"]},
                returncode=1,
            )

    def targets(
        self,
        *,
        chain: str,
        node: str,
        limit: int,
        user: str | None,
        format: str,
        output: str | None,
        **options,
    ):
        from yinli.chains.models import ChainNode
        from yinli.chains.target_lists import ranking_workbook
        from yinli.chains.targets import rank_targets

        if not 1 <= limit <= 1000:
            raise CommandError(_("--limit must be between 1 and 1000."), returncode=2)
        if format == "xlsx" and not output:
            raise CommandError(_("--format xlsx needs --output PATH."), returncode=2)
        selected = _chain(chain)
        found = ChainNode.objects.filter(chain=selected, name=node.strip()).first()
        if found is None:
            names = "、".join(
                ChainNode.objects.filter(chain=selected).values_list("name", flat=True)
            )
            raise CommandError(
                _("No node named “%(name)s” in %(chain)s. Its nodes are: %(names)s.")
                % {"name": node, "chain": selected.name, "names": names or "-"},
                returncode=2,
            )
        acting = acting_user(user)
        started = time.perf_counter()
        ranked = rank_targets(node=found, user=acting, limit=limit)
        seconds = time.perf_counter() - started
        if format == "json":
            self.stdout.write(json.dumps([t.as_json() for t in ranked], ensure_ascii=False))
        elif format == "xlsx":
            Path(output).write_bytes(ranking_workbook(node=found, targets=ranked))
            self.stderr.write(
                _("%(n)s targets written to %(path)s.") % {"n": len(ranked), "path": output}
            )
        else:
            for rank, t in enumerate(ranked, start=1):
                parts = " ".join(f"{k}={v}" for k, v in t.parts.items() if v)
                self.stdout.write(
                    f"{rank:>3} {t.score:>6}  {t.company.name}  {t.region_name}  {parts}"
                )
        self.stderr.write(
            _("%(n)s targets of %(node)s in %(seconds)s s.")
            % {"n": len(ranked), "node": found, "seconds": round(seconds, 3)}
        )
