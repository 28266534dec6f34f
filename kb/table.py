"""Plain-text tables for the terminal (``kb list``, ``kb run``)."""

import shutil
import textwrap


def render(headers: list[str], rows: list[list[str]], width: int | None = None) -> str:
    """Columns padded to their widest cell; the last column wraps to fit ``width``.

    A cell may hold several lines (``\\n``); each starts a continuation line of its row.
    """
    width = width or shutil.get_terminal_size((100, 24)).columns
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(line) for row in cells for line in row[i].splitlines() or [""])
              for i in range(len(headers) - 1)]
    indent = sum(w + 2 for w in widths)
    last = max(20, width - indent)
    out = []
    for row in cells:
        columns = [row[i].splitlines() or [""] for i in range(len(headers) - 1)]
        tail = [piece for line in row[-1].splitlines() or [""]
                for piece in textwrap.wrap(line, last, subsequent_indent="  ",
                                              break_long_words=False, break_on_hyphens=False) or [""]]
        height = max(len(tail), *(len(c) for c in columns))
        for n in range(height):
            parts = [(c[n] if n < len(c) else "").ljust(w) for c, w in zip(columns, widths, strict=True)]
            parts.append(tail[n] if n < len(tail) else "")
            out.append("  ".join(parts).rstrip())
    return "\n".join(out)
