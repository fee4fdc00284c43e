"""The store on both backends (SQLite and PostgreSQL): documents, directives, labels, feedback, filters,
keyword index consistency, crash safety; SQLite's schema migration."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nlp.records import Directive, Notice
from nlp.store import Filters, Store, content_id, date_range, resolve_area, resolve_level


def make_notice(n: int = 3, locality: str = "Ngân Sơn", level: str = "huyen", issue_date: str = "2023-04",
                precision: str = "month", meeting_date: str = "", tag: str = "") -> Notice:
    texts = [
        "Giải quyết hồ sơ TTHC đúng hạn, không để hồ sơ trễ hạn.",
        "Đẩy mạnh số hóa hồ sơ và thanh toán trực tuyến.",
        "Siết chặt kỷ luật, kỷ cương hành chính.",
        "Rà soát văn bản quy phạm pháp luật.",
    ]
    labels = [["thu_tuc_hanh_chinh"], ["chinh_quyen_so", "thu_tuc_hanh_chinh"], ["cong_vu"], ["the_che"]]
    return Notice(
        title=f"Thông báo kết luận {tag}", locality=locality, level=level, issue_date=issue_date,
        issue_date_precision=precision, meeting_date=meeting_date, doc_type="thong_bao_ket_luan",
        directives=[
            Directive(text=f"{texts[i % 4]} {tag}".strip(), path=str(i + 1), heading="Đối với Phòng Nội vụ" if i == 0 else "",
                      unit="Phòng Nội vụ", deadlines=["2023-05-01"] if i == 0 else [],
                      labels=labels[i % 4], scores={lab: 0.9 for lab in labels[i % 4]})
            for i in range(n)
        ],
        text=f"notice {tag} {locality} {issue_date}",
    )


@pytest.fixture()
def store(backend, tmp_path: Path) -> Store:  # noqa: ANN001 - conftest.Backend
    s = Store.open(tmp_path)
    yield s
    s.close()


def test_add_is_idempotent_and_counts(store: Store) -> None:
    notice = make_notice()
    ids = store.add_notice(notice, "doc1", "a.txt")
    assert len(ids) == 3 and ids == sorted(ids)
    assert store.add_notice(notice, "doc1", "a.txt") == []
    assert store.stats()["documents"] == 1 and store.stats()["directives"] == 3
    assert store.labels(ids[1]) == ["thu_tuc_hanh_chinh", "chinh_quyen_so"]  # taxonomy order
    hit = store.hits([ids[0]])[ids[0]]
    assert hit.locality == "Ngân Sơn" and hit.date == "2023-04" and hit.deadline == "2023-05-01"
    assert hit.heading == "Đối với Phòng Nội vụ" and hit.unit == "Phòng Nội vụ"


def test_content_id_is_short_stable_hash() -> None:
    assert content_id("abc") == content_id("abc") and len(content_id("abc")) == 16
    assert content_id("abc") != content_id("abd")


def test_failed_insert_rolls_back_everything(store: Store) -> None:
    bad = make_notice()
    bad.directives[2].labels = ["not_an_area"]
    with pytest.raises(ValueError):
        store.add_notice(bad, "doc1")
    assert store.stats()["documents"] == 0 and store.stats()["directives"] == 0
    assert store.keyword_search(["ho"], 10) == []
    assert store.generation() == 0


def test_keyword_search_is_accent_and_abbreviation_insensitive(store: Store) -> None:
    ids = store.add_notice(make_notice(), "doc1")
    # FTS holds the accent-less expanded form: TTHC -> thu tuc hanh chinh
    assert [i for i, _ in store.keyword_search(["thu_tuc", "tuc_hanh", "hanh_chinh"], 10, require_all=True)] == [ids[0]]
    assert [i for i, _ in store.keyword_search(["thu_tuc"], 10)] == [ids[0]]  # bigram tokens
    assert {i for i, _ in store.keyword_search(["ho_so"], 10)} == {ids[0], ids[1]}
    assert store.doc_frequencies(["ho_so", "ho", "absent"]) == {"ho_so": 2, "ho": 2}
    assert store.keyword_totals()[0] == 3 and store.check_keywords(deep=True)
    # the heading/unit column is searchable too, with a lower weight
    assert ids[0] in [i for i, _ in store.keyword_search(["noi_vu"], 10)]


def test_delete_cascades_to_labels_and_fts(store: Store) -> None:
    ids = store.add_notice(make_notice(), "doc1")
    store.add_notice(make_notice(tag="khác"), "doc2")
    g = store.generation()
    assert store.delete_document("doc1") == 3
    assert store.generation() == g + 1
    assert not set(ids) & {i for i, _ in store.keyword_search(["ho_so"], 50)}
    assert all(store.labels(i) == [] for i in ids) and store.stats()["labelled_directives"] == 3
    assert store.check_keywords(deep=True)  # document frequencies follow the delete
    with pytest.raises(KeyError):
        store.delete_document("doc1")


def test_ids_are_never_reused(store: Store) -> None:
    first = store.add_notice(make_notice(), "doc1")
    store.delete_document("doc1")
    second = store.add_notice(make_notice(), "doc1")
    assert min(second) > max(first)


def test_feedback_updates_labels_and_feeds_training(store: Store) -> None:
    ids = store.add_notice(make_notice(), "doc1")
    store.add_feedback("Một chỉ đạo mới", ["hai_long"])
    store.add_feedback("Đẩy mạnh số hóa hồ sơ và thanh toán trực tuyến.", ["chinh_quyen_so"], directive_id=ids[1])
    store.add_feedback("Đẩy mạnh số hóa hồ sơ và thanh toán trực tuyến.", ["chinh_quyen_so", "tai_chinh_cong"],
                       directive_id=ids[1])
    assert store.labels(ids[1]) == ["tai_chinh_cong", "chinh_quyen_so"]
    rows = store.feedback_rows()
    assert {"text": "Một chỉ đạo mới", "labels": ["hai_long"], "heading": ""} in rows
    latest = [r for r in rows if r["text"].startswith("Đẩy mạnh")]
    assert latest == [{"text": latest[0]["text"], "labels": ["tai_chinh_cong", "chinh_quyen_so"], "heading": ""}]
    assert store.feedback_directive_ids() == {ids[1]}
    with pytest.raises(ValueError):
        store.add_feedback("x", ["bogus"])
    with pytest.raises(KeyError):
        store.add_feedback("x", ["cong_vu"], directive_id=99999)


def test_same_correction_before_and_after_saving_counts_once(store: Store) -> None:
    text = "Đẩy mạnh số hóa hồ sơ và thanh toán trực tuyến."
    first = store.add_feedback(text, ["chinh_quyen_so"])  # corrected while the notice is not stored yet
    ids = store.add_notice(make_notice(), "doc1")
    assert store.add_feedback(text, ["chinh_quyen_so"], directive_id=ids[1]) == first  # saved: same row
    assert store.stats()["feedback"] == 1
    assert store.feedback_directive_ids() == {ids[1]}  # re-tagging will respect it
    assert store.labels(ids[1]) == ["chinh_quyen_so"]
    assert store.add_feedback(text, ["thu_tuc_hanh_chinh"], directive_id=ids[1]) != first  # a new correction
    assert store.stats()["feedback"] == 2


def test_filters(store: Store) -> None:
    a = store.add_notice(make_notice(locality="Ngân Sơn", level="huyen", issue_date="2023-04"), "a")
    b = store.add_notice(make_notice(locality="Đại Lãnh", level="xa", issue_date="2024-07-04", precision="day",
                                     tag="b"), "b")
    c = store.add_notice(make_notice(locality="Hương Sơn", level="huyen", issue_date="", precision="",
                                     meeting_date="2023-09-11", tag="c"), "c")
    ids = lambda f: set(store.filter_ids(f).tolist())  # noqa: E731
    assert ids(Filters(localities=["ngan son"])) == set(a)
    assert ids(Filters(localities=["NGÂN SƠN", "dai lanh"])) == set(a) | set(b)
    assert ids(Filters(localities=["son"])) == set(a) | set(c)  # whole-word match inside the name
    assert ids(Filters(levels=["xa"])) == set(b)
    assert ids(Filters(areas=["cong_vu"])) == {a[2], b[2], c[2]}
    # month-precision date 2023-04 overlaps a range starting mid-April; meeting date used as fallback
    assert ids(Filters(date_from="2023-04-15", date_to="2023-12-31")) == set(a) | set(c)
    assert ids(Filters(date_from="2024-01-01")) == set(b)
    assert ids(Filters(date_to="2023-03-31")) == set()
    assert ids(Filters(areas=["cong_vu"], levels=["huyen"], date_from="2023-09-01")) == {c[2]}
    with pytest.raises(ValueError):
        store.filter_ids(Filters(date_from="15/04/2023"))


def test_resolvers() -> None:
    assert resolve_area("thu tuc hanh chinh") == "thu_tuc_hanh_chinh"
    assert resolve_area("Chính quyền số") == "chinh_quyen_so"
    assert resolve_level("cấp huyện") == "huyen" and resolve_level("Xã") == "xa"
    with pytest.raises(ValueError):
        resolve_area("không có")
    with pytest.raises(ValueError):
        resolve_level("thôn")
    assert date_range("2023-04") == ("2023-04-01", "2023-04-31")
    assert date_range("2023") == ("2023-01-01", "2023-12-31")
    assert date_range("") == (None, None)


def damage_keywords(store: Store) -> None:
    """Break the keyword side behind the store's back (what a bug or a bad restore could leave)."""
    if store.holds_vectors:  # PostgreSQL: the tsv column is generated; damage the stored terms and counts
        store.execute("UPDATE directives SET keyword = '', context = ''")
        store.execute("UPDATE keyword_df SET df = df + 7")
    else:
        store.execute("INSERT INTO directives_fts(directives_fts) VALUES ('delete-all')")  # an emptied index


