"""The enterprise-base import (yinli.chains.enterprise): mapping, errors, matching, idempotence,
classification, history — on the real reader with real CSV and xlsx files."""

from __future__ import annotations

import csv
import random
from datetime import date
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError

from tests import factories
from yinli.chains.enterprise import (
    field_for_header,
    import_enterprises,
    quick_uscc,
)
from yinli.chains.models import CompanyNode, CompanyProfile, Decision
from yinli.companies.models import Company, Ownership
from yinli.companies.uscc import generate_uscc, is_valid_uscc, validate_uscc
from yinli.core.services import PermissionDeniedError

pytestmark = pytest.mark.django_db

HEADER = [
    "企业名称",
    "统一社会信用代码",
    "法定代表人",
    "注册资本",
    "成立日期",
    "登记状态",
    "所属省份",
    "所属城市",
    "所属区县",
    "企业类型",
    "国标行业",
    "参保人数",
    "经营范围",
    "企业地址",
]

RNG = random.Random(7)
CELL_CODE = generate_uscc(RNG, region="320412")
RECYCLER_CODE = generate_uscc(RNG, region="440307")
BANK_CODE = generate_uscc(RNG, region="110105")


def cell_maker(**change):
    row = {
        "企业名称": "常州晶澜光能科技有限公司",
        "统一社会信用代码": CELL_CODE,
        "法定代表人": "周立新",
        "注册资本": "12000万人民币",
        "成立日期": "2016-05-18",
        "登记状态": "存续",
        "所属省份": "江苏省",
        "所属城市": "常州市",
        "所属区县": "武进区",
        "企业类型": "有限责任公司(自然人投资或控股)",
        "国标行业": "C3825",
        "参保人数": "856",
        "经营范围": "一般项目：太阳能电池片、光伏组件研发、制造、销售；货物进出口",
        "企业地址": "常州市武进区光伏路8号",
    }
    row.update(change)
    return row


def recycler(**change):
    row = {
        "企业名称": "深圳绿循新能源科技有限公司",
        "统一社会信用代码": RECYCLER_CODE,
        "法定代表人": "黄海",
        "注册资本": "3000",
        "成立日期": "2019年3月2日",
        "登记状态": "在业",
        "所属省份": "广东省",
        "所属城市": "深圳市",
        "所属区县": "龙岗区",
        "企业类型": "有限责任公司(台港澳法人独资)",
        "国标行业": "制造业-废弃资源综合利用业",
        "参保人数": "120",
        "经营范围": "废旧动力电池回收、梯次利用及拆解；电池再生材料销售",
        "企业地址": "深圳市龙岗区宝龙街道",
    }
    row.update(change)
    return row


def bank(**change):
    row = {
        "企业名称": "北京恒信商业银行股份有限公司",
        "统一社会信用代码": BANK_CODE,
        "法定代表人": "李明",
        "注册资本": "500000万元",
        "成立日期": "2001-01-01",
        "登记状态": "存续",
        "所属省份": "北京市",
        "所属城市": "北京市",
        "所属区县": "朝阳区",
        "企业类型": "股份有限公司",
        "国标行业": "J66",
        "参保人数": "3000",
        "经营范围": "吸收公众存款；发放短期、中期和长期贷款",
        "企业地址": "北京市朝阳区金融街1号",
    }
    row.update(change)
    return row


def write_csv(path, rows, header=HEADER, encoding="utf-8-sig"):
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def write_xlsx(path, rows, header=HEADER, title=None):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("企业名录")
    start = 0
    if title:
        sheet.write(0, 0, title)
        start = 2
    sheet.write_row(start, 0, header)
    for i, row in enumerate(rows, start=start + 1):
        for j, h in enumerate(header):
            value = row.get(h, "")
            if isinstance(value, date):
                sheet.write_datetime(i, j, value, book.add_format({"num_format": "yyyy-mm-dd"}))
            else:
                sheet.write(i, j, value)
    book.close()
    return path


@pytest.fixture
def city(db):
    return factories.build_city()


def run(path, city, **options):
    return import_enterprises(path=path, user=city.analyst, source="测试企业库", **options)


