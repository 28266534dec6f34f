"""Rewrite the README's command reference from `kb --help` (so it cannot drift).

Replaces the part of README.md between the two `kb-help` HTML comments (start and end
markers) with the help of `kb` and of every available verb; the rest of the file is left
alone. `--check` changes nothing and fails when the block is stale (the test suite runs it).

Exit status: 0 written or up to date, 1 stale (with --check), 2 no README or no markers.
"""

import inspect
import sys
from pathlib import Path

from . import REPO

START, END = "<!-- kb-help:start -->", "<!-- kb-help:end -->"


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when the README's block is stale")
    parser.add_argument("--readme", type=Path, default=REPO / "README.md", metavar="PATH",
                        help="the README to update (default: the repository's README.md)")


def run(args) -> int:
    try:
        text = args.readme.read_text(encoding="utf-8")
        updated = replace_block(text, reference())
    except (OSError, ValueError) as exc:
        print(f"kb readme: {exc}", file=sys.stderr)
        return 2
    if updated == text:
        print(f"{args.readme.name}: the kb command reference is up to date")
        return 0
    if args.check:
        print(f"{args.readme.name}: the kb command reference is stale: run `kb readme`", file=sys.stderr)
        return 1
    args.readme.write_text(updated, encoding="utf-8")
    print(f"{args.readme.name}: the kb command reference was rewritten")
    return 0


def reference() -> str:
    """The Markdown block: ``kb --help`` and ``kb VERB --help`` for every available verb."""
    from .cli import build_parser

    unavailable: dict[str, str] = {}
    parser = build_parser(unavailable, list_unavailable=False)
    verbs = next(a for a in parser._actions if a.dest == "verb").choices
    parts = ["## The `kb` command", "",
             "Generated from `kb --help` by `kb readme`; `tests/test_readme.py` fails when it is stale.",
             "`kb` is installed into `.venv` by `make`; `python -m kb` works too.", "",
             "```", parser.format_help().rstrip(), "```"]
    for verb, sub in verbs.items():
        parts += ["", f"### `kb {verb}`", "", "```", sub.format_help().rstrip(), "```"]
    from . import plugin

    parts += ["", "### The pytest plugin", "", "```", inspect.cleandoc(plugin.__doc__), "```"]
    block = "\n".join(parts)
    if START in block or END in block:
        raise ValueError("a verb's help contains a kb-help marker: it would cut the block short")
    return block


def replace_block(text: str, block: str) -> str:
    """``text`` with the part between the markers replaced by ``block``; ValueError without markers."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"no {START} ... {END} block to rewrite")
    return f"{text[: start + len(START)]}\n{block}\n{text[end:]}"
