"""The OpenAPI schema: served, committed, and within v1 changes only add."""

import copy
import json
import re
from io import StringIO

from django.contrib.staticfiles import finders
from django.core.management import call_command

from yinli.api import snapshot


def test_the_schema_is_served(anonymous):
    response = anonymous.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Yinli API"
    assert schema["info"]["version"] == "1"
    assert "/api/v1/projects/{project_id}" in schema["paths"]


def test_the_committed_schema_is_up_to_date():
    generated = snapshot.dumps(snapshot.generated_schema())
    committed = snapshot.SNAPSHOT.read_text(encoding="utf-8")
    assert generated == committed, (
        f"The API changed but {snapshot.SNAPSHOT.name} did not: run "
        f"`{snapshot.REFRESH_COMMAND}` and commit the file (review the diff: within v1 "
        "changes only add)."
    )


def test_within_v1_changes_only_add():
    gone = snapshot.removed(snapshot.committed_schema(), snapshot.generated_schema())
    assert not gone, "Within v1 nothing may disappear from the API:\n" + "\n".join(gone)


def test_the_only_add_check_sees_a_removed_field_and_a_removed_path():
    committed = snapshot.committed_schema()
    generated = copy.deepcopy(committed)
    del generated["components"]["schemas"]["ProjectOut"]["properties"]["stage_label"]
    del generated["paths"]["/api/v1/health"]
    gone = snapshot.removed(committed, generated)
    assert "GET /api/v1/projects/{project_id} 200 stage_label" in gone
    assert "GET /api/v1/projects 200 items[].stage_label" in gone
    assert "GET /api/v1/health" in gone


def test_adding_is_allowed():
    committed = snapshot.committed_schema()
    generated = copy.deepcopy(committed)
    generated["components"]["schemas"]["ProjectOut"]["properties"]["new_field"] = {"type": "string"}
    assert snapshot.removed(committed, generated) == []


def test_the_committed_copy_is_sorted_and_pretty():
    text = snapshot.SNAPSHOT.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_schema_command_prints_json_on_stdout():
    out = StringIO()
    call_command("api_schema", stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue())["info"]["title"] == "Yinli API"


def test_the_schema_command_check_passes_on_the_committed_copy():
    call_command("api_schema", "--check", stdout=StringIO(), stderr=StringIO())


def test_amounts_are_numbers_in_the_schema():
    properties = snapshot.committed_schema()["components"]["schemas"]["ProjectOut"]["properties"]
    for name in ("total_investment_wan", "total_investment_yi", "foreign_investment", "land_mu"):
        assert {"type": "number"} in properties[name]["anyOf"], name


def test_the_docs_page_loads_nothing_from_outside(anonymous):
    response = anonymous.get("/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html), "docs load from a CDN"
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert '"validatorUrl": null' in html
    assert finders.find("ninja/swagger-ui-bundle.js")
    assert finders.find("ninja/swagger-ui.css")
