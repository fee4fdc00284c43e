"""Take the README screenshots of every page of the app: docs/screenshot_<page>.png.

    .venv/bin/python docs/make_screenshots.py [--data-dir DIR]

Without --data-dir, a temporary data directory is built from corpus/notices with the shipped tagger.
The app runs on a free port of 127.0.0.1 and headless Chromium (Debian `chromium`) photographs it; on
the tagging page a written notice is pasted and analysed first, as an officer would.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.app.headless import Browser, browser, serve  # noqa: E402

DOCS = ROOT / "docs"
PASTED = ROOT / "corpus" / "written_notices" / "w02_kl_quy4_son_phu.txt"


def build_corpus(data_dir: Path) -> None:
    """Ingest the seed notices with the shipped tagger."""
    from nlp.ingest import ingest_paths
    from nlp.tagger import Tagger

    report = ingest_paths([ROOT / "corpus" / "notices"], data_dir, tagger=Tagger.load())
    print(f"corpus: {report.stored} notices, {report.directives} directives")


def tag_page(page: Browser, url: str) -> None:
    page.open(f"{url}/gan-nhan")
    page.type_into("textarea", PASTED.read_text(encoding="utf-8"))
    page.click_button("Phân tích và gắn nhãn")
    page.scroll_to("Thông tin văn bản")


def followup_page(page: Browser, url: str) -> None:
    page.open(f"{url}/theo-doi")
    page.type_into('input[aria-label="Tính trạng thái đến ngày"]', "15/10/2023")


def shoot(url: str) -> None:
    """One screenshot per page."""
    with browser() as page:
        page.open(f"{url}/")  # the first load after a server start loads the models
        shots = {
            "search": (1000, lambda: page.open(f"{url}/?q={quote('hồ sơ trễ hạn')}")),
            "tag": (1300, lambda: tag_page(page, url)),
            "followup": (1000, lambda: followup_page(page, url)),
            "trends": (2000, lambda: page.open(f"{url}/xu-huong")),
            "library": (1300, lambda: page.open(f"{url}/kho-van-ban")),
            "model": (1200, lambda: page.open(f"{url}/mo-hinh")),
        }
        for name, (height, show) in shots.items():
            page.resize(1400, height)
            show()
            png = page.screenshot(DOCS / f"screenshot_{name}.png")
            print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an existing data directory (default: build one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cchc-shots-") as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(tmp) / "data"
            build_corpus(data_dir)
        with serve(data_dir, Path(tmp) / "streamlit.log") as url:
            shoot(url)


if __name__ == "__main__":
    main()
