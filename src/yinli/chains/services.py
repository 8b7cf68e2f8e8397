"""Writes of the chains app: chains and nodes, batch classification, manual decisions, keyword
proposals. Keyword-only arguments; errors are ValidationError with a Chinese message."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yinli.companies.models import Company
from yinli.core.models import CITY_ROLES
from yinli.core.services import PermissionDeniedError, save_tracked, soft_delete

from .classify import Classifier, company_text
from .models import (
    Chain,
    ChainNode,
    CompanyNode,
    Decision,
    IndustryClass,
    Source,
    split_words,
)

CHUNK = 2000


def may_edit_chains(user) -> bool:
    """City roles (admin, analyst) edit chains and review placements; everyone else reads."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in CITY_ROLES)
    )


def _require_editor(user) -> None:
    if not may_edit_chains(user):
        raise PermissionDeniedError(_("Only the city's analysts and administrators edit chains."))


# --- Chains and nodes --------------------------------------------------------------------------


def _clean_words(text: str) -> str:
    return "\n".join(split_words(text))


def _check_codes(codes: str) -> str:
    values = split_words((codes or "").replace(" ", ","))
    known = set(IndustryClass.objects.filter(code__in=values).values_list("code", flat=True))
    unknown = [code for code in values if code not in known]
    if unknown:
        raise ValidationError(
            {
                "industry_codes": _(
                    "Not a code of the GB/T 4754-2017 table: %(codes)s. Use a section letter, "
                    "a 2-digit division or a class the table holds."
                )
                % {"codes": "、".join(unknown)}
            }
        )
    return " ".join(values)


def save_chain(*, chain: Chain, by, expected_version: int | None = None) -> Chain:
    _require_editor(by)
    chain.name = " ".join((chain.name or "").split())
    if not chain.name:
        raise ValidationError({"name": _("A chain needs a name.")})
    clash = Chain.objects.filter(name=chain.name).exclude(pk=chain.pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("A chain named “%(name)s” exists.") % {"name": chain.name}}
        )
    chain.industries = _clean_words(chain.industries)
    return save_tracked(instance=chain, by=by, expected_version=expected_version)


def save_node(*, node: ChainNode, by, expected_version: int | None = None) -> ChainNode:
    _require_editor(by)
    node.name = " ".join((node.name or "").split())
    if not node.name:
        raise ValidationError({"name": _("A node needs a name.")})
    clash = ChainNode.objects.filter(chain_id=node.chain_id, name=node.name).exclude(pk=node.pk)
    if clash.exists():
        raise ValidationError(
            {"name": _("This chain has a node named “%(name)s” already.") % {"name": node.name}}
        )
    if node.parent_id:
        parent = node.parent
        if parent.chain_id != node.chain_id:
            raise ValidationError({"parent": _("The parent node belongs to another chain.")})
        seen = set()
        while parent is not None and parent.pk not in seen:
            if node.pk and parent.pk == node.pk:
                raise ValidationError({"parent": _("A node cannot sit under itself.")})
            seen.add(parent.pk)
            parent = parent.parent
    node.keywords = _clean_words(node.keywords)
    node.exclude_words = _clean_words(node.exclude_words)
    node.industry_codes = _check_codes(node.industry_codes)
    if not node.keywords and not node.industry_codes:
        raise ValidationError(
            {"keywords": _("Give at least one keyword or industry code, or no company lands here.")}
        )
    return save_tracked(instance=node, by=by, expected_version=expected_version)


def delete_node(*, node: ChainNode, by, expected_version: int | None = None) -> ChainNode:
    """Soft-delete a node (restorable; its placements stay but no longer count)."""
    _require_editor(by)
    if node.children.exists():
        raise ValidationError(
            _("“%(name)s” has nodes under it: move or delete them first.") % {"name": node.name}
        )
    return soft_delete(instance=node, by=by, expected_version=expected_version)


# --- Classification ----------------------------------------------------------------------------


def live_nodes(chain: Chain | None = None) -> QuerySet:
    nodes = ChainNode.objects.filter(chain__deleted_at__isnull=True).select_related("chain")
    return nodes.filter(chain=chain) if chain is not None else nodes


