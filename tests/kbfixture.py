"""Knowledge bases built in temporary folders for the ``kb`` tests (not a test module).

``write_entry(root, ...)`` writes one complete, lint-clean entry (write-up, notebook, guard
test); its keyword arguments break one thing at a time.
"""

import json
from pathlib import Path

import nbformat
import yaml
from nbformat import v4

SECTIONS = ("Symptom", "Root cause", "Reproduce", "Fix", "Guard", "Versions")
#: the code cell every fixture notebook has; the default write-up links its claims to it
CLAIM_CELL = "claims"


def notebook(entry_id: str, *, parameters: bool = True, timeout=300, kernel="python3",
             claims: bool = True, cells: list | None = None) -> nbformat.NotebookNode:
    """A notebook with the standard skeleton; executing it needs no harness."""
    body = cells if cells is not None else [v4.new_code_cell("observed = ['boom']")]
    all_cells = [v4.new_markdown_cell(f"# {entry_id}: a symptom\n\n[write-up](../context/{entry_id}.md)"),
                 v4.new_code_cell("def check_claims(entry_id, observed):  # stands in for kb.notebook's\n"
                                  "    assert observed, entry_id", id=CLAIM_CELL)]
    all_cells.append(v4.new_code_cell('channel_layer = "memory"\ntimeout_s = 5.0',
                                      metadata={"tags": ["parameters"]} if parameters else {}))
    all_cells += body
    if claims:
        all_cells.append(v4.new_code_cell(f'check_claims("{entry_id}", observed=observed)'))
    metadata = {"kernelspec": {"name": kernel, "display_name": "Python 3", "language": "python"}}
    if timeout is not None:
        metadata["execution"] = {"timeout": timeout}
    return v4.new_notebook(cells=all_cells, metadata=metadata)


def write_entry(root: Path, entry_id: str = "echo-refused", *,
                title: str = "The echo consumer refuses every connection",
                signatures: tuple = (r"EchoRefused: connection \d+ refused",),
                quoted: tuple = ("EchoRefused: connection 7 refused",),
                symptoms: tuple = ("every connect() to the echo consumer is refused",),
                sections: tuple = SECTIONS, front: dict | None = None, body: str | None = None,
                nb: nbformat.NotebookNode | None | bool = True, guard: bool = True,
                corpus: bool = True) -> Path:
    """Write ``context/<id>.md`` (and by default its notebook, guard and corpus); returns the
    write-up. A signature given as a string becomes ``{name: sig-N, strength: strong, all: [it]}``;
    the corpus is one capture holding the ``quoted`` texts, plus one unrelated negative text."""
    mappings = [s if isinstance(s, dict) else {"name": f"sig-{i}", "strength": "strong", "all": [s]}
                for i, s in enumerate(signatures, 1)]
    meta = {"id": entry_id, "title": title, "symptoms": list(symptoms), "signatures": mappings,
            "notebook": f"notebooks/{entry_id}.ipynb", "versions": {"channels": "4.3.2"},
            "seeds": [], "tags": ["fixture"]}
    meta.update(front or {})
    meta = {k: v for k, v in meta.items() if v is not ...}
    if body is None:
        parts = [f"# {title}", ""]
        for name in sections:
            parts += [f"## {name}", ""]
            if name == "Symptom":
                parts += ["The test fails with:", "", "```", *quoted, "```", ""]
            else:
                parts += [f"Text of {name}.", ""]
            if name in ("Symptom", "Root cause", "Fix"):
                parts += [f"[shown](../notebooks/{entry_id}.ipynb#cell-id={CLAIM_CELL})", ""]
        body = "\n".join(parts)
    path = root / "context" / f"{entry_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n{body}", encoding="utf-8")
    if nb is not False and nb is not None:
        (root / "notebooks").mkdir(exist_ok=True)
        nbformat.write(notebook(entry_id) if nb is True else nb, root / "notebooks" / f"{entry_id}.ipynb")
    if guard:
        guard_path = root / "tests" / "guards" / f"test_{entry_id.replace('-', '_')}.py"
        guard_path.parent.mkdir(parents=True, exist_ok=True)
        guard_path.write_text("def test_it():\n    assert 1 + 1 == 2\n", encoding="utf-8")
    if corpus:
        for folder, text in ((entry_id, "\n".join(quoted)), ("_negative", "AssertionError: assert 1 == 2")):
            captured = root / "corpus" / folder / "captured" / "pins"
            captured.mkdir(parents=True, exist_ok=True)
            (captured / "quoted.auto.txt").write_text(text + "\n", encoding="utf-8")
    return path


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
