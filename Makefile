# cchc: two commands on a fresh machine.
#   make run   - create .venv, install, build ./data from corpus/notices (only when it is new), open the app
#   make test  - install the dev extras and Chromium, run the whole test suite
# Both install the Debian packages the readers need (readers-deps): Tesseract with Vietnamese for
# OCR, antiword for Word 97-2003 .doc, DejaVu fonts (Vietnamese glyphs) for the OCR test scans.
VENV   := .venv
BIN    := $(VENV)/bin
PYTHON ?= python3
# torch is pinned to the local CPU build: an unpinned torch pulls several GB of CUDA packages.
TORCH  := torch==2.13.0
PORT   ?= 8501

DATA   := $(or $(CCHC_DATA_DIR),data)

.PHONY: install dev run seed ingest app test test-fast chromium readers-deps bench train clean

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

install: $(VENV)/.installed readers-deps
dev: $(VENV)/.dev readers-deps

readers-deps:
	@{ command -v tesseract && tesseract --list-langs 2>/dev/null | grep -qx vie && command -v antiword \
	   && test -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf; } >/dev/null 2>&1 || \
	 { apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-vie antiword fonts-dejavu-core >/dev/null; }

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
	$(BIN)/python training/train_directive_model.py
	$(BIN)/cchc train --out models/tagger

bench: dev
	$(BIN)/python bench/bench_tagger.py
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_ocr.py
	$(BIN)/python bench/bench_html_depth.py

clean:
	rm -rf $(VENV) data .pytest_cache
