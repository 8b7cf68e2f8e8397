"""A province-sized data set for the statistics benchmark (bench/test_stats.py), generated fast.

    info = generate(projects=1_000_000, seed=20251231, progress=print)

What it writes (sizes for 1,000,000 projects):

- 13 city units and 100 districts (OrgUnit) for the 13 prefecture cities of 江苏 (320000): each
  current county-level region of a city is a district linked to its Region row, and each city
  gets a development zone (经开区, linked to the city's region) until there are 100;
- a city analyst (the user the report is built for), 12 industry directions (工业, 服务业 and
  其他), 60 events over 2021–2025; the channels seeded by the migrations;
- 250,000 companies registered all over China and abroad (real Region rows: 江苏, 上海, 浙江,
  the Greater Bay Area and a long tail of every other prefecture city, 香港/澳门/台湾, foreign
  cities and countries), ownership mostly private, state-owned and foreign where it fits;
- 1,000,000 projects over 2021–2025 (first contact to full production), ids in the order of
  their lead dates (a record is entered when its lead comes in): about 70 % signed, with
  first_signed_on growing a little each year and peaking in June and December; total
  investment log-normal (median 0.9亿元); agreed foreign investment on foreign-funded ones in
  USD, EUR, HKD, JPY, KRW, SGD or GBP; 15 % 增资扩产 of local companies; 20 % with an actual
  controller elsewhere; 入库列统 (fai_on) some months after 开工; a few merged duplicates and
  soft-deleted records;
- the stage log (StageChange, ≈3.3 per project) with the date of every stage reached, the
  signing on first_signed_on, and 到位资金 (FundsInPlace) for projects under construction; the
  log's first dates on each project (entered_on, lead_on, started_on…) as
  yinli.projects.stagedates derives them.

It does not write django-simple-history rows (no history for generated records) nor tags, and
leaves the pinyin initials of names empty (they serve search only).

On PostgreSQL the rows go in with COPY (psycopg 3 `cursor.copy`), on SQLite with executemany
in large transactions; ids are given explicitly so that the stage log and merges can point at
projects without a round trip. Columns a model has beyond the ones set here get
the model's default (or NULL/""), so the generator keeps working as the models grow.
VACUUM ANALYZE runs on PostgreSQL only (SQLite installs never run it; see bench/README.md).
"""

from __future__ import annotations

import math
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate, islice

from django.core.management.color import no_style
from django.db import connection, models, transaction

from yinli.companies.models import Company
from yinli.core.models import OrgKind, OrgUnit, Region, RegionKind, Role, User
from yinli.fieldwork.models import Channel, Event, EventKind
from yinli.projects import stagedates
from yinli.projects.models import (
    STAGE_ORDER,
    Agreement,
    Category,
    FundsInPlace,
    Industry,
    Kind,
    Project,
    Stage,
    StageChange,
    Status,
)

START, END = date(2021, 1, 1), date(2025, 12, 31)
PROVINCE = "320000"  # 江苏: 13 prefecture cities
DISTRICTS = 100
CODE_PREFIX = "bst-"  # org units, users, industries and events of this data set
CHUNK = 20_000
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

