"""ledger.csvblocks: byte ranges of whole records that, read apart, give the file's records."""

from __future__ import annotations

import csv
import io
import itertools

import pytest

from yinli.ledger import csvblocks


def records_of(path, encoding):
    with path.open("r", encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def lines(count: int, *, width: int = 3) -> list[list[str]]:
    return [[f"第{n}行", "光伏电池片", str(n * 7)][:width] for n in range(count)]


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8-sig", "\n"), ("utf-8", "\r\n"), ("gb18030", "\r\n"), ("gbk", "\n")],
)
def test_the_ranges_read_apart_give_the_files_records(tmp_path, encoding, newline):
    path = tmp_path / "list.csv"
    rows = [["企业名称", "经营范围", "参保人数"], *lines(700)]
    rows.insert(300, [])  # a blank line
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, lineterminator=newline).writerows(rows)
    ranges = csvblocks.record_ranges(path, 1000)
    assert len(ranges) > 10
    assert ranges[0][0] == 0 and ranges[-1][1] == path.stat().st_size
    assert all(end == next_start for (_s, end), (next_start, _e) in itertools.pairwise(ranges))
    data = path.read_bytes()
    assert all(data[end - 1 : end] == b"\n" for _s, end in ranges[:-1])
    read = []
    for start, end in ranges:
        read += csvblocks.read_records(path, start, end, encoding, ",")
    assert read == records_of(path, encoding) and read[0][0] == "企业名称"
    assert read[300] == []


def test_the_first_range_holds_the_lines_asked_for(tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("".join(f"{'标题' * 200},{n}\n" for n in range(40)), encoding="utf-8")
    ranges = csvblocks.record_ranges(path, 100, first_lines=12)
    first = csvblocks.read_records(path, *ranges[0], "utf-8", ",")
    assert len(first) == 12
    assert csvblocks.record_ranges(path, 100, first_lines=41) is None  # fewer lines than that


def test_a_file_with_a_quote_is_not_cut(tmp_path):
    path = tmp_path / "list.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["企业名称", "经营范围"], ["甲公司", "研发，生产\n销售"]])
    path.write_text(buffer.getvalue() + "乙公司,x\n" * 500, encoding="utf-8")
    assert csvblocks.record_ranges(path, 100) is None
    # A stray quote inside an unquoted cell too: counting quotes would cut in the wrong place.
    path.write_text("企业名称,经营范围\n" + '丙"公司,x\n' + "乙公司,x\n" * 500, encoding="utf-8")
    assert csvblocks.record_ranges(path, 100) is None


def test_a_file_without_a_newline_is_one_range(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("企业名称,经营范围", encoding="utf-8")
    assert csvblocks.record_ranges(path, 4) == [(0, path.stat().st_size)]


def test_the_delimiter_is_sniffed(tmp_path):
    path = tmp_path / "tabs.csv"
    path.write_text(
        "企业名称\t经营范围\t参保人数\n甲公司\t研发\t3\n乙公司\t销售\t4\n", encoding="gbk"
    )
    assert csvblocks.sniff_delimiter(path, "gb18030") == "\t"
