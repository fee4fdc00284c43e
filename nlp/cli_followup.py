"""The follow-up commands of `cchc`: `tasks` (who must do what by when, status, report) and `done`."""
from __future__ import annotations

from pathlib import Path

import typer

from nlp.cli import _DATA_DIR_OPT, _echo_json, _fail, _store_errors, app

def _day(value: str | None, what: str) -> str:
    """A YYYY-MM-DD option checked, or a Vietnamese error and exit."""
    from datetime import date

    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        _fail(f"{what} không hợp lệ: '{value}' (định dạng YYYY-MM-DD).")
    return ""


@app.command()
@_store_errors
def tasks(
    status: str | None = typer.Option(None, "--status", help="overdue (quá hạn) | due-soon (sắp đến hạn) | open (chưa xong) | done (đã xong)."),
    unit: list[str] | None = typer.Option(None, "--unit", help="Đơn vị chủ trì, có dấu hay không dấu (lặp lại được)."),
    due_from: str | None = typer.Option(None, "--from", help="Hạn từ ngày YYYY-MM-DD."),
    due_to: str | None = typer.Option(None, "--to", help="Hạn đến ngày YYYY-MM-DD."),
    on: str | None = typer.Option(None, "--on", help="Tính trạng thái đến ngày YYYY-MM-DD (mặc định hôm nay)."),
    report: bool = typer.Option(False, "--report", help="In bảng tổng hợp theo đơn vị thay cho danh sách."),
    excel: Path | None = typer.Option(None, "--excel", help="Ghi báo cáo Excel (tổng hợp theo đơn vị và danh sách) vào tệp này."),
    as_json: bool = typer.Option(False, "--json", help="In dạng JSON."),
    data_dir: Path | None = _DATA_DIR_OPT,
) -> None:
    """Theo dõi thực hiện: các chỉ đạo (nhiệm vụ) với đơn vị chủ trì, hạn và trạng thái."""
    from datetime import date

    from nlp.config import data_dir as resolve_data_dir
    from nlp.followup import list_tasks
    from nlp.followup_report import report_excel, report_table, unit_rows
    from nlp.store import Filters, Store

    today = date.fromisoformat(_day(on, "Ngày tính trạng thái") or date.today().isoformat())
    with Store.open(resolve_data_dir(data_dir)) as store:
        found = list_tasks(store, Filters(units=list(unit or [])), today, status,
                           _day(due_from, "Ngày bắt đầu"), _day(due_to, "Ngày kết thúc"))
    if excel:
        excel.write_bytes(report_excel(found, today))
        typer.echo(f"Đã ghi báo cáo {len(found)} nhiệm vụ vào {excel}.", err=as_json)
    if report:
        rows = unit_rows(found)
        if as_json:
            _echo_json([r.to_dict() for r in rows])
            return
        _print_report(report_table(rows), today)
        return
    if as_json:
        _echo_json([t.to_dict() for t in found])
        return
    if excel:
        return
    _print_tasks(found, today)


_SHORT_COLUMNS = ("STT", "Đơn vị chủ trì", "Đến hạn", "Xong đúng hạn", "Xong quá hạn", "Chưa xong, trong hạn",
                  "Chưa xong, quá hạn", "% xong", "% đúng hạn", "Không có hạn")


def _print_report(cells: list[list], today) -> None:  # noqa: ANN001 - date
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Kết quả thực hiện nhiệm vụ theo đơn vị (tính đến {today.strftime('%d/%m/%Y')})",
                  caption="Đến hạn: nhiệm vụ có hạn; xong = đã hoàn thành; % xong tính trên số nhiệm vụ đến hạn.")
    for name in _SHORT_COLUMNS:
        table.add_column(name, justify="left" if name == "Đơn vị chủ trì" else "right",
                         min_width=30 if name == "Đơn vị chủ trì" else None)
    for row in cells:
        table.add_row(*[str(c) for c in row])
    console = Console()
    if not console.is_terminal:
        console.width = max(console.width, 150)
    console.print(table if cells else "Chưa có nhiệm vụ nào.")


def _print_tasks(found: list, today) -> None:  # noqa: ANN001 - list[Task], date
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    if not found:
        console.print("Không có nhiệm vụ nào khớp điều kiện.")
        return
    colours = {"overdue": "red", "done_late": "yellow", "open": "cyan", "done_on_time": "green", "no_deadline": "dim"}
    for t in found:
        deadline = "/".join(reversed(t.deadline.split("-"))) if t.deadline else "không có hạn"
        if t.recurring:
            deadline += f" ({t.recurring})"
        left = t.days_left(today)
        late = f", quá hạn {-left} ngày" if t.status == "overdue" and left is not None else ""
        console.print(f"[bold]#{t.id}[/] [{colours[t.status]}]{escape(t.status_name)}{late}[/]  hạn {escape(deadline)}  "
                      f"[green]{escape(t.unit or 'chưa rõ đơn vị')}[/]")
        console.print(f"    {escape(t.text[:200])}")
        where = " · ".join(x for x in (t.doc_number, t.title[:70], t.locality) if x)
        done = f" · xong ngày {'/'.join(reversed(t.done_date.split('-')))}" if t.done_date else ""
        console.print(f"    [dim]{escape(where + done)}[/]")
    console.print(f"\n{len(found)} nhiệm vụ.")


@app.command()
@_store_errors
def done(
    directive_id: int = typer.Argument(..., help="Mã nhiệm vụ (mã chỉ đạo, cột # của `cchc tasks`)."),
    on: str | None = typer.Option(None, "--date", help="Ngày hoàn thành YYYY-MM-DD (mặc định hôm nay)."),
    note: str = typer.Option("", "--note", help="Ghi chú (ví dụ số văn bản báo cáo kết quả)."),
    by: str = typer.Option("", "--by", help="Người ghi nhận."),
    undo: bool = typer.Option(False, "--undo", help="Bỏ đánh dấu hoàn thành."),
    data_dir: Path | None = _DATA_DIR_OPT,
) -> None:
    """Đánh dấu một nhiệm vụ đã hoàn thành (hoặc bỏ đánh dấu với --undo)."""
    from datetime import date

    from nlp.config import data_dir as resolve_data_dir
    from nlp.store import Store

    when = _day(on, "Ngày hoàn thành") or date.today().isoformat()
    with Store.open(resolve_data_dir(data_dir)) as store:
        try:
            if undo:
                was = store.mark_open(directive_id)
                typer.echo(f"Đã bỏ đánh dấu hoàn thành nhiệm vụ #{directive_id}." if was
                           else f"Nhiệm vụ #{directive_id} chưa được đánh dấu hoàn thành.")
                return
            store.mark_done(directive_id, when, note, by)
        except KeyError:
            _fail(f"không có nhiệm vụ #{directive_id} trong kho (xem mã bằng `cchc tasks`).")
    typer.echo(f"Đã ghi nhận nhiệm vụ #{directive_id} hoàn thành ngày {'/'.join(reversed(when.split('-')))}.")
