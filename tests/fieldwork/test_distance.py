"""The distance estimate: haversine legs from and back to the home city, × the road factor."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings

from yinli.core.models import Region
from yinli.fieldwork import services
from yinli.fieldwork.distance import great_circle_km, trip_estimate


def vincenty_km(lat1, lng1, lat2, lng2) -> float:
    """The geodesic on the WGS-84 ellipsoid (Vincenty's inverse formula), as an independent
    reference for the spherical great-circle distance."""
    a, f = 6378137.0, 1 / 298.257223563
    b = (1 - f) * a
    big_l = math.radians(lng2 - lng1)
    u1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    lam = big_l
    for _ in range(200):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        previous = lam
        lam = big_l + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - previous) < 1e-12:
            break
    u_sq = cos2_alpha * (a**2 - b**2) / b**2
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta = (
        big_b
        * sin_sigma
        * (
            cos_2sm
            + big_b
            / 4
            * (
                cos_sigma * (-1 + 2 * cos_2sm**2)
                - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
            )
        )
    )
    return b * big_a * (sigma - delta) / 1000


PAIRS = [
    # (from, to): city centres of the region table
    ("321100", "310100"),  # 镇江 – 上海
    ("321100", "440300"),  # 镇江 – 深圳
    ("110100", "310100"),  # 北京 – 上海
    ("321100", "DE-MUNICH"),  # 镇江 – 慕尼黑
    ("321100", "KR-SEOUL"),  # 镇江 – 首尔
    ("510100", "AT-VIENNA"),  # 成都 – 维也纳
]


def point(code: str) -> tuple[float, float]:
    region = Region.objects.get(code=code)
    return float(region.lat), float(region.lng)


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), PAIRS)
def test_known_city_pairs_are_within_one_percent_of_the_geodesic(start, end):
    here, there = point(start), point(end)
    reference = vincenty_km(*here, *there)
    assert reference > 100
    assert great_circle_km(*here, *there) == pytest.approx(reference, rel=0.01)


def test_beijing_to_shanghai_is_about_1070_km():
    # City-centre coordinates; the published great-circle distance is about 1,067 km.
    assert great_circle_km(39.9042, 116.4074, 31.2304, 121.4737) == pytest.approx(1067, rel=0.01)


def test_a_point_to_itself_is_zero():
    assert great_circle_km(32.19, 119.43, 32.19, 119.43) == 0


def _trip(city, stops, **extra):
    data = {
        "unit": city.team,
        "start_on": date(2025, 6, 1),
        "end_on": date(2025, 6, 5),
        **extra,
    }
    return services.trip_create(data=data, stops=stops, by=city.admin)


def _stop(code, km=None):
    return {"place": Region.objects.get(code=code), "arrive_on": None, "leg_km": km, "note": ""}


def test_the_estimate_goes_from_and_back_home_times_the_road_factor(city):
    trip = _trip(city, [_stop("440305"), _stop("110108")], reported_km=Decimal("6000"))
    home, shenzhen, beijing = point("321100"), point("440305"), point("110108")
    expected = (
        great_circle_km(*home, *shenzhen)
        + great_circle_km(*shenzhen, *beijing)
        + great_circle_km(*beijing, *home)
    )
    estimate = trip_estimate(trip)
    assert len(estimate.legs) == 3
    assert float(estimate.great_circle_km) == pytest.approx(expected, abs=0.1)
    assert float(estimate.estimate_km) == pytest.approx(expected * 1.3, abs=0.2)


def test_a_reported_distance_far_from_the_estimate_is_flagged(city):
    near = _trip(city, [_stop("310115")], reported_km=Decimal("600"))
    far = _trip(city, [_stop("310115")], reported_km=Decimal("2000"))
    assert not trip_estimate(near).flagged
    assert trip_estimate(far).flagged
    assert trip_estimate(far).deviation > Decimal("0.3")


@override_settings(FIELDWORK_ROAD_FACTOR="2.0", FIELDWORK_DISTANCE_TOLERANCE="0.05")
def test_the_road_factor_and_tolerance_are_settings(city):
    trip = _trip(city, [_stop("310115")], reported_km=Decimal("600"))
    estimate = trip_estimate(trip)
    assert estimate.factor == Decimal("2.0")
    assert estimate.estimate_km == (estimate.great_circle_km * 2).quantize(Decimal("0.1"))
    assert estimate.flagged  # 600 km is far from twice the great-circle distance


def test_distances_entered_per_leg_add_up_with_the_way_home(city):
    trip = _trip(
        city,
        [_stop("310115", Decimal("260")), _stop("320583", Decimal("70"))],
        return_km=Decimal("200"),
    )
    assert trip.reported_total_km == Decimal("530")
    assert [leg.reported_km for leg in trip_estimate(trip).legs] == [
        Decimal("260"),
        Decimal("70"),
        Decimal("200"),
    ]
