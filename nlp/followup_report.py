"""Per-unit completion report of the follow-up, in the officers' format, as rows and as an Excel file.

By lead unit: tổng số nhiệm vụ đến hạn (tasks with a deadline), đã hoàn thành đúng hạn, đã hoàn thành
quá hạn, chưa hoàn thành trong hạn, chưa hoàn thành quá hạn, the completion rates, and the tasks
without a deadline (counted apart: they are never "đến hạn").
"""
from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from nlp.followup import NO_UNIT, STATUS_NAMES, Task
from nlp.vnsort import vn_sort_key

REPORT_COLUMNS = (
    "STT", "Đơn vị chủ trì", "Tổng số nhiệm vụ đến hạn", "Đã hoàn thành đúng hạn", "Đã hoàn thành quá hạn",
    "Chưa hoàn thành trong hạn", "Chưa hoàn thành quá hạn", "Tỷ lệ hoàn thành (%)", "Tỷ lệ đúng hạn (%)",
    "Nhiệm vụ không có hạn",
)


@dataclass
class UnitRow:
    """Counts of one lead unit."""

    unit: str
    done_on_time: int = 0
    done_late: int = 0
    open: int = 0
    overdue: int = 0
    no_deadline: int = 0

    @property
    def due(self) -> int:
        return self.done_on_time + self.done_late + self.open + self.overdue

    @property
    def completion(self) -> float:
        """Share of the tasks with a deadline that are done, in percent (0 when none)."""
        return round(100 * (self.done_on_time + self.done_late) / self.due, 1) if self.due else 0.0

    @property
    def on_time(self) -> float:
        return round(100 * self.done_on_time / self.due, 1) if self.due else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "due": self.due, "completion": self.completion, "on_time": self.on_time}


def unit_rows(tasks: Iterable[Task]) -> list[UnitRow]:
    """One row per lead unit, in Vietnamese alphabetical order, then a "Tổng cộng" row."""
    rows: dict[str, UnitRow] = {}
    total = UnitRow("Tổng cộng")
    for t in tasks:
        row = rows.setdefault(t.unit or NO_UNIT, UnitRow(t.unit or NO_UNIT))
        for r in (row, total):
            setattr(r, t.status, getattr(r, t.status) + 1)
    ordered = sorted(rows.values(), key=lambda r: (r.unit == NO_UNIT, vn_sort_key(r.unit)))
    return [*ordered, total] if ordered else []


def _pct(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


def report_table(rows: list[UnitRow]) -> list[list[Any]]:
    """The report's rows as cells, in REPORT_COLUMNS order (rates with a decimal comma)."""
    out = []
    for i, r in enumerate(rows, 1):
        number = "" if r.unit == "Tổng cộng" else i
        out.append([number, r.unit, r.due, r.done_on_time, r.done_late, r.open, r.overdue,
                    _pct(r.completion), _pct(r.on_time), r.no_deadline])
    return out


def report_excel(tasks: list[Task], today: date, title: str = "") -> bytes:
    """The officers' report as an .xlsx workbook: the summary by unit, then every task with its status."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp theo đơn vị"
    heading = title or "BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO"
    sheet.append([heading])
    sheet.append([f"(Tính đến ngày {today.strftime('%d/%m/%Y')})"])
    sheet.append([])
    sheet.append(list(REPORT_COLUMNS))
    for row in report_table(unit_rows(tasks)):
        sheet.append(row)
    width = len(REPORT_COLUMNS)
    for line in (1, 2):
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
        sheet.cell(line, 1).alignment = Alignment(horizontal="center")
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    sheet.cell(2, 1).font = Font(italic=True)
    thin = Side(style="thin")
    for r in range(4, sheet.max_row + 1):
        for c in range(1, width + 1):
            cell = sheet.cell(r, c)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="left" if c == 2 else "center")
            if r == 4 or r == sheet.max_row:
                cell.font = Font(bold=True)
    for c, w in enumerate((6, 40, 14, 14, 14, 14, 14, 12, 12, 12), 1):
        sheet.column_dimensions[get_column_letter(c)].width = w
    detail = book.create_sheet("Danh sách nhiệm vụ")
    detail.append(["Mã", "Đơn vị chủ trì", "Đơn vị phối hợp", "Nội dung nhiệm vụ", "Hạn", "Trạng thái",
                   "Ngày hoàn thành", "Ghi chú", "Văn bản", "Số hiệu", "Ngày văn bản"])
    for t in tasks:
        detail.append([t.id, t.unit or NO_UNIT, "; ".join(t.partners), t.text, _vn_date(t.deadline),
                       STATUS_NAMES[t.status], _vn_date(t.done_date), t.note, t.title, t.doc_number, _vn_date(t.date)])
    for c, w in enumerate((8, 30, 30, 80, 12, 24, 14, 24, 40, 16, 12), 1):
        detail.column_dimensions[get_column_letter(c)].width = w
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _vn_date(iso: str) -> str:
    return "/".join(reversed(iso.split("-"))) if iso else ""