def classifier_for(chain: Chain | None = None) -> Classifier:
    return Classifier.from_nodes(live_nodes(chain))


def classify_text(*, text: str, code: str = "", chain: Chain | None = None) -> list[dict]:
    """The nodes a business scope (and code) lands on: [{chain, node, score, matched}], best
    first; [] when it lands nowhere."""
    return [m.as_dict() for m in classifier_for(chain).classify(text, code)]


def classify_companies(
    *,
    chain: Chain | None = None,
    companies: QuerySet | None = None,
    chunk_size: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Classify companies (all live, unmerged ones by default) on the nodes of one chain or all.

    Streams the companies in primary-key order, `chunk_size` at a time, each chunk in its own
    transaction: the classifier's unreviewed rows of the chunk are replaced; confirmed and
    overridden rows stay (their score and words refreshed); manual rows stay.
    `progress(n)` is called after each chunk with the number of companies done in it.
    """
    nodes = list(live_nodes(chain))
    classifier = Classifier.from_nodes(nodes)
    node_ids = [n.pk for n in nodes]
    base = companies if companies is not None else Company.objects.all()
    base = base.filter(merged_into__isnull=True)
    counts = {"companies": 0, "placed_companies": 0, "placements": 0}
    last = 0
    now = timezone.now()
    while True:
        rows = list(
            base.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "name", "business_scope", "industry_code")[:chunk_size]
        )
        if not rows:
            break
        first, last = rows[0][0], rows[-1][0]
        found = {
            pk: classifier.classify(company_text(name, scope), code)
            for pk, name, scope, code in rows
        }
        with transaction.atomic():
            in_chunk = CompanyNode.objects.filter(
                company_id__gte=first, company_id__lte=last, node_id__in=node_ids
            )
            if companies is not None:
                in_chunk = in_chunk.filter(company_id__in=list(found))
            kept = {
                (company_id, node_id): pk
                for pk, company_id, node_id in in_chunk.exclude(
                    source=Source.AUTO, decision=Decision.NONE
                ).values_list("pk", "company_id", "node_id")
            }
            in_chunk.filter(source=Source.AUTO, decision=Decision.NONE).delete()
            new, refreshed = [], []
            for company_id, matches in found.items():
                if matches:
                    counts["placed_companies"] += 1
                for m in matches:
                    counts["placements"] += 1
                    pk = kept.get((company_id, m.node_id))
                    row = CompanyNode(
                        pk=pk,
                        company_id=company_id,
                        node_id=m.node_id,
                        score=m.score,
                        matched=m.matched,
                        classified_at=now,
                    )
                    (refreshed if pk else new).append(row)
            CompanyNode.objects.bulk_create(new, batch_size=1000)
            if refreshed:
                CompanyNode.objects.bulk_update(
                    refreshed, ["score", "matched", "classified_at"], batch_size=1000
                )
        counts["companies"] += len(rows)
        if progress:
            progress(len(rows))
    return counts


def _placement(company: Company, node: ChainNode) -> CompanyNode:
    row = CompanyNode.objects.filter(company=company, node=node).first()
    if row is None:
        match = next(
            (
                m
                for m in Classifier.from_nodes([node]).classify(
                    company_text(company.name, company.business_scope), company.industry_code
                )
            ),
            None,
        )
        row = CompanyNode(
            company=company,
            node=node,
            source=Source.MANUAL,
            score=match.score if match else Decimal(0),
            matched=match.matched if match else [],
        )
    return row


@transaction.atomic
def confirm_placement(*, company: Company, node: ChainNode, by, note: str = "") -> CompanyNode:
    """The company is on this node (found by the classifier, or added by hand)."""
    _require_editor(by)
    row = _placement(company, node)
    row.decision, row.decided_by, row.decided_at = Decision.CONFIRMED, by, timezone.now()
    row.note = note[:300]
    row.save()
    return row


@transaction.atomic
def override_placement(*, company: Company, node: ChainNode, by, note: str = "") -> CompanyNode:
    """The company is not on this node, whatever the classifier finds now or later."""
    _require_editor(by)
    row = _placement(company, node)
    row.decision, row.decided_by, row.decided_at = Decision.REJECTED, by, timezone.now()
    row.note = note[:300]
    row.save()
    return row


@transaction.atomic
def clear_decision(*, company: Company, node: ChainNode, by) -> None:
    """Back to the classifier's judgement: a hand-added row goes, a reviewed one is unreviewed
    again (and the next run keeps or drops it)."""
    _require_editor(by)
    row = CompanyNode.objects.filter(company=company, node=node).first()
    if row is None:
        raise ValidationError(_("This company is not on this node."))
    if row.source == Source.MANUAL:
        row.delete()
        return
    row.decision, row.decided_by, row.decided_at, row.note = Decision.NONE, by, timezone.now(), ""
    row.save()


# --- Keyword proposals (jieba) -----------------------------------------------------------------

# The boilerplate of business scopes (经营范围): removed before segmentation.
BOILERPLATE = [
    "依法须经批准的项目，经相关部门批准后方可开展经营活动",
    "除依法须经批准的项目外，凭营业执照依法自主开展经营活动",
    "具体经营项目以审批结果为准",
    "具体经营项目以相关部门批准文件或许可证件为准",
    "经相关部门批准后方可开展经营活动",
    "凭营业执照依法自主开展经营活动",
    "依法须经批准的项目",
    "一般项目",
    "许可项目",
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
    "货物进出口",
    "技术进出口",
    "进出口代理",
]
# Words that say nothing about a chain node.
STOPWORDS = set(
    """
    技术服务 技术开发 技术咨询 技术交流 技术转让 技术推广 技术研发 研发 研究 开发 生产 制造 加工
    销售 批发 零售 经营 服务 咨询 设计 安装 维修 维护 租赁 进出口 货物 技术 项目 产品 相关 配套
    及其 以及 其他 除外 不含 涉及 许可 审批 批准 部门 经营活动 营业执照 依法 自主 开展 方可 须经
    一般 有限公司 公司 企业 管理 信息 业务 科技 凭 外 及 和 与 的 等 或 含 用于 用品 设备 材料 系统
    零部件 配件 专用 工业 制品 批发业 进口 出口 代理 贸易 工程 施工 检测 国内 国际 用 类
    """.split()
)


def _scope_words(text: str) -> set[str]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    for phrase in BOILERPLATE:
        text = text.replace(phrase, "；")
    words = set()
    for token in jieba.cut(text):
        token = token.strip()
        if (
            len(token) < 2
            or token in STOPWORDS
            or not any("\u4e00" <= ch <= "\u9fff" for ch in token)
        ):
            continue
        words.add(token)
    return words


def propose_keywords(*, node: ChainNode, limit: int = 15) -> list[dict]:
    """Words that recur in the business scopes of the node's confirmed companies and are not
    keywords yet: [{word, companies}], most companies first. jieba segments the scopes after the
    boilerplate is removed; stopwords and single characters are left out."""
    scopes = list(
        CompanyNode.objects.filter(node=node, decision=Decision.CONFIRMED).values_list(
            "company__business_scope", flat=True
        )
    )
    have = {w.casefold() for w in node.keyword_list + node.exclude_list}
    counts: Counter[str] = Counter()
    for scope in scopes:
        counts.update(w for w in _scope_words(scope or "") if w.casefold() not in have)
    least = 2 if len(scopes) >= 3 else 1
    ranked = sorted(
        ((word, n) for word, n in counts.items() if n >= least),
        key=lambda x: (-x[1], -len(x[0]), x[0]),
    )
    return [{"word": word, "companies": n} for word, n in ranked[:limit]]


def add_keywords(*, node: ChainNode, words: list[str], by, expected_version: int | None = None):
    """Append proposed words to a node's keywords."""
    node.keywords = "\n".join(split_words("\n".join([node.keywords, *words])))
    return save_node(node=node, by=by, expected_version=expected_version)


__all__ = [
    "add_keywords",
    "classify_companies",
    "classify_text",
    "clear_decision",
    "confirm_placement",
    "delete_node",
    "may_edit_chains",
    "override_placement",
    "propose_keywords",
    "save_chain",
    "save_node",
]
