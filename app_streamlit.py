"""cchc web app: `streamlit run app_streamlit.py` (or `make run`), data from $CCHC_DATA_DIR or ./data."""
from __future__ import annotations

import logging

import streamlit as st

from nlp.app import FOLLOWUP_PAGE, LIBRARY_PAGE, MODEL_PAGE, SEARCH_PAGE, TAG_PAGE, TRENDS_PAGE, resources, widgets
from nlp.readers import MAX_BYTES

log = logging.getLogger("cchc.app")

PAGES = [
    st.Page(SEARCH_PAGE, title="Tìm kiếm", icon=":material/search:", default=True),
    # the default page lives at "/"; its own address /tim-kiem shows it too (hidden from the menu)
    st.Page(SEARCH_PAGE, title="Tìm kiếm", icon=":material/search:", url_path="tim-kiem", visibility="hidden"),
    st.Page(TAG_PAGE, title="Gắn nhãn văn bản mới", icon=":material/new_label:", url_path="gan-nhan"),
    st.Page(FOLLOWUP_PAGE, title="Theo dõi thực hiện", icon=":material/task_alt:", url_path="theo-doi"),
    st.Page(TRENDS_PAGE, title="Xu hướng", icon=":material/insights:", url_path="xu-huong"),
    st.Page(LIBRARY_PAGE, title="Kho văn bản", icon=":material/folder_open:", url_path="kho-van-ban"),
    st.Page(MODEL_PAGE, title="Mô hình", icon=":material/model_training:", url_path="mo-hinh"),
]


def sidebar() -> None:
    """Name of the app and the size of the corpus."""
    with st.sidebar:
        st.markdown("**CCHC – Tra cứu kết luận, chỉ đạo**")
        try:
            stats = resources.store().stats()
        except Exception:  # noqa: BLE001 - the page itself reports store problems in detail
            log.exception("store not readable")
            return
        st.caption(f"Kho: {stats['documents']} văn bản · {stats['directives']} chỉ đạo · "
                   f"{stats['feedback']} lượt sửa nhãn")


def main() -> None:
    """Page config, navigation over the six pages, the running page, the sidebar."""
    st.set_page_config(page_title="CCHC – Tra cứu kết luận", page_icon=":material/account_balance:", layout="wide")
    widgets.vietnamese_ui(MAX_BYTES // 2**20)
    page = st.navigation(PAGES)
    try:
        page.run()
    except Exception as exc:  # noqa: BLE001 - last resort: a message instead of a broken page
        log.exception("page failed")
        st.error(f"Đã xảy ra lỗi ngoài dự kiến: {exc}. Hãy tải lại trang; nếu lỗi lặp lại, báo cho quản trị viên.")
        with st.expander("Chi tiết kỹ thuật"):
            st.exception(exc)
    sidebar()  # after the page, so the counts include what the page just saved or deleted


main()
