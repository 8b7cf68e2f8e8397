"""The demo city's field work: programmes, visits, trips, district events, channel attribution.

Generated after the projects (yinli.demo.build), from its own random stream
(``f"{seed}-fieldwork"``) so that the projects' streams and figures never move.

The development zone (镇江经开区) has, from 2025-05-20 to 2025-07-08 (50 days), the record of
the city newspaper's report: its teams went to 9 cities and 26 districts, made 108 visits and
reported 30,700 km in all (see ``JINGKAI_WINDOW`` and ``WINDOW_TRIPS``). Outside that window
every district has visits (at home and away) and trips from 2023 up to the reference date; the
development zone's other field work keeps out of the window so that its summary stays the
report's.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from yinli.companies.models import Company
from yinli.core.models import OrgUnit, Region, User
from yinli.fieldwork.distance import coordinates, great_circle_km, road_factor
from yinli.fieldwork.models import (
    ChannelAttribution,
    Event,
    EventKind,
    Outcome,
    Programme,
    Trip,
    TripStop,
    Visit,
)
from yinli.projects.models import Project

from .naming import words

JINGKAI_WINDOW = (date(2025, 5, 20), date(2025, 7, 8))
WINDOW_KM = Decimal(30700)
WINDOW_VISITS = 108
START = date(2023, 1, 1)

# The zone's trips in the window: (team, first day, last day, [(place, day of arrival)]).
WINDOW_TRIPS: list[tuple[str, date, date, list[tuple[str, date]]]] = [
    (
        "jk-squad-shanghai",
        date(2025, 5, 20),
        date(2025, 5, 23),
        [
            ("310115", date(2025, 5, 20)),
            ("310112", date(2025, 5, 21)),
            ("310114", date(2025, 5, 22)),
            ("310117", date(2025, 5, 23)),
        ],
    ),
    (
        "jk-bio-drug",
        date(2025, 5, 21),
        date(2025, 5, 24),
        [
            ("110108", date(2025, 5, 22)),
            ("110105", date(2025, 5, 23)),
            ("110115", date(2025, 5, 24)),
        ],
    ),
    (
        "jk-squad-shenzhen",
        date(2025, 5, 24),
        date(2025, 5, 29),
        [
            ("440305", date(2025, 5, 25)),
            ("440306", date(2025, 5, 26)),
            ("440307", date(2025, 5, 27)),
            ("440304", date(2025, 5, 28)),
        ],
    ),
    (
        "jk-energy-pv",
        date(2025, 5, 29),
        date(2025, 6, 2),
        [
            ("340104", date(2025, 5, 29)),
            ("340111", date(2025, 5, 30)),
            ("330108", date(2025, 6, 1)),
        ],
    ),
    (
        "jk-aero-low",
        date(2025, 6, 2),
        date(2025, 6, 6),
        [
            ("510107", date(2025, 6, 2)),
            ("510116", date(2025, 6, 3)),
            ("610113", date(2025, 6, 4)),
            ("610116", date(2025, 6, 5)),
        ],
    ),
    (
        "jk-material-new",
        date(2025, 6, 6),
        date(2025, 6, 9),
        [("320583", date(2025, 6, 6)), ("320509", date(2025, 6, 7)), ("320505", date(2025, 6, 9))],
    ),
    (
        "jk-equipment-smart",
        date(2025, 6, 9),
        date(2025, 6, 13),
        [
            ("440112", date(2025, 6, 10)),
            ("440113", date(2025, 6, 11)),
            ("440305", date(2025, 6, 12)),
        ],
    ),
    (
        "jk-service-tech",
        date(2025, 6, 13),
        date(2025, 6, 16),
        [
            ("330110", date(2025, 6, 13)),
            ("330109", date(2025, 6, 14)),
            ("330108", date(2025, 6, 16)),
        ],
    ),
    (
        "jk-bio-device",
        date(2025, 6, 16),
        date(2025, 6, 20),
        [("110108", date(2025, 6, 17)), ("110105", date(2025, 6, 19))],
    ),
    (
        "jk-energy-grid",
        date(2025, 6, 20),
        date(2025, 6, 24),
        [
            ("440304", date(2025, 6, 21)),
            ("440307", date(2025, 6, 22)),
            ("440112", date(2025, 6, 23)),
        ],
    ),
    (
        "jk-squad-shanghai",
        date(2025, 6, 24),
        date(2025, 6, 27),
        [
            ("310118", date(2025, 6, 24)),
            ("310115", date(2025, 6, 25)),
            ("310112", date(2025, 6, 26)),
        ],
    ),
    (
        "jk-material-chem",
        date(2025, 6, 27),
        date(2025, 7, 1),
        [("510107", date(2025, 6, 28)), ("610116", date(2025, 6, 30))],
    ),
    (
        "jk-equipment-port",
        date(2025, 7, 1),
        date(2025, 7, 4),
        [("320583", date(2025, 7, 1)), ("310114", date(2025, 7, 3))],
    ),
    (
        "jk-squad-shenzhen",
        date(2025, 7, 4),
        date(2025, 7, 8),
        [("440305", date(2025, 7, 5)), ("440306", date(2025, 7, 6)), ("440113", date(2025, 7, 7))],
    ),
]
# Trips whose distance the team reported leg by leg (the others as one figure for the trip).
PER_LEG = {1, 4, 8, 12}
# A trip whose reported distance is far from the estimate (the page flags it).
ODD_TRIP = 5

# Where the other districts' teams go (city-level places with districts to pick from).
DESTINATIONS = {
    "310100": ["310115", "310112", "310114", "310117", "310118", "310104", "310113"],
    "320500": ["320583", "320509", "320505", "320506"],
    "330100": ["330108", "330110", "330109", "330106"],
    "440300": ["440305", "440306", "440307", "440304"],
    "110100": ["110108", "110105", "110115", "110106"],
    "440100": ["440112", "440113", "440106"],
    "340100": ["340104", "340111"],
    "320100": ["320115", "320111", "320106"],
    "370200": ["370212", "370211"],
    "420100": ["420111", "420106"],
}
ABROAD = ["DE-MUNICH", "DE-STUTTGART", "AT-VIENNA", "KR-SEOUL", "JP-TOKYO", "JP-OSAKA"]

DISTRICT_EVENTS = [
    (
        "jingkai",
        "镇江经开区（深圳）生物医药产业推介会",
        EventKind.PROMOTION,
        date(2023, 9, 14),
        "440300",
    ),
    ("jingkai", "镇江经开区航空航天产业对接会", EventKind.FORUM, date(2024, 5, 16), "321100"),
    (
        "jingkai",
        "镇江经开区（上海）新材料产业推介会",
        EventKind.PROMOTION,
        date(2025, 4, 17),
        "310100",
    ),
    ("danyang", "丹阳眼镜产业（温州）对接会", EventKind.PROMOTION, date(2024, 10, 22), "330300"),
    ("jurong", "句容文旅项目招商推介会", EventKind.PROMOTION, date(2024, 4, 25), "321183"),
    ("yangzhong", "扬中电力装备产业链对接会", EventKind.FORUM, date(2025, 6, 12), "321182"),
    ("gaoxin", "镇江高新区参加中国国际工业博览会", EventKind.FAIR, date(2024, 9, 24), "310100"),
]

PURPOSES = [
    "了解企业投资布局和扩产计划",
    "推介园区载体和产业政策",
    "跟进前期对接项目进展",
    "洽谈设立区域总部和研发中心",
    "对接产业链上下游配套需求",
    "回访在谈项目，了解决策进度",
]
LEARNED = [
    "企业今年计划新增产能，选址考虑长三角地区。",
    "企业关注用地指标、能耗和人才政策。",
    "企业正在评估多个地方，近期将组织实地考察。",
    "企业暂无新增投资计划，保持联系。",
    "企业有意将部分生产环节转移，需进一步提供配套资料。",
    "企业对园区现有标准厂房有兴趣。",
]
NEXT_STEPS = [
    "邀请企业来镇考察",
    "报送项目可行性资料",
    "提供用地和厂房方案",
    "安排分管领导会见",
    "确认投资协议条款",
]


def programmes_for(specs) -> dict[str, Programme]:
    """The programmes the city's events name (“4232”招商活动), created once each."""
    names = sorted({spec.programme for spec in specs if spec.programme})
    result = {}
    for order, name in enumerate(names):
        programme, _created = Programme.objects.get_or_create(
            name=name,
            defaults={
                "sort_order": order,
                "organiser": OrgUnit.objects.filter(code="city-commerce").first(),
                "description": "全市招商活动体系（演示数据）。",
            },
        )
        result[name] = programme
    return result


