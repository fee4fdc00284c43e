"""The app's follow-up page and the trust features of search and trends, with AppTest.

The data directory holds the five seed notices (tagged by the shipped tagger) plus a notice written by
the team with deadlines, as in tests/test_followup.py.
"""
from __future__ import annotations

import io
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from nlp.app import FOLLOWUP_PAGE, SEARCH_PAGE, TAG_PAGE, TRENDS_PAGE
from nlp.app.exports import excel_bytes, hits_frame
from nlp.followup import list_tasks
from nlp.search import Searcher
from nlp.store import Filters, Store
from nlp.tagger import Tagger
from nlp.trends import all_periods, trend_counts

ROOT = Path(__file__).resolve().parents[1]
NOTICE = """ỦY BAN NHÂN DÂN HUYỆN MINH THỬ
Số: 31/TB-UBND
Minh Thử, ngày 04 tháng 03 năm 2024
THÔNG BÁO
Kết luận của Chủ tịch UBND huyện tại cuộc họp về cải cách hành chính quý I năm 2024
1. Giao PHÒNG NỘI VỤ chủ trì, phối hợp với Văn phòng HĐND&UBND huyện rà soát, trình ban hành quy chế kiểm tra công vụ, hoàn thành trước ngày 15/3/2024.
2. Phòng nội vụ tổng hợp kết quả chấm điểm chỉ số cải cách hành chính của các xã, báo cáo trước ngày 30/4/2024.
3. Phòng Tư pháp rà soát các thủ tục hành chính còn vướng mắc, hoàn thành trong tháng 6/2024.
4. Văn phòng HĐND và UBND huyện báo cáo tình hình giải quyết hồ sơ trễ hạn trước ngày 10 hằng tháng.
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from nlp.ingest import ingest_paths, ingest_text

    data = tmp_path_factory.mktemp("followup_app") / "data"
    tagger = Tagger.load()
    assert ingest_paths([ROOT / "corpus" / "notices"], data, tagger=tagger).stored == 5
    assert ingest_text(NOTICE, "minh_thu.txt", data, tagger=tagger).status == "stored"
    return data


@pytest.fixture()
def writable(corpus: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(corpus, tmp_path / "data"))


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, label: str, nth: int = 0) -> AppTest:
    [b for b in at.button if b.label == label][nth].click().run()
    return ok(at)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- follow-up page -------------------------------------------------------------------------------


def test_followup_lists_overdue_of_one_unit_marks_done_and_the_rate_changes(writable: Path, open_app) -> None:
    at = open_app(writable, FOLLOWUP_PAGE)
    assert "Theo dõi thực hiện chỉ đạo" in [t.value for t in at.title]
    at.text_input(key="fu_today").input("20/04/2024").run()
    at.multiselect(key="fu_units").set_value(["Phòng Nội vụ"]).run()
    ok(at)
    with Store.open(writable) as store:
        expected = list_tasks(store, Filters(units=["Phòng Nội vụ"]), date(2024, 4, 20), "overdue")
    overdue = at.dataframe[0].value
    assert list(overdue["Mã"]) == [t.id for t in expected] and len(expected) >= 1
    assert set(overdue["Trạng thái"]) == {"Chưa hoàn thành quá hạn"}
    assert set(overdue["Đơn vị chủ trì"]) == {"Phòng Nội vụ"}
    assert metrics(at)["Quá hạn, chưa hoàn thành"] == str(len(expected))
    rates = at.dataframe[-1].value
    assert list(rates.columns)[:7] == ["STT", "Đơn vị chủ trì", "Tổng số nhiệm vụ đến hạn", "Đã hoàn thành đúng hạn",
                                       "Đã hoàn thành quá hạn", "Chưa hoàn thành trong hạn", "Chưa hoàn thành quá hạn"]
    before = rates.set_index("Đơn vị chủ trì").loc["Phòng Nội vụ", "Tỷ lệ hoàn thành (%)"]
    target = next(t for t in expected if t.deadline == "2024-03-15")
    at.selectbox(key="fu_task").set_value(target.id).run()
    assert any("phối hợp: Văn phòng HĐND và UBND huyện" in m.value.replace("\\", "") for m in at.markdown)
    at.text_input(key=f"fu_when_{target.id}").input("14/03/2024")
    at.text_input(key=f"fu_note_{target.id}").input("Quyết định ban hành quy chế")
    click(at, "Ghi nhận hoàn thành")
    assert f"Đã ghi nhận nhiệm vụ #{target.id} hoàn thành ngày 14/03/2024." in [s.value for s in at.success]
    rates = at.dataframe[-1].value.set_index("Đơn vị chủ trì")
    after = rates.loc["Phòng Nội vụ", "Tỷ lệ hoàn thành (%)"]
    assert before != after and rates.loc["Phòng Nội vụ", "Đã hoàn thành đúng hạn"] == 1
    assert target.id not in list(at.dataframe[0].value["Mã"])  # no longer overdue
    with Store.open(writable) as store:
        done = [t for t in list_tasks(store, today=date(2024, 4, 20)) if t.id == target.id][0]
    assert (done.status, done.done_date, done.note) == ("done_on_time", "2024-03-14", "Quyết định ban hành quy chế")
    xlsx = next(b for b in at.get("download_button") if b.proto.label == "Tải báo cáo Excel")
    assert xlsx is not None
    click(at, "Bỏ đánh dấu hoàn thành")
    assert "Đã bỏ đánh dấu" in at.success[0].value


def test_followup_bad_date_gets_a_vietnamese_message(corpus: Path, open_app) -> None:
    at = open_app(corpus, FOLLOWUP_PAGE)
    at.text_input(key="fu_today").input("31/02/2024").run()
    assert "không phải ngày hợp lệ" in at.error[0].value
    first = at.dataframe[0].value["Mã"].iloc[0] if len(at.dataframe[0].value) else None
    if first is not None:
        at.selectbox(key="fu_task").set_value(int(first)).run()
        at.text_input(key=f"fu_when_{first}").input("hôm qua")
        click(at, "Ghi nhận hoàn thành")
        assert "Ngày hoàn thành 'hôm qua' không hợp lệ" in at.error[-1].value


# --- search an officer can trust ------------------------------------------------------------------


def test_nonsense_query_shows_the_cut_off_and_can_show_the_nearest(corpus: Path, open_app) -> None:
    at = open_app(corpus, q="xyzzy qwerty")
    assert "Không tìm thấy chỉ đạo phù hợp" in at.info[0].value
    assert not [m for m in at.markdown if re.match(r"\*\*\d+\.\*\*", m.value)]
    click(at, "Vẫn hiện các chỉ đạo gần nhất (ít liên quan)")
    assert "ít liên quan" in at.warning[0].value
    assert [m for m in at.markdown if re.match(r"\*\*\d+\.\*\*", m.value)]


def test_paging_past_the_first_page_and_export(corpus: Path, open_app) -> None:
    at = open_app(corpus, q="cải cách hành chính")
    assert at.caption[0].value.startswith("Kết quả 1–10")
    assert {b.proto.label for b in at.get("download_button")} == {"Tải kết quả (CSV)", "Tải kết quả (Excel)"}
    first_page = [m.value for m in at.markdown if re.match(r"\*\*\d+\.\*\*", m.value)]
    click(at, "Trang sau")
    assert next(c.value for c in at.caption if c.value.startswith("Kết quả")).startswith("Kết quả 11–")
    second_page = [m.value for m in at.markdown if re.match(r"\*\*\d+\.\*\*", m.value)]
    assert second_page[0].startswith("**11.**") and not set(first_page) & set(second_page)
    with Searcher(corpus) as searcher:
        hits = searcher.search("cải cách hành chính", k=60, cutoff=False)
        more = searcher.search("cải cách hành chính", k=10, offset=50, cutoff=False)
    assert len(hits) == 60 and [h.directive_id for h in more] == [h.directive_id for h in hits[50:60]]
    frame = hits_frame(hits)
    book = pd.read_excel(io.BytesIO(excel_bytes({"Kết quả tìm kiếm": frame})), sheet_name=None)
    table = book["Kết quả tìm kiếm"]
    assert len(table) == 60 and {"Nội dung", "Đơn vị chủ trì", "Số hiệu", "Ngày văn bản", "Hạn"} <= set(table.columns)
    assert table["Số hiệu"].notna().any()


def test_unit_filter_and_similar_results_open_their_notice(corpus: Path, open_app) -> None:
    at = open_app(corpus, q="cải cách hành chính")
    at.multiselect(key="s_units").set_value(["Phòng Nội vụ"]).run()
    facts = [m.value for m in at.markdown if ":material/apartment:" in m.value]
    assert facts and all("Phòng Nội vụ" in f.replace("\\", "") for f in facts)
    click(at, "Chỉ đạo tương tự")
    opens = [b for b in at.button if b.label == "Xem toàn văn"]
    assert len(opens) > 1  # the hits' and the similar directives' own
    opens[-1].click().run()
    ok(at)
    assert any("chỉ đạo đang xem" in m.value for m in at.markdown)


def test_no_streamlit_english_options_and_date_pickers(corpus: Path, open_app) -> None:
    for page in (SEARCH_PAGE, FOLLOWUP_PAGE, TRENDS_PAGE):
        at = open_app(corpus, page, q="hồ sơ")
        assert not at.get("date_input"), page  # Streamlit's calendar speaks English
        assert all(m.proto.placeholder and not m.proto.select_all for m in at.multiselect), page
    at = open_app(corpus, TAG_PAGE)
    assert any("Kéo thả tệp vào đây" in h.proto.body for h in at.get("html"))


# --- trends that do not mislead -----------------------------------------------------------------


def test_trends_keep_empty_periods_count_directives_once_and_show_recurring(corpus: Path, open_app) -> None:
    at = open_app(corpus, TRENDS_PAGE)
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    with Store.open(corpus) as store:
        rows = trend_counts(store, "area", "month")
    months = all_periods([r.period for r in rows], "month")
    shown = json.dumps(spec, ensure_ascii=False)
    empty = [m for m in months if m and m not in {r.period for r in rows}]
    assert empty and all(f"{m[5:]}/{m[:4]}" in shown for m in empty)  # the gap stays on the axis
    assert "Số lượt gắn lĩnh vực" in shown and "Số chỉ đạo (đếm một lần)" in shown
    assert any("Vạch đen: số chỉ đạo của kỳ" in c.value for c in at.caption)
    assert "Tồn tại lặp lại" in [h.value for h in at.subheader]
    at.selectbox(key="tr_key_area_month").set_value("thu_tuc_hanh_chinh")
    at.selectbox(key="tr_period_area_month").set_value("2023-09").run()
    opens = [b for b in at.button if b.label == "Xem toàn văn"]
    assert opens
    opens[0].click().run()
    ok(at)
    assert any("chỉ đạo đang xem" in m.value for m in at.markdown)
