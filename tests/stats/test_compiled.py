"""The headline queries are compiled once per definition, periods and scope (figures.compiled_rows):
a cached query must give what the selector gives afresh, for every scope, and a new definition
version, another scope or a changed rate must show at once."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum
from django.test import override_settings

from tests.stats.conftest import signed
from yinli.stats import figures, selectors
from yinli.stats.definitions import definition_new_version
from yinli.stats.figures import Context, in_statistics_figures, signed_figures
from yinli.stats.models import ConversionRate
from yinli.stats.periods import parse_period

PERIOD = parse_period("2025H1")


@pytest.fixture(autouse=True)
def _empty_cache():
    figures.clear_compiled()
    yield
    figures.clear_compiled()


def _records(city):
    """Projects in both districts and both years; some the team is responsible for."""
    team = city.team_member.org_unit
    rows = [
        # (district, signed on, 万元, extra)
        (city.jingkai, date(2025, 2, 3), "15000", {}),
        (city.jingkai, date(2025, 5, 9), "32000", {"category": "service"}),
        (city.jingkai, date(2025, 4, 1), "20000", {"responsible_unit": team}),
        (city.jingkai, date(2024, 3, 3), "12000", {"responsible_unit": team}),
        (city.jingkai, date(2025, 6, 30), "9000", {}),  # below the threshold
        (city.jingkou, date(2025, 1, 1), "10000", {"ownership": "central_soe"}),
        (city.jingkou, date(2024, 6, 30), "44000", {"category": "service"}),
        (city.jingkou, date(2025, 3, 12), "18000", {"ownership": "foreign"}),
    ]
    for district, on, wan, extra in rows:
        signed(city, district=district, on=on, wan=wan, fai_on=on.replace(day=1), **extra)
    # Agreed foreign investment in euros (converted at the signing month's rate).
    signed(
        city,
        district=city.jingkai,
        on=date(2025, 3, 20),
        wan="16000",
        foreign_investment=Decimal("800"),
        foreign_currency="EUR",
        fai_on=date(2024, 2, 1),
    )


def _fresh(ctx) -> dict:
    """The headline numbers straight from the selector, one query per figure, nothing cached."""
    result = {}
    for when, period in (("now", ctx.period), ("before", ctx.previous)):
        counted = ctx.counted(period)
        totals = counted.aggregate(
            n=Count("pk"),
            wan=Sum("total_investment"),
            industrial=Count("pk", filter=Q(category="industrial")),
            foreign=Count("pk", filter=selectors.foreign_funded_q()),
            state=Count("pk", filter=selectors.state_owned_q()),
        )
        agreed = (
            counted.filter(foreign_investment__gt=0)
            .annotate(yuan=selectors.foreign_in_yuan())
            .aggregate(total=Sum("yuan"))["total"]
        )
        accepted = ctx.in_statistics(period).aggregate(n=Count("pk"), wan=Sum("total_investment"))
        result[when] = {
            "count": totals["n"],
            "yi": Decimal(totals["wan"] or 0) / 10000,
            "industrial": totals["industrial"],
            "foreign": totals["foreign"],
            "state": totals["state"],
            "agreed_yi": Decimal(agreed or 0) / 10000,
            "in_statistics": accepted["n"],
            "in_statistics_yi": Decimal(accepted["wan"] or 0) / 10000,
        }
    return result


def _shown(ctx) -> dict:
    """The same numbers as signed_figures and in_statistics_figures give them."""
    figures_ = signed_figures(ctx)
    accepted = in_statistics_figures(ctx)
    signed_ = figures_["signed"]
    now = {
        "count": signed_["count"],
        "yi": signed_["investment_yi"],
        "industrial": signed_["industrial"]["count"] if "industrial" in signed_ else 0,
        "foreign": figures_["foreign"]["count"],
        "state": figures_["state_owned"]["count"],
        "agreed_yi": figures_["foreign"]["agreed_investment_yi"],
        "in_statistics": accepted["count"],
        "in_statistics_yi": accepted["investment_yi"],
    }
    before = {
        "count": signed_["previous"]["count"],
        "yi": signed_["previous"]["investment_yi"],
        "industrial": (
            signed_["industrial"]["previous"]["count"] if "industrial" in signed_ else 0
        ),
        "in_statistics": accepted["previous"]["count"],
        "in_statistics_yi": accepted["previous"]["investment_yi"],
    }
    return {"now": now, "before": before}


def _agrees(ctx) -> dict:
    fresh, shown = _fresh(ctx), _shown(ctx)
    assert shown["now"] == fresh["now"]
    assert shown["before"] == {k: fresh["before"][k] for k in shown["before"]}
    return shown


def test_every_scope_gets_its_own_figures_from_the_cache(city, definition):
    _records(city)
    scopes = [
        ("analyst, city", city.analyst, None),
        ("analyst, 经开区", city.analyst, city.jingkai),
        ("analyst, 京口区", city.analyst, city.jingkou),
        ("no user, 京口区", None, city.jingkou),
        ("京口 editor", city.jingkou_editor, None),
        ("经开 editor", city.jingkai_editor, None),
        ("京口 editor asking for 经开区", city.jingkou_editor, city.jingkai),
        ("team member", city.team_member, None),
        ("outsider", city.outsider, None),
    ]
    first = {}
    for name, user, district in scopes:  # each compiled and cached
        first[name] = _agrees(
            Context(definition=definition, period=PERIOD, user=user, district=district)
        )
    for name, user, district in reversed(scopes):  # now from the cache, in another order
        shown = _agrees(Context(definition=definition, period=PERIOD, user=user, district=district))
        assert shown == first[name], name
    # The scopes really differ (so a key shared between them would have been caught).
    assert first["analyst, city"]["now"]["count"] == 6
    assert first["analyst, 经开区"]["now"]["count"] == 4
    assert first["京口 editor"] == first["analyst, 京口区"]
    assert first["team member"]["now"]["count"] == 4  # 经开区 shares its ledger with its units
    assert first["outsider"]["now"]["count"] == 0
    assert first["京口 editor asking for 经开区"]["now"]["count"] == 0


def test_the_cache_reads_the_data_afresh(city, definition):
    _records(city)
    ctx = Context(definition=definition, period=PERIOD, user=city.analyst)
    before = _agrees(ctx)
    signed(city, district=city.jingkou, on=date(2025, 2, 2), wan="50000")
    after = _agrees(ctx)
    assert after["now"]["count"] == before["now"]["count"] + 1


def test_a_rate_change_shows_at_once(city, definition):
    _records(city)
    ctx = Context(definition=definition, period=PERIOD, user=city.analyst)
    before = _agrees(ctx)
    assert before["now"]["agreed_yi"] > 0
    cached = len(figures._compiled)
    rate = ConversionRate.objects.filter(currency="EUR", month__lte=date(2025, 3, 1)).latest(
        "month"
    )
    rate.rate *= 2
    rate.save()
    after = _agrees(ctx)
    assert after["now"]["agreed_yi"] == before["now"]["agreed_yi"] * 2
    assert len(figures._compiled) == cached  # the same compiled queries, run on the new rate


def test_a_new_definition_version_is_another_query(city, definition):
    _records(city)
    ctx = Context(definition=definition, period=PERIOD, user=city.analyst)
    assert _agrees(ctx)["now"]["count"] == 6
    higher = definition_new_version(
        based_on=definition, changes={"threshold_total_wan": "20000"}, by=city.analyst
    )
    shown = _agrees(Context(definition=higher, period=PERIOD, user=city.analyst))
    assert shown["now"]["count"] == 2  # 32000 and 20000: the ones at 2亿 or more
    services = definition_new_version(
        based_on=higher, changes={"categories": ["service"]}, by=city.analyst
    )
    assert (
        _agrees(Context(definition=services, period=PERIOD, user=city.analyst))["now"]["count"] == 1
    )
    # An unsaved change in memory is a change too.
    edited = copy.copy(definition)
    edited.count_expansion = False
    edited.threshold_foreign = None
    _agrees(Context(definition=edited, period=PERIOD, user=city.analyst))
    assert _agrees(ctx)["now"]["count"] == 6  # and the first version still gives its own


def test_a_changed_scope_of_a_user_is_another_query(city, definition):
    _records(city)
    editor = city.jingkou_editor
    ctx = Context(definition=definition, period=PERIOD, user=editor)
    assert _agrees(ctx)["now"]["count"] == 2
    editor.org_unit = city.jingkai
    editor.save()
    assert _agrees(Context(definition=definition, period=PERIOD, user=editor))["now"]["count"] == 4


def test_the_late_additions_setting_is_part_of_the_key(city, definition):
    keys = set()
    for setting in ("signing_month", "reported_month"):
        with override_settings(YINLI_LATE_ADDITIONS=setting):
            keys.add(selectors.query_key(definition=definition, periods=[PERIOD], user=None))
    assert len(keys) == 2


def test_a_context_that_narrows_its_projects_is_never_served_from_the_cache(city, definition):
    _records(city)

    class TeamOnly(Context):
        def counted_in(self, *periods):
            return super().counted_in(*periods).filter(responsible_unit=city.team_member.org_unit)

        def in_statistics_in(self, *periods):
            return (
                super()
                .in_statistics_in(*periods)
                .filter(responsible_unit=city.team_member.org_unit)
            )

    whole = Context(definition=definition, period=PERIOD, user=city.analyst)
    assert signed_figures(whole)["signed"]["count"] == 6
    in_statistics_figures(whole)
    team = TeamOnly(definition=definition, period=PERIOD, user=city.analyst)
    assert signed_figures(team)["signed"]["count"] == 1
    assert signed_figures(team)["signed"]["previous"]["count"] == 1
    assert in_statistics_figures(team)["count"] == 1


class _Recorder:
    """A definition that notes which of its attributes are read."""

    def __init__(self, definition):
        self._definition = definition
        self._read = set()

    def __getattr__(self, name):
        self._read.add(name)
        return getattr(self._definition, name)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"convert_foreign_threshold": True},
        {"threshold_foreign": None},
        {"count_expansion": False},
    ],
)
def test_the_key_holds_every_definition_field_the_headline_query_reads(definition, changes):
    """A field read while the query is built but missing from COUNTING_FIELDS would let two
    definitions that differ in it share a compiled query."""
    edited = copy.copy(definition)
    for name, value in changes.items():
        setattr(edited, name, value)
    recorder = _Recorder(edited)
    periods = {"now": PERIOD, "before": parse_period("2024H1")}
    queryset = selectors.counted_projects_in(definition=recorder, periods=list(periods.values()))
    str(figures._signed_by_period(queryset, recorder, periods).query)
    assert recorder._read and recorder._read <= set(selectors.COUNTING_FIELDS)


def test_the_cache_keeps_at_most_its_limit(city, definition, monkeypatch):
    monkeypatch.setattr(figures, "COMPILED_LIMIT", 3)
    for month in range(1, 7):
        ctx = Context(definition=definition, period=parse_period(f"2025-0{month}"))
        signed_figures(ctx)
        assert len(figures._compiled) <= 3
