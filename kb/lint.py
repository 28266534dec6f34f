"""Check every entry: pairs, front matter, sections, signatures, notebooks.

- every write-up `context/<id>.md` has its notebook and every notebook its write-up, and the
  entry's guard test `tests/guards/test_<id with underscores>.py` exists;
- the front matter has every key with the right type, `id` is the file's name and
  `notebook` is `notebooks/<id>.ipynb`;
- the sections Symptom, Root cause, Reproduce, Fix, Guard, Versions are present, in order;
- every signature is a mapping (name, strength, all/any/not) whose patterns compile in Python
  and in the browser, and matches none of a few bare unrelated failures;
- the corpus (CONTRIBUTING.md): every captured and reported text of `corpus/<id>/` triages to
  `<id>` first, every signature matches one of them, every pytest form of every scenario is
  captured; no text of `corpus/_negative/` triages to any entry;
- `kb doctor` on the corpus (kb.lint_doctor): each scenario is flagged by its entry's rule or
  `corpus/<id>/doctor.txt` says why not; fixed variants and the negative scenarios are not;
- notebooks are committed without outputs or execution counts, have a cell tagged
  `parameters` setting `channel_layer` and `timeout_s`, `metadata.execution.timeout`
  and the python3 kernel, and end with `nb.check_claims("<id>", ...)`;
- no `TODO(kb new)` placeholder of a scaffold is left (so an unfinished entry cannot pass);
- for the entries `versions/results.json` lists, `## Versions` holds the table that
  `kb matrix --write-tables` generates from it (not missing, not stale).

Layers (`kb.roots`): it checks the project's own entries (every writable layer; in this
repository, the repository's), or the shipped ones where there are none, or every `--root`;
their corpus must triage to them among the entries of every layer. A project's own root needs
no negative corpus (`corpus/_negative/` is checked where it exists).

Exit status: 0 all good, 1 one line per problem, 2 when the folder is not a knowledge base or
the layers cannot be read (`[tool.kb]` malformed, an id defined in two layers).
"""

# This module: the verb and the write-up's own checks. The corpus checks are in kb.lint_corpus,
# the notebook checks (and the write-up's links into notebook cells) in kb.lint_notebook.

import re
import sys
from pathlib import Path

from . import REPO, roots, versions
from .corpus import NEGATIVE
from .entries import (
    REQUIRED_KEYS,
    SECTIONS,
    Entry,
    EntryError,
    parse,
    scan,
    strict_front_matter,
    writeup_paths,
)
from .lint_corpus import corpus, negative
from .lint_doctor import entry_proof, negative_proof
from .lint_notebook import cell_links, lint_notebook, placeholders
from .results import Problem
from .signature import normalise, parse_all
from .snippets import extract as extract_snippets

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: failures that no entry's signature may match: they say nothing about a root cause
UNRELATED = (
    "RuntimeError",
    "RuntimeError: something went wrong",
    "AssertionError",
    "AssertionError: assert 1 == 2",
    "assert False",
    "TimeoutError",
    "asyncio.exceptions.TimeoutError",
    "TypeError: 'NoneType' object is not subscriptable",
    "KeyError: 'id'",
    "ValueError: invalid literal for int() with base 10: 'x'",
    "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 8000)",
    "ZeroDivisionError: division by zero",
    "Traceback (most recent call last):",
    "FAILED tests/test_app.py::test_something - AssertionError: assert 1 == 2",
    "E       assert 200 == 404",
    "1 failed, 3 passed in 0.52s",
)
TYPES = {"id": str, "title": str, "symptoms": list, "signatures": list, "notebook": str,
         "versions": dict, "seeds": list, "tags": list}


def add_arguments(parser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="entries to check (default: all)")
    roots.add_root_argument(parser)


