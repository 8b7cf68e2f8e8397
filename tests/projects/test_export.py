"""The CSV export goes through the scoping helper and neutralizes formulas."""

import csv
import io

from django.urls import reverse

from tests import factories


def exported(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("project-export") + query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_it_refuses_other_district_in_the_export(client, city):
    factories.project(city, district=city.jingkou, name="京口新能源项目")
    factories.project(city, district=city.jingkai, name="经开区生物医药项目")
    rows = exported(client, city.jingkou_editor)
    names = [row[1] for row in rows[1:]]
    assert names == ["京口新能源项目"]


def test_the_export_follows_the_list_filters(client, city):
    factories.project(city, district=city.jingkou, name="甲项目", total_wan="5000")
    factories.project(city, district=city.jingkou, name="乙项目", total_wan="150000")
    rows = exported(client, city.admin, "?size=ge10")
    assert [row[1] for row in rows[1:]] == ["乙项目"]
    assert rows[1][4] == "15.0000"


def test_text_a_spreadsheet_would_run_is_neutralized(client, city):
    factories.project(city, district=city.jingkou, name='=HYPERLINK("http://x")')
    rows = exported(client, city.admin)
    assert rows[1][1].startswith("'=")
