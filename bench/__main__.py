import importlib
import json
import pkgutil
import sys
from pathlib import Path

import bench

OUT = Path(__file__).resolve().parent.parent / "build" / "bench.json"


def sections() -> dict:
    found = {}
    for info in pkgutil.iter_modules(bench.__path__):
        module = importlib.import_module(f"bench.{info.name}")
        if hasattr(module, "SECTION") and hasattr(module, "run"):
            found[module.SECTION] = module
    return found


def main(argv: list[str]) -> int:
    available = sections()
    wanted = argv or sorted(available)
    unknown = [name for name in wanted if name not in available]
    if unknown:
        print(f"bench: unknown section(s) {', '.join(unknown)}; have {', '.join(sorted(available))}")
        return 2
    OUT.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    for name in wanted:
        module = available[name]
        results[name] = module.run()
        OUT.write_text(json.dumps(results, indent=2) + "\n")
        if hasattr(module, "report"):
            print(module.report(results[name]))
        else:
            print(name, json.dumps(results[name], indent=2))
    print(f"written to {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
