"""The pages: the year's grid, the editor, a target's breakdown, the ranking, the schemes; personas."""

import pytest
from django.urls import reverse

from yinli.targets.models import Target

pytestmark = pytest.mark.django_db


def test_the_city_sees_every_districts_progress(city, targets, as_user):
    page = as_user(city.analyst).get(reverse("targets:index") + "?year=2025&as_of=2025-06-30")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-unit="jingkou"' in text and 'data-unit="jingkai"' in text
    assert "时序进度50.0%，完成37.5%，落后序时12.5个百分点" in text


def test_a_district_sees_its_own_targets_only(city, targets, as_user):
    text = (
        as_user(city.jingkou_editor).get(reverse("targets:index") + "?year=2025").content.decode()
    )
    assert 'data-unit="jingkou"' in text and 'data-unit="jingkai"' not in text
    assert reverse("targets:edit") not in text


def test_another_districts_target_is_404(city, targets, as_user):
    other = targets[("jingkai", "signed_count")]
    assert (
        as_user(city.jingkou_editor).get(reverse("targets:detail", args=[other.pk])).status_code
        == 404
    )
    own = targets[("jingkou", "signed_count")]
    assert (
        as_user(city.jingkou_editor).get(reverse("targets:detail", args=[own.pk])).status_code
        == 200
    )


def test_a_guessed_target_number_is_404(city, targets, as_user):
    assert as_user(city.admin).get(reverse("targets:detail", args=[999999])).status_code == 404


def test_a_user_without_a_unit_finds_no_targets_page(city, as_user):
    from yinli.core.models import Role, User

    stranger = User.objects.create_user(
        username="nobody", password="x", role=Role.VIEWER, org_unit=city.office
    )
    assert as_user(stranger).get(reverse("targets:index")).status_code == 404
    assert as_user(stranger).get(reverse("targets:ranking")).status_code == 404


def test_a_district_may_not_open_the_editor(city, as_user):
    assert as_user(city.jingkou_editor).get(reverse("targets:edit")).status_code == 403


