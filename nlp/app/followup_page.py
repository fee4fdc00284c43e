"""Page "Theo dõi thực hiện": who must do what by when; overdue and due-soon tasks, completion rates per
unit, marking a task done, and the officers' Excel report."""
from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from nlp.app import resources, widgets
from nlp.app.exports import XLSX
from nlp.followup import DUE_SOON_DAYS, NO_UNIT, STATUS_NAMES, Task, list_tasks
from nlp.followup_report import REPORT_COLUMNS, report_excel, report_table, unit_rows
from nlp.store import Store

STATUS_COLORS = {"overdue": "red", "open": "blue", "done_on_time": "green", "done_late": "orange",
                 "no_deadline": "gray"}


def status_badge(task: Task) -> str:
    return f":{STATUS_COLORS[task.status]}-badge[{STATUS_NAMES[task.status]}]"


def deadline_text(task: Task, today: date) -> str:
    """"15/03/2024 (quá hạn 36 ngày)", "10/05/2024 hằng tháng (còn 20 ngày)", "không có hạn"."""
    if not task.deadline:
        return "không có hạn"
    text = widgets.fmt_date(task.deadline) + (f" {task.recurring}" if task.recurring else "")
    left = task.days_left(today)
    if not task.done and left is not None:
        text += f" (quá hạn {-left} ngày)" if left < 0 else f" (còn {left} ngày)" if left else " (đến hạn hôm nay)"
    return text


def task_frame(tasks: list[Task], today: date) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Mã": t.id, "Hạn": deadline_text(t, today), "Trạng thái": STATUS_NAMES[t.status],
          "Đơn vị chủ trì": t.unit or NO_UNIT, "Nội dung": t.text,
          "Văn bản": " · ".join(x for x in (t.doc_number, widgets.fmt_date(t.date), t.locality) if x)}
         for t in tasks],
        columns=["Mã", "Hạn", "Trạng thái", "Đơn vị chủ trì", "Nội dung", "Văn bản"],
    )


def _table(tasks: list[Task], today: date, key: str, empty: str) -> None:
    """A list of tasks; clicking a row opens it below."""
    if not tasks:
        st.info(empty, icon=":material/task_alt:")
        return
    event = st.dataframe(task_frame(tasks, today), hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key=key,
                         column_config={"Mã": st.column_config.NumberColumn(width=60),
                                        "Nội dung": st.column_config.TextColumn(width=420)})
    rows = list(getattr(event, "selection", {}).get("rows", []))
    if rows and st.session_state.get(f"{key}_seen") != rows[0] and rows[0] < len(tasks):
        st.session_state["fu_task"] = tasks[rows[0]].id
    st.session_state[f"{key}_seen"] = rows[0] if rows else None