def test_rebuild_keywords_repairs_the_keyword_index(store: Store) -> None:
    ids = store.add_notice(make_notice(), "doc1")
    damage_keywords(store)
    assert store.keyword_search(["ho_so"], 10) == [] and not store.check_keywords(deep=True)
    store.rebuild_keywords()
    assert {i for i, _ in store.keyword_search(["ho_so"], 10)} == {ids[0], ids[1]}
    assert store.check_keywords(deep=True)


def test_killed_mid_transaction_leaves_consistent_db(backend, tmp_path: Path) -> None:  # noqa: ANN001
    with Store.open(tmp_path) as s:
        s.add_notice(make_notice(), "kept")
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_store import make_notice
        from nlp.store import Store
        s = Store.open({str(tmp_path)!r})
        with s.transaction():
            s._insert_document(make_notice(tag="x"), "lost", "x.txt")
            s._insert_directive("lost", 0, make_notice(tag="x").directives[0])
            os._exit(9)  # killed before COMMIT
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    with Store.open(tmp_path) as s:
        assert s.has_document("kept") and not s.has_document("lost")
        assert s.stats()["directives"] == 3
        assert s.check_keywords(deep=True) and s.keyword_totals()[0] == 3
        if not s.holds_vectors:
            assert s.execute("PRAGMA integrity_check")[0][0] == "ok"