# -- mapping ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("企业名称", "name"),
        ("公司名称", "name"),
        ("统一社会信用代码", "uscc"),
        ("法人代表", "legal_representative"),
        ("注册资本(万元)", "registered_capital"),
        ("成立日期", "established_on"),
        ("经营状态", "registration_status"),
        ("所属省份", "province"),
        ("所属城市", "city"),
        ("所属区县", "county"),
        ("企业类型", "enterprise_type"),
        ("国标行业", "industry"),
        ("参保人数", "insured_staff"),
        ("经营范围", "business_scope"),
        ("注册地址", "address"),
        ("备注", None),
    ],
)
def test_headers_map_to_fields_as_vendors_name_them(header, field):
    assert field_for_header(header) == field


def test_the_quick_credit_code_check_agrees_with_the_validator():
    rng = random.Random(3)
    for _ in range(300):
        code = generate_uscc(rng, region=rng.choice(["320412", "110105", "440307"]))
        assert quick_uscc(code) == code
        broken = code[:17] + ("0" if code[17] != "0" else "1")
        assert quick_uscc(broken) is None and not is_valid_uscc(broken)
        body = code[:16] + ("1" if code[16] != "1" else "2")
        assert (quick_uscc(body) is None) == (not is_valid_uscc(body))


def test_a_csv_list_creates_companies_with_every_field(city, tmp_path):
    path = write_csv(tmp_path / "名录.csv", [cell_maker(), recycler()])
    result = run(path, city)
    assert result.committed and result.summary()["created"] == 2
    company = Company.objects.get(uscc=CELL_CODE)
    assert company.name == "常州晶澜光能科技有限公司"
    assert company.name_normalized == "晶澜光能科技"
    assert company.legal_representative == "周立新"
    assert company.registered_capital == Decimal("12000")
    assert company.established_on == date(2016, 5, 18)
    assert company.registration_status == "存续"
    assert company.region.code == "320412"
    assert company.industry_code == "C3825"
    assert company.insured_staff == 856
    assert company.business_scope.startswith("一般项目：太阳能电池片")
    assert company.address == "常州市武进区光伏路8号"
    assert company.ownership == Ownership.PRIVATE
    profile = company.profile
    assert profile.enterprise_type == "有限责任公司(自然人投资或控股)"
    assert profile.registry_region.code == "320412"
    assert profile.source == "测试企业库" and profile.imported_at is not None
    other = Company.objects.get(uscc=RECYCLER_CODE)
    assert other.registered_capital == Decimal("3000")
    assert other.established_on == date(2019, 3, 2)
    assert other.industry_code == "C42"
    assert other.ownership == Ownership.HMT


def test_an_xlsx_list_with_a_title_row_and_date_cells_imports(city, tmp_path):
    path = write_xlsx(
        tmp_path / "名录.xlsx",
        [cell_maker(成立日期=date(2016, 5, 18), 参保人数=856, 注册资本=12000)],
        title="江苏省企业名录（导出）",
    )
    result = run(path, city)
    assert result.committed and result.header_row == 3
    company = Company.objects.get(uscc=CELL_CODE)
    assert company.established_on == date(2016, 5, 18)
    assert company.insured_staff == 856 and company.registered_capital == Decimal("12000")


def test_a_gbk_csv_imports(city, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [cell_maker()], encoding="gbk")
    assert run(path, city).counts["created"] == 1
    assert Company.objects.filter(name="常州晶澜光能科技有限公司").exists()


def test_a_created_company_gets_its_creation_record_when_it_first_changes(city, tmp_path):
    run(write_csv(tmp_path / "a.csv", [cell_maker()]), city)
    company = Company.objects.get(uscc=CELL_CODE)
    # Its row is its creation record until it changes (yinli.companies.records) …
    assert not company.history.exists()
    before = {f.attname: getattr(company, f.attname) for f in Company._meta.concrete_fields}
    company.notes = "重点跟踪"
    company.save()
    # … then the record is written first, from the row as it was, and the change follows.
    created, changed = company.history.order_by("history_id")
    assert created.history_type == "+" and created.history_user_id == city.analyst.pk
    assert created.history_change_reason == "企业库导入"
    assert created.history_date == company.created_at
    kept = [f.attname for f in Company._meta.concrete_fields if hasattr(created, f.attname)]
    assert len(kept) > 10 and "business_scope" in kept
    assert {a: getattr(created, a) for a in kept} == {a: before[a] for a in kept}
    assert changed.history_type == "~" and changed.notes == "重点跟踪"
    # Once: a later change adds its own row only.
    company.notes = "已拜访"
    company.save()
    assert list(company.history.values_list("history_type", flat=True)) == ["~", "~", "+"]


