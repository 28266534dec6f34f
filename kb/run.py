"""Execute notebooks with papermill into build/executed/, then render the site.

Each notebook runs in its own kernel (python3) with `notebooks/` as working directory and
the time limit of its `metadata.execution.timeout` (or `--timeout`), N at a time in
separate processes. A line is printed as each one finishes; at the end a table, and
`build/summary.json` (id, status, seconds, error line, executed notebook). A failing
notebook is still written, with its outputs up to the failing cell: the table links it; the
kernel's own log goes to `build/executed/<id>.log`.
Parameters given with `-p name=value` go to every notebook (numbers, true/false and none
are converted, anything else is a string).

Notebooks come from every layer (`kb.roots`); the build folder defaults to `build/` of the
project's own root (the checkout's, in this repository), never inside an installed package.

Exit status: 0 all passed, 1 any failed or timed out, 2 bad usage (unknown id, bad -p,
layers that cannot be read).
"""

import contextlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from . import roots, table
from .results import RunResult, write_summary

DEFAULT_TIMEOUT = 600  #: seconds per cell, when a notebook's metadata names none


def add_arguments(parser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID", help="entries to run (default: all notebooks)")
    parser.add_argument("-n", "--jobs", type=int, default=2, metavar="N",
                        help="notebooks run at the same time (default: 2)")
    parser.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="a papermill parameter for every notebook (repeatable)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="time limit per cell (default: the notebook's metadata.execution.timeout)")
    parser.add_argument("--no-site", action="store_true", help="do not render build/site afterwards")
    roots.add_root_argument(parser)
    parser.add_argument("--build", type=Path, default=None, metavar="DIR",
                        help="output folder (default: build/ of the project's own knowledge root)")


def run(args) -> int:
    try:
        layers = roots.layers(args.root)
        roots.scan(layers)  # an id defined in two layers: refused before anything runs
        build = args.build or roots.build_folder(layers)
        parameters = dict(parse_parameter(p) for p in args.parameter)
        notebooks = select(layers, args.ids)
        if args.jobs < 1:
            raise ValueError("-n must be 1 or more")
    except roots.RootError as exc:
        return roots.fail("run", exc)
    except ValueError as exc:
        print(f"kb run: {exc}", file=sys.stderr)
        return 2
    results = run_all(notebooks, build, parameters, args.jobs, args.timeout)
    write_summary(build, results, parameters)
    if results:
        print()
        print(format_table(results, build))
    if not args.no_site:
        from .site import render

        index = render(build=build, layers=layers)
        print(f"\nsite: {_shown(index)}")
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"kb run: {len(failed)} of {len(results)} notebooks failed", file=sys.stderr)
    return 1 if failed else 0


def select(layers: "Path | list[roots.Layer]", ids: list[str]) -> dict[str, Path]:
    """``id -> notebook`` for ``ids`` (default: every notebook of every layer, or of one
    knowledge root); ``ValueError`` on an unknown id."""
    folders = [layers / "notebooks"] if isinstance(layers, Path) else [la.path / "notebooks" for la in layers]
    available = {}
    for folder in folders:
        for path in sorted(folder.glob("*.ipynb")):
            available.setdefault(path.stem, path)
    unknown = [i for i in ids if i not in available]
    if unknown:
        raise ValueError(f"no notebook for {', '.join(unknown)} in {' or '.join(map(str, folders))}")
    return {i: available[i] for i in ids} if ids else available


def parse_parameter(text: str) -> tuple[str, object]:
    """``name=value`` -> ``(name, value)``; numbers, true/false and none are converted."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise ValueError(f"parameter {text!r} is not NAME=VALUE")
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return name.strip(), lowered == "true"
    if lowered in ("none", "null"):
        return name.strip(), None
    for kind in (int, float):
        try:
            return name.strip(), kind(value)
        except ValueError:
            pass
    return name.strip(), value


def notebook_timeout(path: Path) -> float:
    try:
        timeout = json.loads(path.read_text(encoding="utf-8"))["metadata"]["execution"]["timeout"]
        return float(timeout) if float(timeout) > 0 else DEFAULT_TIMEOUT
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_TIMEOUT


def run_all(notebooks: dict[str, Path], build: Path, parameters: dict, jobs: int,
            timeout: float | None = None) -> list[RunResult]:
    """Execute ``notebooks`` ``jobs`` at a time; prints one line per finished notebook."""
    executed = build / "executed"
    executed.mkdir(parents=True, exist_ok=True)
    total = len(notebooks)
    if not total:
        print("kb run: no notebooks to run")
        return []
    print(f"running {total} notebook{'s' * (total != 1)}, {min(jobs, total)} at a time", flush=True)
    width = max(map(len, notebooks))
    results = {}
    with ProcessPoolExecutor(max_workers=min(jobs, total)) as pool:
        futures = {
            pool.submit(execute, entry_id, path, executed / f"{entry_id}.ipynb", parameters,
                        timeout or notebook_timeout(path)): entry_id
            for entry_id, path in notebooks.items()
        }
        try:
            for done, future in enumerate(as_completed(futures), 1):
                entry_id = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # the worker process itself died
                    result = RunResult(entry_id, "error", 0.0, f"{exc.__class__.__name__}: {exc}")
                results[entry_id] = result
                print(f"[{done}/{total}] {entry_id:<{width}}  {result.status:<7} {result.seconds:7.1f} s"
                      + (f"  {result.error}" if result.error else ""), flush=True)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [results[i] for i in notebooks]


def execute(entry_id: str, notebook: Path, output: Path, parameters: dict, timeout: float) -> RunResult:
    """Run one notebook with papermill (in the calling process); never raises for its failure."""
    import logging

    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    for name in ("papermill", "traitlets", "nbclient"):  # the result line says what went wrong
        logging.getLogger(name).setLevel(logging.CRITICAL)
    output.unlink(missing_ok=True)
    started = time.perf_counter()
    status, error = "passed", ""
    try:
        with _stderr_to(output.with_suffix(".log")):  # the kernel's own log lines go there
            papermill.execute_notebook(
                notebook, output, parameters=parameters, kernel_name="python3", cwd=notebook.parent,
                progress_bar=False, log_output=False, execution_timeout=timeout,
            )
    except PapermillExecutionError as exc:
        status = "failed"
        message = (str(exc.evalue).strip().splitlines() or [""])[0]
        error = f"In [{exc.exec_count}]: {exc.ename}: {message}".rstrip(": ")
    except CellTimeoutError:
        status, error = "timeout", f"a cell ran longer than {timeout:g} s"
    except DeadKernelError as exc:
        status, error = "error", f"the kernel died ({exc})"
    except Exception as exc:  # papermill/nbclient set-up errors: one line, not a traceback
        status = "error"
        error = f"{exc.__class__.__name__}: {(str(exc).strip().splitlines() or [''])[0]}"
    seconds = round(time.perf_counter() - started, 2)
    written = output.relative_to(output.parent.parent).as_posix() if output.exists() else ""
    return RunResult(entry_id, status, seconds, error, written)


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Point file descriptor 2 (inherited by the kernel) at ``path`` for the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with path.open("wb") as log:
            os.dup2(log.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def format_table(results: list[RunResult], build: Path) -> str:
    rows = [[r.id, r.status, f"{r.seconds:.1f} s",
             (r.error + "\n" if r.error else "") + (_shown(build / r.output) if r.output else "(no output)")]
            for r in results]
    passed = sum(r.ok for r in results)
    total = sum(r.seconds for r in results)
    return (table.render(["ID", "STATUS", "TIME", "ERROR / EXECUTED NOTEBOOK"], rows)
            + f"\n\n{passed} of {len(results)} passed, {total:.1f} s of notebook time")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
