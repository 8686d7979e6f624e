"""The architecture rules really bite: `make lint` fails on a forbidden import, on a cycle hidden
in a function, on business code reaching into the UI, and on a type error.

Each case breaks a throwaway copy of the code (never the checkout) and runs the real tool on it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from ccms_app.core.config import PROJECT_ROOT
from tests.architecture.contracts import is_ui_module, strongly_connected_components

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def pristine_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The product code, pyproject.toml and the contract types, copied once per module."""
    root = tmp_path_factory.mktemp("architecture")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("ccms_app", "ocpp_server"):
        shutil.copytree(PROJECT_ROOT / package, root / package, ignore=ignore)
    shutil.copytree(PROJECT_ROOT / "tests" / "architecture", root / "tests" / "architecture")
    (root / "tests" / "__init__.py").write_text("")
    shutil.copy(PROJECT_ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.fixture
def code_copy(pristine_copy: Path, tmp_path: Path) -> Path:
    root = tmp_path / "code"
    shutil.copytree(pristine_copy, root)
    return root


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PATH": str(BIN), "PYTHONPATH": str(root)},
        timeout=240,
    )


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_the_copy_keeps_every_contract(pristine_copy: Path) -> None:
    done = _lint_imports(pristine_copy)

    assert done.returncode == 0, done.stdout + done.stderr


def test_ocpp_server_importing_ccms_app_breaks_the_build(code_copy: Path) -> None:
    _append(code_copy / "ocpp_server" / "framing.py", "\nimport ccms_app.core.db  # noqa\n")

    done = _lint_imports(code_copy)

    assert done.returncode != 0
    assert "ocpp_server is the OCPP protocol only" in done.stdout
    assert "ocpp_server.framing -> ccms_app.core.db" in done.stdout


def test_a_cycle_hidden_inside_a_function_breaks_the_build(code_copy: Path) -> None:
    # accounts.auth imports core.db: importing it back inside a function is still a cycle.
    _append(
        code_copy / "ccms_app" / "core" / "db.py",
        "\n\ndef _dodge() -> None:\n    from ccms_app.accounts import auth  # noqa\n",
    )

    done = _lint_imports(code_copy)

    assert done.returncode != 0
    assert "no import cycles between modules" in done.stdout
    assert "ccms_app.core.db" in done.stdout.split("no import cycles between modules")[-1]


def test_business_code_importing_the_ui_breaks_the_build(code_copy: Path) -> None:
    _append(
        code_copy / "ccms_app" / "network" / "stations.py",
        "\nfrom ccms_app.accounts.state import AuthState  # noqa\n",
    )

    done = _lint_imports(code_copy)

    assert done.returncode != 0
    assert "ccms_app.network.stations imports ccms_app.accounts.state" in done.stdout


def test_a_type_error_breaks_the_build(code_copy: Path) -> None:
    money = code_copy / "ccms_app" / "core" / "money.py"
    _append(money, '\n\nWRONG: int = "not a number"\n')

    done = subprocess.run(
        [str(BIN / "mypy"), "--cache-dir", str(code_copy / ".mypy_cache"), str(money)],
        cwd=code_copy,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert done.returncode != 0
    assert 'Incompatible types in assignment (expression has type "str"' in done.stdout


def test_make_lint_runs_the_contracts_and_the_type_checker() -> None:
    commands = subprocess.run(
        ["make", "--no-print-directory", "-n", "lint"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": str(BIN) + ":/usr/bin:/bin"},
    ).stdout

    assert "/.venv/bin/lint-imports" in commands
    assert "/.venv/bin/mypy" in commands


def test_cycles_are_found_however_long() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)

    assert strongly_connected_components(graph) == [["p.a", "p.b", "p.c"]]


@pytest.mark.parametrize(
    ("module", "ui"),
    [
        ("ccms_app.ui.data_list", True),
        ("ccms_app.network.state.forms", True),
        ("ccms_app.accounts.state", True),
        ("ccms_app.drivers.local_lists.components.pickers", True),
        ("ccms_app.network.stations", False),
        ("ccms_app.drivers.rules.authorization", False),
        ("ccms_app.core.listing", False),
    ],
)
def test_ui_modules_are_told_apart_by_their_package(module: str, ui: bool) -> None:
    assert is_ui_module(module) is ui
