# The two set-up commands are `make book` and `make test`; each installs what it needs first.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
JB    := $(VENV)/bin/jupyter-book
# Warnings are errors, references are checked, and every problem is reported before stopping.
JB_FLAGS := -W -n --keep-going
HTML  := _build/html
PDF   := _build/entente-report.pdf
# Byte-identical PDFs from the same commit: LaTeX takes its dates from here, not the clock.
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export FORCE_SOURCE_DATE := 1

.PHONY: help book pdf all test validate lab clean install system-browser system-pdf

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

book: install
	$(JB) build . $(JB_FLAGS)
	@echo "The web book is in $(HTML): open $(abspath $(HTML))/index.html"

system-browser:
	bash .ci/system-deps.sh browser

system-pdf:
	bash .ci/system-deps.sh pdf

pdf: install system-pdf
	$(JB) build . $(JB_FLAGS) --builder pdflatex
	cp _build/latex/book.pdf $(PDF)
	@echo "The PDF is $(abspath $(PDF))"

all: pdf book

test: install system-browser system-pdf all
	$(PY) -m pytest -ra

lab: install
	$(VENV)/bin/jupyter lab chapters/

clean:
	rm -rf _build
