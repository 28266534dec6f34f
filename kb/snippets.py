"""The code a write-up tells users to copy, as the tests run it.

A write-up marks a block to copy with the fence's info string ``python snippet=<name>``::

    ```python snippet=recv-until
    async def recv_until(ws, predicate, timeout): ...
    ```

(GitHub and the site read the first word, ``python``, and highlight it as usual.) ``load``
executes one such block on its own, in a fresh namespace with nothing of the harness imported,
so a test can prove that what a user copies works outside this repository; ``kb lint`` checks
each block compiles and that some test under ``tests/`` loads it.
"""

import re
import types
from pathlib import Path

from . import REPO

FENCE = re.compile(r"^(?P<indent>[ \t]*)```python[ \t]+snippet=(?P<name>[a-z0-9-]+)[ \t]*\n(?P<body>.*?)^(?P=indent)```",
                   re.M | re.S)


class SnippetError(LookupError):
    """A snippet that is not there; the message is one line."""


def extract(text: str) -> dict[str, str]:
    """``{name: code}`` of every snippet block of a write-up's text, dedented."""
    found = {}
    for match in FENCE.finditer(text):
        indent = len(match["indent"])
        lines = match["body"].splitlines()
        found[match["name"]] = "\n".join(line[indent:] if line[:indent].strip() == "" else line
                                         for line in lines) + "\n"
    return found


def load(entry_id: str, name: str, root: Path = REPO) -> types.SimpleNamespace:
    """Execute the write-up's snippet ``name`` alone; its top-level names as attributes."""
    path = root / "context" / f"{entry_id}.md"
    snippets = extract(path.read_text(encoding="utf-8"))
    if name not in snippets:
        raise SnippetError(f"{path.name} has no ```python snippet={name} block "
                           f"(it has: {', '.join(sorted(snippets)) or 'none'})")
    module = types.ModuleType(f"snippet_{entry_id}_{name}".replace("-", "_"))
    exec(compile(snippets[name], f"{path.name}:snippet={name}", "exec"), module.__dict__)  # noqa: S102
    return types.SimpleNamespace(**{k: v for k, v in module.__dict__.items() if not k.startswith("__")})
