"""Page "Gắn nhãn văn bản mới": parse and tag a notice, correct its tags, save it into the corpus."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import streamlit as st

from nlp.app import SEARCH_PAGE, resources, widgets
from nlp.duplicates import Duplicate, find_duplicate
from nlp.ingest import ingest_text
from nlp.normalize import normalize_text
from nlp.parser import parse_notice
from nlp.readers import MAX_BYTES, SUPPORTED_SUFFIXES, ReadError, read_bytes
from nlp.records import Notice, context_text
from nlp.store import content_id
from nlp.tagger import Prediction, Tagger
from nlp.taxonomy import AREA_IDS

log = logging.getLogger(__name__)

LOW_MARGIN = 0.15  # a tag scoring less than this above its threshold is flagged for review
UPLOAD_TYPES = [s.lstrip(".") for s in SUPPORTED_SUFFIXES]
NO_DIRECTIVES = (
    "Không tìm thấy chỉ đạo nào trong văn bản. Hệ thống nhận ra chỉ đạo theo các mục đánh số (1., 2., a), "
    "gạch đầu dòng) hoặc các đoạn sau câu \"… kết luận, chỉ đạo như sau:\". Hãy kiểm tra văn bản đã có đủ "
    "phần kết luận chưa, hoặc thử một tệp khác."
)


@dataclass
class Analysis:
    """A parsed and tagged notice, kept in the session while the user reviews it."""

    key: str  # content hash: prefixes the widget keys of this notice
    name: str
    text: str  # normalised text, as the store will hold it
    notice: Notice
    predictions: list[Prediction]
    thresholds: dict[str, float]
    doc_id: str = ""  # set once the notice is in the corpus
    duplicate: Duplicate | None = None  # a stored notice this one duplicates in another form
    directive_ids: list[int] = field(default_factory=list)
    recorded: dict[int, list[str]] = field(default_factory=dict)  # corrections stored as feedback

    def predicted(self, i: int) -> list[str]:
        return list(self.predictions[i].labels) if self.predictions else []

    def selected(self, i: int) -> list[str]:
        return list(st.session_state.get(f"fix_{self.key}_{i}", self.predicted(i)))

    def pending(self) -> dict[int, list[str]]:
        """Selected areas that differ from what is already recorded (or else from the tagger's)."""
        return {i: self.selected(i) for i in range(len(self.notice.directives))
                if set(self.selected(i)) != set(self.recorded.get(i, self.predicted(i)))}


def analyze(text: str, name: str, tagger: Tagger | None) -> Analysis:
    """Parse a notice and tag its directives the way ingest does (section heading and notice title as context)."""
    text = normalize_text(text)
    notice = parse_notice(text)
    directives = notice.directives
    predictions: list[Prediction] = []
    thresholds: dict[str, float] = {}
    if tagger is not None and directives:
        predictions = tagger.predict([d.text for d in directives],
                                     context=[context_text(d.heading, notice.title) for d in directives])
        thresholds = {a: float(t) for a, t in zip(tagger.labels_, tagger.thresholds_)}
    analysis = Analysis(content_id(text), name, text, notice, predictions, thresholds)
    store = resources.store()
    if store.has_document(analysis.key):
        _link_stored(analysis, analysis.key)
    else:
        analysis.duplicate = find_duplicate(notice, store.duplicate_candidates(notice))
    return analysis


def _link_stored(analysis: Analysis, doc_id: str) -> None:
    """Attach the stored directive ids of the notice (matched by position, else by text)."""
    stored = resources.store().doc_directives(doc_id)
    by_text = {d["text"]: d["id"] for d in stored}
    ids = []
    for i, d in enumerate(analysis.notice.directives):
        same = i < len(stored) and stored[i]["text"] == d.text
        ids.append(stored[i]["id"] if same else by_text.get(d.text, -1))
    analysis.doc_id, analysis.directive_ids = doc_id, ids


def low_confidence(pred: Prediction, thresholds: dict[str, float]) -> set[str]:
    """Tags scoring less than LOW_MARGIN above their threshold."""
    return {a for a in pred.labels if pred.scores[a] - thresholds.get(a, 0.5) < LOW_MARGIN}


def needs_review(analysis: Analysis, i: int) -> bool:
    """The tagger abstained on directive i or one of its tags is low-confidence."""
    if not analysis.predictions:
        return False
    pred = analysis.predictions[i]
    return not pred.labels or bool(low_confidence(pred, analysis.thresholds))


# --- input --------------------------------------------------------------------------------------


def _start(text: str, name: str, source: dict | None = None) -> None:
    try:
        st.session_state["analysis"] = analyze(text, name, resources.tagger())
        st.session_state["analysis"].notice.source = source or {}
    except Exception as exc:  # noqa: BLE001 - a bad text gets a message, not a traceback
        log.exception("analysis failed")
        st.session_state.pop("analysis", None)
        st.error(f"Không phân tích được văn bản ({type(exc).__name__}: {exc}).")


def _paste_tab() -> None:
    text = st.text_area("Nội dung văn bản", height=220, key="tag_text",
                        placeholder="Dán toàn bộ nội dung thông báo kết luận, kế hoạch, tin hội nghị… vào đây")
    if st.button("Phân tích và gắn nhãn", type="primary", key="tag_analyze", icon=":material/auto_awesome:"):
        if text.strip():
            _start(text, "Văn bản dán trực tiếp")
        else:
            st.warning("Chưa có nội dung: hãy dán văn bản vào ô trên.")


def _upload_tab() -> None:
    file = st.file_uploader(
        f"Chọn tệp văn bản (.txt, .md, .docx, .doc, .pdf, .html) hoặc ảnh chụp, bản quét (.png, .jpg, .tif); "
        f"tối đa {MAX_BYTES // 2**20} MB", type=UPLOAD_TYPES, key="tag_file",
    )
    if file is None:
        st.session_state.pop("tag_file_seen", None)
        return
    if st.session_state.get("tag_file_seen") != file.file_id:
        st.session_state["tag_file_seen"] = file.file_id
        st.session_state.pop("tag_file_error", None)
        st.session_state.pop("tag_file_notes", None)
        try:
            with st.spinner("Đang đọc tệp (bản quét được nhận dạng chữ từng trang)…"):
                result = read_bytes(file.getvalue(), file.name)
        except ReadError as exc:
            st.session_state["tag_file_error"] = str(exc)
            st.session_state.pop("analysis", None)
        else:
            st.session_state["tag_file_notes"] = result.notes()
            _start(result.text, file.name, result.source())
    if st.session_state.get("tag_file_error"):
        st.error(widgets.md_escape(st.session_state["tag_file_error"]), icon=":material/error:")
    if st.session_state.get("tag_file_notes"):
        st.info(widgets.md_escape(f"{file.name}: " + "; ".join(st.session_state["tag_file_notes"]) + "."),
                icon=":material/info:")


# --- review -------------------------------------------------------------------------------------


def _directive(analysis: Analysis, i: int) -> None:
    d = analysis.notice.directives[i]
    pred = analysis.predictions[i] if analysis.predictions else None
    with st.container(border=True):
        flag = ":orange-badge[:material/rate_review: cần kiểm tra] " if needs_review(analysis, i) else ""
        path = f"**{widgets.md_escape(d.path)}.** " if d.path else ""
        st.markdown(flag + path + widgets.md_escape(d.text))
        left, right = st.columns([3, 2])
        with left:
            facts = widgets.facts_md(d.unit, d.deadlines, d.targets)
            if facts:
                st.markdown(facts)
            if pred is not None:
                _tags(pred, analysis.thresholds)
        right.multiselect("Lĩnh vực (sửa nếu chưa đúng)", AREA_IDS, default=analysis.predicted(i),
                          format_func=widgets.area_full, key=f"fix_{analysis.key}_{i}",
                          placeholder="Chọn lĩnh vực đúng")


def _tags(pred: Prediction, thresholds: dict[str, float]) -> None:
    """The tagger's areas with their confidence and the words behind them."""
    if not pred.labels:
        best = sorted(pred.scores, key=pred.scores.__getitem__, reverse=True)[:2]
        hints = ", ".join(f"{widgets.area_short(a)} ({widgets.fmt_score(pred.scores[a])})" for a in best)
        st.markdown(":orange-badge[:material/help: mô hình chưa chắc chắn: không lĩnh vực nào vượt ngưỡng] "
                    f"Gợi ý gần nhất: {widgets.md_escape(hints)}")
        return
    st.markdown(widgets.area_chips(pred.labels, pred.scores, low_confidence(pred, thresholds)))
    terms = [f"**{widgets.md_escape(widgets.area_short(a))}**: {widgets.md_escape(', '.join(pred.terms[a]))}"
             for a in pred.labels if pred.terms.get(a)]
    if terms:
        st.caption("Từ ngữ quyết định — " + "; ".join(terms))


def _record_feedback(analysis: Analysis) -> int:
    """Store the corrections not stored yet as feedback; return how many."""
    store = resources.store()
    done = 0
    for i, labels in analysis.pending().items():
        d = analysis.notice.directives[i]
        directive_id = analysis.directive_ids[i] if analysis.directive_ids else -1
        store.add_feedback(d.text, labels, directive_id=directive_id if directive_id >= 0 else None,
                           heading=d.heading)
        analysis.recorded[i] = labels
        done += 1
    return done


def _save(analysis: Analysis, on_duplicate: str) -> None:
    """Store the notice in the corpus, then its corrections (which also replace the stored tags)."""
    result = ingest_text(analysis.text, analysis.name, resources.current_data_dir(),
                         embedder=resources.embedder(), tagger=resources.tagger(), on_duplicate=on_duplicate)
    if result.status == "failed":
        st.error(f"Không lưu được văn bản: {widgets.md_escape(result.reason)}")
        return
    resources.corpus_changed()
    _link_stored(analysis, result.doc_id)
    analysis.recorded.clear()  # corrections must now reach the stored directives
    fixed = _record_feedback(analysis)
    what = "Đã lưu văn bản vào kho" if result.status == "stored" else "Văn bản đã có trong kho (cùng nội dung)"
    st.success(f"{what}: {len(analysis.directive_ids)} chỉ đạo, {fixed} nhãn đã sửa. "
               "Văn bản tìm kiếm được ngay.", icon=":material/check_circle:")


def _duplicate_choice(analysis: Analysis) -> str:
    """Warn that the notice is already stored in another form; how to save it ("replace" or "keep")."""
    if analysis.duplicate is None or analysis.doc_id:
        return "keep"
    st.warning(f"Văn bản này {widgets.md_escape(analysis.duplicate.message())}.", icon=":material/content_copy:")
    choice = st.radio("Khi lưu vào kho", ["Thay văn bản đã lưu bằng văn bản này", "Giữ cả hai"],
                      key=f"dup_{analysis.key}", horizontal=True)
    return "replace" if choice.startswith("Thay") else "keep"


def _actions(analysis: Analysis) -> None:
    on_duplicate = _duplicate_choice(analysis)
    with st.container(horizontal=True):
        record = st.button("Ghi nhận sửa nhãn", key="tag_feedback", icon=":material/rate_review:",
                           help="Lưu các lĩnh vực đã sửa làm dữ liệu học cho lần huấn luyện lại mô hình.")
        save = st.button("Lưu vào kho", key="tag_save", type="primary", icon=":material/save:",
                         disabled=bool(analysis.doc_id),
                         help="Lưu văn bản và các chỉ đạo (với lĩnh vực đã sửa) để tìm kiếm và thống kê.")
    if record:
        n = _record_feedback(analysis)
        if n:
            st.success(f"Đã ghi nhận {n} sửa nhãn. Mô hình học thêm từ các sửa nhãn này khi được huấn luyện "
                       "lại (trang Mô hình).", icon=":material/check_circle:")
        else:
            st.info("Chưa có sửa nhãn mới: hãy đổi lĩnh vực ở các chỉ đạo chưa đúng trước.")
    if save:
        _save(analysis, on_duplicate)
    elif analysis.doc_id:
        st.info("Văn bản này đã có trong kho; các sửa nhãn được ghi nhận sẽ cập nhật luôn nhãn trong kho.",
                icon=":material/inventory_2:")
        st.page_link(SEARCH_PAGE, label="Tìm trong kho", icon=":material/search:")


def _review(analysis: Analysis) -> None:
    st.divider()
    st.subheader("Thông tin văn bản")
    st.markdown(f"**{widgets.md_escape(analysis.notice.title or 'Văn bản không có tiêu đề')}**")
    widgets.metadata_block(analysis.notice.metadata())
    directives = analysis.notice.directives
    if not directives:
        st.warning(NO_DIRECTIVES, icon=":material/warning:")
        return
    review = sum(needs_review(analysis, i) for i in range(len(directives)))
    st.subheader(f"{len(directives)} chỉ đạo")
    if analysis.predictions:
        st.caption(f"{review} chỉ đạo cần kiểm tra. Mỗi lĩnh vực kèm độ tin cậy (0–1); dấu ⚠ là độ tin cậy "
                   f"thấp (cao hơn ngưỡng của lĩnh vực chưa tới {widgets.fmt_score(LOW_MARGIN)}).")
    for i in range(len(directives)):
        _directive(analysis, i)
    _actions(analysis)


def render() -> None:
    """The tagging page."""
    st.title("Gắn nhãn văn bản mới")
    st.caption("Dán hoặc tải văn bản lên: hệ thống đọc thông tin văn bản, tách từng chỉ đạo và gợi ý lĩnh vực "
               "cải cách hành chính. Sửa lĩnh vực nếu chưa đúng rồi lưu văn bản vào kho.")
    if resources.tagger() is None:
        st.warning(f"Chưa dùng được mô hình gắn nhãn ({resources.tagger_error()}). Văn bản vẫn được phân tích "
                   "và lưu, nhưng chưa có lĩnh vực.", icon=":material/warning:")
    paste, upload = st.tabs(["Dán văn bản", "Tải tệp lên"])
    with paste:
        _paste_tab()
    with upload:
        _upload_tab()
    analysis = st.session_state.get("analysis")
    if analysis is not None:
        _review(analysis)


if __name__ == "__main__":
    render()
