"""The demo city's district profiles (what each 板块 offers a lead) and a few referrals of the
Beijing liaison office's leads, answered or not, so that the referral pages show every state.

Invented figures, deterministic: land available and typical land prices are plausible for the
districts of a Jiangsu prefecture city, not taken from any source. The project records are not
touched (referrals only point at them), so the demo's figures stay as they are.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from yinli.core.models import OrgUnit, User
from yinli.projects.models import Industry, Project, Stage
from yinli.referrals import services
from yinli.referrals.models import Feedback

from . import city

# district code → (land available 亩, typical industrial land price 万元/亩, note)
PROFILES = {
    "jingkai": ("1800", "28", "新区港口与大港片区工业用地连片，可提供标准厂房。"),
    "danyang": ("1500", "22", "眼镜、汽车零部件专业园区，另有标准厂房约20万平方米。"),
    "jurong": ("1200", "20", "宁镇交界，文旅与新能源用地相对充足。"),
    "yangzhong": ("600", "25", "电力装备产业集中区，用地以存量盘活为主。"),
    "jingkou": ("300", "32", "主城区，以楼宇和科创载体为主，工业用地有限。"),
    "dantu": ("1300", "21", "高资、上党片区工业用地可供。"),
    "runzhou": ("150", "35", "主城区，服务业与数字经济载体为主。"),
    "gaoxin": ("700", "30", "科创载体与中试基地，可提供定制厂房。"),
}
# Industries a district counts among its directions: its main ones in the demo plan.
MAIN_WEIGHT = 2


def _industry_names(code: str) -> list[str]:
    spec = city.DISTRICTS.get(code)
    if spec is None:
        return []
    return [name for name, weight in spec.industries.items() if weight >= MAIN_WEIGHT]


def build_profiles(*, units: dict[str, OrgUnit], industries: dict[str, Industry], by: User) -> int:
    made = 0
    for code, (land, price, note) in PROFILES.items():
        district = units.get(code)
        if district is None:
            continue
        services.profile_save(
            district=district,
            by=by,
            industries=[industries[n] for n in _industry_names(code) if n in industries],
            land_available_mu=Decimal(land),
            land_price_wan_per_mu=Decimal(price),
            notes=note,
        )
        made += 1
    return made


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def build_referrals(*, units: dict[str, OrgUnit], users: dict[str, User]) -> int:
    """Refer three of the Beijing office's leads: one accepted, one declined, one waiting."""
    office_user = users.get("beijing")
    candidates = list(
        Project.objects.filter(
            responsible_unit__code="beijing-office",
            stage__in=(Stage.LEAD, Stage.NEGOTIATING),
            industry__isnull=False,
            merged_into__isnull=True,
        ).order_by("created_at", "pk")
    )
    # The two oldest leads were answered; the newest waits, a few days late on the demo's date.
    leads = [*candidates[:2], candidates[-1]] if len(candidates) >= 3 else candidates
    if office_user is None or not leads:
        return 0
    from yinli.referrals.selectors import suggest_districts

    made = 0
    for number, lead in enumerate(leads):
        best = [s.district for s in suggest_districts(lead=lead)[:2]]
        referred_on = max(lead.created_at.date(), lead.stage_on or lead.created_at.date())
        referral = services.referral_create(
            lead=lead,
            districts=best,
            by=office_user,
            referred_on=referred_on,
            note="央企（北京）招商代表处推送线索，请各板块研判后反馈。",
        )
        made += 1
        if number == 2:
            continue  # left waiting: its responses show as overdue
        for target in referral.targets.all():
            editor = next(
                (
                    u
                    for u in users.values()
                    if u.org_unit_id == target.district_id and u.role == "district_editor"
                ),
                users["admin"],
            )
            target = services.referral_acknowledge(
                target=target,
                by=editor,
                version=target.version,
                now=_at(referred_on + timedelta(days=1), 10),
            )
            accept = number == 0 and target.district_id == best[0].pk
            services.referral_feedback(
                target=target,
                feedback=Feedback.ACCEPT if accept else Feedback.DECLINE,
                reason="" if accept else "用地指标暂不满足，建议由其他板块承接。",
                by=editor,
                version=target.version,
                now=_at(referred_on + timedelta(days=5), 16),
            )
    return made


def build(*, units: dict[str, OrgUnit], industries: dict[str, Industry], users: dict[str, User]):
    """Called by yinli.demo.build once the projects are written; returns counts."""
    profiles = build_profiles(units=units, industries=industries, by=users["admin"])
    referrals = build_referrals(units=units, users=users)
    return {"district_profiles": profiles, "referrals": referrals}
