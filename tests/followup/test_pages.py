"""The follow-through pages, by persona: each sees its own, guessed URLs are 404, writes 403."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.followup.conftest import followed
from yinli.followup.models import AlertRule, PermitItem, PermitStatus
from yinli.projects.models import FundsInPlace

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(city):
    """One project signed long ago and not registered in each of 京口 and 经开区."""
    return {
        "jingkou": followed(city, signed_on=date(2024, 1, 10), district=city.jingkou),
        "jingkai": followed(city, signed_on=date(2024, 1, 10), district=city.jingkai),
    }


def test_the_city_sees_every_districts_alerts(city, as_user, late):
    page = as_user(city.analyst).get(reverse("followup:index")).content.decode()
    assert late["jingkou"].name in page and late["jingkai"].name in page
    # The city's list counts them by district.
    assert 'id="district-counts"' in page
    assert f'?district={city.jingkou.pk}"' in page


def test_the_jingkou_editor_sees_only_jingkou_alerts(city, as_user, late):
    page = as_user(city.jingkou_editor).get(reverse("followup:index")).content.decode()
    assert late["jingkou"].name in page
    assert late["jingkai"].name not in page
    assert 'id="district-counts"' not in page


def test_a_team_sees_the_alerts_of_the_projects_its_unit_follows(city, as_user, late):
    mine = followed(
        city, signed_on=date(2024, 1, 10), district=city.jingkai, responsible_unit=city.team
    )
    page = as_user(city.team_member).get(reverse("followup:index")).content.decode()
    assert mine.name in page
    assert late["jingkai"].name not in page  # the district's, another unit's to follow


def test_the_outsider_sees_no_alert(city, as_user, late):
    page = as_user(city.outsider).get(reverse("followup:index")).content.decode()
    assert late["jingkou"].name not in page and late["jingkai"].name not in page


def test_the_alert_list_filters_by_rule_and_district(city, as_user, late):
    rule = AlertRule.objects.get(name="注册未开工")
    client = as_user(city.admin)
    page = client.get(reverse("followup:index"), {"rule": rule.pk}).content.decode()
    assert late["jingkou"].name not in page
    page = client.get(reverse("followup:index"), {"district": city.jingkou.pk}).content.decode()
    assert late["jingkou"].name in page and late["jingkai"].name not in page


def test_the_home_page_counts_the_users_open_alerts(city, as_user, late):
    page = as_user(city.jingkou_editor).get("/").content.decode()
    assert 'id="open-alerts-panel"' in page
    assert "签约未注册" in page


def test_the_project_page_shows_the_follow_through_panel(city, as_user, late):
    project = late["jingkou"]
    FundsInPlace.objects.create(project=project, on=date(2024, 6, 1), amount=Decimal(5000))
    page = as_user(city.jingkou_editor).get(reverse("projects:detail", args=[project.pk]))
    text = page.content.decode()
    assert 'id="follow-through"' in text
    assert "25.0%" in text  # 5000 of 20000
    assert f'data-alert="{AlertRule.objects.get(name="签约未注册").pk}-{project.pk}"' in text


# --- funds -----------------------------------------------------------------------------------


def test_a_district_editor_records_funds_in_place(city, as_user, late):
    project = late["jingkou"]
    response = as_user(city.jingkou_editor).post(
        reverse("followup:funds", args=[project.pk]),
        {"on": "2025-03-01", "amount": "0.5亿", "source": "foreign", "foreign_amount": "600"},
    )
    assert response.status_code == 302
    entry = FundsInPlace.objects.get(project=project)
    assert (entry.amount, entry.foreign_amount, entry.by) == (5000, 600, city.jingkou_editor)


def test_bad_funds_get_a_chinese_error_next_to_the_field(city, as_user, late):
    project = late["jingkou"]
    response = as_user(city.jingkou_editor).post(
        reverse("followup:funds", args=[project.pk]),
        {"on": "2025-03-01", "amount": "0", "source": "own", "foreign_amount": "10"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "金额必须大于零" in text
    assert "实际使用外资只能记在来源为“外资”的到位资金上" in text
    assert not FundsInPlace.objects.filter(project=project).exists()


def test_a_negative_amount_is_refused_by_the_form_naming_the_value(city, as_user, late):
    response = as_user(city.jingkou_editor).post(
        reverse("followup:funds", args=[late["jingkou"].pk]),
        {"on": "2025-03-01", "amount": "-3", "source": "own"},
    )
    assert "“-3”为负数" in response.content.decode()
    assert not FundsInPlace.objects.exists()


def test_another_districts_funds_page_is_404(city, as_user, late):
    client = as_user(city.jingkou_editor)
    url = reverse("followup:funds", args=[late["jingkai"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"on": "2025-03-01", "amount": "10"}).status_code == 404


def test_a_reader_cannot_record_funds(city, as_user, late):
    url = reverse("followup:funds", args=[late["jingkou"].pk])
    client = as_user(city.analyst)
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"on": "2025-03-01", "amount": "10", "source": "own"}).status_code == 403
    )
    assert not FundsInPlace.objects.exists()


# --- permits ---------------------------------------------------------------------------------


def test_one_click_creates_the_checklist_and_a_second_adds_nothing(city, as_user, late):
    project = late["jingkai"]
    client = as_user(city.jingkai_editor)
    url = reverse("followup:permits-create", args=[project.pk])
    assert client.post(url).status_code == 302
    count = PermitItem.objects.filter(project=project).count()
    assert count >= 5
    client.post(url)
    assert PermitItem.objects.filter(project=project).count() == count
    page = client.get(reverse("followup:permits", args=[project.pk])).content.decode()
    assert "立项/备案" in page and "施工许可" in page


def test_a_permit_is_updated_with_its_version(city, as_user, late):
    project = late["jingkai"]
    client = as_user(city.jingkai_editor)
    client.post(reverse("followup:permits-create", args=[project.pk]))
    item = PermitItem.objects.filter(project=project).first()
    url = reverse("followup:permit-edit", args=[project.pk, item.pk])
    data = {
        "status": PermitStatus.DONE,
        "department": "发改委",
        "started_on": "2024-02-01",
        "done_on": "2024-03-01",
        "version": item.version,
    }
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert (item.status, item.done_on, item.version) == (PermitStatus.DONE, date(2024, 3, 1), 2)
    stale = client.post(url, {**data, "note": "again"})  # still version 1
    assert stale.status_code == 200
    assert "其他人修改" in stale.content.decode() or "重新" in stale.content.decode()


def test_a_permit_done_without_a_day_is_refused_in_chinese(city, as_user, late):
    project = late["jingkai"]
    client = as_user(city.jingkai_editor)
    client.post(reverse("followup:permits-create", args=[project.pk]))
    item = PermitItem.objects.filter(project=project).first()
    response = client.post(
        reverse("followup:permit-edit", args=[project.pk, item.pk]),
        {"status": PermitStatus.DONE, "version": item.version},
    )
    assert response.status_code == 200
    assert "办结" in response.content.decode()
    item.refresh_from_db()
    assert item.status == PermitStatus.NOT_STARTED


def test_another_districts_permits_are_404(city, as_user, late):
    project = late["jingkai"]
    as_user(city.jingkai_editor).post(reverse("followup:permits-create", args=[project.pk]))
    item = PermitItem.objects.filter(project=project).first()
    client = as_user(city.jingkou_editor)
    assert client.get(reverse("followup:permits", args=[project.pk])).status_code == 404
    assert client.post(reverse("followup:permits-create", args=[project.pk])).status_code == 404
    url = reverse("followup:permit-edit", args=[project.pk, item.pk])
    assert client.get(url).status_code == 404
    # An item of another project under one's own project's URL is not found either.
    own = late["jingkou"]
    url = reverse("followup:permit-edit", args=[own.pk, item.pk])
    assert client.get(url).status_code == 404


# --- rules -----------------------------------------------------------------------------------


def test_an_analyst_edits_a_rule(city, as_user):
    rule = AlertRule.objects.get(name="签约未注册")
    response = as_user(city.analyst).post(
        reverse("followup:rule-edit", args=[rule.pk]),
        {
            "name": rule.name,
            "kind": rule.kind,
            "from_stage": "signed",
            "to_stage": "registered",
            "months": 3,
            "active": "on",
            "sort_order": 0,
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.months == 3
    # The seeded rule has no history row of its own (reference data); the edit has one.
    assert [entry.history_type for entry in rule.history.all()] == ["~"]


def test_a_rule_expecting_an_earlier_stage_is_refused(city, as_user):
    response = as_user(city.analyst).post(
        reverse("followup:rule-create"),
        {
            "name": "倒退",
            "kind": "stage_gap",
            "from_stage": "started",
            "to_stage": "registered",
            "months": 3,
            "sort_order": 0,
        },
    )
    assert response.status_code == 200
    assert "必须在" in response.content.decode()
    assert not AlertRule.objects.filter(name="倒退").exists()


def test_a_district_reads_the_rules_but_cannot_edit_them(city, as_user):
    client = as_user(city.jingkou_editor)
    assert client.get(reverse("followup:rules")).status_code == 200
    rule = AlertRule.objects.first()
    assert client.get(reverse("followup:rule-edit", args=[rule.pk])).status_code == 403


# --- documents on permits (yinli.supervision) -------------------------------------------------


@pytest.fixture
def document_dir(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
    return tmp_path / "documents"


def test_a_permit_document_is_attached_and_fetched_only_in_scope(city, as_user, late, document_dir):
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yinli.supervision.models import Document

    project = late["jingkai"]
    client = as_user(city.jingkai_editor)
    client.post(reverse("followup:permits-create", args=[project.pk]))
    item = PermitItem.objects.filter(project=project).first()
    permits_url = reverse("followup:permits", args=[project.pk])
    upload = reverse(
        "supervision:document-upload",
        args=[ContentType.objects.get_for_model(PermitItem).pk, item.pk],
    )
    pdf = SimpleUploadedFile("环评批复.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = client.post(
        upload, {"file": pdf, "title": "环评批复文件", "kind": "permit", "next": permits_url}
    )
    assert response.status_code == 302
    document = Document.objects.get(owner_id=item.pk)
    page = client.get(permits_url).content.decode()
    assert "环评批复文件" in page and 'data-documents="1"' in page
    download = reverse("supervision:document-download", args=[document.pk])
    assert as_user(city.analyst).get(download).status_code == 200
    assert as_user(city.jingkou_editor).get(download).status_code == 404
