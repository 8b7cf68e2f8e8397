"""Small helpers shared by the API tests."""

from __future__ import annotations

import random
import re

from yinli.companies.uscc import generate_uscc

_CJK = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str, *, besides: str = "") -> bool:
    """Chinese words in the message itself, not only in the value it quotes."""
    return bool(_CJK.search(text.replace(besides, "")))


def uscc(seed: int, region: str = "320400") -> str:
    return generate_uscc(random.Random(seed), region=region)


def signed_body(city, company, **extra) -> dict:
    """A project with everything signing (签约) needs, as a client sends it."""
    return {
        "name": "年产5万吨高性能碳纤维项目",
        "district": "jingkai",
        "company": company.pk,
        "industry": city.industry.name,
        "responsible_unit": "jingkai",
        "agreement": "formal",
        "category": "industrial",
        "total_investment_wan": "3.5亿元",
        "signing_region": "320400",
        "channel": "business",
        "stage": "signed",
        "stage_on": "2025-03-12",
        **extra,
    }
