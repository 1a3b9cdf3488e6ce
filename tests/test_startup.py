"""The build's processes load jsonschema without compiling the IRI grammars (entente.startup).

Each check runs in a fresh interpreter, as the build starts them: the execute step (and its spawned
workers, which import the same module), Jupyter Book through entente.jupyterbook, and the kernels'
entente.render. ``lark`` is what rfc3987_syntax compiles its grammars with: loaded means compiled.
"""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

REPORT = "import sys, atexit; atexit.register(lambda: print('lark' in sys.modules, 'jsonschema' in sys.modules))"


def _loaded(code: str, cwd=ROOT) -> str:
    done = subprocess.run([sys.executable, "-c", f"{REPORT}\n{code}"], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("module", ["entente.execute", "entente.render"])
def test_the_build_steps_load_jsonschema_without_the_grammars(module):
    assert _loaded(f"import {module}") == "False True"


def test_jupyter_book_checks_its_configuration_without_the_grammars(tmp_path):
    """`jupyter-book config sphinx` validates _config.yml against Jupyter Book's schema, as every build does."""
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    code = "sys.argv = ['jupyter-book', 'config', 'sphinx', '.']\nfrom entente.jupyterbook import main\nmain()"
    assert _loaded(code, cwd=tmp_path) == "False True"
    assert (tmp_path / "conf.py").is_file()


def test_the_grammars_still_import_when_asked_for():
    assert _loaded("import entente.startup as s; s.load_jsonschema(); import rfc3987_syntax") == "True True"


def test_the_makefile_builds_through_the_wrapper():
    assert "JB    := $(PY) -m entente.jupyterbook" in (ROOT / "Makefile").read_text(encoding="utf-8")
