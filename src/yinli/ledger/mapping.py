"""Ledger columns → project fields, by their Chinese names and the variants districts use.

A header is compared without spaces, line breaks, required-field marks (*) and the unit in
brackets ("计划总投资(亿元)" is 计划总投资 in 亿元). An exact synonym wins; otherwise the
longest synonym the header contains ("项目名称及建设内容" is the project name). The unit in
the header becomes the default unit of the column's amounts; a cell that names its own unit
("3.5亿") keeps it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# field → the header words that name it (the first is the canonical header).
COLUMN_SYNONYMS: dict[str, list[str]] = {
    "seq": ["序号", "编号", "序"],
    "name": ["项目名称", "项目名", "项目全称", "项目简称", "签约项目"],
    "company": [
        "投资方",
        "投资主体",
        "签约企业",
        "投资企业",
        "签约主体",
        "投资商",
        "企业名称",
        "投资方名称",
        "签约单位",
        "投资单位",
    ],
    "uscc": ["统一社会信用代码", "社会信用代码", "信用代码", "企业信用代码"],
    "signing_region": [
        "来源地",
        "投资来源地",
        "客商所在地",
        "企业注册地",
        "投资方所在地",
        "项目来源地",
        "签约主体所在地",
        "投资方来源地",
        "来源",
    ],
    "controller_name": ["实控方", "实际控制人", "实控人", "实际控制方"],
    "controller_region": ["实控方所在地", "实际控制人所在地", "实控人所在地", "实际控制方所在地"],
    "total_investment": [
        "总投资",
        "计划总投资",
        "项目总投资",
        "投资总额",
        "总投资额",
        "协议总投资",
    ],
    "foreign_investment": ["协议外资", "合同外资", "协议利用外资", "利用外资"],
    "industry": [
        "产业类别",
        "所属产业",
        "产业方向",
        "产业类型",
        "所属行业",
        "行业类别",
        "产业领域",
    ],
    "category": ["项目类别", "项目类型", "项目分类"],
    "kind": ["项目性质", "建设性质", "投资性质"],
    "signed_on": ["签约时间", "签约日期", "签约年月", "签约月份"],
    "district": [
        "所属板块",
        "落户地",
        "落户板块",
        "板块",
        "所在板块",
        "落户地点",
        "属地",
        "辖市区",
    ],
    "stage": ["项目进度", "当前进度", "项目进展", "进展情况", "项目阶段", "推进情况", "进度"],
    "first_contact": ["首谈人", "首谈人员"],
    "responsible_person": ["责任人", "项目负责人", "跟踪责任人", "招商责任人"],
    "responsible_unit": ["责任单位", "责任部门", "承办单位", "跟踪单位", "牵头单位", "负责单位"],
    "status": ["项目状态", "状态", "推进状态", "跟踪状态"],
    "status_reason": ["状态说明", "状态原因", "暂缓原因", "流失原因", "终止原因"],
    "lost_to": ["流失去向", "流向", "流失至", "流失地"],
    "channel": ["招商方式", "招商渠道", "引进方式", "招引方式"],
    "fai_code": ["投资项目代码", "项目代码", "备案代码", "项目备案代码", "赋码"],
    "notes": ["备注", "说明", "备注说明"],
    "fai_on": ["入库月份", "入库时间", "入库日期", "纳统月份", "入统月份", "入库列统时间"],
    "land_mu": ["用地", "用地面积", "占地面积", "用地规模"],
    "jobs": ["新增就业", "就业人数", "用工人数", "带动就业"],
    "expected_output": ["预计产值", "预计年产值", "达产产值", "达产后年产值", "年产值"],
    "expected_tax": ["预计税收", "预计年税收", "达产税收", "年税收", "达产后年税收"],
    "task_force": ["项目专班", "专班"],
    "linked_leader": ["挂钩领导", "挂钩市领导", "联系领导"],
    "introducer": ["引荐人", "介绍人", "引荐方", "引荐单位"],
}

FIELD_LABELS: dict[str, object] = {
    "seq": _("No."),
    "name": _("project name"),
    "company": _("investor"),
    "uscc": _("credit code"),
    "signing_region": _("source (signing entity's location)"),
    "controller_name": _("actual controller"),
    "controller_region": _("actual controller's location"),
    "total_investment": _("total investment"),
    "foreign_investment": _("agreed foreign investment"),
    "industry": _("industry direction"),
    "category": _("category"),
    "kind": _("kind"),
    "signed_on": _("signed on"),
    "district": _("district"),
    "stage": _("stage"),
    "first_contact": _("first-contact person"),
    "responsible_person": _("responsible person"),
    "responsible_unit": _("responsible unit"),
    "status": _("status"),
    "status_reason": _("status reason"),
    "lost_to": _("lost to"),
    "channel": _("channel"),
    "fai_code": _("investment project code"),
    "notes": _("notes"),
    "fai_on": _("accepted into statistics (入库列统)"),
    "land_mu": _("land (mu)"),
    "jobs": _("jobs"),
    "expected_output": _("expected annual output"),
    "expected_tax": _("expected annual tax"),
    "task_force": _("task force"),
    "linked_leader": _("linked leader"),
    "introducer": _("introducer"),
}

AMOUNT_FIELDS = {"total_investment", "foreign_investment", "expected_output", "expected_tax"}
DEFAULT_UNITS = {
    "total_investment": "万元",
    "foreign_investment": "万美元",
    "expected_output": "万元",
    "expected_tax": "万元",
}

_BRACKETS = re.compile(r"[(\[【<《]([^)\]】>》]*)[)\]】>》]")
_DROP = re.compile(r"[\s*＊※:：/、\-_.]+")
_UNIT_RE = re.compile(
    r"(万亿|亿|千万|百万|十万|万|千|百)?(元|美元|欧元|港元|港币|日元|人民币)|(万|亿)(?![\u4e00-\u9fff])"
)

_WORDS: list[tuple[str, str]] = sorted(
    ((re.sub(r"\s", "", w), field) for field, words in COLUMN_SYNONYMS.items() for w in words),
    key=lambda pair: len(pair[0]),
    reverse=True,
)
_EXACT: dict[str, str] = {word: field for word, field in _WORDS}


def header_key(text: object) -> str:
    """A header without brackets (units), spaces, marks: "计划总投资\n(亿元)*" → "计划总投资"."""
    plain = unicodedata.normalize("NFKC", "" if text is None else str(text))
    plain = _BRACKETS.sub("", plain)
    return _DROP.sub("", plain)


def header_unit(text: str) -> str | None:
    """The money unit a header names: "总投资(亿元)" → "亿元", "协议外资(万美元)" → "万美元"."""
    plain = unicodedata.normalize("NFKC", text)
    found = None
    for inner in _BRACKETS.findall(plain) or [plain]:
        match = _UNIT_RE.search(inner)
        if match:
            found = match
            break
    if found is None:
        return None
    if found.group(2):
        currency = {"人民币": "元", "港币": "港元"}.get(found.group(2), found.group(2))
        return (found.group(1) or "") + currency
    return found.group(3) + "元"


def field_for_header(text: object) -> str | None:
    key = header_key(text)
    if not key:
        return None
    if key in _EXACT:
        return _EXACT[key]
    for word, field in _WORDS:
        if len(word) >= 2 and word in key:
            return field
    return None


@dataclass
class Column:
    index: int  # 0-based position in the row
    header: str  # as the ledger shows it (a two-row header joins its parts with " / ")
    field: str | None
    unit: str | None = None  # the amount unit the header names

    @property
    def letter(self) -> str:
        return column_letter(self.index)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def join_header_rows(upper: list, lower: list | None) -> list[tuple[str, str]]:
    """(parent, child) per column of a one- or two-row header.

    A merged parent cell ("投资情况" over "计划总投资(万元)" and "协议外资(万美元)") holds its text
    in its first column only; it fills the blank cells to its right while the row below has
    headers there. A cell with nothing below it is a header merged down (项目名称).
    """
    width = max(len(upper), len(lower or []))
    upper = [_text(v) for v in upper] + [""] * (width - len(upper))
    if lower is None:
        return [("", u) for u in upper]
    lower = [_text(v) for v in lower] + [""] * (width - len(lower))
    parents: list[str] = []
    current = ""
    for up, low in zip(upper, lower, strict=True):
        if up:
            current = up if low else ""
            parents.append(up)
        else:
            parents.append(current if low else "")
            if not low:
                current = ""
    result = []
    for parent, up, low in zip(parents, upper, lower, strict=True):
        if low:
            result.append((parent, low))
        else:
            result.append(("", up))
    return result


def map_columns(
    pairs: list[tuple[str, str]], overrides: dict[str, str | None] | None = None
) -> list[Column]:
    """Columns with their fields. ``overrides`` (header → field or None) comes from the user or a
    saved mapping and wins over the synonyms. A field named twice keeps its first column."""
    overrides = overrides or {}
    columns: list[Column] = []
    taken: set[str] = set()
    for index, (parent, child) in enumerate(pairs):
        header = f"{parent} / {child}" if parent and child else (child or parent)
        if not header:
            continue
        if header in overrides or child in overrides:
            field = overrides.get(header, overrides.get(child))
        else:
            field = field_for_header(child) or (field_for_header(parent) if not child else None)
            if field is None and parent:
                field = field_for_header(parent + child)
        if field is not None and field != "seq" and field in taken:
            field = None
        if field:
            taken.add(field)
        unit = header_unit(f"{parent}{child}") if field in AMOUNT_FIELDS else None
        columns.append(Column(index=index, header=header, field=field, unit=unit))
    return columns


def score(columns: list[Column]) -> int:
    return len({c.field for c in columns if c.field and c.field != "seq"})
