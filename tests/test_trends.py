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