def test_the_city_sets_targets_in_the_grid(city, as_user):
    client = as_user(city.analyst)
    page = client.get(reverse("targets:edit") + "?year=2025")
    assert page.status_code == 200
    response = client.post(
        reverse("targets:edit") + "?year=2025",
        {
            f"v-{city.jingkou.pk}-signed_count": "12",
            f"v-{city.jingkai.pk}-signed_investment_yi": "35.5",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(unit=city.jingkou, figure="signed_count", year=2025).annual == 12
    assert (
        str(Target.objects.get(unit=city.jingkai, figure="signed_investment_yi").annual.normalize())
        == "35.5"
    )


def test_a_bad_cell_saves_nothing_and_says_why(city, as_user):
    client = as_user(city.analyst)
    page = client.post(
        reverse("targets:edit") + "?year=2025",
        {f"v-{city.jingkou.pk}-signed_count": "12", f"v-{city.jingkai.pk}-signed_count": "3.5"},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "请填写整数" in text and "is-invalid" in text
    assert not Target.objects.exists()


def test_an_emptied_cell_removes_the_target(city, targets, as_user):
    client = as_user(city.admin)
    target = targets[("jingkou", "signed_count")]
    data = {f"ver-{city.jingkou.pk}-signed_count": target.version}
    for (_code, figure), t in targets.items():
        if t.pk != target.pk:
            data[f"v-{t.unit_id}-{figure}"] = str(t.annual.normalize())
    client.post(reverse("targets:edit") + "?year=2025", data)
    assert not Target.objects.filter(pk=target.pk).exists()
    assert Target.all_objects.get(pk=target.pk).deleted_at is not None


def test_the_city_sets_a_quarterly_breakdown_on_the_target_page(city, targets, as_user):
    target = targets[("jingkou", "signed_count")]
    url = reverse("targets:detail", args=[target.pk])
    response = as_user(city.admin).post(
        url,
        {
            "annual": "8",
            "breakdown": "quarters",
            "q1": "1",
            "q2": "2",
            "q3": "2",
            "q4": "3",
            "version": target.version,
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.breakdown == "quarters" and target.parts == ["1", "2", "2", "3"]


def test_a_breakdown_that_does_not_add_up_is_refused_in_chinese(city, targets, as_user):
    target = targets[("jingkou", "signed_count")]
    page = as_user(city.admin).post(
        reverse("targets:detail", args=[target.pk]),
        {
            "annual": "8",
            "breakdown": "quarters",
            "q1": "1",
            "q2": "2",
            "q3": "2",
            "q4": "2",
            "version": target.version,
        },
    )
    assert "各季目标合计为7，与全年目标8不符" in page.content.decode()
    target.refresh_from_db()
    assert target.breakdown == "even_months"


def test_a_district_may_not_change_its_own_target(city, targets, as_user):
    target = targets[("jingkou", "signed_count")]
    response = as_user(city.jingkou_editor).post(
        reverse("targets:detail", args=[target.pk]), {"annual": "1", "breakdown": "even_months"}
    )
    assert response.status_code == 403


def test_a_district_reads_the_ranking_with_its_row_marked(city, targets, scheme, as_user):
    page = as_user(city.jingkou_editor).get(reverse("targets:ranking") + "?period=2025H1")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-district="jingkai"' in text
    assert 'data-district="jingkou" class="table-primary"' in text


def test_a_bad_period_on_the_ranking_page_is_said_in_chinese(city, scheme, as_user):
    page = as_user(city.analyst).get(reverse("targets:ranking") + "?period=2025X")
    text = page.content.decode()
    assert 'id="ranking-error"' in text and "2025H1" in text.split('id="ranking-error"')[1]


def test_only_the_city_edits_schemes(city, scheme, as_user):
    assert as_user(city.jingkou_editor).get(reverse("targets:schemes")).status_code == 200
    assert (
        as_user(city.jingkou_editor)
        .get(reverse("targets:scheme-edit", args=[scheme.pk]))
        .status_code
        == 403
    )
    assert (
        as_user(city.admin).get(reverse("targets:scheme-edit", args=[scheme.pk])).status_code == 200
    )


def test_the_city_adds_an_item_to_a_scheme(city, scheme, as_user):
    items = list(scheme.items.all())
    data = {
        "name": scheme.name,
        "is_default": "on",
        "version": scheme.version,
        "rows": len(items) + 1,
    }
    for i, item in enumerate(items):
        for field in ("kind", "figure", "weight", "cap", "points", "threshold_yi"):
            value = getattr(item, field)
            data[f"{field}-{i}"] = "" if value is None else str(value)
    data[f"kind-{len(items)}"] = "figure"
    data[f"figure-{len(items)}"] = "foreign_count"
    data[f"weight-{len(items)}"] = "10"
    response = as_user(city.admin).post(reverse("targets:scheme-edit", args=[scheme.pk]), data)
    assert response.status_code == 302
    assert scheme.items.filter(figure="foreign_count", weight=10).exists()


def test_a_scheme_item_without_points_is_refused(city, scheme, as_user):
    data = {"name": "新办法", "rows": 1, "kind-0": "lost_project", "points-0": ""}
    page = as_user(city.admin).post(reverse("targets:scheme-create"), data)
    assert page.status_code == 200
    assert "第1项：请填写每次的分值" in page.content.decode()


def test_the_export_is_an_excel_file_of_the_visible_targets(city, targets, as_user):
    response = as_user(city.jingkou_editor).get(reverse("targets:export") + "?year=2025")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(response.content)).active
    codes = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {"jingkou"}


def test_the_monthly_summary_downloads_as_word_and_excel(city, targets, scheme, as_user):
    client = as_user(city.analyst)
    word = client.get(reverse("targets:summary") + "?month=2025-06&format=docx")
    assert word.status_code == 200 and word.content[:2] == b"PK"
    excel = client.get(reverse("targets:summary") + "?month=2025-06&format=xlsx")
    assert excel.status_code == 200 and excel["Content-Type"].startswith("application/vnd.openxml")


def test_the_navigation_links_the_targets(city, as_user):
    text = as_user(city.analyst).get(reverse("targets:index")).content.decode()
    assert f'href="{reverse("targets:index")}"' in text
    assert 'id="no-targets"' in text


def test_a_districts_home_page_shows_its_targets(city, as_user):
    from django.utils import timezone

    from yinli.targets.services import target_save

    year = timezone.localdate().year
    target_save(year=year, unit=city.jingkou, figure="signed_count", annual=5, by=city.admin)
    text = as_user(city.jingkou_editor).get("/").content.decode()
    assert 'id="targets-panel"' in text
    assert "时序进度" in text


def test_the_citys_home_page_has_no_targets_panel(city, targets, as_user):
    assert 'id="targets-panel"' not in as_user(city.analyst).get("/").content.decode()
