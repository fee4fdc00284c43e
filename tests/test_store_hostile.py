"""The store under hostile or careless input, on both backends: date filters, many filter values, LIKE
wildcards in ids and names, damaged databases, wrong database URLs. Each case gets a correct answer or
a Vietnamese message, never a traceback."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp.cli import app
from nlp.records import Directive, Notice
from nlp.store import Filters, Store
from nlp.store.filters import MAX_VALUES, period_bounds
from nlp.trends import trend_counts

runner = CliRunner()


def dated(tag: str, date: str, precision: str, locality: str = "Ngân Sơn") -> Notice:
    return Notice(
        title=f"TB {tag}", locality=locality, level="huyen", issue_date=date, issue_date_precision=precision,
        text=f"notice {tag}",
        directives=[Directive(text=f"Giải quyết hồ sơ thủ tục hành chính đúng hạn {tag}.", labels=["thu_tuc_hanh_chinh"])],
    )


@pytest.fixture()
def store(backend, tmp_path: Path) -> Store:  # noqa: ANN001 - conftest.Backend
    s = Store.open(tmp_path)
    yield s
    s.close()


@pytest.fixture()
def dated_store(store: Store) -> tuple[Store, dict[str, int]]:
    ids = {}
    for tag, date, precision in [("jun", "2023-06-01", "day"), ("dec15", "2023-12-15", "day"),
                                 ("dec", "2023-12", "month"), ("y2023", "2023", "year"), ("jan24", "2024-01-02", "day")]:
        (ids[tag],) = store.add_notice(dated(tag, date, precision), f"doc-{tag}", f"{tag}.txt")
    return store, ids


def _ids(store: Store, **kw: str) -> set[int]:
    return set(store.filter_ids(Filters(**kw)).tolist())


def test_to_widens_to_the_end_of_its_period(dated_store) -> None:  # noqa: ANN001
    store, ids = dated_store
    year_2023 = {ids["jun"], ids["dec15"], ids["dec"], ids["y2023"]}
    assert _ids(store, date_to="2023") == year_2023  # was empty: '2023-01-01' <= '2023' is false
    assert _ids(store, date_to="2023-12") == year_2023  # December was dropped
    assert _ids(store, date_to="2023-12-31") == year_2023
    assert _ids(store, date_to="2023-11") == {ids["jun"], ids["y2023"]}
    assert _ids(store, date_from="2023-12") == {ids["dec15"], ids["dec"], ids["y2023"], ids["jan24"]}
    assert _ids(store, date_from="2024") == {ids["jan24"]}
    assert _ids(store, date_from="2023-12-16", date_to="2023-12-31") == {ids["dec"], ids["y2023"]}
    assert _ids(store, date_from="2023-7", date_to="2023-7") == {ids["y2023"]}  # one-digit month
    rows = trend_counts(store, "area", "year", Filters(date_to="2023"))
    assert [(r.period, r.count) for r in rows] == [("2023", 4)]


@pytest.mark.parametrize("bad", ["2023-13-45", "2023-02-30", "2023-02-29", "2023-13", "2023-00", "2023-12-32",
                                 "15/04/2023", "2023-1-1-1", "năm ngoái"])
def test_impossible_dates_are_refused(store: Store, bad: str) -> None:
    with pytest.raises(ValueError, match="Ngày không hợp lệ") as err:
        store.filter_ids(Filters(date_from=bad))
    assert bad in str(err.value)
    with pytest.raises(ValueError, match="Ngày không hợp lệ"):
        trend_counts(store, filters=Filters(date_to=bad))


def test_period_bounds() -> None:
    assert period_bounds("2024-02") == ("2024-02-01", "2024-02-29")
    assert period_bounds("2023-02") == ("2023-02-01", "2023-02-28")
    assert period_bounds("2024-02-29") == ("2024-02-29", "2024-02-29")
    assert period_bounds(" 2023 ") == ("2023-01-01", "2023-12-31")


def test_reversed_range_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="Khoảng ngày rỗng"):
        store.filter_ids(Filters(date_from="2024", date_to="2023-12"))


def test_bad_dates_on_the_command_line(backend, tmp_path: Path) -> None:  # noqa: ANN001
    for args in (["trends", "--to", "2023-02-30"], ["search", "hồ sơ", "--from", "2023-13-45"],
                 ["trends", "--from", "2024", "--to", "2023"]):
        result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and result.output.startswith("Lỗi: ")
        assert "Ngày không hợp lệ" in result.output or "Khoảng ngày rỗng" in result.output


def test_many_filter_values_work(store: Store) -> None:
    wanted = store.add_notice(dated("a", "2023-04-01", "day", locality="Ngân Sơn"), "a")
    store.add_notice(dated("b", "2023-04-01", "day", locality="Ba Bể"), "b")
    places = [f"Xã Số {i}" for i in range(2000)] + ["ngan son"]
    assert set(store.filter_ids(Filters(localities=places)).tolist()) == set(wanted)
    assert sum(r.count for r in trend_counts(store, "locality", "year", Filters(localities=places))) == 1
    hits = store.keyword_search(["ho_so"], 10, Filters(localities=places, doc_types=[f"t{i}" for i in range(3000)]
                                                        + ["other"]))
    assert [i for i, _ in hits] == wanted
    areas = ["thu_tuc_hanh_chinh"] * 5000  # repeated values are harmless
    assert len(store.filter_ids(Filters(areas=areas))) == 2


def test_too_many_filter_values_are_refused_clearly(store: Store) -> None:
    with pytest.raises(ValueError, match="Quá nhiều giá trị lọc địa phương"):
        store.filter_ids(Filters(localities=["x"] * (MAX_VALUES + 1)))


def test_id_and_name_lookups_take_wildcards_literally(backend, tmp_path: Path) -> None:  # noqa: ANN001
    with Store.open(tmp_path) as store:
        store.add_notice(dated("a", "2023", "year"), "abcd0001", "in/a_b.txt")
        store.add_notice(dated("b", "2023", "year"), "abcd0002", "in/axb.txt")
        store.add_notice(dated("c", "2023", "year"), "ab_d0003", "in/100%.txt")
        assert store.find_documents("____") == [] and store.find_documents("%") == []
        assert store.find_documents("ab_d") == ["ab_d0003"] and store.find_documents("abcd") == ["abcd0001", "abcd0002"]
        assert store.documents_named("a_b.txt") == ["abcd0001"]
        assert store.documents_named("%.txt") == [] and store.documents_named("100%.txt") == ["ab_d0003"]
    for ref in ("____", "%", "____0001", "a%"):
        result = runner.invoke(app, ["delete", ref, "--data-dir", str(tmp_path)])
        assert result.exit_code == 1 and "không tìm thấy văn bản" in result.output, result.output
    with Store.open(tmp_path) as store:
        assert store.stats()["documents"] == 3


def test_damaged_database_gives_a_message(tmp_path: Path) -> None:
    (tmp_path / "cchc.sqlite").write_bytes(b"this is not a database, just a file someone overwrote" * 100)
    for args in (["stats"], ["trends"], ["delete", "abcd"]):
        result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert "cchc.sqlite" in result.output and "hỏng" in result.output


def test_data_dir_that_is_a_file_gives_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("x")
    result = runner.invoke(app, ["stats", "--data-dir", str(blocker / "sub")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.startswith("Lỗi: ") and "data" in result.output


@pytest.mark.parametrize("url, expected", [
    ("postgresql://cchc:secret@127.0.0.1:1/cchc", "Không kết nối được máy chủ PostgreSQL 127.0.0.1:1/cchc"),
    ("mysql://cchc:secret@127.0.0.1/cchc", "Địa chỉ cơ sở dữ liệu không hợp lệ: '127.0.0.1/cchc'"),
    ("postgresql://127.0.0.1:5432/x?sslmode=nonsense", "PostgreSQL 127.0.0.1:5432/x: connection is bad: invalid sslmode"),
])
def test_wrong_or_unreachable_database_url(tmp_path: Path, url: str, expected: str) -> None:
    for args in (["stats"], ["trends"], ["search", "hồ sơ"], ["ingest", str(tmp_path)], ["delete", "abcd"]):
        result = runner.invoke(app, [*args, "--database-url", url, "--data-dir", str(tmp_path)])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert expected in result.output and "secret" not in result.output


def test_missing_database_on_a_live_server(pg_server, tmp_path: Path) -> None:  # noqa: ANN001
    url = pg_server.url("khong_co_csdl_nay")
    result = runner.invoke(app, ["stats", "--database-url", url])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "không tồn tại" in result.output and "khong_co_csdl_nay" in result.output
