"""End to end: `streamlit run` on 127.0.0.1 and headless Chromium show the app's pages (one server and
one browser for the module: the first load after a server start loads the models)."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest

from nlp.app.headless import CHROMIUM, Browser, browser, colours, serve

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"{CHROMIUM} is missing (Debian package chromium; `make test` installs it)"),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    """(base URL, browser page, data directory) of the app serving the five seed notices."""
    from nlp.ingest import ingest_paths
    from nlp.tagger import Tagger

    root = tmp_path_factory.mktemp("e2e")
    data = root / "data"
    assert ingest_paths([ROOT / "corpus" / "notices"], data, tagger=Tagger.load()).stored == 5
    with serve(data, root / "streamlit.log") as url, browser() as page:
        page.open(f"{url}/")  # warm-up
        yield url, page, data


def test_search_page_renders_results_in_chromium(app: tuple[str, Browser, Path], tmp_path: Path) -> None:
    url, page, _ = app
    page.open(f"{url}/?q={quote('hồ sơ trễ hạn')}")
    png = page.screenshot(tmp_path / "search.png")
    shown = page.text()
    assert "Tìm kiếm kết luận, chỉ đạo" in shown and "Kết quả 1–" in shown and "Tải kết quả (Excel)" in shown
    assert "số lượng hồ sơ trễ hạn" in shown
    assert png.stat().st_size > 30_000, "the screenshot is (almost) blank"
    assert colours(png) > 50, "the screenshot is (almost) a single colour"


def test_followup_page_every_url_and_vietnamese_widgets_in_chromium(app: tuple[str, Browser, Path],
                                                                    tmp_path: Path) -> None:
    from nlp.followup import list_tasks
    from nlp.store import Store

    url, page, data = app
    pages = {"tim-kiem": "Tìm kiếm kết luận, chỉ đạo", "gan-nhan": "Gắn nhãn", "theo-doi": "Theo dõi thực hiện chỉ đạo",
             "xu-huong": "Xu hướng theo lĩnh vực cải cách", "kho-van-ban": "Kho văn bản", "mo-hinh": "Mô hình"}
    shown: dict[str, str] = {}
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
    with Store.open(data) as store:
        overdue = len(list_tasks(store, today=date(2023, 10, 15), select="overdue"))
    assert overdue and f"Quá hạn ({overdue})" in followup and "Quá hạn, chưa hoàn thành" in followup
    assert "Drag and drop" not in shown["gan-nhan"] and "per file" not in shown["gan-nhan"]
    assert "Không tìm thấy chỉ đạo phù hợp" in nonsense
    assert png.stat().st_size > 30_000 and colours(png) > 50