INDUSTRIES = [
    ("高端装备制造", Category.INDUSTRIAL, 12),
    ("新能源及新型电力装备", Category.INDUSTRIAL, 12),
    ("新材料", Category.INDUSTRIAL, 11),
    ("生物医药及大健康", Category.INDUSTRIAL, 8),
    ("电子信息", Category.INDUSTRIAL, 9),
    ("汽车及零部件", Category.INDUSTRIAL, 7),
    ("航空航天", Category.INDUSTRIAL, 3),
    ("现代服务业", Category.SERVICE, 12),
    ("软件和信息服务", Category.SERVICE, 8),
    ("现代物流", Category.SERVICE, 6),
    ("文化旅游", Category.SERVICE, 5),
    ("现代农业", Category.OTHER, 4),
]
# Where investors come from: (region code, weight); a city is split over its counties.
SOURCE_CITIES = [
    ("310100", 13.0),  # 上海
    ("320500", 4.0),  # 苏州
    ("320100", 4.0),  # 南京
    ("320200", 2.5),  # 无锡
    ("320400", 2.5),  # 常州
    ("330100", 3.0),  # 杭州
    ("330200", 1.5),  # 宁波
    ("440300", 4.0),  # 深圳
    ("440100", 1.5),  # 广州
    ("441900", 0.8),  # 东莞
    ("440600", 0.6),  # 佛山
    ("110100", 4.5),  # 北京
    ("120100", 1.0),  # 天津
    ("340100", 1.5),  # 合肥
    ("370200", 0.8),  # 青岛
    ("420100", 0.8),  # 武汉
    ("510100", 0.8),  # 成都
    ("500100", 0.6),  # 重庆
]
HOME_SHARE = 16.0  # the home city itself (本地)
REST_OF_CHINA = 9.0  # every other prefecture city, evenly
APART = [("810000", 1.8), ("820000", 0.2), ("710000", 0.6)]  # 香港, 澳门, 台湾
FOREIGN_CITIES = 4.5
FOREIGN_COUNTRIES = 1.0
NO_REGION = 0.8
CONTROLLERS = ["110100", "310100", "440300", "810000", "330100"]  # head offices elsewhere
CURRENCIES_FOREIGN = [("USD", 62), ("EUR", 14), ("JPY", 8), ("KRW", 6), ("SGD", 5), ("GBP", 5)]
CURRENCIES_HMT = [("HKD", 55), ("USD", 45)]
# Plain strings (not the choices' enum members) for the database drivers.
LEAD, NEGOTIATING, SIGNED, STARTED = (
    Stage.LEAD.value,
    Stage.NEGOTIATING.value,
    Stage.SIGNED.value,
    Stage.STARTED.value,
)
NEW, EXPANSION, FORMAL = Kind.NEW.value, Kind.EXPANSION.value, Agreement.FORMAL.value
STATUSES = [Status.ACTIVE.value, Status.PAUSED.value, Status.LOST.value, Status.TERMINATED.value]


def _pick(rng: random.Random, table: list[tuple[object, float]]):
    """One value of a (value, weight) table."""
    values, cum = _cum(table)
    return values[bisect(cum, rng.random() * cum[-1])]


_cum_cache: dict[int, tuple[list, list[float]]] = {}


def _cum(table):
    key = id(table)
    if key not in _cum_cache:
        _cum_cache[key] = ([v for v, _w in table], list(accumulate(w for _v, w in table)))
    return _cum_cache[key]


# --- writing rows fast --------------------------------------------------------------------------


class Writer:
    """Bulk rows for one model: COPY on PostgreSQL, executemany on SQLite.

    Every concrete column is written; `set` names the ones the generator fills per row (a tuple
    in that order), the others take the model's default, NULL or "".
    """

    def __init__(self, model: type[models.Model], fields: list[str]):
        self.model = model
        self.table = model._meta.db_table
        concrete = [f for f in model._meta.concrete_fields]
        by_name = {f.attname: f for f in concrete} | {f.name: f for f in concrete}
        self.fields = [by_name[name] for name in fields]
        given = {f.attname for f in self.fields}
        self.rest = [f for f in concrete if f.attname not in given and not f.primary_key]
        self.rest_values = tuple(self._default(f) for f in self.rest)
        self.columns = [f.column for f in self.fields] + [f.column for f in self.rest]
        self.postgres = connection.vendor == "postgresql"
        self.rows = 0

    def _default(self, field):
        if field.has_default():
            value = field.get_default()
        elif isinstance(field, models.DateTimeField):  # auto_now(_add)
            value = NOW
        elif field.null:
            value = None
        elif isinstance(field, models.CharField | models.TextField):
            value = ""
        else:
            raise ValueError(f"{self.table}.{field.column}: no value and no default")
        if isinstance(value, datetime) and not self._is_postgres():
            return field.get_db_prep_save(value, connection)
        if isinstance(value, dict | list):
            return field.get_db_prep_save(value, connection)
        return value

    @staticmethod
    def _is_postgres() -> bool:
        return connection.vendor == "postgresql"

    def write(self, rows: Iterable[tuple]) -> int:
        rest = self.rest_values
        count = 0
        with connection.cursor() as cursor:
            if self.postgres:
                names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
                with cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + rest)
                        count += 1
            else:
                names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {self.table} ({names}) VALUES ({marks})"
                iterator = iter(rows)
                while batch := [row + rest for row in islice(iterator, CHUNK)]:
                    cursor.executemany(sql, batch)
                    count += len(batch)
        self.rows += count
        return count


