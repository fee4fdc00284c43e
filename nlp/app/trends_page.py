"""Page "Xu hướng": directives per reform area, locality or level over time (every period on the axis,
directives counted once), heatmap, shares, recurring weaknesses, drill-down to the notices."""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from nlp.app import resources, widgets
from nlp.app.exports import XLSX, csv_bytes, excel_bytes
from nlp.records import Hit
from nlp.recurring import recurring_weaknesses
from nlp.store import Filters, Store
from nlp.taxonomy import AREA_IDS
from nlp.trends import (
    BY, PERIODS, TrendRow, all_periods, cell_directives, directive_totals, key_order, trend_counts, trend_table,
)
from nlp.vnsort import vn_sort_key, vn_sorted

__all__ = ["excel_bytes", "heat_frame", "share_frame", "render"]

BY_NAMES = {"area": "Lĩnh vực", "locality": "Địa phương", "level": "Cấp"}
PERIOD_NAMES = {"month": "Tháng", "quarter": "Quý", "year": "Năm"}
DRILL_LIMIT = 100


def period_label(period: str) -> str:
    """"2023-04" -> "04/2023", "2023-Q2" -> "Quý 2/2023", "2023" -> "2023", "" -> "Không rõ"."""
    if not period:
        return "Không rõ"
    if "-Q" in period:
        year, quarter = period.split("-Q")
        return f"Quý {quarter}/{year}"
    return widgets.fmt_date(period)


def _area_scale(labels: list[str]) -> alt.Scale:
    colors = {widgets.area_short(a): widgets.AREA_COLORS[a][1] for a in AREA_IDS}
    return alt.Scale(domain=labels, range=[colors.get(x, "#94a3b8") for x in labels])


def _selected(event: Any, name: str) -> dict[str, Any] | None:
    """The point picked in an altair chart (st.altair_chart with on_select), if any."""
    points = (getattr(event, "selection", None) or {}).get(name) or []
    return points[0] if points and isinstance(points[0], dict) else None


def _sync(selection: dict[str, Any] | None, state: str, values: dict[str, Any]) -> None:
    """Copy a new chart selection into the drill-down selectboxes (keys and valid options in `values`)."""
    if selection is None or st.session_state.get(state) == selection:
        return
    st.session_state[state] = selection
    for key, (field, options) in values.items():
        if selection.get(field) in options:
            st.session_state[key] = selection[field]


def _drill(hits: list[Hit], key: str) -> None:
    """The directives behind a chosen cell, each with "Xem toàn văn"."""
    st.caption(f"{len(hits)} chỉ đạo" + (f" (hiện tối đa {DRILL_LIMIT})" if len(hits) >= DRILL_LIMIT else ""))
    for hit in hits:
        if widgets.hit_card(hit, key=f"{key}{hit.directive_id}", similar=False) == "open":
            widgets.notice_dialog(hit.doc_id, hit.directive_id)


# --- data frames --------------------------------------------------------------------------------


def time_frame(rows: list[TrendRow]) -> pd.DataFrame:
    """Trend rows as a frame with display labels."""
    return pd.DataFrame(
        [{"period": r.period, "Kỳ": period_label(r.period), "key": r.key, "Nhóm": r.label, "Số chỉ đạo": r.count}
         for r in rows],
        columns=["period", "Kỳ", "key", "Nhóm", "Số chỉ đạo"],
    )


