"""What the site's paste box runs on: the signatures and kb triage's own patterns, as JSON.

``kb/templates/site/triage.js`` triages a pasted log in the browser the way ``kb triage`` does.
So that the two cannot drift, it holds no pattern of its own: everything it matches with comes
from here, taken from the Python objects ``kb triage`` uses (``kb.signature.NORMALISE`` and the
colour-code and Windows-path patterns, ``kb.triage``'s report-splitting patterns, its "weak"
wording, and each entry's usable signatures as ``kb.triage.compiled`` parses them, with their
frame specs as the patterns ``kb.frames.FrameSpec`` compiles; ``kb.logversions``' patterns, tox factor names and context columns and
each entry's usable notes, their requirements split into (operator, version) pairs by
``packaging``, and its Versions-table rows).
"""

import json
import re

from packaging.requirements import Requirement

from . import frames, logsplit, logversions, signature, triage, triage_text
from .entries import Entry

#: patterns given to JavaScript with these flags ("g" added where a loop needs it)
FLAGS = "m"


def data(entries: list[Entry]) -> dict:
    """The JSON-able data ``triage.js`` needs for ``entries`` (in their ranking order)."""
    return {
        "normalise": [[p, None if r is None else _js_replacement(r), literal]
                      for p, r, literal in signature.NORMALISE],
        "ansi": signature.ANSI.pattern,
        "windowsRelative": signature._RELATIVE_WINDOWS.pattern,
        "section": logsplit.SECTION.pattern,
        "banner": logsplit.BANNER.pattern,
        "summary": logsplit.SUMMARY.pattern,
        "unittest": logsplit.UNITTEST.pattern,
        "final": logsplit.FINAL.pattern,
        "weak": triage_text.WEAK,
        "weakFrames": triage_text.WEAK_FRAMES,
        "ambiguous": triage_text.AMBIGUOUS,
        "factorNames": logversions.FACTOR_NAMES,
        "context": sorted(logversions.CONTEXT),
        "frame": frames.FRAME.pattern,
        "traceback": logsplit.TRACEBACK.pattern,
        "chained": logsplit.CHAINED.pattern,
        "listed": triage_text.LISTED,
        "versions": {key: getattr(logversions, key.upper()).pattern
                     for key in ("platform", "plugins", "plugin", "django", "distribution", "freeze", "tox",
                                 "factor", "interpreter")},
        "pluginDistributions": logversions.PLUGIN_DISTRIBUTIONS,
        "highest": logversions.HIGHEST,
        "entries": [{
            "id": entry.id,
            "title": str(entry.title),
            "page": f"{entry.id}.html",
            "signatures": [{"name": s.name, "strength": s.strength,
                            "all": [p.pattern for p in s.all], "any": [p.pattern for p in s.any],
                            "not": [p.pattern for p in s.none],
                            "frames": [[f.path.pattern, f.function.pattern] for f in s.frames],
                            "requires": [_requirement(w) for w in s.when]}
                           for s in triage.compiled(entry)],
            "notes": [{"when": list(n.when), "requires": [_requirement(w) for w in n.when],
                       "text": n.text, "cite": n.cite, "signatures": list(n.signatures)}
                      for n in triage.entry_notes(entry)],
            "rows": triage.entry_rows(entry),
        } for entry in entries],
    }


def _requirement(text: str) -> dict:
    """``channels>=4.0,<4.3`` as ``{"name": "channels", "specs": [[">=", "4.0"], ["<", "4.3"]]}``."""
    requirement = Requirement(text)
    return {"name": logversions.canonicalize_name(requirement.name),
            "specs": sorted([s.operator, s.version] for s in requirement.specifier)}


def script_json(value) -> str:
    """``value`` as JSON that is safe inside ``<script type="application/json">``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _js_replacement(replacement: str) -> str:
    r"""A Python ``re.sub`` replacement in JavaScript's syntax: ``\1`` -> ``$1``, ``$`` -> ``$$``."""
    return re.sub(r"\\(\d)", r"$\1", replacement.replace("$", "$$"))
