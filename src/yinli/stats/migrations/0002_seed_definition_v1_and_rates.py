"""Seed version 1 of the statistics definition (DESIGN.md defaults, as Zhenjiang counts) and the
monthly conversion rates 2023-01..2026-12 (stats/data/conversion_rates.csv; its source is noted in
stats/data/build_conversion_rates.py and in each row).

The wording is a literal copy, so that version 1 stays what it was whatever later code defaults.
"""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import migrations

RATES_CSV = Path(__file__).resolve().parent.parent / "data" / "conversion_rates.csv"

WORDING_V1 = {
    "scope_city": "全市",
    "increase": "增长",
    "decrease": "下降",
    "flat": "持平",
    "over": "超过",
    "under": "不足",
    "about": "约",
    "equal": "为",
    "yoy": "同比",
    "respectively": "分别",
    "both": "均",
    "and": "和",
    "count_subject": "项目数量",
    "investment_subject": "投资额",
    "outside": "市外",
    "local": "本地",
    "local_expansion": "本地增资",
    "unknown_source": "来源不详",
    "not_given": "未填写",
    "categories": {
        "industrial": "工业",
        "service": "服务业",
        "other": "其他"
    },
    "size_band_at_least": "{n}亿元以上",
    "size_band_below": "{n}亿元以下",
    "threshold": "",
    "floored_shares": [
        "foreign_share"
    ],
    "rounded_amounts": [
        "group_investment"
    ],
    "highlight_groups": [
        "粤港澳大湾区"
    ],
    "period": {
        "year": "{y}年",
        "whole_year": "全年",
        "halves": [
            "上半年",
            "下半年"
        ],
        "quarters": [
            "一季度",
            "二季度",
            "三季度",
            "四季度"
        ],
        "month": "{m}月",
        "months": "{m1}-{m2}月",
        "months_across": "{y1}年{m1}月至{y2}年{m2}月",
        "range": "{y1}年{m1}月{d1}日至{m2}月{d2}日",
        "range_across": "{y1}年{m1}月{d1}日至{y2}年{m2}月{d2}日"
    },
    "sentences": {
        "headline": "{period}{scope}新签约{threshold}项目{count}个，总投资{investment}亿元{change}。",
        "foreign": "其中外资项目协议投资比重{share}",
        "in_statistics": "新入库列统投资{investment}亿元{change}",
        "categories": "分产业看，{items}。",
        "category_item": "{name}项目{count}个、总投资{investment}亿元",
        "group": "新签约项目中来自{group}的有{count}个（占比{count_share}%），总投资{investment}亿元（占{whole}{investment_share}%）。",
        "top_city": "近{years}年，{city}是{home}市外项目来源最多的城市。"
    }
}


def seed(apps, schema_editor):
    Definition = apps.get_model("stats", "Definition")
    ConversionRate = apps.get_model("stats", "ConversionRate")
    if not Definition.objects.exists():
        Definition.objects.create(
            name='亿元以上项目统计口径',
            version=1,
            is_current=True,
            note="DESIGN.md 默认口径（镇江）：工业、服务业项目，总投资≥1亿元或协议外资≥1000万美元；"
            "按首次正式签约日计一次；增资扩产按新增投资计、列为本地增资。",
            threshold_total_wan=Decimal(10000),
            threshold_foreign=Decimal(1000),
            threshold_foreign_currency="USD",
            convert_foreign_threshold=False,
            categories=["industrial", "service"],
            count_expansion=True,
            count_at="first_signed_on",
            expansion_as_local=True,
            foreign_share_basis="total_investment_of_foreign_projects",
            source_rule="controller_else_signer",
            size_bands_yi=[1, 10, 30],
            rounding="half_up",
            decimal_places=1,
            yoy_on_zero="null",
            top_cities_years=3,
            wording=WORDING_V1,
        )
    existing = set(ConversionRate.objects.values_list("currency", "month"))
    rates = []
    with RATES_CSV.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            year, month = (int(x) for x in row["month"].split("-"))
            key = (row["currency"], date(year, month, 1))
            if key in existing:
                continue
            rates.append(
                ConversionRate(
                    currency=row["currency"],
                    month=key[1],
                    rate=Decimal(row["rate_cny"]),
                    source=row["source"][:200],
                )
            )
    ConversionRate.objects.bulk_create(rates, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_definitions_and_conversion_rates")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
