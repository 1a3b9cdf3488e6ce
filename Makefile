# The two set-up commands are `make book` and `make test`; each installs what it needs first.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
# Jupyter Book's command line, started without grammars it never uses (entente/jupyterbook.py).
JB    := $(PY) -m entente.jupyterbook
# Warnings are errors, references are checked, and every problem is reported before stopping.
JB_FLAGS := -W -n --keep-going
HTML  := _build/html
PDF   := _build/entente-report.pdf
# Byte-identical PDFs from the same commit: LaTeX takes its dates from here, not the clock.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export FORCE_SOURCE_DATE := 1

.PHONY: help book pdf all test validate lab clean install assets system-browser system-pdf

help:
	@echo "make book      build the web book into $(HTML) (creates $(VENV) when missing)"
	@echo "make test      install everything the suite needs, build both formats, run all tests"
	@echo "make pdf       build the PDF into $(PDF)"
	@echo "make all       the PDF, then the web book with the PDF offered for download"
	@echo "make validate  check the data in data/ against datapackage.json"
	@echo "make lab       open the chapters as notebooks in JupyterLab"
	@echo "make clean     remove $(VENV)'s build outputs and the execution cache"

# The virtual environment, rebuilt when the requirements or the package metadata change.
$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip check
	@touch $@

install: $(VENV)/.installed

validate: install
	$(PY) -m entente validate

# What needs no Sphinx (the vega bundle, the bibliography) is made first, by a step of its own; run again
# only when what it reads changed (it starts Altair: seconds). The Sphinx extension checks the result.
ASSETS_MADE := _build/generated/.made
$(ASSETS_MADE): $(VENV)/.installed datapackage.json $(wildcard data/*) $(wildcard entente/*.py)
	$(PY) -m entente.assets
	@touch $@

assets: $(ASSETS_MADE)

# Chapters that must run (new, edited, or stale by entente.freshness) run in parallel, one worker per core,
# into the execution cache myst-nb reads; Jupyter Book alone would run them one after another.
EXECUTE := $(PY) -m entente.execute

# A failed build is moved to $(HTML)-failed (its reports in it): never a half-built book in $(HTML).
# The incremental state (_build/.doctrees, _build/.jupyter_cache) stays, so the next build is fast.
# A build that changes nothing is skipped: the book is made from every file of the project outside the
# build's own folders (so any edit anywhere rebuilds, and Sphinx and the execution cache then redo only
# what the edit touched), the PDF it offers for download, the generated assets and the environment.
# A book moved aside as failed, or deleted, is always built again (FORCE). Names make cannot list (with a
# space, colon, hash, dollar or percent sign) are left out; the book's own files have none.
BOOK_INPUTS = $(shell find . \( -name .git -o -name .venv -o -name _build -o -name node_modules \
  -o -name .pytest_cache -o -name __pycache__ -o -name .ipynb_checkpoints \) -prune \
  -o -type f ! -name '*[ :#$$%]*' -print)
BOOK_MADE := _build/.book-made
$(BOOK_MADE): $(VENV)/.installed $(ASSETS_MADE) $(BOOK_INPUTS) $(wildcard $(PDF)) \
  $(if $(wildcard $(HTML)/index.html),,FORCE)
	rm -rf $(HTML)-failed
	$(EXECUTE)
	$(JB) build . $(JB_FLAGS) || { mv $(HTML) $(HTML)-failed 2>/dev/null; rm -f $@; \
	  echo "The web book failed to build; what was written is in $(HTML)-failed" >&2; exit 1; }
	@touch $@

.PHONY: FORCE
FORCE:

book: install assets $(BOOK_MADE)
	@echo "The web book is in $(HTML): open $(abspath $(HTML))/index.html"

system-browser:
	bash .ci/system-deps.sh browser

system-pdf:
	bash .ci/system-deps.sh pdf

# Jupyter Book's LaTeX builder, run with xelatex (latex_engine in _config.yml), then copied to a stable name.
# The PDF of an earlier build goes first: a failed build leaves none.
pdf: install assets system-pdf
	rm -f _build/latex/book.pdf $(PDF)
	$(EXECUTE)
	$(JB) build . $(JB_FLAGS) --builder pdflatex || { rm -f _build/latex/book.pdf; \
	  echo "The PDF failed to build: no PDF was kept (the LaTeX log is _build/latex/book.log)" >&2; exit 1; }
	cp _build/latex/book.pdf $(PDF)
	@echo "The PDF is $(abspath $(PDF))"

# In this order, even under make -j: the web book offers the PDF only if it exists when the book is built.
all: pdf
	$(MAKE) --no-print-directory book

test: install system-browser system-pdf all
	$(PY) -m pytest -ra

# JupyterLab on this machine only, with the project's defaults (chapters open as notebooks); as root it
# needs --allow-root, as in a container.
lab: install
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --LabApp.app_settings_dir=$(abspath jupyterlab-settings) \
	  $(if $(filter 0,$(shell id -u)),--allow-root) chapters/

clean:
	rm -rf _build

# Benchmarks, not tests: builds, chapters, data and pages measured on a temporary copy, printed as one
# table (benchmarks/README.md). BENCH_ARGS="--quick" runs everything once; "--project PATH" measures
# another checkout with its own .venv.
.PHONY: bench
bench: install system-browser system-pdf
	$(PY) benchmarks/run.py $(BENCH_ARGS)