def test_snapshot_ids(store: Store) -> None:
    ids = store.add_notice(make_notice(), "doc1")
    gen, snap = store.snapshot_ids()
    assert gen == store.generation() and snap.tolist() == ids


def test_older_schema_is_migrated(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        ids = s.add_notice(make_notice(), "doc1")
        s.execute("DROP TABLE keyword_df")  # what a schema-2 database lacks
        s.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    with Store.open(tmp_path) as s:
        assert s.get_meta("schema_version") == "5" and s.check_keywords(deep=True)
        assert s.doc_frequencies(["ho_so"]) == {"ho_so": 2} and s.directive_ids().tolist() == ids


def test_a_postgres_schema_1_database_gains_the_follow_up_columns(pg_server) -> None:  # noqa: ANN001
    url = pg_server.create()
    try:
        with Store.open(database_url=url) as s:
            ids = s.add_notice(make_notice(), "doc1")
            s.execute("DROP INDEX directives_unit")
            for column in ("unit_key", "partners", "due", "task_key"):
                s.execute(f"ALTER TABLE directives DROP COLUMN {column}")
            s.execute("DROP TABLE task_status")
            s.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        with Store.open(database_url=url) as s:
            assert s.get_meta("schema_version") == "2"
            assert s.directive(ids[0])["unit_key"] and s.directive(ids[0])["task_key"]  # filled from the text
            s.mark_done(ids[0], "2023-05-01")
            assert [r["done_date"] for r in s.task_rows()][:1] == ["2023-05-01"]
    finally:
        pg_server.drop(url)
