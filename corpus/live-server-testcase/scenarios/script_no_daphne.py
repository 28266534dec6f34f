"""channels 4 without daphne (``pip install channels``: daphne became the ``daphne`` extra in
channels 4.0): a test module's ``from channels.testing import WebsocketCommunicator`` fails, and
so does the submodule import, because the package's ``__init__`` imports
``ChannelsLiveServerTestCase`` and, through it, ``daphne.testing``. Runs the import in a small
virtualenv with channels and Django only (``kb.envs``, built once); exits with its status."""

import subprocess
import sys

from kb.envs import venv_python

python = venv_python("channels==4.3.2", "Django==5.2.19")
run = subprocess.run([str(python), "-c", "from channels.testing import WebsocketCommunicator"],
                     capture_output=True, text=True, timeout=120)
print(run.stdout + run.stderr, end="")
sys.exit(run.returncode)