def _aware(day: date, hour: int = 18) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


class _Generator:
    def __init__(self, seed: int, reference_date: date):
        self.rng = random.Random(f"{seed}-fieldwork")
        self.ref = reference_date
        self.units = {u.code: u for u in OrgUnit.objects.all()}
        self.regions = {r.code: r for r in Region.objects.select_related("city", "province")}
        self.home = self.regions.get(settings.HOME_REGION)
        self.admin = User.objects.filter(username="admin").first()
        self.users = {u.username: u for u in User.objects.filter(org_unit__isnull=False)}
        self.companies_by_city: dict[str, list[int]] = {}
        rows = Company.objects.filter(region__isnull=False, merged_into__isnull=True).values_list(
            "pk", "region__code", "region__city__code", "region__province__code"
        )
        for pk, code, city, province in rows:
            key = city or code
            self.companies_by_city.setdefault(key, []).append(pk)
            if province:
                self.companies_by_city.setdefault("p" + province, []).append(pk)
        self.all_companies = sorted(pk for pk, *_rest in rows)
        self.projects_by_company: dict[int, list[tuple[int, int]]] = {}
        for pk, company, district in Project.objects.filter(company__isnull=False).values_list(
            "pk", "company_id", "district_id"
        ):
            self.projects_by_company.setdefault(company, []).append((pk, district))
        w = words()
        self.surnames, self.given = w["surnames"], w["given_chars"]
        self.visits: list[Visit] = []
        self.visit_people: list[tuple[int, User]] = []  # (index in self.visits, user)
        self.trips: list[tuple[Trip, list[TripStop]]] = []

    # -- pieces ---------------------------------------------------------------------------
    def person(self) -> str:
        rng = self.rng
        return rng.choice(self.surnames) + "".join(
            rng.choice(self.given) for _ in range(rng.choice((1, 2)))
        )

    def company_in(self, region: Region) -> int:
        city = region.city.code if region.city_id else region.code
        pool = self.companies_by_city.get(city) or self.companies_by_city.get(
            "p" + (region.province.code if region.province_id else "")
        )
        return self.rng.choice(pool or self.all_companies)

    def active_units(self, district: str, day: date) -> list[OrgUnit]:
        base = self.units[district]
        return [
            u
            for u in self.units.values()
            if u.district_id == base.pk and u.pk != base.pk and u.is_active_on(day)
        ] or [base]

    def visit(self, *, unit: OrgUnit, on: date, place: Region, stop: TripStop | None = None):
        rng = self.rng
        company = self.company_in(place)
        outcome = rng.choices(
            [Outcome.FOLLOW_UP, Outcome.NEW_LEAD, Outcome.NO_INTEREST], weights=[55, 20, 25]
        )[0]
        next_step, next_on, done = "", None, False
        if outcome != Outcome.NO_INTEREST:
            next_step = rng.choice(NEXT_STEPS)
            next_on = on + timedelta(days=rng.randint(7, 45))
            done = next_on < self.ref - timedelta(days=10) and rng.random() < 0.92
        project = None
        if outcome != Outcome.NO_INTEREST:
            mine = [
                p for p, d in self.projects_by_company.get(company, []) if d == unit.district_id
            ]
            if mine and rng.random() < 0.6:
                project = mine[0]
        visit = Visit(
            visited_on=on,
            unit=unit,
            other_people="、".join(self.person() for _ in range(rng.randint(1, 2))),
            company_id=company,
            place=place,
            purpose=rng.choice(PURPOSES),
            learned=rng.choice(LEARNED),
            outcome=outcome,
            next_step=next_step,
            next_step_on=next_on,
            next_step_done=done,
            project_id=project,
            stop=stop,
            version=1,
            created_at=_aware(on),
            updated_at=_aware(on),
            created_by=self.admin,
        )
        visit._history_date = visit.created_at
        self.visits.append(visit)
        # The demo logins of the zone go on some of their units' visits.
        for username in ("jingkai", "newenergy"):
            user = self.users.get(username)
            if user and unit.district_id == user.org_unit.district_id and rng.random() < 0.3:
                self.visit_people.append((len(self.visits) - 1, user))
        return visit

    def estimate(self, places: list[Region]) -> float:
        points = [coordinates(self.home), *(coordinates(p) for p in places), coordinates(self.home)]
        total = 0.0
        for a, b in itertools.pairwise(points):
            total += great_circle_km(*a, *b)
        return total * float(road_factor())

    def trip(self, *, unit, start, end, stops, reported=None, legs=None, title=""):
        trip = Trip(
            unit=unit,
            title=title,
            start_on=start,
            end_on=end,
            other_people="、".join(self.person() for _ in range(self.rng.randint(1, 3))),
            version=1,
            created_at=_aware(end),
            updated_at=_aware(end),
            created_by=self.admin,
        )
        trip._history_date = trip.created_at
        stop_rows = []
        for order, (place, day) in enumerate(stops, start=1):
            stop_rows.append(
                TripStop(
                    order=order,
                    place=place,
                    arrive_on=day,
                    leg_km=legs[order - 1] if legs else None,
                )
            )
        if legs:
            trip.return_km = legs[-1]
            trip.reported_total_km = sum(legs, Decimal(0))
        else:
            trip.reported_km = reported
            trip.reported_total_km = reported
        self.trips.append((trip, stop_rows))
        return trip, stop_rows

    # -- the window of the report -----------------------------------------------------------
    def window(self) -> None:
        rng = self.rng
        plans = []
        for index, (code, start, end, stops) in enumerate(WINDOW_TRIPS, start=1):
            places = [self.regions[place] for place, _day in stops]
            plans.append((index, code, start, end, stops, places, self.estimate(places)))
        noise = {index: rng.uniform(0.94, 1.06) for index, *_rest in plans}
        noise[ODD_TRIP] = 1.6
        raw = {index: est * noise[index] for index, *_r, est in plans}
        scale = float(WINDOW_KM) / sum(raw.values())
        reported = {i: Decimal(round(v * scale)) for i, v in raw.items()}
        last = plans[-1][0]
        reported[last] += WINDOW_KM - sum(reported.values())
        visit_slots = []
        for index, code, start, end, stops, places, _est in plans:
            unit = self.units[code]
            cities = "、".join(dict.fromkeys(p.city.name if p.city_id else p.name for p in places))
            title = f"{unit.display_name}赴{cities}招商"
            if index in PER_LEG:
                weights = [rng.uniform(0.8, 1.2) for _ in range(len(places) + 1)]
                legs = [Decimal(round(float(reported[index]) * w / sum(weights))) for w in weights]
                legs[-1] += reported[index] - sum(legs)
                _trip, rows = self.trip(
                    unit=unit,
                    start=start,
                    end=end,
                    stops=list(zip(places, [d for _p, d in stops], strict=True)),
                    legs=legs,
                    title=title,
                )
            else:
                _trip, rows = self.trip(
                    unit=unit,
                    start=start,
                    end=end,
                    stops=list(zip(places, [d for _p, d in stops], strict=True)),
                    reported=reported[index],
                    title=title,
                )
            visit_slots.extend((unit, row) for row in rows)
        counts = [2] * len(visit_slots)
        for _ in range(WINDOW_VISITS - sum(counts)):
            counts[rng.randrange(len(visit_slots))] += 1
        for (unit, row), n in zip(visit_slots, counts, strict=True):
            for _ in range(n):
                self.visit(unit=unit, on=row.arrive_on, place=row.place, stop=row)

    # -- everything else --------------------------------------------------------------------
    def in_window(self, district: str, first: date, last: date) -> bool:
        return district == "jingkai" and first <= JINGKAI_WINDOW[1] and last >= JINGKAI_WINDOW[0]

    def background(self) -> None:
        rng = self.rng
        districts = [u.code for u in self.units.values() if u.kind == "district"]
        month = START
        while month <= self.ref:
            next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
            last = min(next_month - timedelta(days=1), self.ref)
            for district in sorted(districts):
                base = self.units[district]
                home = base.region or self.home
                # Visits at home.
                for _ in range(rng.randint(1, 4 if district == "jingkai" else 3)):
                    day = month + timedelta(days=rng.randint(0, (last - month).days))
                    if self.in_window(district, day, day):
                        continue
                    unit = rng.choice(self.active_units(district, day))
                    self.visit(unit=unit, on=day, place=home)
                # A trip now and then.
                if rng.random() < (0.45 if district == "jingkai" else 0.25):
                    length = rng.randint(2, 5)
                    start = month + timedelta(
                        days=rng.randint(0, max(0, (last - month).days - length))
                    )
                    end = start + timedelta(days=length - 1)
                    if end > self.ref or self.in_window(district, start, end):
                        continue
                    unit = rng.choice(self.active_units(district, start))
                    if district == "jingkai" and rng.random() < 0.1:
                        places = [
                            self.regions[c] for c in [rng.choice(ABROAD)] if c in self.regions
                        ]
                    else:
                        city = rng.choice(sorted(DESTINATIONS))
                        picks = rng.sample(
                            DESTINATIONS[city], k=min(len(DESTINATIONS[city]), rng.randint(1, 3))
                        )
                        places = [self.regions[c] for c in picks if c in self.regions]
                    if not places:
                        continue
                    days = [start + timedelta(days=min(i, length - 1)) for i in range(len(places))]
                    estimate = self.estimate(places)
                    reported = Decimal(round(estimate * rng.uniform(0.9, 1.12)))
                    _trip, rows = self.trip(
                        unit=unit,
                        start=start,
                        end=end,
                        stops=list(zip(places, days, strict=True)),
                        reported=reported,
                        title=f"{unit.display_name}赴{places[0].city.name if places[0].city_id else places[0].name}招商",
                    )
                    for row in rows:
                        for _ in range(rng.randint(1, 3)):
                            self.visit(unit=unit, on=row.arrive_on, place=row.place, stop=row)
            month = next_month

    def events(self) -> int:
        events = []
        for district, name, kind, held_on, place in DISTRICT_EVENTS:
            if held_on > self.ref:
                continue
            event = Event(
                name=name,
                kind=kind,
                held_on=held_on,
                place=self.regions.get(place),
                organiser=self.units[district],
                leaders=f"{self.units[district].display_name}主要领导",
                version=1,
                created_at=_aware(held_on, 10),
                updated_at=_aware(held_on, 10),
                created_by=self.admin,
            )
            event._history_date = event.created_at
            events.append(event)
        bulk_create_with_history(events, Event, batch_size=500)
        return len(events)

    def attributions(self) -> int:
        rng = self.rng
        local = self.companies_by_city.get(settings.HOME_REGION, [])
        station_units = {
            self.units[c].pk
            for c in ("beijing-office", "jk-squad-shanghai", "jk-squad-shenzhen", "jk-squad-europe")
            if c in self.units
        }
        rows = []
        projects = (
            Project.all_objects.filter(
                channel__code__in=["business", "commissioned", "agency", "station"]
            )
            .order_by("pk")
            .values_list(
                "pk",
                "channel__code",
                "introducer",
                "company_id",
                "first_signed_on",
                "created_at",
                "responsible_unit_id",
            )
        )
        for pk, channel, introducer, company, signed_on, created, unit in projects:
            attribution = ChannelAttribution(
                project_id=pk,
                version=1,
                created_at=created,
                updated_at=created,
                created_by=self.admin,
            )
            if channel == "business":
                choices = [c for c in local if c != company]
                if not choices:
                    continue
                attribution.introducer_company_id = rng.choice(choices)
            elif channel in ("commissioned", "agency"):
                if not introducer:
                    continue
                attribution.agent = introducer
                on = (signed_on or created.date()) - timedelta(days=rng.randint(30, 200))
                attribution.agreement_on = on
                kind = "委托招商协议" if channel == "commissioned" else "中介招商服务协议"
                attribution.agreement = f"{kind}（{on.year}）第{rng.randint(1, 60)}号"
            elif channel == "station":
                if unit not in station_units:
                    continue
                attribution.station_id = unit
            attribution._history_date = created
            rows.append(attribution)
        bulk_create_with_history(rows, ChannelAttribution, batch_size=500)
        return len(rows)

    def write(self) -> dict[str, int]:
        # Trips first (visits point at their stops).
        trips = [trip for trip, _rows in self.trips]
        saved = bulk_create_with_history(trips, Trip, batch_size=500)
        stops = []
        for (_trip, rows), stored in zip(self.trips, saved, strict=True):
            for row in rows:
                row.trip_id = stored.pk
                stops.append(row)
        TripStop.objects.bulk_create(stops, batch_size=500)
        for visit in self.visits:
            if visit.stop is not None:
                visit.stop_id = visit.stop.pk
        saved_visits = bulk_create_with_history(self.visits, Visit, batch_size=500)
        through = Visit.people.through
        through.objects.bulk_create(
            [
                through(visit_id=saved_visits[index].pk, user_id=user.pk)
                for index, user in self.visit_people
            ],
            batch_size=500,
            ignore_conflicts=True,
        )
        return {"trips": len(trips), "trip_stops": len(stops), "visits": len(self.visits)}


def build_fieldwork(*, seed: int, reference_date: date) -> dict[str, int]:
    """Write the demo's field work (called by yinli.demo.build.build_demo, inside its
    transaction); returns the counts for the build's summary."""
    generator = _Generator(seed, reference_date)
    generator.window()
    generator.background()
    counts = generator.write()
    counts["district_events"] = generator.events()
    counts["channel_attributions"] = generator.attributions()
    return counts
