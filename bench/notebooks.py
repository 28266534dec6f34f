"""The notebook suite's wall time against its floor, measured in the same run.

The floor is what the runner costs by itself: as many one-cell notebooks (``1 + 1``) as the
suite has, under the same command (``python -m pytest --nbmake ... -p no:cacheprovider``),
so mostly kernel start-up and shutdown. Targets on a 2-core machine: the serial suite
(``-n 0``) at most 2.0x the floor, and ``-n 2`` at most 0.65x the serial time. Each command is
timed once; a loaded machine shows in ``load_1m`` (the 1-minute load average at the start).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

SECTION = "notebooks"
REPO = Path(__file__).resolve().parent.parent
TARGETS = {"serial_over_floor": 2.0, "parallel_over_serial": 0.65}
RUN_LIMIT_S = 3600.0  # one whole suite run; past it the run is stopped and reported


def run() -> dict:
    notebooks = sorted((REPO / "notebooks").glob("*.ipynb"))
    count = len(notebooks)
    result: dict = {"count": count, "load_1m": round(os.getloadavg()[0], 2)}
    if not count:
        return result | {"serial_s": None, "parallel_s": None, "floor_s": None}
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        floor_dir = Path(tmp)
        write_floor_notebooks(floor_dir, count)
        floor = timed([str(floor_dir)], workers=0, rootdir=floor_dir)
        serial = timed([str(p.relative_to(REPO)) for p in notebooks], workers=0, rootdir=REPO)
        parallel = timed([str(p.relative_to(REPO)) for p in notebooks], workers=2, rootdir=REPO)
        floor_parallel = timed([str(floor_dir)], workers=2, rootdir=floor_dir)
    result |= {
        "serial_s": serial["seconds"],
        "parallel_s": parallel["seconds"],
        "floor_s": floor["seconds"],
        "floor_parallel_s": floor_parallel["seconds"],
        "serial_over_floor": ratio(serial["seconds"], floor["seconds"]),
        "parallel_over_serial": ratio(parallel["seconds"], serial["seconds"]),
        "targets": TARGETS,
        "all_passed": all(r["passed"] for r in (serial, parallel, floor, floor_parallel)),
        "runs": {"serial": serial, "parallel": parallel, "floor": floor,
                 "floor_parallel": floor_parallel},
    }
    return result


def write_floor_notebooks(folder: Path, count: int) -> None:
    for n in range(count):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nb.metadata["execution"] = {"timeout": 300}
        nbformat.write(nb, str(folder / f"floor_{n:03d}.ipynb"))


def timed(paths: list[str], *, workers: int, rootdir: Path) -> dict:
    """Wall time of one ``pytest --nbmake`` run over ``paths``; and whether it passed."""
    command = [sys.executable, "-m", "pytest", "--nbmake", *paths, "-n", str(workers),
               "-p", "no:cacheprovider", "-q", "--rootdir", str(rootdir),
               "-c", str(REPO / "pyproject.toml")]
    started = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=rootdir, capture_output=True, text=True,
                              timeout=RUN_LIMIT_S)
        code, lines = proc.returncode, (proc.stdout + proc.stderr).strip().splitlines()
    except subprocess.TimeoutExpired:
        code, lines = None, [f"stopped after {RUN_LIMIT_S:.0f} s"]
    seconds = round(time.perf_counter() - started, 2)
    failed = [line.split()[1] for line in lines if line.startswith(("FAILED ", "ERROR "))]
    return {"seconds": seconds, "workers": workers, "passed": code == 0,
            "summary": lines[-1] if lines else "", "failed": failed}


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def report(result: dict) -> str:
    head = f"notebooks: {result['count']} notebook(s); 1-minute load average at start {result['load_1m']}"
    if not result["count"]:
        return head + "\n  (no notebooks: nothing measured)"
    serial_ok = met(result["serial_over_floor"], TARGETS["serial_over_floor"])
    parallel_ok = met(result["parallel_over_serial"], TARGETS["parallel_over_serial"])
    rows = [
        ("floor, -n 0", result["floor_s"], "", "", ""),
        ("suite, -n 0", result["serial_s"], f"{result['serial_over_floor']}x floor",
         f"<= {TARGETS['serial_over_floor']}x", serial_ok),
        ("suite, -n 2", result["parallel_s"], f"{result['parallel_over_serial']}x serial",
         f"<= {TARGETS['parallel_over_serial']}x", parallel_ok),
        ("floor, -n 2", result["floor_parallel_s"],
         f"{ratio(result['floor_parallel_s'], result['floor_s'])}x floor", "", ""),
    ]
    lines = [head, f"  {'run':<13}{'seconds':>9}  {'ratio':<17}{'target':<9}status"]
    lines += [f"  {name:<13}{seconds:>9.1f}  {r:<17}{t:<9}{s}".rstrip()
              for name, seconds, r, t, s in rows]
    for name, run_ in result["runs"].items():
        if not run_["passed"]:
            failed = ", ".join(run_.get("failed", [])) or "see its output"
            lines.append(f"  note: the {name} run did not pass ({run_['summary']}): {failed}")
    return "\n".join(lines)


def met(value: float | None, target: float) -> str:
    if value is None:
        return "n/a"
    return "met" if value <= target else "missed"
