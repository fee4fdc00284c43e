"""End to end: `streamlit run` on 127.0.0.1 and headless Chromium show the search page with results."""
from __future__ import annotations

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
    assert "Tìm kiếm kết luận, chỉ đạo" in shown and "10 chỉ đạo phù hợp nhất" in shown
    assert "số lượng hồ sơ trễ hạn" in shown
    assert png.stat().st_size > 30_000, "the screenshot is (almost) blank"
    assert colours(png) > 50, "the screenshot is (almost) a single colour"
