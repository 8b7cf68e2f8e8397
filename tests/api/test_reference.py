"""Reference lists and the region lookup."""

from tests.api.conftest import ApiClient


def test_districts_list_codes_and_names(api_as, city):
    body = api_as(city.jingkou_editor).get("/districts").json()
    by_code = {d["code"]: d for d in body}
    assert by_code["jingkou"]["name"] == "京口区"
    assert by_code["jingkou"]["region"] == {"code": "321102", "name": "京口区"}
    assert by_code["jingkai"]["active"] is True
    assert "jingkai-bio" not in by_code


def test_units_list_the_organisation_tree(api_as, city):
    body = api_as(city.jingkou_editor).get("/units").json()
    team = next(u for u in body if u["code"] == "jingkai-bio-1")
    assert (team["kind"], team["parent"], team["district"]) == (
        "team",
        city.bureau.pk,
        city.jingkai.pk,
    )


def test_industries_and_channels(api_as, city):
    client = api_as(city.jingkou_editor)
    assert {"id": city.industry.pk, "name": "生物医药及大健康", "category": "industrial"} in (
        client.get("/industries").json()
    )
    assert "驻点招商" in {c["name"] for c in client.get("/channels").json()}


def test_a_region_is_found_from_free_text(api_as, city):
    body = api_as(city.jingkou_editor).get("/regions", {"q": "上海浦东"}).json()
    assert body["status"] == "ok"
    assert body["region"]["code"] == "310115"
    assert body["region"]["full_name"]


def test_a_region_is_found_by_its_code(api_as, city):
    body = api_as(city.jingkou_editor).get("/regions", {"q": "321102"}).json()
    assert (body["status"], body["region"]["name"]) == ("ok", "京口区")


def test_an_ambiguous_region_lists_its_candidates(api_as, city):
    body = api_as(city.jingkou_editor).get("/regions", {"q": "朝阳区"}).json()
    assert body["status"] == "ambiguous"
    assert body["region"] is None
    assert "110105" in {c["code"] for c in body["candidates"]}
    assert body["message"]


def test_an_unknown_region_says_so(api_as, city):
    body = api_as(city.jingkou_editor).get("/regions", {"q": "亚特兰蒂斯"}).json()
    assert (body["status"], body["region"], body["candidates"]) == ("not_found", None, [])


def test_reference_lists_need_authentication(city):
    for path in ("/districts", "/units", "/industries", "/channels", "/regions?q=上海"):
        assert ApiClient().get(path).status_code == 401, path