def test_an_update_by_a_later_row_writes_the_creation_record_first(city, tmp_path):
    rows = [cell_maker(参保人数="120"), cell_maker(参保人数="900")]
    run(write_csv(tmp_path / "twice.csv", rows), city, chunk_size=1)
    company = Company.objects.get(uscc=CELL_CODE)
    records = list(company.history.order_by("history_id"))
    assert [(r.history_type, r.insured_staff, r.version) for r in records] == [
        ("+", 120, 1),
        ("~", 900, 2),
    ]
    # A deletion too finds the record there, or writes it.
    other = Company.objects.create(name="常州某某有限公司", name_normalized="某某")
    pk = other.pk
    Company.history.filter(id=pk).delete()
    other.delete()
    kinds = Company.history.filter(id=pk).order_by("history_id").values_list("history_type")
    assert [kind for (kind,) in kinds] == ["+", "-"]


# -- errors ------------------------------------------------------------------------------------


def test_bad_values_are_reported_by_row_column_and_value_and_nothing_is_written(city, tmp_path):
    bad_code = CELL_CODE[:17] + ("0" if CELL_CODE[17] != "0" else "1")
    rows = [
        recycler(),
        cell_maker(统一社会信用代码=bad_code),
        bank(注册资本="很多钱"),
        bank(统一社会信用代码="", 企业名称="某某公司", 成立日期="去年春天"),
        bank(统一社会信用代码="", 企业名称="某乙公司", 所属省份="火星省", 所属城市="", 所属区县=""),
        bank(统一社会信用代码="", 企业名称="某丙公司", 参保人数="很多"),
    ]
    result = run(write_csv(tmp_path / "bad.csv", rows), city)
    assert not result.committed
    assert Company.objects.count() == 0 and CompanyProfile.objects.count() == 0
    found = {(p.row, p.column): p for p in result.errors}
    assert set(found) == {
        (3, "统一社会信用代码"),
        (4, "注册资本"),
        (5, "成立日期"),
        (6, "所属省份"),
        (7, "参保人数"),
    }
    code_problem = found[(3, "统一社会信用代码")]
    assert code_problem.value == bad_code and code_problem.cell == "B3"
    assert "校验" in code_problem.message or "check" in code_problem.message
    assert found[(4, "注册资本")].value == "很多钱"
    assert "火星省" in found[(6, "所属省份")].value
    summary = result.summary()
    assert summary["error_rows"] == 5 and summary["created"] == 0


def test_skip_invalid_imports_the_good_rows_and_lists_the_bad(city, tmp_path):
    rows = [recycler(), bank(注册资本="很多钱"), cell_maker()]
    result = run(write_csv(tmp_path / "mixed.csv", rows), city, skip_invalid=True)
    assert result.committed
    assert result.summary()["created"] == 2 and result.summary()["skipped"] == 1
    assert [(p.row, p.column) for p in result.errors] == [(3, "注册资本")]
    assert not Company.objects.filter(uscc=BANK_CODE).exists()


def test_a_file_without_a_name_column_is_refused(city, tmp_path):
    path = write_csv(tmp_path / "x.csv", [{"a": 1}], header=["序号", "金额", "日期"])
    with pytest.raises(ValidationError) as error:
        run(path, city)
    assert "企业名称" in str(error.value)


def test_an_unknown_industry_is_a_warning_not_an_error(city, tmp_path):
    result = run(write_csv(tmp_path / "w.csv", [bank(国标行业="宇宙飞船修理业")]), city)
    assert result.committed and result.counts["warnings"] == 1
    assert result.warnings[0].value == "宇宙飞船修理业"
    assert Company.objects.get(uscc=BANK_CODE).industry_code == ""


