"""Page "Tìm kiếm": search past conclusions and directives, page through them, export them, open their
notice, find similar ones; "không tìm thấy chỉ đạo phù hợp" when nothing passes the relevance cut-off."""
from __future__ import annotations

import streamlit as st

from nlp.app import exports, resources, widgets
from nlp.records import Hit
from nlp.relevance import Results
from nlp.store import Filters

MODE_NAMES = {"hybrid": "Kết hợp", "keyword": "Từ khóa", "dense": "Ngữ nghĩa"}
MODE_HELP = (
    "Kết hợp: cả từ khóa lẫn ý nghĩa (nên dùng). Từ khóa: chỉ các chỉ đạo chứa đủ mọi từ đã gõ, mỗi từ "
    "nguyên vẹn (có dấu hay không dấu đều được; đặt cụm từ trong dấu ngoặc kép \"…\" để giữ nguyên cụm). "
    "Ngữ nghĩa: các chỉ đạo cùng ý, kể cả khi dùng từ khác."
)
EXAMPLES = ("hồ sơ trễ hạn", "số hóa hồ sơ", "chỉ số hài lòng", "kỷ luật, kỷ cương")
SIMILAR_K = 5
EXPORT_LIMIT = 1000  # hits in a download


def _use_example(text: str) -> None:
    """Button callback: put an example query in the search box."""
    st.session_state["q"] = text


def _similar(hit: Hit) -> None:
    """The directives closest in meaning to `hit`, under its card, each with "Xem toàn văn"."""
    with st.container(border=True):
        st.markdown("**Chỉ đạo tương tự** (cùng ý, trong mọi văn bản của kho)")
        try:
            similar = resources.searcher().similar(hit.directive_id, k=SIMILAR_K)
        except KeyError:
            st.warning("Chỉ đạo này không còn trong kho.")
            return
        if not similar:
            st.caption("Chưa có chỉ đạo nào khác trong kho.")
        for other in similar:
            key = f"sim{hit.directive_id}_{other.directive_id}"
            if widgets.hit_card(other, key=key, similar=False) == "open":
                widgets.notice_dialog(other.doc_id, other.directive_id)


def _examples() -> None:
    st.caption("Gõ nội dung cần tìm rồi nhấn Enter, hoặc thử một ví dụ:")
    with st.container(horizontal=True):
        for i, text in enumerate(EXAMPLES):
            st.button(text, key=f"example_{i}", on_click=_use_example, args=(text,), icon=":material/search:")


def _set_page(page: int) -> None:
    st.session_state["search_page"] = max(0, page)


def _pager(page: int, results: Results) -> None:
    if page == 0 and not results.more:
        return
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Trang trước", key="page_prev", icon=":material/chevron_left:", disabled=page == 0,
                  on_click=_set_page, args=(page - 1,))
        st.markdown(f"Trang {page + 1}")
        st.button("Trang sau", key="page_next", icon=":material/chevron_right:", disabled=not results.more,
                  on_click=_set_page, args=(page + 1,))


def _downloads(query: str, mode: str, filters: Filters, cutoff: bool) -> None:
    """CSV and Excel of the results (up to EXPORT_LIMIT), built when a button is pressed."""
    searcher = resources.searcher()

    def frame():  # noqa: ANN202 - runs in Streamlit's download thread
        return exports.hits_frame(searcher.search(query, k=EXPORT_LIMIT, mode=mode, filters=filters, cutoff=cutoff))

    with st.container(horizontal=True):
        st.download_button("Tải kết quả (CSV)", lambda: exports.csv_bytes(frame()), file_name="ket-qua-tim-kiem.csv",
                           mime="text/csv", icon=":material/download:", key="s_csv", on_click="ignore")
        st.download_button("Tải kết quả (Excel)", lambda: exports.excel_bytes({"Kết quả tìm kiếm": frame()}),
                           file_name="ket-qua-tim-kiem.xlsx", mime=exports.XLSX, icon=":material/download:",
                           key="s_xlsx", on_click="ignore")


def _results(results: Results, page: int, k: int) -> None:
    if not results.hits:
        if results.cut and page == 0:
            st.info("Không tìm thấy chỉ đạo phù hợp: không chỉ đạo nào trong kho đủ gần với nội dung cần tìm. "
                    "Hãy diễn đạt khác, dùng từ ngữ của văn bản, hoặc bỏ bớt bộ lọc.", icon=":material/search_off:")
            st.button("Vẫn hiện các chỉ đạo gần nhất (ít liên quan)", key="s_show_all", icon=":material/visibility:",
                      on_click=st.session_state.__setitem__, args=("search_all", True))
        else:
            st.info("Không tìm thấy chỉ đạo nào phù hợp. Hãy thử từ khóa khác hoặc bỏ bớt bộ lọc.")
        return
    first = page * k + 1
    st.caption(f"Kết quả {first}–{first + len(results.hits) - 1}" + (" (còn nữa)" if results.more else ""))
    for rank, hit in enumerate(results.hits, first):
        action = widgets.hit_card(hit, key=f"hit{hit.directive_id}", rank=rank)
        if action == "open":
            widgets.notice_dialog(hit.doc_id, hit.directive_id)
        elif action == "similar":
            same = st.session_state.get("similar_to") == hit.directive_id
            st.session_state["similar_to"] = None if same else hit.directive_id
        if st.session_state.get("similar_to") == hit.directive_id:
            _similar(hit)


def render() -> None:
    """The search page."""
    st.title("Tìm kiếm kết luận, chỉ đạo")
    store = resources.store()
    if store.count_directives() == 0:
        widgets.empty_corpus_hint()
        return
    query = st.text_input(
        "Nội dung cần tìm", key="q", bind="query-params", icon=":material/search:",
        placeholder="ví dụ: hồ sơ trễ hạn, số hóa hồ sơ, chỉ số hài lòng…",
    )
    c1, c2 = st.columns([3, 1])
    mode = c1.radio("Cách tìm", list(MODE_NAMES), format_func=MODE_NAMES.__getitem__, horizontal=True,
                    key="search_mode", help=MODE_HELP)
    k = c2.selectbox("Số kết quả mỗi trang", (10, 20, 50), key="search_k")
    filters = widgets.filter_panel(store, "s")
    if not (query or "").strip():
        _examples()
        return
    signature = repr((query, mode, k, filters))
    if st.session_state.get("search_signature") != signature:  # a new search starts on page 1
        st.session_state["search_signature"] = signature
        st.session_state["search_page"] = 0
        st.session_state["search_all"] = False
    page = st.session_state.get("search_page", 0)
    cutoff = not st.session_state.get("search_all", False)
    try:
        results = resources.searcher().search_page(query, k=k, mode=mode, filters=filters, offset=page * k,
                                                   cutoff=cutoff)
    except ValueError as exc:
        st.error(str(exc))
        return
    if results.hits:
        if not cutoff:
            st.warning("Đang hiện cả các chỉ đạo ít liên quan (dưới ngưỡng phù hợp).", icon=":material/warning:")
        _downloads(query, mode, filters, cutoff)
    _results(results, page, k)
    _pager(page, results)


if __name__ == "__main__":
    render()
