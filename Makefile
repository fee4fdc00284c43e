# cchc: two commands on a fresh machine.
#   make run   - create .venv, install, build ./data from corpus/notices (only when it is new), open the app
#   make test  - install the dev extras and Chromium, run the whole test suite
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
# torch is pinned to the local CPU build: an unpinned torch pulls several GB of CUDA packages.
TORCH  := torch==2.13.0
PORT   ?= 8501

DATA   := $(or $(CCHC_DATA_DIR),data)

.PHONY: install dev run seed ingest app test test-fast chromium bench train clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.installed
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e '.[dev]' $(TORCH)
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev

ingest: install
	$(BIN)/cchc ingest corpus/notices

# The bundled notices go into a new data directory only: a notice deleted in the app stays deleted.
seed: install
	@if [ -e "$(DATA)/cchc.sqlite" ]; then \
		echo "Kho $(DATA) đã có: không nạp lại văn bản mẫu (make ingest để nạp lại)."; \
	else $(BIN)/cchc ingest corpus/notices --data-dir "$(DATA)"; fi

app: install
	$(BIN)/streamlit run app_streamlit.py --server.address 127.0.0.1 --server.port $(PORT) --server.headless true

run: seed app

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: dev chromium
	$(BIN)/pytest -q

test-fast: dev
	$(BIN)/pytest -q -m "not slow"

train: install
	$(BIN)/cchc train

bench: dev
	$(BIN)/python bench/bench_tagger.py
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_search.py

clean:
	rm -rf $(VENV) data .pytest_cache
