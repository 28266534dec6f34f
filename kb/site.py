"""Render the site: build/site/index.html and one page per entry.

The index lists every entry with its symptoms, tags and last run status, and filters them
as you type (plain JavaScript; `index.html#q=words` opens it filtered). Its paste box takes a
whole pytest log, traceback or JUnit XML report and lists the matching entries as `kb triage`
does (the same signatures, normalisation, ranking and wording, run in the browser). Each entry's page
has the write-up (Markdown rendered with mistune) and the executed notebook from
`build/executed/` with its outputs and plots (nbconvert), or says it was not executed, and the
entry's `kb doctor` rules with the code each must and must not flag.
Links are relative: it opens from the file system or from `make serve`. `kb run`
renders it after running; this verb renders it from what is there.

Every layer's entries are rendered (`kb.roots`), each page naming its layer; the build folder
defaults to `build/` of the project's own knowledge root, never inside an installed package.

Exit status: 0 rendered, 2 when a knowledge base folder does not exist or the layers cannot be
read (`[tool.kb]` malformed, an id defined twice).
"""

import html
import os
import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

import mistune

from . import REPO, roots
from .entries import Entry, scan
from .results import RunResult, read_summary

TEMPLATES = Path(__file__).resolve().parent / "templates" / "site"
ASSETS = ("style.css", "search.js", "triage.js")
STATUS_WORDS = {"none": "not executed", "unknown": "executed earlier"}


def add_arguments(parser) -> None:
    roots.add_root_argument(parser)
    parser.add_argument("--build", type=Path, default=None, metavar="DIR",
                        help="where executed/ is and site/ goes (default: build/ of the project's "
                             "own knowledge root)")


def run(args) -> int:
    try:
        layers = roots.layers(args.root)
        missing = [la for la in layers if not la.path.is_dir() and (args.root or la.shipped)]
        if missing:
            print(f"kb site: {missing[0].path} is not a folder", file=sys.stderr)
            return 2
        index = render(build=args.build or roots.build_folder(layers), layers=layers)
    except roots.RootError as exc:
        return roots.fail("site", exc)
    print(f"site: {index}")
    return 0


def render(root: Path = REPO, build: Path | None = None, layers: list | None = None) -> Path:
    """Write the site of ``root`` (or of every layer in ``layers``) into ``build/site``;
    returns the path of its ``index.html``."""
    if layers is None:
        entries, errors = scan(root)
        names = root.name
    else:
        entries, errors = roots.scan(layers)
        names = ", ".join(la.label for la in layers)
    build = build or (root / "build" if layers is None else roots.build_folder(layers))
    site = build / "site"
    (site / "executed").mkdir(parents=True, exist_ok=True)
    for asset in ASSETS:
        shutil.copyfile(TEMPLATES / asset, site / asset)
    summary = read_summary(build)
    env = _jinja()
    footer = f"Rendered {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} by kb site from {names}/."
    ids = {e.id for e in entries}
    views = []
    for entry in entries:
        to_root = os.path.relpath(entry.root, site).replace(os.sep, "/")
        view = _view(entry, build, summary.get(entry.id))
        notebook_html = ""
        if view["executed"]:
            shutil.copyfile(build / "executed" / f"{entry.id}.ipynb", site / view["executed"])
            notebook_html = notebook_to_html(site / view["executed"])
        page = env.get_template("entry.html").render(
            e=view, writeup=writeup_to_html(entry, ids, to_root), notebook=notebook_html, footer=footer)
        (site / f"{entry.id}.html").write_text(page, encoding="utf-8")
        views.append(view)
    index = site / "index.html"
    counts = {}
    for view in views:
        counts[view["status"]] = counts.get(view["status"], 0) + 1
    runs = ", ".join(f"{n} {STATUS_WORDS.get(status, status)}" for status, n in sorted(counts.items()))
    from .browser import data, script_json

    index.write_text(env.get_template("index.html").render(
        entries=views, problems=[str(e) for e in errors], footer=footer, runs=runs,
        triage_json=script_json(data(entries))), encoding="utf-8")
    return index


