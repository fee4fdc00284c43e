"""Page "Tìm kiếm": search past conclusions and directives, open their notice, find similar ones."""
from __future__ import annotations

import streamlit as st

from nlp.app import resources, widgets
from nlp.records import Hit

MODE_NAMES = {"hybrid": "Kết hợp", "keyword": "Từ khóa", "dense": "Ngữ nghĩa"}
MODE_HELP = (
    "Kết hợp: cả từ khóa lẫn ý nghĩa (nên dùng). Từ khóa: chỉ các chỉ đạo chứa đúng các từ đã gõ "
    "(có dấu hay không dấu đều được). Ngữ nghĩa: các chỉ đạo cùng ý, kể cả khi dùng từ khác."
)
EXAMPLES = ("hồ sơ trễ hạn", "số hóa hồ sơ", "chỉ số hài lòng", "kỷ luật, kỷ cương")
SIMILAR_K = 5


def _use_example(text: str) -> None:
    """Button callback: put an example query in the search box."""
    st.session_state["q"] = text


@st.dialog("Toàn văn văn bản", width="large")
def _show_notice(doc_id: str, directive_id: int) -> None:
    widgets.notice_view(resources.store(), doc_id, focus=directive_id)


def _similar(hit: Hit) -> None:
    """The directives closest in meaning to `hit`, under its card."""
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
            widgets.hit_card(other, key=f"sim{hit.directive_id}_{other.directive_id}", actions=False)


def _examples() -> None:
    st.caption("Gõ nội dung cần tìm rồi nhấn Enter, hoặc thử một ví dụ:")
    with st.container(horizontal=True):
        for i, text in enumerate(EXAMPLES):
            st.button(text, key=f"example_{i}", on_click=_use_example, args=(text,), icon=":material/search:")


def _results(hits: list[Hit]) -> None:
    if not hits:
        st.info("Không tìm thấy chỉ đạo nào phù hợp. Hãy thử từ khóa khác hoặc bỏ bớt bộ lọc.")
        return
    st.caption(f"{len(hits)} chỉ đạo phù hợp nhất")
    for rank, hit in enumerate(hits, 1):
        action = widgets.hit_card(hit, key=f"hit{hit.directive_id}", rank=rank)
        if action == "open":
            _show_notice(hit.doc_id, hit.directive_id)
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
    k = c2.selectbox("Số kết quả", (10, 20, 50), key="search_k")
    filters = widgets.filter_panel(store, "s")
    if not (query or "").strip():
        _examples()
        return
    try:
        hits = resources.searcher().search(query, k=k, mode=mode, filters=filters)
    except ValueError as exc:
        st.error(str(exc))
        return
    _results(hits)


if __name__ == "__main__":
    render()
