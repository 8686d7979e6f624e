"""Import-linter contract types of our own, for the rules the built-in contracts cannot say.

- `acyclic_modules`: no import cycle between any two modules of the root packages, counting
  imports inside functions (an import moved into a function to dodge a cycle is still a cycle).
- `ui_stays_on_top`: a module's business code (models, rules, use cases) imports no Reflex
  and no UI module (`state`, `pages`, `components`, `ui`): the UI calls the business code,
  never the other way round, so use cases run the same from the API, the CLI and the scheduler.
"""

from __future__ import annotations

import grimp
from importlinter import Contract, ContractCheck, fields, output

UI_SEGMENTS = frozenset({"state", "pages", "components"})


def strongly_connected_components(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm over the module graph; components of one module are left out."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    modules = sorted(graph.modules)
    for root in modules:
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = []
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work.append((root, sorted(graph.find_modules_directly_imported_by(root))))
        while work:
            node, children = work[-1]
            if children:
                child = children.pop()
                if child not in graph.modules:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(graph.find_modules_directly_imported_by(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _cycle_example(graph: grimp.ImportGraph, component: list[str]) -> list[str]:
    """One concrete cycle through the component's first module, for the error message."""
    members = set(component)
    start = component[0]
    for first in sorted(graph.find_modules_directly_imported_by(start) & members):
        chain = graph.find_shortest_chain(importer=first, imported=start)
        if chain:
            return [start, *chain]
    return component


class AcyclicModulesContract(Contract):
    """No module imports itself back through any chain of imports."""

    type_name = "acyclic_modules"
    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        roots = tuple(self.packages)  # type: ignore[arg-type]
        cycles = [
            _cycle_example(graph, component)
            for component in strongly_connected_components(graph)
            if all(module.startswith(roots) for module in component)
        ]
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(" -> ".join(cycle))
            output.new_line()


def is_ui_module(module: str) -> bool:
    parts = module.split(".")
    return parts[:2] == ["ccms_app", "ui"] or bool(UI_SEGMENTS.intersection(parts[1:]))


class UiStaysOnTopContract(Contract):
    """Business modules import neither Reflex nor any UI module."""

    type_name = "ui_stays_on_top"
    package = fields.StringField()
    ui_frameworks = fields.ListField(subfield=fields.StringField())
    composition_roots = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        package = str(self.package)
        roots = set(self.composition_roots)  # type: ignore[arg-type]
        frameworks = tuple(self.ui_frameworks)  # type: ignore[arg-type]
        broken: list[tuple[str, str]] = []
        for module in sorted(graph.find_descendants(package) | {package}):
            if module in roots or is_ui_module(module):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(module)):
                top = imported.split(".")[0]
                if top in frameworks or (
                    imported.startswith(package + ".") and is_ui_module(imported)
                ):
                    broken.append((module, imported))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported in check.metadata["broken"]:
            output.print_error(f"{importer} imports {imported}")
            output.new_line()