def _reset_sequences(*model_list) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _next_id(model) -> int:
    last = model._base_manager.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


# --- the reference part (ORM, small) --------------------------------------------------------------


def _org_units() -> tuple[list[OrgUnit], list[OrgUnit], list[float]]:
    """13 city units and 100 districts with real Region rows; weights by the city's size."""
    province = Region.objects.get(code=PROVINCE)
    cities = list(Region.objects.filter(kind=RegionKind.CITY, province=province).order_by("code"))
    counties = {}
    for county in Region.objects.filter(
        kind=RegionKind.COUNTY, city__in=cities, valid_to__isnull=True
    ).order_by("code"):
        counties.setdefault(county.city_id, []).append(county)
    city_units, plan = [], []
    for order, region in enumerate(cities):
        unit = OrgUnit(
            code=f"{CODE_PREFIX}{region.code}",
            name=region.name,
            short_name=region.short_name,
            kind=OrgKind.CITY,
            region=region,
            sort_order=order,
        )
        unit.save()
        city_units.append(unit)
        plan += [(unit, county, county.name) for county in counties.get(region.pk, [])]
    # A development zone per city (in the city's region) until there are 100 districts.
    for unit in city_units:
        if len(plan) >= DISTRICTS:
            break
        plan.append((unit, unit.region, f"{unit.region.short_name}经济技术开发区"))
    plan = plan[:DISTRICTS]
    districts = []
    for order, (parent, region, name) in enumerate(plan):
        unit = OrgUnit(
            code=f"{CODE_PREFIX}d{order:03d}",
            name=name,
            short_name=name,
            kind=OrgKind.DISTRICT,
            parent=parent,
            region=region,
            sort_order=order,
        )
        unit.save()
        districts.append(unit)
    big = {"320500": 3.0, "320100": 2.5, "320200": 2.0, "320400": 1.6, "320600": 1.5}
    weights = [big.get(d.parent.region.code, 1.0) for d in districts]
    return city_units, districts, weights


def _sources(rng: random.Random) -> list[tuple[int | None, str, float]]:
    """(region id, kind of place, weight): where companies are registered."""
    regions = Region.objects.filter(valid_to__isnull=True)
    counties: dict[int, list[int]] = {}
    for pk, city_id in regions.filter(kind=RegionKind.COUNTY).values_list("pk", "city_id"):
        counties.setdefault(city_id, []).append(pk)
    cities = dict(regions.filter(kind=RegionKind.CITY).values_list("code", "pk"))
    table: list[tuple[int | None, str, float]] = []

    def add_city(code: str, weight: float, kind: str = "cn"):
        pk = cities.get(code)
        if pk is None:
            return
        under = counties.get(pk, [])
        table.append((pk, kind, weight * (0.3 if under else 1.0)))
        for county in under:
            table.append((county, kind, weight * 0.7 / len(under)))

    from django.conf import settings

    add_city(settings.HOME_REGION, HOME_SHARE, "home")
    named = {code for code, _w in SOURCE_CITIES} | {settings.HOME_REGION}
    for code, weight in SOURCE_CITIES:
        add_city(code, weight)
    rest = [code for code in cities if code not in named]
    for code in rest:
        add_city(code, REST_OF_CHINA / len(rest))
    provinces = dict(regions.filter(kind=RegionKind.PROVINCE).values_list("code", "pk"))
    for code, weight in APART:
        if code in provinces:
            table.append((provinces[code], "hmt", weight))
    foreign_cities = list(regions.filter(kind=RegionKind.FOREIGN_CITY).values_list("pk", flat=True))
    for pk in foreign_cities:
        table.append((pk, "foreign", FOREIGN_CITIES / len(foreign_cities)))
    countries = list(
        regions.filter(kind=RegionKind.COUNTRY).exclude(code="CN").values_list("pk", flat=True)
    )
    rng.shuffle(countries)
    for pk in countries[:60]:
        table.append((pk, "foreign", FOREIGN_COUNTRIES / 60))
    table.append((None, "none", NO_REGION))
    return table


def _lognormal_wan(rng: random.Random, median: float, sigma: float, cap: float) -> Decimal:
    value = min(cap, median * math.exp(rng.gauss(0.0, sigma)))
    if value >= 1000 and rng.random() < 0.6:  # ledgers like round numbers: 12000万, 3.5亿
        return Decimal(round(value, -2))
    return Decimal(f"{value:.2f}")


