"""Follow-up of directives: each directive of a notice is a task with a lead unit, a deadline and a status.

Status against a reference day ("today"), in the Government Office's task-tracking vocabulary:
đã hoàn thành đúng hạn / đã hoàn thành quá hạn / chưa hoàn thành trong hạn / chưa hoàn thành quá hạn,
plus "không có hạn" for a directive without a deadline.

The deadline of a task is its recurring deadline when it has one, due in the period holding the
reference day ("trước ngày 15 hằng tháng": the 15th of this month; a "done" counts for the period it
was recorded in), else the latest of its one-off and relative deadlines. A deadline of month, quarter
or year precision is due on the last day of that period; "trong vòng 15 ngày làm việc" counts from the
notice's date, skipping weekends.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from nlp.store import Filters, Store

STATUS_NAMES = {
    "done_on_time": "Đã hoàn thành đúng hạn",
    "done_late": "Đã hoàn thành quá hạn",
    "open": "Chưa hoàn thành trong hạn",
    "overdue": "Chưa hoàn thành quá hạn",
    "no_deadline": "Không có hạn",
}
EVERY_NAMES = {"week": "hằng tuần", "month": "hằng tháng", "quarter": "hằng quý", "half_year": "6 tháng một lần",
               "year": "hằng năm"}
DUE_SOON_DAYS = 14  # an open task due within this many days is "sắp đến hạn"
SELECTIONS = ("overdue", "due-soon", "open", "done")  # what `cchc tasks --status` picks
NO_UNIT = "Chưa rõ đơn vị"


@dataclass
class Task:
    """A directive followed up: who (lead unit), what (text), by when (deadline), and its status."""

    id: int
    doc_id: str
    text: str
    unit: str
    deadline: str  # ISO day the task is due by ("" when it has no deadline)
    status: str  # a key of STATUS_NAMES
    done: bool
    done_date: str = ""
    note: str = ""
    done_by: str = ""
    recurring: str = ""  # "hằng tháng" … when the deadline recurs
    deadline_text: str = ""  # the deadline as written
    partners: list[str] = field(default_factory=list)
    path: str = ""
    doc_number: str = ""
    title: str = ""
    date: str = ""  # the notice's date
    locality: str = ""

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    def days_left(self, today: date) -> int | None:
        """Days from `today` to the deadline (negative when past), None without a deadline."""
        return (date.fromisoformat(self.deadline) - today).days if self.deadline else None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["status_name"] = self.status_name
        return out


# --- deadlines ----------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _day_in(year: int, month: int, day: int) -> date:
    """Day `day` of a month (clamped to its length); 0 is its last day."""
    end = _month_end(year, month)
    return end if not day else date(year, month, min(day, end.day))


def period_end(iso: str, precision: str) -> date | None:
    """Last day covered by a one-off deadline ("2023-09" -> 2023-09-30, "2023-Q4" -> 2023-12-31)."""
    try:
        if precision == "day":
            return date.fromisoformat(iso)
        if precision == "month":
            return _month_end(int(iso[:4]), int(iso[5:7]))
        if precision == "quarter":
            return _month_end(int(iso[:4]), 3 * int(iso[6:]))
        if precision == "year":
            return date(int(iso[:4]), 12, 31)
    except (ValueError, IndexError):
        return None
    return None


def recurring_due(every: str, day: int, month: int, today: date) -> tuple[date, date]:
    """(first day of the period holding `today`, the day the task is due in it)."""
    y, m = today.year, today.month
    if every == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if every == "month":
        return date(y, m, 1), _day_in(y, m, day)
    if every in ("quarter", "half_year"):
        months = 3 if every == "quarter" else 6
        first = (m - 1) // months * months + 1
        return date(y, first, 1), _day_in(y, first + months - 1, day)
    return date(y, 1, 1), _day_in(y, month or 12, day)


def _relative_due(days: int, working: bool, issued: str) -> date | None:
    start = period_end(issued[:10], "day") if len(issued) >= 10 else None
    if start is None and len(issued) >= 7:
        start = date(int(issued[:4]), int(issued[5:7]), 1)
    if start is None:
        return None
    if working:
        return date.fromisoformat(str(np.busday_offset(start.isoformat(), days, roll="forward")))
    return start + timedelta(days=days)


def task_deadline(due: Iterable[Mapping[str, Any]], issued: str, today: date) -> tuple[date | None, date | None, str, str]:
    """(due day, first day of the current period for a recurring deadline, recurrence name, as written)."""
    due = list(due)
    for d in due:
        if d.get("every"):
            start, day = recurring_due(d["every"], int(d.get("day") or 0), int(d.get("month") or 0), today)
            return day, start, EVERY_NAMES.get(d["every"], d["every"]), d.get("text", "")
    best: tuple[date, str] | None = None
    for d in due:
        day = (_relative_due(int(d["days"]), bool(d.get("working")), issued) if d.get("days")
               else period_end(d.get("date", ""), d.get("precision", "")))
        if day and (best is None or day > best[0]):
            best = (day, d.get("text", ""))
    return (best[0], None, "", best[1]) if best else (None, None, "", "")


def _legacy_due(deadlines: Iterable[str]) -> list[dict[str, Any]]:
    """Structured deadlines of rows stored with ISO deadlines only."""
    precision = {10: "day", 7: "month", 4: "year"}
    return [{"date": d, "precision": precision.get(len(d), ""), "text": d} for d in deadlines if d]


# --- status ---------------------------------------------------------------------------------------


def status_of(deadline: date | None, done_date: str, today: date) -> str:
    """The status key of a task due on `deadline`, done on `done_date` ("" when not done)."""
    if deadline is None:
        return "no_deadline"
    if done_date:
        return "done_on_time" if date.fromisoformat(done_date) <= deadline else "done_late"
    return "open" if today <= deadline else "overdue"


def make_task(row: Mapping[str, Any], today: date) -> Task:
    """A task from a row of `Store.task_rows`, its status computed against `today`."""
    due = row.get("due") or _legacy_due(row.get("deadlines") or [])
    deadline, period_start, recurring, written = task_deadline(due, row.get("date") or "", today)
    done_date = row.get("done_date") or ""
    if done_date and period_start and date.fromisoformat(done_date) < period_start:
        done_date = ""  # a recurring task done in an earlier period is due again
    return Task(
        id=int(row["id"]), doc_id=row["doc_id"], text=row["text"], unit=row.get("unit") or "",
        deadline=deadline.isoformat() if deadline else "", status=status_of(deadline, done_date, today),
        done=bool(done_date), done_date=done_date, note=(row.get("note") or "") if done_date else "",
        done_by=(row.get("done_by") or "") if done_date else "", recurring=recurring, deadline_text=written,
        partners=list(row.get("partners") or []), path=row.get("path") or "", doc_number=row.get("doc_number") or "",
        title=row.get("title") or "", date=row.get("date") or "", locality=row.get("locality") or "",
    )


def list_tasks(
    store: Store, filters: Filters | None = None, today: date | None = None, select: str | None = None,
    due_from: str = "", due_to: str = "",
) -> list[Task]:
    """Tasks of the stored directives passing the filters (notice filters and `Filters.units`).

    `select`: "overdue", "due-soon" (open, due within DUE_SOON_DAYS), "open" (not done) or "done";
    `due_from`/`due_to` (YYYY-MM-DD) keep the tasks whose deadline falls in that range.
    """
    if select is not None and select not in SELECTIONS:
        raise ValueError(f"Trạng thái không hợp lệ: '{select}' (chọn overdue, due-soon, open hoặc done).")
    for value in (due_from, due_to):
        if value and period_end(value, "day") is None:
            raise ValueError(f"Ngày không hợp lệ: '{value}' (định dạng YYYY-MM-DD).")
    today = today or date.today()
    tasks = [make_task(r, today) for r in store.task_rows(filters)]
    if due_from or due_to:
        tasks = [t for t in tasks if t.deadline and (not due_from or t.deadline >= due_from)
                 and (not due_to or t.deadline <= due_to)]
    if select == "overdue":
        return sorted((t for t in tasks if t.status == "overdue"), key=lambda t: t.deadline)
    if select == "due-soon":
        soon = (today + timedelta(days=DUE_SOON_DAYS)).isoformat()
        return sorted((t for t in tasks if t.status == "open" and t.deadline <= soon), key=lambda t: t.deadline)
    if select == "open":
        return [t for t in tasks if not t.done]
    if select == "done":
        return [t for t in tasks if t.done]
    return tasks
