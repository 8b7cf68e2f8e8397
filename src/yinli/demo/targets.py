"""The figures the demo city reproduces exactly (the city newspaper's 2025 half-year report).

The counting rule of the default definition (DESIGN.md): a signed 亿元以上 project is one of
category 工业 or 服务业, counted at `first_signed_on`, not merged into another, not deleted, whose
total investment is at least 1亿元 (10,000万元) or whose agreed foreign investment is at least
1000万美元 (compared in the stored currency: USD only). Foreign-funded means the investor's
ownership is 外资 or 港澳台资; in the demo exactly those projects carry agreed foreign
investment, so a definition by either gives the same share. The Greater Bay Area is the region
group 粤港澳大湾区, by the actual controller's location, else the signing entity's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

THRESHOLD_WAN = Decimal(10000)  # 1亿元
THRESHOLD_USD_WAN = Decimal(1000)  # 1000万美元
BIG_WAN = Decimal(100000)  # 10亿元
HUGE_WAN = Decimal(300000)  # 30亿元


@dataclass(frozen=True)
class SignedTarget:
    start: date
    end: date
    count: int
    total_wan: Decimal


SIGNED_2025_H1 = SignedTarget(date(2025, 1, 1), date(2025, 6, 30), 267, Decimal(11588000))
SIGNED_2024_H1 = SignedTarget(date(2024, 1, 1), date(2024, 6, 30), 221, Decimal(10942000))

# Newly 入库列统 (every project whose fai_on falls in the half year, no threshold).
IN_STATISTICS_2025_H1_WAN = Decimal(2000000)
IN_STATISTICS_2024_H1_WAN = Decimal(1714000)

# Of the 267: from the Greater Bay Area.
GBA_2025_H1_COUNT = 20
GBA_2025_H1_WAN = Decimal(1150000)

# Of the 267: foreign-funded (外资 or 港澳台资), 990,000 ÷ 11,588,000 = 8.54%.
FOREIGN_2025_H1_WAN = Decimal(990000)
FOREIGN_SHARE_RANGE = (Decimal("0.080"), Decimal("0.090"))

# The March 2025 Shanghai signing (集中签约): 20 projects, 165.2亿元 in all.
SHANGHAI_EVENT_KEY = "sh2025"
SHANGHAI_EVENT_COUNT = 20
SHANGHAI_EVENT_WAN = Decimal(1652000)

# 镇江经开区, signed from 2025-01-01 to the reference date.
JINGKAI_BIG = 7  # ≥ 10亿
JINGKAI_HUGE = 2  # ≥ 30亿
JINGKAI_STATE_OWNED = 3  # 央企 or 地方国企 among its signed 亿元以上 projects

# Shanghai (310100) is the top source city of signed projects from 2023-01-01.
TOP_SOURCE_CITY = "310100"
FIRST_DAY = date(2023, 1, 1)