# --- the generator ------------------------------------------------------------------------------


def generate(
    *,
    projects: int,
    seed: int = 20251231,
    progress: Callable[[str], None] = print,
) -> dict:
    """Write the data set; returns what a benchmark needs (user, districts, counts, seconds)."""
    began = time.perf_counter()
    rng = random.Random(seed)
    with transaction.atomic():
        city_units, districts, district_weights = _org_units()
        analyst = User.objects.create_user(
            username=f"{CODE_PREFIX}analyst",
            password="bench-only",
            role=Role.CITY_ANALYST,
            org_unit=city_units[0],
        )
        industries = []
        for order, (name, category, weight) in enumerate(INDUSTRIES):
            industry, _created = Industry.objects.get_or_create(
                name=name, defaults={"category": category, "sort_order": order}
            )
            industries.append((industry.pk, industry.category, weight))
        channels = list(Channel.objects.values_list("pk", flat=True))
        events_by_year: dict[int, list[int]] = {}
        for year in range(START.year, END.year + 1):
            for n in range(12):
                event = Event.objects.create(
                    name=f"{CODE_PREFIX}{year}年第{n + 1}场投资推介会",
                    kind=rng.choice(list(EventKind.values)),
                    held_on=date(year, n + 1, rng.randrange(1, 28)),
                    organiser=rng.choice(city_units),
                )
                events_by_year.setdefault(year, []).append(event.pk)
        sources = _sources(rng)
    progress(f"reference rows in {time.perf_counter() - began:.1f}s")

    n_companies = max(500, projects // 4)
    company_ids = _companies(n_companies, sources, rng, progress)
    counts = _projects(
        projects,
        rng=rng,
        companies=company_ids,
        districts=[(d.pk, d.region_id) for d in districts],
        district_weights=district_weights,
        industries=industries,
        channels=channels,
        events_by_year=events_by_year,
        progress=progress,
    )
    _reset_sequences(Company, Project, StageChange, FundsInPlace)
    if connection.vendor == "postgresql":
        # As autovacuum would after a load this size (since PostgreSQL 13 it vacuums a table
        # after many inserts too, which sets the visibility map that index-only scans need).
        # Not on SQLite: Django never runs ANALYZE there, and its statistics mislead the
        # planner (see bench/README.md).
        analyze_began = time.perf_counter()
        with connection.cursor() as cursor:
            if not connection.in_atomic_block:  # VACUUM cannot run in a transaction
                for table in (Project, Company, StageChange, FundsInPlace):
                    cursor.execute(f'VACUUM ANALYZE "{table._meta.db_table}"')
            cursor.execute("ANALYZE")
        progress(f"VACUUM ANALYZE in {time.perf_counter() - analyze_began:.1f}s")
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "analyst": analyst,
        "districts": districts,
        "cities": city_units,
        "companies": n_companies,
        **counts,
    }


def _companies(n: int, sources, rng: random.Random, progress) -> list[tuple[int, str, int | None]]:
    """Write n companies; returns (id, ownership, region id) of each."""
    writer = Writer(
        Company,
        ["id", "name", "name_normalized", "region_id", "ownership", "registered_capital"],
    )
    first = _next_id(Company)
    chars = "恒远华裕天合博思润扬金山明辉宏达鑫源瑞丰永泰盛世嘉禾中科联创新锐东方海纳百川"
    made: list[tuple[int, str, int | None]] = []
    source_table = [((pk, kind), w) for pk, kind, w in sources]

    def rows() -> Iterator[tuple]:
        for i in range(n):
            region_id, kind = _pick(rng, source_table)
            if kind == "foreign":
                ownership = "foreign"
            elif kind == "hmt":
                ownership = "hmt"
            else:
                r = rng.random()
                ownership = (
                    "private"
                    if r < 0.78
                    else "local_soe"
                    if r < 0.86
                    else "central_soe"
                    if r < 0.91
                    else "foreign"
                    if r < 0.95
                    else "hmt"
                    if r < 0.96
                    else "other"
                )
            pk = first + i
            key = "".join(rng.choice(chars) for _ in range(3)) + f"{i}科技"
            made.append((pk, ownership, region_id))
            yield (
                pk,
                key + "有限公司",
                key,
                region_id,
                ownership,
                Decimal(rng.choice((1000, 5000, 10000, 50000))),
            )

    began = time.perf_counter()
    with transaction.atomic():
        writer.write(rows())
    progress(f"{n} companies in {time.perf_counter() - began:.1f}s")
    return made