def test_a_recurring_cell_is_judged_on_every_row_it_is_on(city, tmp_path, monkeypatch):
    """Cells whose texts recur (amounts, dates, staff, industries, statuses) are converted once
    a file: every row with the same bad text still gets its own error or warning, at its own
    row, and the outcome is what converting every cell afresh gives."""
    from yinli.chains import enterprise

    rows = []
    for i in range(4):
        rows.append(bank(统一社会信用代码="", 企业名称=f"甲{i}商贸有限公司", 成立日期="去年春天"))
        rows.append(bank(统一社会信用代码="", 企业名称=f"乙{i}商贸有限公司", 注册资本="很多钱"))
        rows.append(bank(统一社会信用代码="", 企业名称=f"丙{i}商贸有限公司", 国标行业="星际贸易"))
        rows.append(bank(统一社会信用代码="", 企业名称=f"丁{i}商贸有限公司", 参保人数="12人"))
    path = write_csv(tmp_path / "again.csv", rows)

    def outcome():
        result = run(path, city, skip_invalid=True)
        companies = sorted(
            Company.objects.values_list(
                "name", "registered_capital", "established_on", "industry_code", "insured_staff"
            )
        )
        return (
            [(p.row, p.column, p.value, p.message) for p in result.errors],
            [(p.row, p.column, p.value, p.message) for p in result.warnings],
            companies,
        )

    remembered = outcome()
    errors, warnings, companies = remembered
    assert [(row, column) for row, column, _v, _m in errors] == [
        (row, column)
        for i in range(4)
        for row, column in ((2 + 4 * i, "成立日期"), (3 + 4 * i, "注册资本"))
    ]
    assert [row for row, *_rest in warnings] == [4 + 4 * i for i in range(4)]
    assert len({message for *_head, message in errors[::2]}) == 1
    assert [staff for *_head, staff in companies if staff is not None] == [12] * 4 + [3000] * 4
    Company.history.all().delete()
    CompanyProfile.objects.all().delete()
    Company.objects.all().delete()
    monkeypatch.setattr(enterprise, "MEMO_LIMIT", 0)
    assert outcome() == remembered


def test_a_district_editor_may_not_import(city, tmp_path):
    with pytest.raises(PermissionDeniedError):
        import_enterprises(path=write_csv(tmp_path / "a.csv", [bank()]), user=city.jingkou_editor)
    assert not Company.objects.exists()


# -- matching and updating ----------------------------------------------------------------------


def test_a_known_code_updates_the_company_and_keeps_what_the_file_leaves_blank(city, tmp_path):
    company = factories.company(
        name="常州晶澜光能科技有限公司", uscc=CELL_CODE, notes="重点跟踪", region="320412"
    )
    company.legal_representative = "旧法人"
    company.address = "旧地址"
    company.save()
    result = run(write_csv(tmp_path / "u.csv", [cell_maker(企业地址="")]), city)
    assert result.counts["updated"] == 1 and result.counts["created"] == 0
    company.refresh_from_db()
    assert company.legal_representative == "周立新"
    assert company.address == "旧地址"  # a blank cell never empties a field
    assert company.notes == "重点跟踪"
    assert company.version == 2
    last = company.history.order_by("-history_id").first()
    assert last.history_type == "~" and last.legal_representative == "周立新"


def test_a_wider_place_in_the_file_keeps_the_companys_county(city, tmp_path):
    company = factories.company(name="常州晶澜光能科技有限公司", uscc=CELL_CODE, region="320412")
    run(write_csv(tmp_path / "p.csv", [cell_maker(所属城市="", 所属区县="")]), city)
    company.refresh_from_db()
    assert company.region.code == "320412"
    assert company.profile.registry_region.code == "320000"


def test_a_company_without_a_code_is_matched_by_name_and_gets_the_code(city, tmp_path):
    company = factories.company(name="常州晶澜光能科技有限公司", uscc=None, region="320400")
    result = run(write_csv(tmp_path / "n.csv", [cell_maker()]), city)
    assert result.counts["updated"] == 1 and Company.objects.count() == 1
    company.refresh_from_db()
    assert company.uscc == CELL_CODE and company.region.code == "320412"


def test_a_namesake_in_another_province_is_not_matched(city, tmp_path):
    factories.company(name="浙江晶澜光能科技有限公司", uscc=None, region="330100")
    run(write_csv(tmp_path / "n.csv", [cell_maker()]), city)
    assert Company.objects.count() == 2