def heat_frame(store: Store, filters: Filters) -> pd.DataFrame:
    """Directives per (area, locality): one locality trend per area, summed over the years."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for area in filters.areas or AREA_IDS:
        for r in trend_counts(store, by="locality", period="year", filters=replace(filters, areas=[area])):
            counts[(area, r.key, r.label)] += r.count
    return pd.DataFrame(
        [{"area": a, "Lĩnh vực": widgets.area_short(a), "locality": k, "Địa phương": label, "Số chỉ đạo": n}
         for (a, k, label), n in counts.items()],
        columns=["area", "Lĩnh vực", "locality", "Địa phương", "Số chỉ đạo"],
    )


def share_frame(heat: pd.DataFrame) -> pd.DataFrame:
    """Directives per area and their share of all area tags."""
    per_area = heat.groupby("Lĩnh vực", sort=False)["Số chỉ đạo"].sum().reset_index()
    total = int(per_area["Số chỉ đạo"].sum()) or 1
    per_area["Tỷ trọng (%)"] = (100 * per_area["Số chỉ đạo"] / total).round(1)
    per_area["Nhãn"] = [f"{n} · {str(p).replace('.', ',')}%" for n, p in
                        zip(per_area["Số chỉ đạo"], per_area["Tỷ trọng (%)"])]
    return per_area.sort_values("Số chỉ đạo", ascending=False, kind="stable")


def heat_cell(store: Store, area: str, locality: str, filters: Filters) -> list[Hit]:
    """Directives of one heatmap cell (nlp.trends drills down per period: gather every year's cell)."""
    cell = replace(filters, areas=[area])
    years = [r.period for r in trend_counts(store, by="locality", period="year", filters=cell) if r.key == locality]
    hits: list[Hit] = []
    for year in years:
        hits += cell_directives(store, "locality", "year", year, locality, cell, limit=DRILL_LIMIT)
    return hits[:DRILL_LIMIT]


# --- sections -----------------------------------------------------------------------------------


def _time_section(store: Store, frame: pd.DataFrame, by: str, period: str, filters: Filters) -> None:
    counted = "lượt gắn lĩnh vực" if by == "area" else "chỉ đạo"
    st.subheader(f"Số {counted} theo {BY_NAMES[by].lower()} và theo {PERIOD_NAMES[period].lower()}")
    periods = [period_label(p) for p in all_periods(list(frame["period"]), period)]  # empty periods kept
    present = set(frame["key"])
    groups = ([widgets.area_short(a) for a in AREA_IDS if a in present] if by == "area"
              else [label for _, label in sorted(set(zip(frame["key"], frame["Nhóm"])), key=lambda kl: key_order(*kl))])
    pick = alt.selection_point(name="cell", fields=["period", "key"], on="click")
    color = alt.Color("Nhóm:N", title=None, legend=alt.Legend(orient="right", labelLimit=220), sort=groups,
                      scale=_area_scale(groups) if by == "area" else alt.Scale(scheme="tableau10"))
    x = alt.X("Kỳ:N", sort=periods, scale=alt.Scale(domain=periods), title=None,
              axis=alt.Axis(labelAngle=0 if len(periods) <= 12 else -45))
    chart = (
        alt.Chart(frame).mark_bar()
        .encode(x=x, y=alt.Y("Số chỉ đạo:Q", title=f"Số {counted}", stack="zero"), color=color,
                opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
                tooltip=["Kỳ", "Nhóm", alt.Tooltip("Số chỉ đạo:Q", title=f"Số {counted}")])
        .add_params(pick)
    )
    if by == "area":  # directives counted once, over the stacked tags
        totals = directive_totals(store, period, filters)
        total_frame = pd.DataFrame([{"Kỳ": period_label(p), "Số chỉ đạo (đếm một lần)": n} for p, n in totals.items()])
        chart = chart + alt.Chart(total_frame).mark_tick(color="#111827", thickness=3, size=28).encode(
            x=x, y="Số chỉ đạo (đếm một lần):Q", tooltip=["Kỳ", "Số chỉ đạo (đếm một lần)"])
    event = st.altair_chart(chart.properties(height=320), on_select="rerun", key=f"tr_time_{by}_{period}",
                            width="stretch")
    if by == "area":
        st.caption("Cột: số lượt gắn lĩnh vực (một chỉ đạo thuộc nhiều lĩnh vực được đếm ở mỗi lĩnh vực). "
                   "Vạch đen: số chỉ đạo của kỳ, mỗi chỉ đạo đếm một lần. Kỳ không có chỉ đạo vẫn hiện trên trục.")
    keys = dict(sorted(zip(frame["key"], frame["Nhóm"]), key=lambda kl: key_order(*kl)))
    period_values = dict(zip(frame["period"], frame["Kỳ"]))
    key_box, period_box = f"tr_key_{by}_{period}", f"tr_period_{by}_{period}"
    _sync(_selected(event, "cell"), f"tr_time_sel_{by}_{period}",
          {key_box: ("key", keys), period_box: ("period", period_values)})
    st.caption("Bấm vào một cột của biểu đồ, hoặc chọn nhóm và kỳ dưới đây, để xem các chỉ đạo.")
    c1, c2 = st.columns(2)
    key = c1.selectbox(BY_NAMES[by], list(keys), format_func=keys.__getitem__, index=None, key=key_box,
                       placeholder="Chọn…")
    value = c2.selectbox("Kỳ", list(period_values), format_func=period_values.__getitem__, index=None,
                         key=period_box, placeholder="Chọn…")
    if key is not None and value is not None:
        _drill(cell_directives(store, by, period, value, key, filters, limit=DRILL_LIMIT), "tr_t")


def _heat_section(store: Store, heat: pd.DataFrame, filters: Filters) -> None:
    st.subheader("Lĩnh vực × địa phương")
    areas = [widgets.area_short(a) for a in AREA_IDS if a in set(heat["area"])]
    pick = alt.selection_point(name="cell", fields=["area", "locality"], on="click")
    places_sorted = vn_sorted(list(dict.fromkeys(heat["Địa phương"])))
    base = alt.Chart(heat).encode(
        x=alt.X("Địa phương:N", title=None, sort=places_sorted, axis=alt.Axis(labelAngle=-30, labelLimit=160)),
        y=alt.Y("Lĩnh vực:N", sort=areas, title=None),
    )
    rect = base.mark_rect(stroke="white").encode(
        color=alt.Color("Số chỉ đạo:Q", scale=alt.Scale(scheme="blues"), legend=alt.Legend(title="Số chỉ đạo")),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.4)),
        tooltip=["Lĩnh vực", "Địa phương", "Số chỉ đạo"],
    ).add_params(pick)
    text = base.mark_text(fontSize=13).encode(
        text="Số chỉ đạo:Q",
        color=alt.condition(alt.datum["Số chỉ đạo"] > heat["Số chỉ đạo"].max() / 2, alt.value("white"),
                            alt.value("#1e293b")),
    )
    event = st.altair_chart((rect + text).properties(height=40 * len(areas) + 60), on_select="rerun",
                            key="tr_heat", width="stretch")
    area_names = {a: widgets.area_short(a) for a in AREA_IDS if a in set(heat["area"])}
    places = dict(sorted(zip(heat["locality"], heat["Địa phương"]), key=lambda kv: vn_sort_key(kv[1])))
    _sync(_selected(event, "cell"), "tr_heat_sel",
          {"tr_heat_area": ("area", area_names), "tr_heat_locality": ("locality", places)})
    st.caption("Bấm vào một ô, hoặc chọn lĩnh vực và địa phương dưới đây, để xem các chỉ đạo.")
    c1, c2 = st.columns(2)
    area = c1.selectbox("Lĩnh vực", list(area_names), format_func=area_names.__getitem__, index=None,
                        key="tr_heat_area", placeholder="Chọn…")
    place = c2.selectbox("Địa phương", list(places), format_func=places.__getitem__, index=None,
                         key="tr_heat_locality", placeholder="Chọn…")
    if area is not None and place is not None:
        _drill(heat_cell(store, area, place, filters), "tr_h")