def run(args) -> int:
    try:
        layers = roots.layers(args.root)
        everything, _ = roots.scan(layers)
    except roots.RootError as exc:
        return roots.fail("lint", exc)
    def holds(layer, entry_id):
        return ((layer.path / "context" / f"{entry_id}.md").exists()
                or (layer.path / "notebooks" / f"{entry_id}.ipynb").exists())

    default = layers if args.root else ([la for la in layers if la.writable] or layers)
    targets = default
    if args.ids and not args.root:  # each id where it is; an id found nowhere: the default
        targets = [la for la in layers if any(holds(la, i) for i in args.ids)] or default[:1]
    problems, checked = [], 0
    for layer in targets:
        root = layer.path
        if not (root / "context").is_dir() and not (root / "notebooks").is_dir():
            if args.root or layer.shipped:
                print(f"kb lint: {root} has neither context/ nor notebooks/", file=sys.stderr)
                return 2
            continue  # a project root not written yet (`kb init` made it, `kb new` fills it)
        ids = [i for i in args.ids if holds(layer, i) or (
            layer is targets[0] and not any(holds(la, i) for la in targets))] if args.ids else None
        others = [e for e in everything if e.root.resolve() != root]
        found = lint(root, ids, others, negative_required=layer.shipped or bool(args.root))
        base = root if len(targets) == 1 and (args.root or layer.shipped) else Path.cwd()
        for problem in found:
            print(problem.format(base))
        problems += found
        checked += len(ids) if ids is not None else len(writeup_paths(root))
    if problems:
        print(f"{len(problems)} problem{'s' * (len(problems) != 1)} in {checked} entr{'y' if checked == 1 else 'ies'}",
              file=sys.stderr)
        return 1
    print(f"{checked} entr{'y' if checked == 1 else 'ies'} ok", file=sys.stderr)
    return 0


def lint(root: Path = REPO, ids: list[str] | None = None, others: list[Entry] = (),
         negative_required: bool = True) -> list[Problem]:
    """Every problem of the knowledge base at ``root`` (or of the entries ``ids``); its corpus
    is triaged among its own entries and ``others`` (the other layers')."""
    writeups = {p.stem: p for p in writeup_paths(root)}
    notebooks = {p.stem: p for p in sorted((root / "notebooks").glob("*.ipynb"))}
    wanted = ids if ids is not None else sorted(writeups.keys() | notebooks.keys())
    problems = []
    entries, _ = scan(root)
    entries += list(others)
    try:
        results = versions.load_results(root)
    except versions.VersionsError as exc:
        results = None
        problems.append(Problem(versions.results_path(root), str(exc), "versions-table"))
    for entry_id in wanted:
        if entry_id not in writeups and entry_id not in notebooks:
            problems.append(Problem(root / "context" / f"{entry_id}.md", "no such entry", "missing"))
        elif entry_id not in writeups:
            problems.append(Problem(notebooks[entry_id], f"notebook without write-up context/{entry_id}.md",
                                    "missing-writeup"))
        else:
            problems += lint_writeup(writeups[entry_id])
            problems += [p for e in entries if e.id == entry_id for p in corpus(e, entries)]
            problems += entry_proof(root, entry_id)
            if results is not None:
                problems += versions_table(writeups[entry_id], results)
        if entry_id in notebooks:
            problems += lint_notebook(notebooks[entry_id], entry_id)
    if ids is None:
        problems += lint_negative(root, entries, negative_required)
    return problems


def lint_negative(root: Path, entries: list[Entry], negative_required: bool = True) -> list[Problem]:
    """The negative corpus's checks (part of a whole ``lint``): no text of it triages to any of
    ``entries``, and its scenarios' proof holds."""
    problems = []
    if (root / "corpus").is_dir() and (negative_required or (root / "corpus" / NEGATIVE).is_dir()):
        problems += negative(root, entries)
        if (root / "corpus" / NEGATIVE / "scenarios").is_dir():
            problems += negative_proof(root)
    return problems


def lint_writeup(path: Path) -> list[Problem]:
    try:
        entry = parse(path)
    except EntryError as exc:
        return [Problem(path, str(exc).removeprefix(f"{path}: "), "front-matter")]
    if refused := strict_front_matter(path):  # read by libyaml, refused by SafeLoader
        return [Problem(path, refused, "front-matter")]
    problems = front_matter(entry)
    problems += sections(entry)
    problems += signatures(entry)
    problems += notes(entry)
    root = entry.root
    if not (root / "notebooks" / f"{path.stem}.ipynb").exists():
        problems.append(Problem(path, f"write-up without notebook notebooks/{path.stem}.ipynb",
                                "missing-notebook"))
    guard = guard_path(root, path.stem)
    if not guard.exists():
        problems.append(Problem(path, f"no guard test {guard.relative_to(root)}", "missing-guard"))
    else:
        problems += placeholders(guard, guard.read_text(encoding="utf-8", errors="replace").splitlines(), "line")
    problems += placeholders(path, path.read_text(encoding="utf-8").splitlines(), "line")
    problems += cell_links(entry)
    problems += snippets(entry)
    return problems


