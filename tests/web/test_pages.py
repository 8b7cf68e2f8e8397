"""The frame of every page: login, navigation, the user, the demo mark, the home page."""

from django.test import override_settings
from django.urls import reverse

from tests import factories
from yinli.projects import services
from yinli.projects.models import Stage


def test_every_page_needs_a_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_person_logs_in_with_the_form(client, city):
    response = client.post(
        reverse("login"),
        {"username": city.jingkou_editor.username, "password": factories.PASSWORD},
        REMOTE_ADDR="10.0.0.8",
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_failed_logins_lock_the_account_for_a_while(client, city):
    data = {"username": city.jingkou_editor.username, "password": "wrong"}
    for _n in range(5):
        client.post(reverse("login"), data, REMOTE_ADDR="10.0.0.9")
    response = client.post(
        reverse("login"),
        {"username": city.jingkou_editor.username, "password": factories.PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert "登录失败次数过多" in response.content.decode()


def test_logging_out_takes_a_post(as_user, city):
    client = as_user(city.jingkou_editor)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_the_page_names_the_user_her_unit_and_role(as_user, city):
    city.jingkou_editor.display_name = "王晓燕"
    city.jingkou_editor.save()
    body = as_user(city.jingkou_editor).get(reverse("home")).content.decode()
    assert "王晓燕" in body
    assert "京口区" in body
    assert "板块填报员" in body


def test_the_navigation_links_only_pages_that_exist(as_user, city):
    response = as_user(city.analyst).get(reverse("home"))
    labels = [str(item["label"]) for item in response.context["NAVIGATION"]]
    assert labels[:2] == ["项目台账", "看板"]
    sections = response.context["NAVIGATION_SECTIONS"]
    assert [str(s["title"]) for s in sections if s["title"]] == ["项目", "统计", "跟踪落实"]
    assert "企业库" in labels
    assert sum(len(s["items"]) for s in sections) == len(labels)
    urls = [item["url"] for item in response.context["NAVIGATION"]]
    assert all(url.startswith("/") for url in urls)


def test_the_current_section_is_marked(as_user, city):
    response = as_user(city.analyst).get(reverse("projects:board"))
    active = [item["url"] for item in response.context["NAVIGATION"] if item["active"]]
    assert active == [reverse("projects:board")]


def test_the_demo_city_is_marked_on_every_page(as_user, city, monkeypatch):
    monkeypatch.setattr("yinli.demo.services.is_demo_city", lambda: True)
    client = as_user(city.analyst)
    for name in ("home", "projects:list", "projects:board", "companies:list"):
        assert "演示数据" in client.get(reverse(name)).content.decode(), name
    client.logout()
    assert "演示数据" in client.get(reverse("login")).content.decode()


def test_a_real_city_carries_no_demo_mark(as_user, city, monkeypatch):
    monkeypatch.setattr("yinli.demo.services.is_demo_city", lambda: False)
    assert "演示数据" not in as_user(city.analyst).get(reverse("home")).content.decode()


def test_assets_are_served_locally(client, db):
    body = client.get(reverse("login")).content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in body
    assert "http://" not in body and "https://" not in body
    assert "/static/django_htmx/htmx-2.min.js" in body


def test_the_home_page_counts_projects_by_stage_in_her_scope(as_user, city):
    factories.project(city, district=city.jingkou, stage=Stage.SIGNED)
    factories.project(city, district=city.jingkou, stage=Stage.STARTED)
    factories.project(city, district=city.jingkai, stage=Stage.SIGNED)
    response = as_user(city.jingkou_editor).get(reverse("home"))
    counts = {item["stage"]: item["count"] for item in response.context["stages"]}
    assert counts[Stage.SIGNED] == 1 and counts[Stage.STARTED] == 1
    assert response.context["total_count"] == 2


def test_the_home_page_lists_her_projects_missing_what_the_next_stage_needs(as_user, city):
    project = factories.project(city, district=city.jingkou, name="缺信用代码的项目")
    factories.project(city, district=city.jingkai, name="别的板块的项目")
    response = as_user(city.jingkou_editor).get(reverse("home"))
    names = [item["project"].name for item in response.context["attention"]]
    assert names == [project.name]


def test_recent_changes_stay_within_her_scope(as_user, city):
    own = factories.project(city, district=city.jingkou, name="京口的项目")
    other = factories.project(city, district=city.jingkai, name="经开区的项目")
    services.project_update(project=own, data={"notes": "回访"}, version=1, by=city.admin)
    services.project_update(project=other, data={"notes": "回访"}, version=1, by=city.admin)
    response = as_user(city.jingkou_editor).get(reverse("home"))
    names = {entry.object_name for entry in response.context["recent"]}
    assert names == {"京口的项目"}
    assert "经开区的项目" not in response.content.decode()


def test_the_print_stylesheet_is_linked(client, db):
    assert 'media="print"' in client.get(reverse("login")).content.decode()


@override_settings(DEBUG=False)
def test_an_unknown_page_is_a_plain_not_found(as_user, city):
    assert as_user(city.analyst).get("/no-such-page/").status_code == 404