def _share_section(share: pd.DataFrame) -> None:
    st.subheader("Tỷ trọng từng lĩnh vực")
    order = list(share["Lĩnh vực"])
    base = alt.Chart(share).encode(y=alt.Y("Lĩnh vực:N", sort=order, title=None))
    room = alt.Scale(domain=[0, float(share["Số chỉ đạo"].max()) * 1.25])  # space for the labels
    bars = base.mark_bar().encode(
        x=alt.X("Số chỉ đạo:Q", title="Số lượt gắn lĩnh vực", scale=room),
        color=alt.Color("Lĩnh vực:N", scale=_area_scale(order), legend=None),
        tooltip=["Lĩnh vực", "Số chỉ đạo", "Tỷ trọng (%)"],
    )
    labels = base.mark_text(align="left", dx=4).encode(x="Số chỉ đạo:Q", text="Nhãn:N")
    st.altair_chart((bars + labels).properties(height=32 * len(order) + 40), width="stretch")
    st.caption("Tỷ trọng tính trên tổng số lượt gắn nhãn: một chỉ đạo thuộc nhiều lĩnh vực được đếm ở mỗi "
               "lĩnh vực.")


def _recurring_section(store: Store, filters: Filters) -> None:
    st.subheader("Tồn tại lặp lại")
    found = recurring_weaknesses(store, filters)
    st.caption("Cùng một lĩnh vực được giao lại cho cùng một đơn vị (của cùng địa phương) trong nhiều văn bản: "
               "dấu hiệu một tồn tại chưa được khắc phục.")
    if not found:
        st.info("Chưa có lĩnh vực nào được giao lại cho cùng một đơn vị trong từ hai văn bản trở lên.")
        return
    table = pd.DataFrame([{
        "Lĩnh vực": r.area_name, "Đơn vị chủ trì": r.unit, "Địa phương": r.locality, "Số văn bản": r.notices,
        "Các năm": ", ".join(r.years), "Lần đầu": widgets.fmt_date(r.first), "Lần gần nhất": widgets.fmt_date(r.last),
    } for r in found])
    event = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key="tr_recurring")
    rows = list(getattr(event, "selection", {}).get("rows", []))
    if rows and rows[0] < len(found):
        hits = store.hits(found[rows[0]].directive_ids)
        _drill([hits[i] for i in found[rows[0]].directive_ids if i in hits], "tr_r")
    else:
        st.caption("Bấm vào một dòng để xem các chỉ đạo lặp lại.")


