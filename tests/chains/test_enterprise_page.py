"""The enterprise-base import page: city roles only; a small file imported in the request, a
large one in the background with its progress polled; every problem listed by row and column."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from yinli.chains.models import CompanyNode
from yinli.companies.models import Company
from yinli.ledger import jobs

from .test_enterprise import HEADER, bank, cell_maker, recycler, write_csv


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.LEDGER_UPLOAD_DIR = tmp_path / "uploads"
    return settings.LEDGER_UPLOAD_DIR


def post_file(client, path, **extra):
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes()), "classify": "on", **extra}
    return client.post(reverse("chains:enterprise_import"), data)


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


@pytest.mark.django_db
def test_only_city_roles_import(city, as_user, tmp_path):
    assert as_user(city.analyst).get(reverse("chains:enterprise_import")).status_code == 200
    for persona in (city.jingkou_editor, city.team_member, city.outsider):
        assert as_user(persona).get(reverse("chains:enterprise_import")).status_code == 403
    path = write_csv(tmp_path / "list.csv", [cell_maker()])
    assert post_file(as_user(city.jingkou_editor), path).status_code == 403
    assert not Company.objects.filter(name="常州晶澜光能科技有限公司").exists()


@pytest.mark.django_db
def test_a_small_file_is_imported_and_classified_at_once(city, as_user, tmp_path, test_chain):
    client = as_user(city.analyst)
    path = write_csv(tmp_path / "企业名录.csv", [cell_maker(), recycler(), bank()])
    token = token_of(post_file(client, path, source="某数据服务商"))
    page = client.get(reverse("chains:enterprise_status", args=[token])).content.decode()
    assert 'id="enterprise-done"' in page
    assert Company.objects.filter(uscc__in=[cell_maker()["统一社会信用代码"]]).exists()
    assert Company.objects.count() >= 3
    recycler_company = Company.objects.get(name="深圳绿循新能源科技有限公司")
    assert CompanyNode.objects.filter(company=recycler_company, node=test_chain.recycling).exists()
    # The result is shown once; the upload's folder is gone after it.
    assert client.get(reverse("chains:enterprise_status", args=[token])).status_code == 404


@pytest.mark.django_db
def test_bad_rows_stop_the_import_and_are_listed_by_row_and_column(city, as_user, tmp_path):
    client = as_user(city.analyst)
    bad = recycler(**{"统一社会信用代码": "91440300MA5XXXXXX1", "成立日期": "去年春天"})
    path = write_csv(tmp_path / "坏.csv", [cell_maker(), bad])
    token = token_of(post_file(client, path))
    page = client.get(reverse("chains:enterprise_status", args=[token])).content.decode()
    assert 'id="enterprise-stopped"' in page
    assert "91440300MA5XXXXXX1" in page and "去年春天" in page
    assert "统一社会信用代码" in page and "成立日期" in page
    assert not Company.objects.filter(name="常州晶澜光能科技有限公司").exists()  # all or nothing
    # With the box ticked the good row goes in and the bad one is listed.
    token = token_of(post_file(client, path, skip_invalid="on"))
    page = client.get(reverse("chains:enterprise_status", args=[token])).content.decode()
    assert 'id="enterprise-done"' in page and "去年春天" in page
    assert Company.objects.filter(name="常州晶澜光能科技有限公司").exists()


@pytest.mark.django_db(transaction=True)
def test_a_large_file_runs_in_the_background_and_the_page_shows_progress(settings, tmp_path):
    from django.test import Client

    city = factories.build_city()
    settings.CHAINS_ENTERPRISE_INLINE_BYTES = 10  # every file counts as large
    client = Client()
    client.force_login(city.analyst, backend="django.contrib.auth.backends.ModelBackend")
    started = threading.Event()
    release = threading.Event()
    real_progress = jobs.Progress.__call__

    def slow_progress(self, done, total):  # hold the job so the page sees it running
        started.set()
        release.wait(30)
        return real_progress(self, done, total)

    settings_patch = pytest.MonkeyPatch()
    settings_patch.setattr(jobs.Progress, "__call__", slow_progress)
    try:
        path = write_csv(tmp_path / "large.csv", [cell_maker(), recycler(), bank()], HEADER)
        token = token_of(post_file(client, path))
        assert started.wait(30)
        running = client.get(reverse("chains:enterprise_status", args=[token])).content.decode()
        assert 'id="job-progress"' in running and "every 1s" in running
        release.set()
        for thread in threading.enumerate():
            if thread.name == f"ledger-{token[:8]}":
                thread.join(60)
    finally:
        release.set()
        settings_patch.undo()
    done = client.get(reverse("chains:enterprise_status", args=[token])).content.decode()
    assert 'id="enterprise-done"' in done
    assert Company.objects.filter(name="北京恒信商业银行股份有限公司").exists()
