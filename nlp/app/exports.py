"""Downloads of the app: tables as CSV (UTF-8 with BOM, for Excel) and .xlsx, search hits as a table."""
from __future__ import annotations

import io
from collections.abc import Iterable

import pandas as pd

from nlp.app import widgets
from nlp.records import Hit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
    return buf.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV that Excel opens with its Vietnamese letters intact."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def hits_frame(hits: Iterable[Hit]) -> pd.DataFrame:
    """Search hits as a table an officer can file: the directive, who, by when, and its notice."""
    return pd.DataFrame(
        [{
            "STT": rank, "Nội dung": h.text, "Loại": "Đoạn văn bản" if h.kind == "passage" else "Chỉ đạo",
            "Đơn vị chủ trì": h.unit, "Đơn vị phối hợp": "; ".join(h.partners), "Hạn": widgets.fmt_date(h.deadline),
            "Lĩnh vực": ", ".join(widgets.area_short(a) for a in h.labels), "Số hiệu": h.doc_number,
            "Văn bản": h.title, "Ngày văn bản": widgets.fmt_date(h.date), "Địa phương": h.locality,
            "Cấp": widgets.level_name(h.level) if h.level else "", "Mã chỉ đạo": h.directive_id,
        } for rank, h in enumerate(hits, 1)],
        columns=["STT", "Nội dung", "Loại", "Đơn vị chủ trì", "Đơn vị phối hợp", "Hạn", "Lĩnh vực", "Số hiệu",
                 "Văn bản", "Ngày văn bản", "Địa phương", "Cấp", "Mã chỉ đạo"],
    )
