"""Shared pieces of the app's pages: formatting, area chips, filters, hit cards and the notice view."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import streamlit as st

from nlp.app import TAG_PAGE
from nlp.records import Hit
from nlp.store import LEVELS, Filters, Store
from nlp.taxonomy import AREA_BY_ID, AREA_IDS
from nlp.trends import LEVEL_NAMES
from nlp.vnsort import vn_sorted

# Badge colour (Streamlit markdown) and chart colour of each area, in taxonomy order.
AREA_COLORS: dict[str, tuple[str, str]] = {
    "chi_dao_dieu_hanh": ("violet", "#7c3aed"),
    "the_che": ("gray", "#64748b"),
    "thu_tuc_hanh_chinh": ("blue", "#2563eb"),
    "to_chuc_bo_may": ("orange", "#ea580c"),
    "cong_vu": ("green", "#16a34a"),
    "tai_chinh_cong": ("yellow", "#ca8a04"),
    "chinh_quyen_so": ("primary", "#0891b2"),
    "hai_long": ("red", "#dc2626"),
}
DOC_TYPE_NAMES: dict[str, str] = {
    "thong_bao_ket_luan": "Thông báo kết luận",
    "tuyen_truyen": "Bài tuyên truyền",
    "tin_hoi_nghi": "Tin hội nghị",
    "ke_hoach": "Kế hoạch",
    "other": "Văn bản khác",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:=])")


# --- formatting ---------------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Text shown literally inside Streamlit markdown (no emphasis, links, math or directives)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def snippet_md(snippet: str) -> str:
    """A search snippet whose **matched** words get a highlighter background."""
    parts = snippet.split("**")
    return "".join(
        md_escape(p) if i % 2 == 0 or not p else f":orange-background[{md_escape(p)}]"
        for i, p in enumerate(parts)
    )


def fmt_score(value: float) -> str:
    """0.8234 -> "0,82" (Vietnamese decimal comma)."""
    return f"{value:.2f}".replace(".", ",")


def fmt_date(iso: str) -> str:
    """"2023-04-05" -> "05/04/2023", "2023-04" -> "04/2023", "2023" -> "2023", "" -> ""."""
    parts = iso.split("-") if iso else []
    return "/".join(reversed(parts))


def area_short(area_id: str) -> str:
    area = AREA_BY_ID.get(area_id)
    return area.short if area else area_id


def area_full(area_id: str) -> str:
    area = AREA_BY_ID.get(area_id)
    return area.name if area else area_id


def level_name(level: str) -> str:
    return LEVEL_NAMES.get(level, level)


def doc_type_name(doc_type: str) -> str:
    return DOC_TYPE_NAMES.get(doc_type, doc_type or DOC_TYPE_NAMES["other"])


def area_badge(area_id: str, score: float | None = None, low: bool = False) -> str:
    """Markdown badge of an area (short name, optional score); low-confidence badges carry a warning."""
    color = AREA_COLORS.get(area_id, ("gray", ""))[0]
    text = md_escape(area_short(area_id)) + (f" {fmt_score(score)}" if score is not None else "")
    icon = ":material/warning: " if low else ""
    return f":{color}-badge[{icon}{text}]"


def area_chips(labels: Iterable[str], scores: Mapping[str, float] | None = None, low: Iterable[str] = ()) -> str:
    """Badges of a directive's areas ("chưa gắn nhãn" when it has none)."""
    low = set(low)
    chips = [area_badge(a, scores.get(a) if scores else None, a in low) for a in labels]
    return " ".join(chips) if chips else ":gray-badge[chưa gắn nhãn]"


def facts_md(unit: str, deadlines: Iterable[str], targets: Iterable[str] = (), partners: Iterable[str] = ()) -> str:
    """"Đơn vị: … · Phối hợp: … · Hạn: … · Chỉ tiêu: …" of a directive (only the known parts)."""
    parts = []
    if unit:
        parts.append(f":material/apartment: {md_escape(unit)}")
    partners = list(partners)
    if partners:
        parts.append(f"phối hợp: {md_escape(', '.join(partners))}")
    deadlines = [fmt_date(d) for d in deadlines if d]
    if deadlines:
        parts.append(f":material/event: Hạn {md_escape(', '.join(deadlines))}")
    targets = list(targets)
    if targets:
        parts.append(f":material/flag: Chỉ tiêu {md_escape(', '.join(targets))}")
    return " · ".join(parts)