def snippets(entry: Entry) -> list[Problem]:
    """Each ``python snippet=<name>`` block compiles and some test loads it (kb.snippets)."""
    problems = []
    found = extract_snippets(entry.path.read_text(encoding="utf-8"))
    tests = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                      for p in sorted((entry.root / "tests").rglob("test_*.py"))) if found else ""
    for name, code in found.items():
        try:
            compile(code, f"{entry.path.name}:snippet={name}", "exec")
        except SyntaxError as exc:
            problems.append(Problem(entry.path, f"snippet {name!r} does not compile: {exc.msg} "
                                                f"(line {exc.lineno})", "snippet"))
        if not re.search(rf"""load\(\s*["']{re.escape(entry.id)}["']\s*,\s*["']{re.escape(name)}["']""", tests):
            problems.append(Problem(entry.path, f"snippet {name!r} is loaded by no test: add one that runs "
                                                f"kb.snippets.load({entry.id!r}, {name!r})", "snippet"))
    return problems


def versions_table(path: Path, results: dict) -> list[Problem]:
    """The generated Versions table of an entry that versions/results.json lists."""
    reason = versions.check_block(path.read_text(encoding="utf-8"), results, path.stem)
    return [Problem(path, reason, "versions-table")] if reason else []


def guard_path(root: Path, entry_id: str) -> Path:
    return root / "tests" / "guards" / f"test_{entry_id.replace('-', '_')}.py"


def front_matter(entry: Entry) -> list[Problem]:
    problems = []
    for key in REQUIRED_KEYS:
        value, kind = getattr(entry, key), TYPES[key]
        if not isinstance(value, kind):
            problems.append(Problem(entry.path, f"front matter: {key} must be a {kind.__name__}, "
                                                f"not {type(value).__name__}", "front-matter"))
        elif key in ("title", "symptoms", "signatures", "versions") and not value:
            problems.append(Problem(entry.path, f"front matter: {key} is empty", "front-matter"))
        elif kind is list and key != "signatures" and not all(isinstance(v, str) and v.strip() for v in value):
            problems.append(Problem(entry.path, f"front matter: every item of {key} must be a "
                                                "non-empty string", "front-matter"))
    stem = entry.path.stem
    if not SLUG.match(stem):
        problems.append(Problem(entry.path, f"file name {stem!r} is not a slug (a-z, 0-9, -)", "front-matter"))
    if entry.id != stem:
        problems.append(Problem(entry.path, f"front matter: id {entry.id!r} differs from the file name {stem!r}",
                                "front-matter"))
    if entry.notebook != f"notebooks/{stem}.ipynb":
        problems.append(Problem(entry.path, f"front matter: notebook must be 'notebooks/{stem}.ipynb', "
                                            f"not {entry.notebook!r}", "front-matter"))
    return problems


def sections(entry: Entry) -> list[Problem]:
    found = {m.group(1).strip(): entry.body_line + entry.body[: m.start()].count("\n")
             for m in re.finditer(r"^## (.+)$", entry.body, re.M)}
    missing = [name for name in SECTIONS if name not in found]
    problems = [Problem(entry.path, f"section '## {name}' is missing", "sections") for name in missing]
    present = [name for name in SECTIONS if name in found]
    if present != sorted(present, key=found.__getitem__):
        problems.append(Problem(entry.path, f"sections out of order: want {', '.join(SECTIONS)}", "sections"))
    return problems


def signatures(entry: Entry) -> list[Problem]:
    if not isinstance(entry.signatures, list):
        return []  # reported by front_matter
    parsed, messages = parse_all(entry.signatures)
    problems = [Problem(entry.path, message, "signature-invalid") for message in messages]
    for signature in parsed:
        broad = [text for text in UNRELATED if signature.match(normalise(text))]
        if broad:
            problems.append(Problem(entry.path, f"signature {signature.name!r} is too broad: it matches the "
                                                f"unrelated failure {broad[0]!r}", "signature-broad"))
    return problems


def notes(entry: Entry) -> list[Problem]:
    """The front matter's optional version-scoped ``notes`` (CONTRIBUTING.md) can be used."""
    from .logversions import parse_notes

    usable, messages = parse_notes(entry.notes)
    names = {s.name for s in parse_all(entry.signatures)[0]}
    messages += [f"note {i + 1}: names no signature {name!r} of this entry"
                 for i, note in enumerate(usable) for name in note.signatures if name not in names]
    return [Problem(entry.path, f"front matter: {message}", "notes-invalid") for message in messages]

