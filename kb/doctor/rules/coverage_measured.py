"""coverage-measured: consumers served by a live server run in another process, which coverage
measures only when told to."""

import ast
import configparser
import re

from ..model import Rule

ENTRY = "coverage-measured"


def coverage_config(root) -> str | None:
    """``"measured"`` when the project's coverage settings measure subprocesses, ``"unmeasured"``
    when the project uses coverage without that, None when it does not use coverage."""
    texts = []
    for name, section in ((".coveragerc", "run"), ("setup.cfg", "coverage:run"), ("tox.ini", "coverage:run")):
        path = root / name
        if path.is_file():
            parser = configparser.ConfigParser(interpolation=None)
            try:
                parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
            except configparser.Error:
                continue
            if parser.has_section(section):
                texts.append(" ".join(f"{k}={v}" for k, v in parser.items(section)))
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        try:
            run = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("coverage", {}).get("run")
        except (tomllib.TOMLDecodeError, OSError):
            run = None
        if run is not None:
            texts.append(str(run))
    joined = " ".join(texts)
    if re.search(r"subprocess|multiprocessing", joined):
        return "measured"
    if texts:
        return "unmeasured"
    pins = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(root.glob("requirements*.txt")))
    return "unmeasured" if re.search(r"^\s*(coverage|pytest-cov)\b", pins, re.M | re.I) else None


def live_server_unmeasured(ctx):
    cases = [c for c in ctx.nodes if isinstance(c, ast.ClassDef)
             and any(ctx.qual(b).rpartition(".")[2] == "ChannelsLiveServerTestCase" for b in c.bases)]
    if not cases:
        return
    root = ctx.project.root_of(ctx.path)
    cache = ctx.project.__dict__.setdefault("_coverage", {})
    if root not in cache:
        cache[root] = coverage_config(root)
    if cache[root] == "unmeasured":
        yield cases[0], cases[0].name


RULES = [
    Rule(code="KB150", needs=('ChannelsLiveServerTestCase',), entry=ENTRY, name="live-server-consumers-unmeasured", check=live_server_unmeasured,
         message="ChannelsLiveServerTestCase runs the consumers in a server process that this project's "
                 "coverage settings do not measure: they pass and report the consumers as never run",
         fix="measure subprocesses: [run] patch = subprocess (coverage 7.10+), concurrency = multiprocessing "
             "and sigterm = true for the multiprocessing child; and keep communicator tests for the consumers",
         beside={"requirements.txt": "coverage==7.17.3\n"},
         flags=("# requirements.txt (beside) pins coverage; no [run] patch or concurrency\n"
                "from channels.testing import ChannelsLiveServerTestCase\n\nclass Live(ChannelsLiveServerTestCase):\n"
                "    def test_a(self):\n        pass\n",),
         passes=("from channels.testing import WebsocketCommunicator\n",)),
]
