"""Duplicates: the same notice pasted and then uploaded as a file (or scanned) is recognised; the CLI
reports it and skips it unless asked to replace. Texts written by the team."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from nlp.cli import app
from nlp.duplicates import find_duplicate, overlap, shingles
from nlp.parser import parse_notice
from nlp.store import Store

NOTICE = """ỦY BAN NHÂN DÂN
XÃ TÂN LẬP
Số: 215/TB-UBND
Tân Lập, ngày 18 tháng 10 năm 2024
THÔNG BÁO
Kết luận của Chủ tịch UBND xã tại cuộc họp về cải cách hành chính quý III năm 2024
Ngày 15 tháng 10 năm 2024, đồng chí Hà Văn Tư, Chủ tịch UBND xã chủ trì cuộc họp đánh giá công tác cải cách hành chính quý III. Sau khi nghe báo cáo, đồng chí Chủ tịch UBND xã kết luận như sau:
1. Công chức Văn phòng - Thống kê rà soát, niêm yết đầy đủ thủ tục hành chính tại Bộ phận một cửa trước ngày 30/10/2024.
2. Công chức Tư pháp - Hộ tịch hướng dẫn người dân nộp hồ sơ trực tuyến, bảo đảm tỷ lệ hồ sơ trực tuyến đạt trên 60%.
3. Các thôn tuyên truyền để người dân đánh giá sự hài lòng qua mã QR tại Bộ phận một cửa.
"""
# The same notice as an OCR'd scan gives it: a few characters wrong, the header cells in another order.
SCANNED = (NOTICE.replace("niêm yết", "niêrn yết").replace("trực tuyến, bảo", "trưc tuyến, bảo")
           .replace("ỦY BAN NHÂN DÂN\nXÃ TÂN LẬP\nSố: 215/TB-UBND", "Số: 215 /TB-UBND\nỦY BAN NHÂN DÂN\nXÃ TÂN LẬP"))
OTHER = NOTICE.replace("quý III", "quý IV").replace("215/TB", "301/TB").replace("18 tháng 10", "20 tháng 12").replace(
    "niêm yết đầy đủ thủ tục hành chính", "cập nhật danh mục dịch vụ công trực tuyến").replace(
    "hướng dẫn người dân nộp hồ sơ trực tuyến", "phối hợp với Bưu điện xã trả kết quả tại nhà").replace(
    "đánh giá sự hài lòng qua mã QR", "cài đặt ứng dụng VNeID")


def _row(doc_id: str, text: str) -> dict:
    n = parse_notice(text)
    return {"doc_id": doc_id, "name": f"{doc_id}.txt", "title": n.title, "doc_number": n.doc_number,
            "issuer": n.issuer, "issue_date": n.issue_date, "text": n.text}


def test_scan_of_a_stored_notice_is_a_duplicate() -> None:
    dup = find_duplicate(parse_notice(SCANNED), [_row("a" * 16, NOTICE)])
    assert dup is not None and dup.doc_id == "a" * 16
    assert "trùng với" in dup.message()


def test_another_notice_of_the_same_commune_is_not() -> None:
    assert find_duplicate(parse_notice(OTHER), [_row("a" * 16, NOTICE)]) is None
    assert overlap(shingles(NOTICE), shingles(OTHER)) < 0.8


def test_cli_skips_a_duplicate_unless_replace(tmp_path: Path) -> None:
    data, src = tmp_path / "data", tmp_path / "src"
    src.mkdir()
    (src / "dan.txt").write_text(NOTICE, encoding="utf-8")
    (src / "scan.txt").write_text(SCANNED, encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(src / "dan.txt"), "--data-dir", str(data), "--no-tag"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["ingest", str(src / "scan.txt"), "--data-dir", str(data), "--no-tag", "--json"])
    report = json.loads(second.output)
    assert report["skipped"] == 1 and "trùng với" in report["files"][0]["reason"]
    with Store.open(data) as store:
        assert store.stats()["documents"] == 1
    third = runner.invoke(app, ["ingest", str(src / "scan.txt"), "--data-dir", str(data), "--no-tag", "--replace", "--json"])
    report = json.loads(third.output)
    assert report["stored"] == 1
    with Store.open(data) as store:
        docs = store.documents()
        assert len(docs) == 1 and docs[0]["name"].endswith("scan.txt")
