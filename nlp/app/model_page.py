"""Page "Mô hình": the tagger's model card, the feedback collected, and retraining from the UI."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from nlp.app import resources, widgets
from nlp.maintain import reindex
from nlp.taxonomy import AREA_IDS
from nlp.model_card import read_card
from nlp.train import train

TRAIN_STEPS = 3  # progress messages of nlp.train.train without evaluation


@st.cache_resource
def _training_lock() -> threading.Lock:
    """One retraining at a time per server."""
    return threading.Lock()


def evaluation(card: dict[str, Any]) -> dict[str, Any]:
    """The card's evaluation: its own, else the one carried over from the last full training."""
    return card if "cross_validation" in card else card.get("previous_evaluation", {})


def retrain(progress: Callable[[str], None]) -> dict[str, Any]:
    """Retrain on the labelled data plus feedback, without cross-validation (the card keeps the last scores)."""
    return train(data_dir=resources.current_data_dir(), out_dir=resources.retrain_tagger_dir(), evaluate=False,
                 progress=progress)


# --- sections -----------------------------------------------------------------------------------


def _scores_table(ev: dict[str, Any], card: dict[str, Any]) -> pd.DataFrame:
    cv = ev.get("cross_validation", {}).get("per_label", {})
    real = (ev.get("realdev") or ev.get("real_notices_unseen", {})).get("per_label", {})
    thresholds = card.get("thresholds", {})
    rows = []
    for a in AREA_IDS:
        s = cv.get(a, {})
        rows.append({
            "Lĩnh vực": widgets.area_full(a), "Ngưỡng": thresholds.get(a),
            "Độ chính xác (P)": s.get("precision"), "Độ phủ (R)": s.get("recall"), "F1": s.get("f1"),
            "Số câu mẫu": s.get("support"), "F1 trên văn bản thật": real.get(a, {}).get("f1"),
        })
    return pd.DataFrame(rows)


def _card(card: dict[str, Any]) -> None:
    ev = evaluation(card)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Ngày huấn luyện", widgets.fmt_date(card.get("date", "")) or "—")
    c2.metric("Số câu có nhãn", card.get("data", {}).get("n", "—"))
    cv, real = ev.get("cross_validation", {}), ev.get("realdev") or ev.get("real_notices_unseen", {})
    c3.metric("micro-F1 đánh giá chéo", widgets.fmt_score(cv["micro_f1"]) if cv else "—")
    c4.metric("micro-F1 trên văn bản thật", widgets.fmt_score(real["micro_f1"]) if real else "—")
    if ev is not card and ev:
        st.info(f"Mô hình được huấn luyện lại nhanh (không đánh giá lại). Điểm dưới đây là của lần huấn luyện "
                f"đầy đủ ngày {widgets.fmt_date(ev.get('date') or '')} trên "
                f"{ev.get('data', {}).get('n', '?')} câu.", icon=":material/info:")
    if not ev:
        st.caption("Mô hình chưa được đánh giá (chưa có điểm theo từng lĩnh vực).")
    st.dataframe(_scores_table(ev, card), hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.2f") for c in
                                ("Ngưỡng", "Độ chính xác (P)", "Độ phủ (R)", "F1", "F1 trên văn bản thật")})
    with st.expander("Cách đọc các chỉ số", icon=":material/help:"):
        st.markdown(
            "- **Độ chính xác (P)**: trong các chỉ đạo mô hình gắn lĩnh vực này, tỷ lệ gắn đúng.\n"
            "- **Độ phủ (R)**: trong các chỉ đạo thật sự thuộc lĩnh vực này, tỷ lệ mô hình tìm ra.\n"
            "- **F1**: trung bình điều hòa của P và R (1 là hoàn hảo).\n"
            "- **Đánh giá chéo**: mỗi nguồn dữ liệu lần lượt được giữ lại để chấm, mô hình không được học nó.\n"
            "- **Văn bản thật**: các chỉ đạo của 5 thông báo thật, chấm khi mô hình chưa từng thấy chúng.\n"
            "- **Ngưỡng**: điểm tối thiểu để gắn một lĩnh vực; không lĩnh vực nào vượt ngưỡng thì mô hình "
            "không gắn nhãn (cần người kiểm tra)."
        )


