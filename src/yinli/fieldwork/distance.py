"""The distance estimate of a trip: great-circle legs between its stops, from and back to the
home city, times a road factor; and whether a reported distance strays too far from it.

The great-circle distance uses the haversine formula on a sphere of the mean Earth radius
(6371.0088 km, IUGG); against the ellipsoid it errs by well under 1% for any pair of cities.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def road_factor() -> Decimal:
    return Decimal(str(getattr(settings, "FIELDWORK_ROAD_FACTOR", "1.3")))


def tolerance() -> Decimal:
    return Decimal(str(getattr(settings, "FIELDWORK_DISTANCE_TOLERANCE", "0.3")))


def coordinates(region) -> tuple[float, float] | None:
    """(lat, lng) of a region, else of the city or province it lies in; None when unknown."""
    for candidate in (region, getattr(region, "city", None), getattr(region, "province", None)):
        if candidate is not None and candidate.lat is not None and candidate.lng is not None:
            return float(candidate.lat), float(candidate.lng)
    return None


@dataclass
class Leg:
    start: str
    end: str
    great_circle_km: Decimal | None
    estimate_km: Decimal | None
    reported_km: Decimal | None


@dataclass
class Estimate:
    legs: list[Leg] = field(default_factory=list)
    great_circle_km: Decimal | None = None
    estimate_km: Decimal | None = None
    reported_km: Decimal | None = None
    factor: Decimal = Decimal("1.3")
    tolerance: Decimal = Decimal("0.3")
    missing: list[str] = field(default_factory=list)  # places without coordinates

    @property
    def deviation(self) -> Decimal | None:
        """(reported − estimate) ÷ estimate, or None when either is missing."""
        if self.reported_km is None or not self.estimate_km:
            return None
        return (self.reported_km - self.estimate_km) / self.estimate_km

    @property
    def flagged(self) -> bool:
        deviation = self.deviation
        return deviation is not None and abs(deviation) > self.tolerance


def _km(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


def estimate_route(
    points: list[tuple[str, tuple[float, float] | None, Decimal | None]],
    *,
    reported_km: Decimal | None = None,
    factor: Decimal | None = None,
    allowed: Decimal | None = None,
) -> Estimate:
    """The estimate over `points` in order: (name, (lat, lng) or None, reported km of the leg
    that ends there). The caller puts the home city first and last."""
    factor = road_factor() if factor is None else factor
    result = Estimate(factor=factor, tolerance=tolerance() if allowed is None else allowed)
    total = 0.0
    complete = True
    for (name_a, at_a, _km_a), (name_b, at_b, km_b) in itertools.pairwise(points):
        if at_a is None or at_b is None:
            complete = False
            result.legs.append(Leg(name_a, name_b, None, None, km_b))
            continue
        gc = great_circle_km(*at_a, *at_b)
        total += gc
        result.legs.append(
            Leg(name_a, name_b, _km(gc), (_km(gc) * factor).quantize(Decimal("0.1")), km_b)
        )
    result.missing = sorted({name for name, at, _k in points if at is None})
    if complete and len(points) > 1:
        result.great_circle_km = _km(total)
        result.estimate_km = (result.great_circle_km * factor).quantize(Decimal("0.1"))
    result.reported_km = reported_km
    return result


def trip_estimate(trip) -> Estimate:
    """The estimate of a saved trip (stops in order, from and back to settings.HOME_REGION)."""
    from yinli.core.models import Region

    home = (
        Region.objects.select_related("city", "province").filter(code=settings.HOME_REGION).first()
    )
    home_point = (
        home.full_name if home else settings.HOME_REGION,
        coordinates(home) if home else None,
    )
    stops = list(
        trip.stops.select_related("place__city__province", "place__province", "place__parent")
    )
    points = [(*home_point, None)]
    points += [(stop.place.full_name, coordinates(stop.place), stop.leg_km) for stop in stops]
    points.append((*home_point, trip.return_km))
    return estimate_route(points, reported_km=trip.reported_total_km)
