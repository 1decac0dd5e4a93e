"""The architecture holds: import-linter's contracts (pyproject.toml, [tool.importlinter])
pass on the code as it is and fail when an upward import is added, and no two modules of
snapshotpdf import each other, directly or round a loop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
from support.helpers import ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on a copy of the package and its contracts in tree."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "snapshotpdf", tmp_path / "snapshotpdf", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_layer_contracts_are_kept(tmp_path: Path) -> None:
    run = lint_imports(copy_of_the_package(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 2 kept, 0 broken." in run.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    tree = copy_of_the_package(tmp_path)
    reader = tree / "snapshotpdf" / "survey" / "read.py"
    reader.write_text(reader.read_text() + "\nfrom snapshotpdf.batch import manifest  # upward\n")
    run = lint_imports(tree)
    assert run.returncode == 1
    assert "snapshotpdf.survey.read -> snapshotpdf.batch.manifest" in run.stdout


def test_weasyprint_outside_render_breaks_a_contract(tmp_path: Path) -> None:
    tree = copy_of_the_package(tmp_path)
    report = tree / "snapshotpdf" / "batch" / "report.py"
    report.write_text(report.read_text() + "\nimport weasyprint  # not in render/\n")
    run = lint_imports(tree)
    assert run.returncode == 1
    assert "snapshotpdf.batch.report -> weasyprint" in run.stdout


def test_no_module_imports_another_that_imports_it_back() -> None:
    graph = grimp.build_graph("snapshotpdf", exclude_type_checking_imports=True, cache_dir=None)
    modules = sorted(graph.modules)
    cycles = []
    for module in modules:
        for other in graph.find_modules_directly_imported_by(module):
            if other != module and graph.chain_exists(importer=other, imported=module):
                cycles.append((module, other))
    assert not cycles, cycles