def _downloads(store: Store, rows: list[TrendRow], by: str, period: str, filters: Filters, heat: pd.DataFrame,
               share: pd.DataFrame) -> None:
    periods, keys, counts = trend_table(rows, period)
    pivot = pd.DataFrame(counts, columns=[label for _, label in keys])
    pivot.insert(0, "Kỳ", [period_label(p) for p in periods])
    if by == "area":  # summing tags would count a directive once per area
        totals = directive_totals(store, period, filters)
        pivot["Tổng số chỉ đạo (đếm một lần)"] = [totals.get(p, 0) for p in periods]
    else:
        pivot["Tổng"] = pivot.iloc[:, 1:].sum(axis=1)
    heat_pivot = heat.pivot_table(index="Lĩnh vực", columns="Địa phương", values="Số chỉ đạo", fill_value=0,
                                  aggfunc="sum").reset_index()
    with st.expander("Bảng số liệu và tải về", icon=":material/table:"):
        st.dataframe(pivot, hide_index=True, width="stretch")
        long = time_frame(rows)[["Kỳ", "Nhóm", "Số chỉ đạo"]].rename(columns={"Nhóm": BY_NAMES[by]})
        with st.container(horizontal=True):
            st.download_button("Tải CSV", csv_bytes(long),
                               file_name=f"xu-huong-{by}-{period}.csv", mime="text/csv",
                               icon=":material/download:", key="tr_csv")
            st.download_button(
                "Tải Excel", excel_bytes({"Theo thời gian": pivot, "Lĩnh vực - địa phương": heat_pivot,
                                          "Tỷ trọng lĩnh vực": share.drop(columns=["Nhãn"])}),
                file_name=f"xu-huong-{by}-{period}.xlsx",
                mime=XLSX,
                icon=":material/download:", key="tr_xlsx",
            )


def render() -> None:
    """The trends page."""
    st.title("Xu hướng theo lĩnh vực cải cách")
    store = resources.store()
    if store.count_directives() == 0:
        widgets.empty_corpus_hint()
        return
    c1, c2 = st.columns(2)
    by = c1.radio("Thống kê theo", BY, format_func=BY_NAMES.__getitem__, horizontal=True, key="tr_by")
    period = c2.radio("Theo kỳ", PERIODS, format_func=PERIOD_NAMES.__getitem__, horizontal=True, key="tr_period")
    filters = widgets.filter_panel(store, "tr")
    rows = trend_counts(store, by=by, period=period, filters=filters)
    if not rows:
        st.info("Không có chỉ đạo nào khớp bộ lọc (theo lĩnh vực chỉ đếm các chỉ đạo đã được gắn nhãn).")
        return
    _time_section(store, time_frame(rows), by, period, filters)
    heat = heat_frame(store, filters)
    share = share_frame(heat)
    if heat.empty:
        st.info("Chưa có chỉ đạo nào được gắn lĩnh vực: chưa vẽ được bản đồ nhiệt và tỷ trọng.")
    else:
        _heat_section(store, heat, filters)
        _share_section(share)
    _recurring_section(store, filters)
    _downloads(store, rows, by, period, filters, heat, share)


if __name__ == "__main__":
    render()