def test_a_changed_enterprise_type_updates_that_companys_profile(city, tmp_path):
    """A profile's own key differs from its company's once a company exists without one: an
    update of the profile goes by company."""
    factories.company(name="没有档案的公司", uscc=None, region="320412")
    run(write_csv(tmp_path / "first.csv", [cell_maker(), recycler(), bank()]), city)
    maker = Company.objects.get(uscc=CELL_CODE)
    assert CompanyProfile.objects.get(company=maker).pk != maker.pk
    result = run(
        write_csv(tmp_path / "second.csv", [cell_maker(企业类型="股份有限公司(上市)")]), city
    )
    assert result.counts["updated"] == 1
    types = dict(CompanyProfile.objects.values_list("company__uscc", "enterprise_type"))
    assert types == {
        CELL_CODE: "股份有限公司(上市)",
        RECYCLER_CODE: recycler()["企业类型"],
        BANK_CODE: bank()["企业类型"],
    }
    again = run(
        write_csv(tmp_path / "third.csv", [cell_maker(企业类型="股份有限公司(上市)")]), city
    )
    assert again.counts["unchanged"] == 1


def test_reimporting_the_same_file_changes_nothing(city, tmp_path):
    path = write_csv(tmp_path / "same.csv", [cell_maker(), recycler(), bank()])
    run(path, city)
    versions = dict(Company.objects.values_list("pk", "version"))
    history = Company.history.count()
    again = run(path, city)
    assert again.counts["unchanged"] == 3
    assert again.counts["created"] == again.counts["updated"] == 0
    assert dict(Company.objects.values_list("pk", "version")) == versions
    assert Company.history.count() == history


def test_a_code_twice_in_a_file_is_created_once_and_updated_by_the_later_row(city, tmp_path):
    rows = [cell_maker(), recycler(), cell_maker(参保人数="900")]
    result = run(write_csv(tmp_path / "twice.csv", rows), city, chunk_size=10)
    assert result.counts["created"] == 2 and result.counts["updated"] == 1
    assert Company.objects.get(uscc=CELL_CODE).insured_staff == 900


def test_chunks_write_the_same_as_one(city, tmp_path):
    rng = random.Random(11)
    rows = [
        cell_maker(统一社会信用代码=generate_uscc(rng), 企业名称=f"常州晶澜{n}号光能有限公司")
        for n in range(23)
    ]
    result = run(write_csv(tmp_path / "many.csv", rows), city, chunk_size=5)
    assert result.counts["created"] == 23 and Company.objects.count() == 23
    assert CompanyProfile.objects.count() == 23
    assert Company.history.count() == 0  # a creation record comes with the first change
    assert len(set(Company.objects.values_list("pk", flat=True))) == 23


def test_foreign_capital_converts_at_the_latest_rate(city, tmp_path):
    from yinli.stats.models import ConversionRate

    ConversionRate.objects.update_or_create(
        month=date(2099, 1, 1), currency="USD", defaults={"rate": Decimal("7.2")}
    )
    run(write_csv(tmp_path / "usd.csv", [recycler(注册资本="100万美元")]), city)
    assert Company.objects.get(uscc=RECYCLER_CODE).registered_capital == Decimal("720")


# -- classification ------------------------------------------------------------------------------


def test_classification_after_import_places_the_cell_maker_and_the_recycler(city, tmp_path):
    path = write_csv(tmp_path / "c.csv", [cell_maker(), recycler(), bank()])
    result = run(path, city, classify=True)
    assert result.classification["companies"] == 3
    cells = CompanyNode.objects.filter(company__uscc=CELL_CODE)
    assert cells.filter(node__chain__name="光伏", node__name="电池片").exists()
    recycled = CompanyNode.objects.filter(company__uscc=RECYCLER_CODE)
    assert recycled.filter(node__chain__name="动力电池与储能").exists()
    assert not CompanyNode.objects.filter(company__uscc=BANK_CODE).exists()
    row = cells.get(node__name="电池片")
    assert row.score >= 1 and "[3825]" in row.matched
    assert all(word.startswith("[") or word in cell_maker()["经营范围"] for word in row.matched)


def test_a_reviewed_placement_survives_the_classification_of_a_reimport(city, tmp_path):
    path = write_csv(tmp_path / "c.csv", [cell_maker()])
    run(path, city, classify=True)
    row = CompanyNode.objects.get(company__uscc=CELL_CODE, node__name="电池片")
    row.decision = Decision.REJECTED
    row.save()
    run(write_csv(tmp_path / "c2.csv", [cell_maker(参保人数="901")]), city, classify=True)
    row.refresh_from_db()
    assert row.decision == Decision.REJECTED
    assert CompanyNode.objects.filter(company__uscc=CELL_CODE, node__name="电池片").count() == 1


