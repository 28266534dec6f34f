"""``kb``: the knowledge-base command line; one module per verb, this file only dispatches.

Each verb module exposes ``add_arguments(parser)`` and ``run(args) -> int`` (the exit status)
and documents itself in its docstring (the first line is the verb's one-line help). A verb
module that is missing or broken makes only that verb unavailable.
"""

import argparse
import importlib
import sys

#: verb -> module in this package
VERBS = {
    "list": "index",
    "show": "show",
    "triage": "triage",
    "corpus": "corpus",
    "init": "init",
    "new": "scaffold",
    "lint": "lint",
    "run": "run",
    "soak": "soak",
    "site": "site",
    "readme": "readme",
    "matrix": "matrix",
    "doctor": "doctor",
}
WIDTH = 88  #: help text width, fixed so the README generated from it is the same everywhere


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps docstrings' line breaks; fixed width and option layout on every Python 3.11+."""

    def __init__(self, prog, indent_increment=2, max_help_position=28, width=None):
        super().__init__(prog, indent_increment, max_help_position, width=WIDTH)

    def _format_action_invocation(self, action):  # Python 3.13 changed this layout
        if not action.option_strings:
            (metavar,) = self._metavar_formatter(action, action.dest)(1)
            return metavar
        if action.nargs == 0:
            return ", ".join(action.option_strings)
        args = self._format_args(action, self._get_default_metavar_for_optional(action))
        return ", ".join(f"{option} {args}" for option in action.option_strings)


def load_verb(verb: str):
    """The module implementing ``verb``; raises ``ImportError`` with a one-line reason."""
    name = f"{__package__}.{VERBS[verb]}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise ImportError(f"module {name} is missing") from None
        raise ImportError(f"module {name} cannot be imported ({exc})") from None
    except Exception as exc:  # a broken verb must not take the others down
        raise ImportError(f"module {name} cannot be imported ({exc.__class__.__name__}: {exc})") from None
    if not (callable(getattr(module, "add_arguments", None)) and callable(getattr(module, "run", None))):
        raise ImportError(f"module {name} lacks add_arguments() or run()")
    return module


def build_parser(unavailable: dict[str, str] | None = None,
                 list_unavailable: bool = True) -> argparse.ArgumentParser:
    """The ``kb`` parser; verbs whose module cannot be loaded go into ``unavailable``.

    They are listed in the help as unavailable unless ``list_unavailable`` is false.
    """
    unavailable = {} if unavailable is None else unavailable
    parser = argparse.ArgumentParser(
        prog="kb",
        formatter_class=HelpFormatter,
        description="The Channels test knowledge base: find, check, run and browse its entries.",
        epilog="Exit status: 0 ok, 1 nothing matched or checks failed, 2 bad input or usage.\n"
               "`kb VERB --help` describes each verb.",
    )
    verbs = parser.add_subparsers(title="verbs", metavar="VERB", dest="verb")
    for verb in VERBS:
        try:
            module = load_verb(verb)
        except ImportError as exc:
            unavailable[verb] = str(exc)
            if list_unavailable:
                verbs.add_parser(verb, help=f"(unavailable: {exc})", formatter_class=HelpFormatter)
            continue
        doc = (module.__doc__ or verb).strip()
        sub = verbs.add_parser(verb, help=doc.splitlines()[0].rstrip("."), description=doc,
                               formatter_class=HelpFormatter)
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    unavailable: dict[str, str] = {}
    parser = build_parser(unavailable)
    verb = next((a for a in argv if not a.startswith("-")), None)
    if verb in unavailable:
        print(f"kb {verb}: unavailable: {unavailable[verb]}", file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    if args.verb is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print(f"kb {args.verb}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `kb list | head`
        sys.stderr.close()
        return 0