def source_md(hit: Hit) -> str:
    """The notice a hit comes from: number, title, locality, level, date."""
    where = ", ".join(x for x in (hit.locality, level_name(hit.level) if hit.level else "") if x)
    number = f"Số {hit.doc_number}" if hit.doc_number else "Không rõ số hiệu"
    date_part = f"ngày {fmt_date(hit.date)}" if hit.date else "không rõ ngày"
    parts = [md_escape(number), md_escape(hit.title or "Văn bản không có tiêu đề"), md_escape(where), date_part]
    return ":material/description: " + " · ".join(p for p in parts if p)


# --- building blocks ----------------------------------------------------------------------------

# Streamlit's own English in the file uploader, replaced (the widget has no option for its texts).
VIETNAMESE_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"]::before {
  content: "Kéo thả tệp vào đây hoặc bấm Chọn tệp · tối đa %d MB mỗi tệp · TXT, MD, DOCX, PDF";
  font-size: 0.9rem; color: rgba(49, 51, 63, 0.75);
}
[data-testid="stFileUploaderDropzone"] button { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button::after { content: "Chọn tệp"; font-size: 0.9rem; }
</style>"""


def vietnamese_ui(max_mb: int) -> None:
    """Put Vietnamese in place of the English texts Streamlit has no option for."""
    st.html(VIETNAMESE_CSS % max_mb)



def empty_corpus_hint() -> None:
    """What to do when the corpus has no notice yet."""
    st.info(
        "Kho văn bản đang trống. Để thêm văn bản: mở trang **Gắn nhãn văn bản mới**, dán nội dung hoặc "
        "tải tệp (.txt, .md, .docx, .pdf) lên, kiểm tra các chỉ đạo rồi bấm **Lưu vào kho**. Quản trị viên "
        "có thể nạp cả thư mục văn bản bằng lệnh `cchc ingest <thư mục>`.",
        icon=":material/inbox:",
    )
    st.page_link(TAG_PAGE, label="Thêm văn bản mới", icon=":material/note_add:")


def localities(store: Store) -> list[str]:
    """Localities present in the corpus, in Vietnamese alphabetical order."""
    return vn_sorted(store.localities())


def units(store: Store) -> list[str]:
    """Lead units present in the corpus, in Vietnamese alphabetical order."""
    return vn_sorted(store.units())


def parse_day(text: str) -> date | None:
    """A date written day first ("15/4/2024", "15-04-2024", "15.4.2024"); None when it is not one."""
    m = re.fullmatch(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", text.strip())
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1))) if m else None
    except ValueError:
        return None


def day_input(label: str, key: str, container: Any = st) -> date | None:
    """A date typed as dd/mm/yyyy (Vietnamese order; Streamlit's calendar speaks English only)."""
    raw = container.text_input(label, key=key, placeholder="dd/mm/yyyy").strip()
    day = parse_day(raw) if raw else None
    if raw and day is None:
        container.error(f"{label}: '{raw}' không phải ngày hợp lệ (nhập theo dạng ngày/tháng/năm, ví dụ 15/04/2024).")
    return day


def doc_types(store: Store) -> list[str]:
    """Document types present in the corpus."""
    present = store.doc_types()
    return [t for t in DOC_TYPE_NAMES if t in present] + sorted(present - set(DOC_TYPE_NAMES))


def _active_filters(key: str) -> int:
    names = ("areas", "localities", "levels", "doc_types", "units", "from", "to")
    return sum(1 for n in names if st.session_state.get(f"{key}_{n}"))


def filter_panel(store: Store, key: str, expanded: bool = False) -> Filters:
    """Area, locality, level, document type, lead unit and date filters in an expander; widget keys
    start with `key`."""
    active = _active_filters(key)
    label = f"Bộ lọc ({active} đang áp dụng)" if active else "Bộ lọc"
    with st.expander(label, expanded=expanded or bool(active), icon=":material/filter_alt:"):
        c1, c2, c3 = st.columns(3)
        areas = c1.multiselect("Lĩnh vực", AREA_IDS, format_func=area_full, key=f"{key}_areas",
                               placeholder="Tất cả lĩnh vực", select_all=False)
        places = c2.multiselect("Địa phương", localities(store), key=f"{key}_localities",
                                placeholder="Tất cả địa phương", select_all=False)
        levels = c3.multiselect("Cấp", LEVELS, format_func=level_name, key=f"{key}_levels",
                                placeholder="Tất cả các cấp", select_all=False)
        c4, c5 = st.columns([1, 2])
        types = c4.multiselect("Loại văn bản", doc_types(store), format_func=doc_type_name,
                               key=f"{key}_doc_types", placeholder="Tất cả loại văn bản", select_all=False)
        chosen_units = c5.multiselect("Đơn vị chủ trì", units(store), key=f"{key}_units",
                                      placeholder="Tất cả đơn vị", select_all=False)
        c6, c7 = st.columns(2)
        start = day_input("Từ ngày", f"{key}_from", c6)
        end = day_input("Đến ngày", f"{key}_to", c7)
        if start and end and start > end:
            st.warning("Ngày bắt đầu đang sau ngày kết thúc: không văn bản nào khớp khoảng thời gian này.")
    return Filters(
        areas=list(areas), localities=list(places), levels=list(levels), doc_types=list(types),
        date_from=start.isoformat() if start else "", date_to=end.isoformat() if end else "",
        units=list(chosen_units),
    )


def hit_card(hit: Hit, key: str, rank: int | None = None, actions: bool = True, similar: bool = True) -> str:
    """A directive found by search or drill-down; returns "open" or "similar" when a button was pressed
    ("Chỉ đạo tương tự" only when `similar`; no buttons at all without `actions`)."""
    with st.container(border=True):
        head = f"**{rank}.** " if rank else ""
        passage = ":gray-badge[đoạn văn bản] " if hit.kind == "passage" else ""
        st.markdown(head + passage + snippet_md(hit.snippet or hit.text))
        facts = facts_md(hit.unit, [hit.deadline] if hit.deadline else [], partners=hit.partners)
        st.markdown(area_chips(hit.labels) + (f" · {facts}" if facts else ""))
        st.caption(source_md(hit))
        if not actions:
            return ""
        with st.container(horizontal=True):
            if st.button("Xem toàn văn", key=f"{key}_open", icon=":material/article:", type="tertiary"):
                return "open"
            if similar and st.button("Chỉ đạo tương tự", key=f"{key}_similar", icon=":material/join_inner:",
                                     type="tertiary"):
                return "similar"
    return ""


@st.dialog("Toàn văn văn bản", width="large")
def notice_dialog(doc_id: str, directive_id: int) -> None:
    """The notice a directive comes from, in a dialog, that directive marked."""
    from nlp.app import resources

    notice_view(resources.store(), doc_id, focus=directive_id)


_META_FIELDS = (
    ("doc_number", "Số hiệu"),
    ("doc_type", "Loại văn bản"),
    ("issuer", "Cơ quan ban hành"),
    ("level", "Cấp"),
    ("locality", "Địa phương"),
    ("issue_date", "Ngày ban hành"),
    ("meeting_date", "Ngày họp"),
    ("chair", "Chủ trì"),
    ("signer", "Người ký"),
)


def metadata_block(meta: Mapping[str, Any]) -> None:
    """The notice's metadata as a grid of labelled values (unknown values shown as "—")."""
    shown = {
        "doc_type": doc_type_name(meta.get("doc_type") or "other"),
        "level": level_name(meta.get("level") or ""),
        "issue_date": fmt_date(meta.get("issue_date") or ""),
        "meeting_date": fmt_date(meta.get("meeting_date") or ""),
    }
    cols = st.columns(3)
    for i, (field, label) in enumerate(_META_FIELDS):
        value = shown.get(field, meta.get(field) or "")
        cols[i % 3].markdown(f"**{label}**  \n{md_escape(str(value)) if value else '—'}")


def directive_block(d: Mapping[str, Any], focus: bool = False) -> None:
    """A stored directive (from Store.doc_directives) with its areas and facts."""
    with st.container(border=True):
        mark = ":blue-badge[:material/my_location: chỉ đạo đang xem] " if focus else ""
        path = f"**{md_escape(d['path'])}.** " if d.get("path") else ""
        st.markdown(mark + path + md_escape(d["text"]))
        facts = facts_md(d.get("unit", ""), d.get("deadlines", []), d.get("targets", []), d.get("partners", []))
        st.markdown(area_chips(d.get("labels", [])) + (f" · {facts}" if facts else ""))


def full_text(text: str) -> None:
    """A notice's full text, paragraph by paragraph."""
    st.markdown("\n\n".join(md_escape(line) for line in text.split("\n") if line.strip()))


def notice_view(store: Store, doc_id: str, focus: int | None = None) -> None:
    """A stored notice: metadata, its directives with their areas, and the full text."""
    doc = store.document(doc_id)
    if doc is None:
        st.warning("Văn bản này không còn trong kho.")
        return
    st.markdown(f"### {md_escape(doc['title'] or 'Văn bản không có tiêu đề')}")
    directives = store.doc_directives(doc_id)
    for d in directives:  # the directive the user came from first, then the whole notice
        if d["id"] == focus:
            directive_block(d, focus=True)
    metadata_block(doc)
    st.markdown(f"#### {len(directives)} chỉ đạo")
    if not directives:
        st.info("Không tìm thấy chỉ đạo nào trong văn bản này.")
    for d in directives:
        directive_block(d, focus=d["id"] == focus)
    with st.expander("Toàn văn", icon=":material/article:"):
        full_text(doc["text"])
