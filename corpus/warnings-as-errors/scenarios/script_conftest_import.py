# kb-corpus: websockets >= 14
"""pytest on ``conftest_import/`` with this folder's pytest.ini (``filterwarnings = error``): prints
pytest's own output and exits with its code (2: collection interrupted; 4: a conftest failed to
load). A script because kb corpus runs each test module on its own and requires exit code 1."""

import subprocess
import sys
from pathlib import Path

proc = subprocess.run(
    [sys.executable, "-m", "pytest", "conftest_import", "--color=no", "-p", "no:cacheprovider", "-p", "no:kb_known_issues"],
    cwd=Path(__file__).parent, capture_output=True, text=True, timeout=120,
)
print(proc.stdout + proc.stderr, end="")
sys.exit(proc.returncode or 1)
