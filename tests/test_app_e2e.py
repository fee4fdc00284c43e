"""End to end: `streamlit run` on 127.0.0.1 and headless Chromium show the search page with results."""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest

from nlp.app.headless import CHROMIUM, browser, colours, serve

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing (Debian package chromium; `make test` installs it)"),
]


def test_search_page_renders_results_in_chromium(tmp_path: Path) -> None:
    from nlp.ingest import ingest_paths
    from nlp.tagger import Tagger

    data = tmp_path / "data"
    assert ingest_paths([ROOT / "corpus" / "notices"], data, tagger=Tagger.load()).stored == 5
    with serve(data, tmp_path / "streamlit.log") as url, browser() as page:
        page.open(f"{url}/")  # warm-up: the first load after a server start loads the models
        page.open(f"{url}/?q={quote('hồ sơ trễ hạn')}")
        png = page.screenshot(tmp_path / "search.png")
        shown = page.text()
    assert "Tìm kiếm kết luận, chỉ đạo" in shown and "Kết quả 1–" in shown and "Tải kết quả (Excel)" in shown
    assert "số lượng hồ sơ trễ hạn" in shown
    assert png.stat().st_size > 30_000, "the screenshot is (almost) blank"
    assert colours(png) > 50, "the screenshot is (almost) a single colour"


def test_followup_page_every_url_and_vietnamese_widgets_in_chromium(tmp_path: Path) -> None:
    from nlp.ingest import ingest_paths

    data = tmp_path / "data"
    assert ingest_paths([ROOT / "corpus" / "notices"], data).stored == 5
    pages = {"tim-kiem": "Tìm kiếm kết luận, chỉ đạo", "gan-nhan": "Gắn nhãn", "theo-doi": "Theo dõi thực hiện chỉ đạo",
             "xu-huong": "Xu hướng theo lĩnh vực cải cách", "kho-van-ban": "Kho văn bản", "mo-hinh": "Mô hình"}
    shown: dict[str, str] = {}
    with serve(data, tmp_path / "streamlit.log") as url, browser() as page:
        page.open(f"{url}/")  # warm-up: the first load after a server start loads the models
        for path in pages:
            page.open(f"{url}/{path}")
            shown[path] = page.evaluate("document.body.innerText")
        page.open(f"{url}/theo-doi")
        page.type_into('input[aria-label="Tính trạng thái đến ngày"]', "15/10/2023")
        followup = page.text()
        png = page.screenshot(Path(os.environ.get("CCHC_SCREENSHOTS", tmp_path)) / "theo-doi.png")
        page.open(f"{url}/tim-kiem?q={quote('xyzzy qwerty')}")
        nonsense = page.text()
    for path, heading in pages.items():
        assert heading in shown[path], path
        assert "Page not found" not in shown[path] and "Running the app's main page" not in shown[path], path
    from datetime import date

    from nlp.followup import list_tasks
    from nlp.store import Store

    with Store.open(data) as store:
        overdue = len(list_tasks(store, today=date(2023, 10, 15), select="overdue"))
    assert overdue and f"Quá hạn ({overdue})" in followup and "Quá hạn, chưa hoàn thành" in followup
    assert "Drag and drop" not in shown["gan-nhan"] and "per file" not in shown["gan-nhan"]
    assert "Không tìm thấy chỉ đạo phù hợp" in nonsense
    assert png.stat().st_size > 30_000 and colours(png) > 50
