"""Page "Kho văn bản": the stored notices, one notice with its directives and tags, deleting a notice."""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from nlp.app import TAG_PAGE, resources, widgets
from nlp.maintain import delete_document


def _table(docs: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Ngày": [widgets.fmt_date(d["date"]) for d in docs],
            "Tiêu đề": [d["title"] or "(không có tiêu đề)" for d in docs],
            "Loại": [widgets.doc_type_name(d["doc_type"]) for d in docs],
            "Cấp": [widgets.level_name(d["level"]) for d in docs],
            "Địa phương": [d["locality"] for d in docs],
            "Số hiệu": [d["doc_number"] for d in docs],
            "Số chỉ đạo": [d["directives"] for d in docs],
        }
    )


_COLUMNS = {  # pixel widths that fit a laptop screen; long titles show in full on hover
    "Ngày": st.column_config.TextColumn(width=85),
    "Tiêu đề": st.column_config.TextColumn(width=330),
    "Loại": st.column_config.TextColumn(width=130),
    "Cấp": st.column_config.TextColumn(width=55),
    "Địa phương": st.column_config.TextColumn(width=100),
    "Số hiệu": st.column_config.TextColumn(width=90),
    "Số chỉ đạo": st.column_config.NumberColumn(width=80),
}


def _label(doc: dict[str, Any]) -> str:
    where = ", ".join(x for x in (doc["locality"], widgets.fmt_date(doc["date"])) if x)
    return f"{doc['title'] or '(không có tiêu đề)'}" + (f" — {where}" if where else "")


def _pick(docs: list[dict[str, Any]]) -> str:
    """The notice to show: a row clicked in the table, or the one chosen in the list."""
    event = st.dataframe(_table(docs), hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key="lib_table", column_config=_COLUMNS)
    rows = list(getattr(event, "selection", {}).get("rows", []))
    if rows and st.session_state.get("lib_table_seen") != rows[0] and rows[0] < len(docs):
        st.session_state["lib_doc"] = docs[rows[0]]["doc_id"]
    st.session_state["lib_table_seen"] = rows[0] if rows else None
    ids = [d["doc_id"] for d in docs]
    if st.session_state.get("lib_doc") not in ids:
        st.session_state.pop("lib_doc", None)
    labels = {d["doc_id"]: _label(d) for d in docs}
    return st.selectbox("Văn bản đang xem", ids, format_func=labels.__getitem__, key="lib_doc")


def _delete(doc_id: str) -> None:
    with st.expander("Xóa văn bản này khỏi kho", icon=":material/delete:"):
        st.write("Văn bản cùng các chỉ đạo và nhãn của nó bị xóa khỏi kho và khỏi chỉ mục tìm kiếm; không hoàn "
                 "tác được. Các sửa nhãn đã ghi nhận vẫn được giữ để huấn luyện mô hình.")
        sure = st.checkbox("Tôi chắc chắn muốn xóa văn bản này", key=f"lib_sure_{doc_id}")
        if not st.button("Xóa văn bản", type="primary", disabled=not sure, key=f"lib_delete_{doc_id}",
                         icon=":material/delete_forever:"):
            return
    try:
        removed = delete_document(doc_id, resources.current_data_dir(), embedder=resources.embedder())
    except KeyError:
        st.warning("Văn bản này đã bị xóa trước đó.")
        removed = 0
    resources.corpus_changed()
    st.session_state["lib_flash"] = f"Đã xóa văn bản và {removed} chỉ đạo của nó khỏi kho."
    st.session_state.pop("lib_doc", None)
    st.rerun()


def render() -> None:
    """The library page."""
    st.title("Kho văn bản")
    if "lib_flash" in st.session_state:
        st.success(st.session_state.pop("lib_flash"), icon=":material/check_circle:")
    store = resources.store()
    stats = store.stats()
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Văn bản", stats["documents"])
    c2.metric("Chỉ đạo", stats["directives"])
    c3.metric("Chỉ đạo đã gắn lĩnh vực", stats["labelled_directives"])
    c4.metric("Lượt sửa nhãn", stats["feedback"])
    docs = store.documents()
    if not docs:
        widgets.empty_corpus_hint()
        return
    st.page_link(TAG_PAGE, label="Thêm văn bản mới", icon=":material/note_add:")
    st.caption("Bấm vào một dòng để xem văn bản.")
    doc_id = _pick(docs)
    st.divider()
    widgets.notice_view(store, doc_id)
    _delete(doc_id)


if __name__ == "__main__":
    render()
