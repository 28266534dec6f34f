"""The layering: ``harness`` (the project under test) imports neither ``kb`` nor ``bench``, and no
module of ``harness``, ``kb`` or ``bench`` imports itself round a cycle. Every import counts,
also one inside a function (a lazy import still ties the two modules together)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("harness", "kb", "bench")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str], root: Path = ROOT) -> set[str]:
    """The project modules ``path`` imports (``from pkg import sub`` names ``pkg.sub``)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            source = ".".join(filter(None, [base, node.module or ""]))
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return {m for m in found if m in modules}


def graph() -> dict[str, set[str]]:
    paths = [p for part in PARTS for p in (ROOT / part).rglob("*.py")]
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports(p, modules) - {module_name(p)} for p in paths}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One path round each cycle found by a depth-first search (empty: no cycle)."""
    found, state = [], {}  # state: 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return found


def test_the_harness_imports_neither_kb_nor_bench():
    upward = sorted(f"{module} imports {target}" for module, targets in graph().items()
                    if module.split(".")[0] == "harness"
                    for target in targets if target.split(".")[0] in ("kb", "bench"))
    assert upward == []


def test_no_module_imports_itself_round_a_cycle():
    assert [" -> ".join(cycle) for cycle in cycles(graph())] == []


def test_the_checks_see_lazy_imports_and_cycles(tmp_path):
    """The two checks can fail: a lazy import is an edge, two modules importing each other a cycle."""
    module = tmp_path / "harness" / "late.py"
    module.parent.mkdir()
    module.write_text("def f():\n    from kb.entries import scan\n    from . import early\n")
    edges = {"harness.late": imports(module, {"kb.entries", "harness.early"}, tmp_path)}
    assert edges == {"harness.late": {"kb.entries", "harness.early"}}
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b", "a"]]



#: issue 20: a module that grows past this does several jobs; split it by responsibility
MAX_LINES = 350


def test_no_module_in_harness_kb_or_bench_is_over_350_lines():
    long = sorted(f"{path.relative_to(ROOT)}: {n} lines"
                  for top in ("harness", "kb", "bench") for path in (ROOT / top).rglob("*.py")
                  if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES)
    assert long == []
