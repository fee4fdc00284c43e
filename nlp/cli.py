"""The `cchc` command line."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

app = typer.Typer(
    help="cchc: phân tích, gắn nhãn, tìm kiếm văn bản cải cách hành chính (CCHC).",
    no_args_is_help=True,
    add_completion=False,
)


def _echo_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, indent=2))


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"Lỗi: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def parse(
    file: Path = typer.Argument(..., help="Tệp văn bản (.txt, .md, .docx, .pdf, .html)."),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
) -> None:
    """Phân tích một văn bản thành siêu dữ liệu và danh sách chỉ đạo (không lưu)."""
    from nlp.parser import parse_notice
    from nlp.readers import ReadError, read_document

    try:
        notice = parse_notice(read_document(file))
    except ReadError as exc:
        _fail(str(exc))
    if as_json:
        _echo_json(notice.to_dict())
        return
    for key, value in notice.metadata().items():
        typer.echo(f"{key:24} {value}")
    for d in notice.directives:
        typer.echo(f"\n[{d.path}] {d.text}")
        if d.unit or d.deadlines or d.targets:
            typer.echo(f"    đơn vị: {d.unit}  hạn: {', '.join(d.deadlines)}  chỉ tiêu: {', '.join(d.targets)}")


# --- store & search commands (ingest, search, similar, trends, delete, reindex) ---
# --- end store & search commands ---


def main() -> None:  # pragma: no cover - console entry for `python -m nlp.cli`
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