def _feedback() -> None:
    st.subheader("Sửa nhãn đã thu thập")
    store = resources.store()
    total = store.stats()["feedback"]
    distinct = len(store.feedback_rows())
    c1, c2 = st.columns(2)
    c1.metric("Lượt sửa nhãn", total)
    c2.metric("Câu chỉ đạo khác nhau đã sửa", distinct)
    if not total:
        st.caption("Chưa có sửa nhãn nào. Cán bộ sửa lĩnh vực ở trang Gắn nhãn văn bản mới; mỗi sửa nhãn là "
                   "dữ liệu học cho lần huấn luyện lại.")
        return
    rows = store.recent_feedback(20)
    st.dataframe(
        pd.DataFrame({
            "Chỉ đạo": [r["text"] for r in rows],
            "Lĩnh vực đúng": [", ".join(widgets.area_short(a) for a in json.loads(r["labels"])) or "(không có)"
                              for r in rows],
            "Thời điểm": [r["created_at"].replace("T", " ")[:16] for r in rows],
        }),
        hide_index=True, width="stretch",
    )


def _retrain_section() -> None:
    st.subheader("Huấn luyện lại")
    st.caption("Huấn luyện lại trên dữ liệu mẫu cộng với các sửa nhãn, bỏ qua bước đánh giá chéo nên chỉ mất "
               "khoảng 1–3 phút (đánh giá đầy đủ mất nhiều phút, do quản trị viên chạy `make train`).")
    retag = st.checkbox("Gắn nhãn lại các chỉ đạo trong kho bằng mô hình mới (giữ các nhãn đã sửa tay)",
                        value=True, key="model_retag")
    if not st.button("Huấn luyện lại mô hình", type="primary", key="model_retrain", icon=":material/model_training:"):
        return
    lock = _training_lock()
    if not lock.acquire(blocking=False):
        st.warning("Đang có một lần huấn luyện khác chạy; hãy đợi nó xong.")
        return
    try:
        _run_training(retag)
    finally:
        lock.release()


def _run_training(retag: bool) -> None:
    steps = TRAIN_STEPS + 1 + int(retag)
    bar = st.progress(0.0, text="Bắt đầu huấn luyện…")
    with st.status("Đang huấn luyện lại mô hình…", expanded=True) as status:
        done = 0

        def progress(message: str) -> None:
            nonlocal done
            done += 1
            status.write(message)
            bar.progress(min(done / steps, 1.0), text=message)

        try:
            retrain(progress)
            resources.tagger_changed()
            tagger = resources.tagger()
            progress("Đã nạp mô hình mới.")
            if retag and tagger is not None:
                result = reindex(resources.current_data_dir(), embedder=resources.embedder(), tagger=tagger)
                resources.corpus_changed()
                progress(f"Đã gắn nhãn lại {result['retagged']} chỉ đạo trong kho.")
        except Exception as exc:  # noqa: BLE001 - report the failure on the page
            status.update(label="Huấn luyện thất bại", state="error")
            st.error(f"Không huấn luyện được: {exc}")
            return
        bar.progress(1.0, text="Xong")
        status.update(label="Đã huấn luyện lại và nạp mô hình mới", state="complete", expanded=False)


def render() -> None:
    """The model page."""
    st.title("Mô hình gắn nhãn lĩnh vực")
    if resources.tagger() is None:
        st.warning(f"Chưa dùng được mô hình gắn nhãn: {resources.tagger_error()}", icon=":material/warning:")
    card = read_card(resources.current_tagger_dir())
    if card:
        st.caption(f"Bộ gắn nhãn đa nhãn cho 8 lĩnh vực CCHC; bộ nhúng: {card.get('embedder_id') or 'không dùng'}.")
        _card(card)
    else:
        st.info("Chưa có thông tin đánh giá mô hình (model card).")
    _feedback()
    _retrain_section()


if __name__ == "__main__":
    render()
