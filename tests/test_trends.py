"""Trends: directive counts per area/locality/level per month/quarter/year, drill-down, CLI output."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp.cli import app
from nlp.records import Directive, Notice
from nlp.store import Filters, Store
from nlp.trends import cell_directives, period_of, trend_counts, trend_table


def notice(locality: str, level: str, issue: str, meeting: str, labels: list[list[str]]) -> Notice:
    return Notice(
        title=f"TB {locality} {issue or meeting}", locality=locality, level=level, issue_date=issue,
        meeting_date=meeting, text=f"{locality}{issue}{meeting}{labels}",
        directives=[Directive(text=f"Chỉ đạo {i} của {locality}", labels=lab) for i, lab in enumerate(labels)],
    )


@pytest.fixture()
def data(backend, tmp_path: Path) -> Path:  # noqa: ANN001 - conftest.Backend
    with Store.open(tmp_path) as s:
        s.add_notice(notice("Ngân Sơn", "huyen", "2023-04", "2023-04-05",
                            [["thu_tuc_hanh_chinh"], ["cong_vu", "thu_tuc_hanh_chinh"], []]), "a")
        s.add_notice(notice("Đại Lãnh", "xa", "", "2023-03-17", [["hai_long"], ["thu_tuc_hanh_chinh"]]), "b")
        s.add_notice(notice("Hương Sơn", "huyen", "2023-09-13", "", [["thu_tuc_hanh_chinh"]] * 3), "c")
        s.add_notice(notice("ngân sơn", "huyen", "2024", "", [["cong_vu"]]), "d")  # year precision only
        s.add_notice(notice("Kon Rẫy", "huyen", "", "", [["the_che"]]), "e")  # no date at all
    return tmp_path


def counts(rows) -> dict[tuple[str, str], int]:  # noqa: ANN001
    return {(r.period, r.key): r.count for r in rows}


def test_period_of() -> None:
    assert period_of("2023-04-05", "month") == "2023-04"
    assert period_of("2023-04", "quarter") == "2023-Q2"
    assert period_of("2023-12-31", "quarter") == "2023-Q4"
    assert period_of("2023", "year") == "2023" and period_of("2023", "month") == ""
    assert period_of("", "year") == ""


def test_by_area_per_month(data: Path) -> None:
    with Store.open(data) as s:
        rows = trend_counts(s, "area", "month")
    c = counts(rows)
    assert c[("2023-04", "thu_tuc_hanh_chinh")] == 2 and c[("2023-04", "cong_vu")] == 1
    assert c[("2023-03", "hai_long")] == 1  # meeting date used when the issue date is missing
    assert c[("2023-09", "thu_tuc_hanh_chinh")] == 3
    assert c[("", "cong_vu")] == 1 and c[("", "the_che")] == 1  # year-only and undated: unknown month
    assert all(r.key for r in rows)  # unlabelled directives are not counted by area
    assert [r.period for r in rows] == sorted([r.period for r in rows], key=lambda p: (p == "", p))
    assert next(r for r in rows if r.key == "thu_tuc_hanh_chinh").label == "Thủ tục hành chính"


def test_by_locality_and_level(data: Path) -> None:
    with Store.open(data) as s:
        by_loc = counts(trend_counts(s, "locality", "year"))
        by_level = counts(trend_counts(s, "level", "quarter"))
        labels = {r.key: r.label for r in trend_counts(s, "locality", "year")}
    assert by_loc[("2023", "ngan son")] == 3 and by_loc[("2024", "ngan son")] == 1  # accents/case merged
    assert labels["ngan son"] in ("Ngân Sơn", "ngân sơn")
    assert by_level[("2023-Q1", "xa")] == 2 and by_level[("2023-Q2", "huyen")] == 3
    assert by_level[("2023-Q3", "huyen")] == 3


def test_filters_and_drill_down(data: Path) -> None:
    with Store.open(data) as s:
        rows = trend_counts(s, "area", "quarter", Filters(levels=["huyen"], date_from="2023-01-01", date_to="2023-12-31"))
        assert counts(rows) == {("2023-Q2", "thu_tuc_hanh_chinh"): 2, ("2023-Q2", "cong_vu"): 1,
                                ("2023-Q3", "thu_tuc_hanh_chinh"): 3}
        hits = cell_directives(s, "area", "quarter", "2023-Q2", "thu_tuc_hanh_chinh")
        assert [h.text for h in hits] == ["Chỉ đạo 0 của Ngân Sơn", "Chỉ đạo 1 của Ngân Sơn"]
        assert hits[1].labels == ["thu_tuc_hanh_chinh", "cong_vu"]
        assert len(cell_directives(s, "locality", "year", "2023", "ngan son")) == 3
        assert len(cell_directives(s, "level", "month", "", "huyen")) == 2  # the cell of unknown dates
        periods, keys, matrix = trend_table(rows)
        assert periods == ["2023-Q2", "2023-Q3"] and matrix[1][[k for k, _ in keys].index("thu_tuc_hanh_chinh")] == 3
        with pytest.raises(ValueError):
            trend_counts(s, "unit", "month")
        with pytest.raises(ValueError):
            trend_counts(s, "area", "week")


def test_cli_trends_outputs(data: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["trends", "--by", "area", "--period", "year", "--csv", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.output)))
    assert {"period": "2023", "area": "thu_tuc_hanh_chinh", "label": "Thủ tục hành chính", "count": "6"} in table
    result = runner.invoke(app, ["trends", "--by", "level", "--period", "month", "--json", "--data-dir", str(data)])
    rows = json.loads(result.output)
    assert {"period": "2023-03", "key": "xa", "label": "Xã", "count": 2} in rows
    result = runner.invoke(app, ["trends", "--by", "locality", "--data-dir", str(data), "--locality", "ngan son"])
    assert result.exit_code == 0 and "2023-04" in result.output and "không rõ" in result.output
    result = runner.invoke(app, ["trends", "--by", "week", "--data-dir", str(data)])
    assert result.exit_code == 1


def test_every_period_on_the_axis_and_directives_counted_once(data: Path) -> None:
    from nlp.trends import all_periods, directive_totals

    assert all_periods(["2023-11", "", "2024-02"], "month") == ["2023-11", "2023-12", "2024-01", "2024-02", ""]
    assert all_periods(["2023-Q3", "2024-Q2"], "quarter") == ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    assert all_periods(["2019", "2021"], "year") == ["2019", "2020", "2021"]
    with Store.open(data) as s:
        rows = trend_counts(s, "area", "month")
        periods, _, matrix = trend_table(rows, "month")
        totals = directive_totals(s, "month")
        everything = directive_totals(s, "month", labelled=False)
    assert periods[:7] == ["2023-03", "2023-04", "2023-05", "2023-06", "2023-07", "2023-08", "2023-09"]
    assert matrix[periods.index("2023-06")] == [0] * len(matrix[0])  # an empty month is a row of zeros
    april_tags = sum(r.count for r in rows if r.period == "2023-04")
    assert april_tags == 3 and totals["2023-04"] == 2 and everything["2023-04"] == 3  # 2 tagged + 1 untagged


def test_localities_in_vietnamese_order(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        for i, place in enumerate(["Yên Thế", "Đức Tân", "Ea Krông", "Ân Thi", "An Lão", "Bắc Mê", "Ba Bể"]):
            s.add_notice(notice(place, "huyen", "2023-05", "", [["cong_vu"]]), f"d{i}")
        labels = [r.label for r in trend_counts(s, "locality", "year")]
    assert labels == ["An Lão", "Ân Thi", "Ba Bể", "Bắc Mê", "Đức Tân", "Ea Krông", "Yên Thế"]


def test_recurring_weaknesses_same_area_same_unit_across_notices(tmp_path: Path) -> None:
    from nlp.recurring import recurring_weaknesses

    def asked(year: str, unit: str, labels: list[str], tag: str) -> Notice:
        return Notice(title=f"TB {tag}", locality="Minh Thử", level="huyen", issue_date=f"{year}-06-01", text=tag,
                      directives=[Directive(text=f"Chấn chỉnh tình trạng hồ sơ trễ hạn ({tag})", unit=unit, labels=labels)])

    with Store.open(tmp_path) as s:
        s.add_notice(asked("2022", "Phòng Nội vụ", ["thu_tuc_hanh_chinh"], "a"), "a")
        s.add_notice(asked("2023", "PHÒNG NỘI VỤ", ["thu_tuc_hanh_chinh", "cong_vu"], "b"), "b")
        s.add_notice(asked("2024", "phòng Nội vụ", ["thu_tuc_hanh_chinh"], "c"), "c")
        s.add_notice(asked("2024", "Phòng Tư pháp", ["the_che"], "d"), "d")
        found = recurring_weaknesses(s)
    assert [(r.area, r.unit, r.notices, r.years) for r in found] == [
        ("thu_tuc_hanh_chinh", "Phòng Nội vụ", 3, ["2022", "2023", "2024"])]
    assert found[0].first == "2022-06-01" and found[0].last == "2024-06-01" and len(found[0].directive_ids) == 3


def test_cli_trends_speak_vietnamese(data: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["trends", "--by", "locality", "--period", "year", "--data-dir", str(data)]).output
    assert "Số chỉ đạo theo địa phương / năm" in out and "locality" not in out
    out = runner.invoke(app, ["trends", "--by", "area", "--period", "month", "--data-dir", str(data)]).output
    assert "Số lượt gắn lĩnh vực theo lĩnh vực / tháng" in out and "cột cuối đếm mỗi chỉ" in out
    assert "2023-06" in out  # the empty months between March and September are rows