def _view(entry: Entry, build: Path, result: RunResult | None) -> dict:
    executed = (build / "executed" / f"{entry.id}.ipynb").exists()
    symptoms = _strings(entry.symptoms)
    signatures = [p for s in entry.signatures if isinstance(s, dict) for p in s.get("all", [])] \
        if isinstance(entry.signatures, list) else []
    tags = _strings(entry.tags)
    if result is not None:
        status, text = result.status, f"{result.status}, {result.seconds:.1f} s"
    elif executed:
        status, text = "unknown", "executed (not in the last run's summary)"
    else:
        status, text = "none", "not executed"
    return {
        "id": entry.id, "title": str(entry.title), "symptoms": symptoms, "signatures": signatures,
        "tags": tags, "status": status, "status_text": text,
        "error": result.error if result else "",
        "executed": f"executed/{entry.id}.ipynb" if executed else "",
        "writeup": f"context/{entry.path.name}", "notebook": str(entry.notebook),
        "layer": entry.layer,
        "rules": doctor_rules(entry.id),
        "search": " ".join([entry.id, str(entry.title), *symptoms, *signatures, *tags]).lower(),
    }


def doctor_rules(entry_id: str) -> list[dict]:
    """The entry's ``kb doctor`` rules with their examples (kb/doctor/rules/)."""
    from .doctor.engine import all_rules

    return [{"code": r.code, "name": r.name, "message": r.message, "fix": r.fix, "flags": r.flags,
             "passes": r.passes, "versions": ", ".join(f"{p} {s}" for p, s in r.versions.items())}
            for r in all_rules() if r.entry == entry_id]


def _strings(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def writeup_to_html(entry: Entry, ids: set[str], to_root: str = "../..") -> str:
    """The write-up's body as HTML, for a page in ``site/``.

    Links to entries and their notebooks point into the site; other relative links (``../x``,
    relative to ``context/``) point to the repository, ``to_root`` up from the site.
    """
    body = re.sub(r"\A\s*# [^\n]*\n", "", entry.body)  # the title is the page's <h1>
    markdown = mistune.create_markdown(renderer=_Renderer(escape=True), plugins=["table", "strikethrough"])
    rendered = markdown(body)

    def relink(m: re.Match) -> str:
        href = html.unescape(m.group(1))
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", href, re.I):
            return m.group(0)  # absolute, an anchor, or rooted: left alone
        found = re.fullmatch(r"(?:\.\./)?(?:context/|notebooks/)?([a-z0-9-]+)\.(md|ipynb)(#.*)?", href)
        if found and found.group(1) in ids:
            target, kind = found.group(1), found.group(2)
            if kind == "md":
                return f'href="{target}.html{found.group(3) or ""}"'
            fragment = found.group(3) or ""
            anchor = fragment if fragment.startswith("#cell-id=") else "#notebook"  # a claim's cell
            return f'href="{anchor}"' if target == entry.id else f'href="{target}.html{anchor}"'
        resolved = os.path.normpath(os.path.join("context", href)).replace(os.sep, "/")
        return f'href="{html.escape(to_root + "/" + resolved)}"'

    return re.sub(r'href="([^"]*)"', relink, rendered)


def notebook_to_html(path: Path) -> str:
    """An executed notebook's cells and outputs (plots inline) as an HTML fragment."""
    import nbformat
    from nbconvert import HTMLExporter
    from pygments.formatters import HtmlFormatter

    try:
        nb = nbformat.read(path, as_version=4)
        body, _ = HTMLExporter(template_name="basic").from_notebook_node(nb)
    except Exception as exc:  # a broken file must not stop the rest of the site
        return f'<p class="not-executed">Cannot render {html.escape(path.name)}: {html.escape(str(exc))}</p>'
    style = HtmlFormatter(style="default").get_style_defs(".notebook .highlight")
    return f"<style>{style}</style>\n{body}"


def _jinja():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined)


class _Renderer(mistune.HTMLRenderer):
    """mistune's HTML renderer, with an ``id`` on headings so sections can be linked."""

    def heading(self, text: str, level: int, **attrs) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"<[^>]+>", "", text).lower()).strip("-")
        return f'<h{level} id="{slug}">{text}</h{level}>\n'