def _rates(tasks: list[Task], today: date) -> None:
    rows = unit_rows(tasks)
    if not rows:
        st.info("Chưa có nhiệm vụ nào.")
        return
    table = pd.DataFrame(report_table(rows), columns=list(REPORT_COLUMNS)).astype({"STT": str})
    st.dataframe(table, hide_index=True, width="stretch")
    ranked = pd.DataFrame([{"Đơn vị": r.unit, "Tỷ lệ hoàn thành (%)": r.completion, "Đến hạn": r.due}
                           for r in rows[:-1] if r.due])
    if not ranked.empty:
        chart = alt.Chart(ranked).mark_bar(color="#16a34a").encode(
            x=alt.X("Tỷ lệ hoàn thành (%):Q", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("Đơn vị:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320)),
            tooltip=["Đơn vị", "Tỷ lệ hoàn thành (%)", "Đến hạn"],
        ).properties(height=28 * len(ranked) + 40)
        st.altair_chart(chart, width="stretch")
    st.caption("Tổng số nhiệm vụ đến hạn: các nhiệm vụ có hạn; tỷ lệ hoàn thành = (đúng hạn + quá hạn) / đến hạn. "
               "Nhiệm vụ không có hạn được đếm riêng.")
    st.download_button("Tải báo cáo Excel", report_excel(tasks, today),
                       file_name=f"bao-cao-thuc-hien-nhiem-vu-{today.isoformat()}.xlsx", mime=XLSX,
                       icon=":material/download:", key="fu_xlsx", on_click="ignore")


def _mark(store: Store, task: Task, today: date) -> None:
    """Marking the task done (date, note, who) or taking a "done" back."""
    if task.done:
        done = f"Đã ghi nhận hoàn thành ngày {widgets.fmt_date(task.done_date)}"
        extra = " · ".join(x for x in (task.note, task.done_by) if x)
        st.success(done + (f" ({extra})" if extra else ""), icon=":material/task_alt:")
        if st.button("Bỏ đánh dấu hoàn thành", key=f"fu_undo_{task.id}", icon=":material/undo:"):
            store.mark_open(task.id)
            st.session_state["fu_flash"] = f"Đã bỏ đánh dấu hoàn thành nhiệm vụ #{task.id}."
            st.rerun()
        return
    with st.form(f"fu_form_{task.id}", border=True):
        st.markdown("**Đánh dấu hoàn thành**")
        c1, c2, c3 = st.columns([1, 2, 1])
        when = c1.text_input("Ngày hoàn thành", value=date.today().strftime("%d/%m/%Y"), key=f"fu_when_{task.id}",
                             placeholder="dd/mm/yyyy")
        note = c2.text_input("Ghi chú", key=f"fu_note_{task.id}", placeholder="ví dụ: số văn bản báo cáo kết quả")
        by = c3.text_input("Người ghi nhận", key=f"fu_by_{task.id}")
        if not st.form_submit_button("Ghi nhận hoàn thành", type="primary", icon=":material/check:"):
            return
    day = widgets.parse_day(when)
    if day is None:
        st.error(f"Ngày hoàn thành '{when}' không hợp lệ (nhập theo dạng ngày/tháng/năm, ví dụ 15/04/2024).")
        return
    try:
        store.mark_done(task.id, day.isoformat(), note, by)
    except KeyError:
        st.warning("Nhiệm vụ này không còn trong kho.")
        return
    st.session_state["fu_flash"] = f"Đã ghi nhận nhiệm vụ #{task.id} hoàn thành ngày {day.strftime('%d/%m/%Y')}."
    st.rerun()


def _panel(store: Store, tasks: list[Task], today: date) -> None:
    """The chosen task: its text, unit, partners, deadline, notice, and the marking form."""
    by_id = {t.id: t for t in tasks}
    if st.session_state.get("fu_task") not in by_id:
        st.session_state.pop("fu_task", None)
    chosen = st.selectbox("Nhiệm vụ đang xem", list(by_id), index=None, key="fu_task", placeholder="Chọn nhiệm vụ…",
                          format_func=lambda i: f"#{i} · {by_id[i].unit or NO_UNIT} · {by_id[i].text[:90]}")
    if chosen is None:
        st.caption("Bấm vào một dòng của danh sách, hoặc chọn nhiệm vụ ở đây, để xem và đánh dấu hoàn thành.")
        return
    task = by_id[chosen]
    with st.container(border=True):
        st.markdown(f"{status_badge(task)} **#{task.id}** · :material/event: Hạn {widgets.md_escape(deadline_text(task, today))}")
        st.markdown(widgets.md_escape(task.text))
        facts = widgets.facts_md(task.unit, [], partners=task.partners)
        if facts:
            st.markdown(facts)
        source = " · ".join(x for x in (f"Số {task.doc_number}" if task.doc_number else "", task.title,
                                        widgets.fmt_date(task.date), task.locality) if x)
        st.caption(f":material/description: {widgets.md_escape(source)}")
        if st.button("Xem toàn văn", key=f"fu_open_{task.id}", icon=":material/article:", type="tertiary"):
            widgets.notice_dialog(task.doc_id, task.id)
        _mark(store, task, today)


def render() -> None:
    """The follow-up page."""
    st.title("Theo dõi thực hiện chỉ đạo")
    if "fu_flash" in st.session_state:
        st.success(st.session_state.pop("fu_flash"), icon=":material/check_circle:")
    store = resources.store()
    if store.count_directives() == 0:
        widgets.empty_corpus_hint()
        return
    c1, _ = st.columns([1, 3])
    today = widgets.day_input("Tính trạng thái đến ngày", "fu_today", c1) or date.today()
    filters = widgets.filter_panel(store, "fu")
    tasks = list_tasks(store, filters, today)
    overdue = list_tasks(store, filters, today, "overdue")
    soon = list_tasks(store, filters, today, "due-soon")
    done = [t for t in tasks if t.done]
    due = [t for t in tasks if t.deadline]
    m = st.columns(5)
    m[0].metric("Nhiệm vụ", len(tasks))
    m[1].metric("Quá hạn, chưa hoàn thành", len(overdue))
    m[2].metric(f"Sắp đến hạn ({DUE_SOON_DAYS} ngày)", len(soon))
    m[3].metric("Đã hoàn thành", len(done))
    rate = sum(t.done for t in due) / len(due) * 100 if due else 0.0
    m[4].metric("Tỷ lệ hoàn thành", f"{rate:.1f}%".replace(".", ","))
    t1, t2, t3, t4 = st.tabs([f"Quá hạn ({len(overdue)})", f"Sắp đến hạn ({len(soon)})", f"Tất cả ({len(tasks)})",
                              "Theo đơn vị"])
    with t1:
        _table(overdue, today, "fu_t_overdue", "Không có nhiệm vụ nào quá hạn.")
    with t2:
        _table(soon, today, "fu_t_soon", f"Không có nhiệm vụ nào đến hạn trong {DUE_SOON_DAYS} ngày tới.")
    with t3:
        _table(tasks, today, "fu_t_all", "Không có nhiệm vụ nào khớp bộ lọc.")
    with t4:
        _rates(tasks, today)
    st.divider()
    _panel(store, tasks, today)


if __name__ == "__main__":
    render()
