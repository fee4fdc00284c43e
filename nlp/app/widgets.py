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


def facts_md(unit: str, deadlines: Iterable[str], targets: Iterable[str] = ()) -> str:
    """"Đơn vị: … · Hạn: … · Chỉ tiêu: …" of a directive (only the known parts)."""
    parts = []
    if unit:
        parts.append(f":material/apartment: {md_escape(unit)}")
    deadlines = [fmt_date(d) for d in deadlines if d]
    if deadlines:
        parts.append(f":material/event: Hạn {md_escape(', '.join(deadlines))}")
    targets = list(targets)
    if targets:
        parts.append(f":material/flag: Chỉ tiêu {md_escape(', '.join(targets))}")
    return " · ".join(parts)


def source_md(hit: Hit) -> str:
    """The notice a hit comes from: title, locality, level, date."""
    where = ", ".join(x for x in (hit.locality, level_name(hit.level) if hit.level else "") if x)
    parts = [md_escape(hit.title or "Văn bản không có tiêu đề"), md_escape(where), fmt_date(hit.date)]
    return ":material/description: " + " · ".join(p for p in parts if p)


# --- building blocks ----------------------------------------------------------------------------


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
    """Localities present in the corpus, sorted."""
    return store.localities()


def doc_types(store: Store) -> list[str]:
    """Document types present in the corpus."""
    present = store.doc_types()
    return [t for t in DOC_TYPE_NAMES if t in present] + sorted(present - set(DOC_TYPE_NAMES))


def _active_filters(key: str) -> int:
    names = ("areas", "localities", "levels", "doc_types", "from", "to")
    return sum(1 for n in names if st.session_state.get(f"{key}_{n}"))


def filter_panel(store: Store, key: str, expanded: bool = False) -> Filters:
    """Area, locality, level, document type and date filters in an expander; widget keys start with `key`."""
    active = _active_filters(key)
    label = f"Bộ lọc ({active} đang áp dụng)" if active else "Bộ lọc"
    with st.expander(label, expanded=expanded or bool(active), icon=":material/filter_alt:"):
        c1, c2, c3 = st.columns(3)
        areas = c1.multiselect("Lĩnh vực", AREA_IDS, format_func=area_full, key=f"{key}_areas",
                               placeholder="Tất cả lĩnh vực")
        places = c2.multiselect("Địa phương", localities(store), key=f"{key}_localities",
                                placeholder="Tất cả địa phương")
        levels = c3.multiselect("Cấp", LEVELS, format_func=level_name, key=f"{key}_levels",
                                placeholder="Tất cả các cấp")
        c4, c5, c6 = st.columns(3)
        types = c4.multiselect("Loại văn bản", doc_types(store), format_func=doc_type_name,
                               key=f"{key}_doc_types", placeholder="Tất cả loại văn bản")
        start = c5.date_input("Từ ngày", value=None, format="DD/MM/YYYY", min_value=date(2000, 1, 1),
                              key=f"{key}_from")
        end = c6.date_input("Đến ngày", value=None, format="DD/MM/YYYY", min_value=date(2000, 1, 1),
                            key=f"{key}_to")
        if start and end and start > end:
            st.warning("Ngày bắt đầu đang sau ngày kết thúc: không văn bản nào khớp khoảng thời gian này.")
    return Filters(
        areas=list(areas), localities=list(places), levels=list(levels), doc_types=list(types),
        date_from=start.isoformat() if start else "", date_to=end.isoformat() if end else "",
    )


def hit_card(hit: Hit, key: str, rank: int | None = None, actions: bool = True) -> str:
    """A directive found by search or drill-down; returns "open" or "similar" when a button was pressed."""
    with st.container(border=True):
        head = f"**{rank}.** " if rank else ""
        st.markdown(head + snippet_md(hit.snippet or hit.text))
        facts = facts_md(hit.unit, [hit.deadline] if hit.deadline else [])
        st.markdown(area_chips(hit.labels) + (f" · {facts}" if facts else ""))
        st.caption(source_md(hit))
        if not actions:
            return ""
        with st.container(horizontal=True):
            if st.button("Xem toàn văn", key=f"{key}_open", icon=":material/article:", type="tertiary"):
                return "open"
            if st.button("Chỉ đạo tương tự", key=f"{key}_similar", icon=":material/join_inner:", type="tertiary"):
                return "similar"
    return ""


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
        facts = facts_md(d.get("unit", ""), d.get("deadlines", []), d.get("targets", []))
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