def test_a_changed_scope_moves_the_company_on_reimport(city, tmp_path):
    run(write_csv(tmp_path / "c.csv", [cell_maker()]), city, classify=True)
    run(
        write_csv(
            tmp_path / "c2.csv", [cell_maker(经营范围="餐饮服务；食品销售", 国标行业="H6210")]
        ),
        city,
        classify=True,
    )
    company = Company.objects.get(uscc=CELL_CODE)
    # Neither its name (光能 is no keyword) nor its new scope or code places it anywhere now.
    assert not CompanyNode.objects.filter(company=company).exists()


def test_validate_uscc_is_the_authority_for_messages():
    with pytest.raises(ValidationError):
        validate_uscc(CELL_CODE[:10])


def test_worker_processes_convert_a_large_file_to_the_same_result(city, tmp_path, monkeypatch):
    from yinli.chains import enterprise

    monkeypatch.setattr(enterprise, "PARALLEL_FROM", 1)
    rng = random.Random(12)
    rows = [
        cell_maker(统一社会信用代码=generate_uscc(rng), 企业名称=f"常州晶澜{n}号光能有限公司")
        for n in range(2500)
    ]
    rows[1700]["注册资本"] = "很多钱"
    result = run(write_csv(tmp_path / "big.csv", rows), city, skip_invalid=True)
    assert result.counts["created"] == 2499 and result.counts["rows"] == 2500
    assert [(p.row, p.column) for p in result.errors] == [(1702, "注册资本")]
    company = Company.objects.get(name="常州晶澜2499号光能有限公司")
    assert company.name_normalized == "晶澜2499号光能" and company.name_initials


def test_workers_reading_byte_ranges_import_as_one_stream_does(city, tmp_path, monkeypatch):
    """A large CSV file without quotes is read by the workers a byte range each: the same
    companies, and every problem at the row number the file shows (a title row, a blank line
    and ranges of a few rows each)."""
    from yinli.chains import enterprise
    from yinli.ledger import csvblocks

    monkeypatch.setattr(enterprise, "PARALLEL_FROM", 1)
    monkeypatch.setattr(enterprise, "RANGE_BYTES", 2000)
    rng = random.Random(7)
    rows = [
        cell_maker(统一社会信用代码=generate_uscc(rng), 企业名称=f"常州晶澜{n}号光能有限公司")
        for n in range(900)
    ]
    for n in (5, 600, 899):
        rows[n]["注册资本"] = "很多钱"
    lines = ["常州市光伏企业名录（2026年）", ",".join(HEADER)]
    lines += [",".join(str(row.get(h, "")) for h in HEADER) for row in rows[:400]]
    lines.append("")
    lines += [",".join(str(row.get(h, "")) for h in HEADER) for row in rows[400:]]
    path = tmp_path / "名录.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="gbk")

    def imported() -> list[tuple]:
        return sorted(
            Company.objects.filter(name__startswith="常州晶澜").values_list(
                "uscc",
                "name",
                "name_normalized",
                "region_id",
                "registered_capital",
                "profile__enterprise_type",
            )
        )

    cut = []
    real = csvblocks.record_ranges

    def spy(*args, **kwargs):
        cut.append(real(*args, **kwargs))
        return cut[-1]

    monkeypatch.setattr(csvblocks, "record_ranges", spy)
    ranged = run(path, city, skip_invalid=True)
    assert cut[0] is not None and len(cut[0]) > 50  # the ranges were read
    assert ranged.counts["created"] == 897 and ranged.counts["error_rows"] == 3
    problems = [(p.row, p.column, p.value) for p in ranged.errors]
    # Title 1, header 2, rows 3–402, the blank line 403, then the rest.
    assert [(row, value) for row, _column, value in problems] == [
        (8, "很多钱"),
        (604, "很多钱"),
        (903, "很多钱"),
    ]
    first = imported()
    assert len(first) == 897

    Company.all_objects.filter(pk__in=list(ranged.company_ids)).delete()
    monkeypatch.setattr(csvblocks, "record_ranges", lambda *args, **kwargs: None)
    streamed = run(path, city, skip_invalid=True)
    assert [(p.row, p.column, p.value) for p in streamed.errors] == problems
    assert streamed.counts == ranged.counts
    assert imported() == first
    assert not Company.history.filter(id__in=list(streamed.company_ids)).exists()