def _signing_day(rng: random.Random) -> date:
    """A day in 2021–2025: a little more each year, peaks in June and December."""
    table = _signing_days()
    return table[0][bisect(table[1], rng.random() * table[1][-1])]


_days_cache: list = []


def _signing_days():
    if not _days_cache:
        days, weights = [], []
        day = START
        while day <= END:
            weight = 1.0 + 0.06 * (day.year - START.year)
            if day.month in (6, 12):
                weight *= 1.6
            if day.month == 2:
                weight *= 0.6
            days.append(day)
            weights.append(weight)
            day += timedelta(days=1)
        _days_cache.extend([days, list(accumulate(weights))])
    return _days_cache


def _projects(
    n: int,
    *,
    rng: random.Random,
    companies,
    districts,
    district_weights,
    industries,
    channels,
    events_by_year,
    progress,
) -> dict:
    project_writer = Writer(
        Project,
        [
            "id",
            "name",
            "company_id",
            "signing_region_id",
            "controller_name",
            "controller_region_id",
            "district_id",
            "responsible_unit_id",
            "channel_id",
            "event_id",
            "industry_id",
            "stage",
            "stage_on",
            "agreement",
            "first_signed_on",
            "status",
            "kind",
            "category",
            "total_investment",
            "foreign_investment",
            "foreign_currency",
            "jobs",
            "fai_on",
            "merged_into_id",
            "deleted_at",
            *stagedates.FIELDS,
        ],
    )
    stage_writer = Writer(StageChange, ["project_id", "stage", "on"])
    funds_writer = Writer(FundsInPlace, ["project_id", "on", "amount", "source"])
    first = _next_id(Project)
    district_cum = list(accumulate(district_weights))
    industry_table = [((pk, category), w) for pk, category, w in industries]
    controller_ids = dict(Region.objects.filter(code__in=CONTROLLERS).values_list("code", "pk"))
    controllers = [controller_ids[c] for c in CONTROLLERS if c in controller_ids]
    stage_changes: list[tuple] = []
    funds: list[tuple] = []
    signed_total = 0
    deleted_at = NOW if connection.vendor == "postgresql" else NOW.strftime("%Y-%m-%d %H:%M:%S")

    # A record is entered when its lead comes in, so ids follow the lead dates (as in a real
    # ledger, rows of one period lie close together on disk); signing follows 20–400 days later.
    timeline = []
    for _ in range(n):
        signed_on = _signing_day(rng)
        timeline.append((signed_on - timedelta(days=rng.randrange(20, 400)), signed_on))
    timeline.sort()

    def project_rows(start: int, stop: int) -> Iterator[tuple]:
        nonlocal signed_total
        for i in range(start, stop):
            pk = first + i
            district_id, district_region = districts[
                bisect(district_cum, rng.random() * district_cum[-1])
            ]
            company_id, ownership, region_id = companies[rng.randrange(len(companies))]
            kind = EXPANSION if rng.random() < 0.15 else NEW
            if kind == EXPANSION:  # a local company adds investment where it stands
                region_id, ownership = (
                    district_region,
                    (ownership if ownership not in ("foreign", "hmt") else "private"),
                )
            controller_id, controller_name = None, ""
            if kind == NEW and rng.random() < 0.2:
                controller_id = rng.choice(controllers)
                controller_name = f"某集团{rng.randrange(5000)}股份有限公司"
            industry_id, category = _pick(rng, industry_table)
            signed = rng.random() < 0.7
            lead_on, signed_on = timeline[i]
            log = [(LEAD, lead_on)]
            if rng.random() < 0.7:
                log.append((NEGOTIATING, lead_on + timedelta(days=(signed_on - lead_on).days // 2)))
            if signed:
                signed_total += 1
                log.append((SIGNED, signed_on))
                day, age = signed_on, (END - signed_on).days / 365
                steps = min(5, int(rng.expovariate(1 / (0.6 + age * 1.1))))
                for stage in STAGE_ORDER[3 : 3 + steps]:
                    day = day + timedelta(days=rng.randrange(30, 300))
                    if day > END:
                        break
                    log.append((stage, day))
            else:
                log = log[: 1 + (rng.random() < 0.5)]
                if log[-1][1] > END:
                    log = log[:1]
            stage, stage_on = log[-1]
            r = rng.random()
            status = STATUSES[(r >= 0.86) + (r >= 0.91) + (r >= 0.96)]
            total = None if rng.random() < 0.015 else _lognormal_wan(rng, 9000, 1.25, 5_000_000)
            foreign, currency = None, "USD"
            if (ownership in ("foreign", "hmt") and rng.random() < 0.9) or rng.random() < 0.02:
                foreign = _lognormal_wan(rng, 900, 1.3, 200_000)
                currency = _pick(rng, CURRENCIES_HMT if ownership == "hmt" else CURRENCIES_FOREIGN)
            started = next((d for s, d in log if s == STARTED), None)
            fai_on = None
            if started is not None and rng.random() < 0.8:
                fai_on = (started + timedelta(days=rng.randrange(0, 90))).replace(day=1)
            elif signed and len(log) > 3 and rng.random() < 0.1:
                fai_on = (log[3][1] + timedelta(days=40)).replace(day=1)
            if fai_on is not None and fai_on > END:
                fai_on = None
            for stage_name, on in log:
                stage_changes.append((pk, stage_name, on))
            if started is not None and total:
                share = rng.uniform(0.2, 1.0)
                parts = rng.randrange(1, 4)
                for k in range(parts):
                    on = started + timedelta(days=30 + 90 * k)
                    if on <= END:
                        funds.append(
                            (
                                pk,
                                on,
                                (total * Decimal(share / parts)).quantize(Decimal("0.01")),
                                "own",
                            )
                        )
            event_id = None
            if signed and rng.random() < 0.12:
                event_id = rng.choice(events_by_year[signed_on.year])
            merged_into = first + rng.randrange(i) if i > 1000 and rng.random() < 0.004 else None
            yield (
                pk,
                f"{category}类项目{pk}",
                company_id,
                region_id,
                controller_name,
                controller_id,
                district_id,
                district_id,
                rng.choice(channels) if rng.random() < 0.9 else None,
                event_id,
                industry_id,
                stage,
                stage_on,
                FORMAL if signed else "",
                signed_on if signed else None,
                status,
                kind,
                category,
                total,
                foreign,
                currency,
                rng.randrange(10, 2000) if rng.random() < 0.5 else None,
                fai_on,
                merged_into,
                deleted_at if rng.random() < 0.003 else None,
                # The stage log's first dates, as yinli.projects.stagedates derives them.
                *stagedates.stage_dates_from_log(log).values(),
            )

    began = time.perf_counter()
    with transaction.atomic():
        for start in range(0, n, 100_000):
            stop = min(n, start + 100_000)
            project_writer.write(project_rows(start, stop))
            stage_writer.write(stage_changes)
            funds_writer.write(funds)
            stage_changes.clear()
            funds.clear()
            progress(
                f"{stop}/{n} projects, {stage_writer.rows} stage changes, "
                f"{funds_writer.rows} funds rows ({time.perf_counter() - began:.0f}s)"
            )
    return {
        "projects": n,
        "signed": signed_total,
        "stage_changes": stage_writer.rows,
        "funds": funds_writer.rows,
        "insert_seconds": time.perf_counter() - began,
    }


def remove(info: dict) -> None:
    """Delete the generated rows (so that a later benchmark in the same run starts clean)."""
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (FundsInPlace, StageChange):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute(f"UPDATE {Project._meta.db_table} SET merged_into_id = NULL")
        cursor.execute(f"DELETE FROM {Project._meta.db_table}")
        cursor.execute(f"DELETE FROM {Company._meta.db_table}")
        Event.all_objects.filter(name__startswith=CODE_PREFIX).delete()
        User.objects.filter(username__startswith=CODE_PREFIX).delete()
        OrgUnit.objects.filter(code__startswith=CODE_PREFIX, kind=OrgKind.DISTRICT).update(
            district=None
        )
        OrgUnit.objects.filter(code__startswith=CODE_PREFIX, kind=OrgKind.DISTRICT).delete()
        OrgUnit.objects.filter(code__startswith=CODE_PREFIX).delete()
