"""Parallel runs stay apart: on a shared external Redis each process gets its own channel-layer
prefix (``harness.bootstrap``), so two runs using the same group name never see each other."""

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from harness.servers import redis_server

pytestmark = pytest.mark.realserver

# Joins group "match.lobby", then on the test's cues sends a hello to it and finally a marker;
# reads its channel up to its own marker and prints whose hellos it got. Cues come on stdin, so
# both processes are in the group before either sends: no timing involved.
CHILD = textwrap.dedent(
    """
    import asyncio, os, sys
    from harness.bootstrap import bootstrap

    bootstrap()
    from channels.layers import get_channel_layer
    from harness.layers import use_channel_layer

    use_channel_layer("redis", os.environ["REDIS_URL"])

    async def main():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("match.lobby", channel)
        print("JOINED", layer.prefix, flush=True)
        sys.stdin.readline()
        await layer.group_send("match.lobby", {"type": "hello", "pid": os.getpid()})
        print("SENT", flush=True)
        sys.stdin.readline()
        await layer.group_send("match.lobby", {"type": "final", "pid": os.getpid()})
        senders = []
        while True:
            message = await asyncio.wait_for(layer.receive(channel), 10)
            if message["type"] == "final" and message["pid"] == os.getpid():
                break
            senders.append(message["pid"])
        print("GOT", sorted(set(senders)), flush=True)

    asyncio.run(main())
    """
)


@pytest.fixture
def external_redis_url():
    """A Redis that looks external to the harness: its socket reached through a folder not
    named ``harness-redis-`` (harness-started ones are private and keep the default prefix)."""
    with redis_server() as url, tempfile.TemporaryDirectory(prefix="shared-redis-") as folder:
        link = Path(folder) / "redis.sock"
        link.symlink_to(url.removeprefix("unix://"))
        yield f"unix://{link}"


def start_child(script: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(script)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def expect(proc: subprocess.Popen, word: str) -> list[str]:
    line = proc.stdout.readline()  # the child's own timeouts bound this read
    assert line.startswith(word), f"expected {word}, got {line!r}{proc.stdout.read()}"
    return line.split()[1:]


def cue(procs) -> None:
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()


def test_when_two_processes_share_an_external_redis_then_their_groups_do_not_mix(
    tmp_path, external_redis_url
):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    env["REDIS_URL"] = external_redis_url
    procs = [start_child(script, env), start_child(script, env)]
    try:
        prefixes = [expect(p, "JOINED")[0] for p in procs]
        cue(procs)
        for p in procs:
            expect(p, "SENT")
        cue(procs)
        got = [" ".join(expect(p, "GOT")) for p in procs]
        for p in procs:
            p.wait(timeout=30)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)

    assert got == [f"[{procs[0].pid}]", f"[{procs[1].pid}]"], got  # each heard only itself
    assert prefixes[0] != prefixes[1] and "asgi" not in prefixes, prefixes


def run_bootstrap(env: dict) -> str:
    code = "from harness.bootstrap import bootstrap; bootstrap(); import os; print(os.environ.get('HARNESS_REDIS_PREFIX'))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_when_a_prefix_is_given_or_the_redis_is_the_harness_own_then_bootstrap_keeps_it():
    base = {k: v for k, v in os.environ.items() if not k.startswith(("HARNESS_", "REDIS_URL"))}
    external = "redis://127.0.0.1:1/0"  # never connected to by bootstrap
    assert run_bootstrap({**base, "REDIS_URL": external, "HARNESS_REDIS_PREFIX": "mine"}) == "mine"
    private = "unix:///tmp/harness-redis-abc/redis.sock"
    assert run_bootstrap({**base, "REDIS_URL": private}) == "None"  # settings default: "asgi"
    assert run_bootstrap(base) == "None"
