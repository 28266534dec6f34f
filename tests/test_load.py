"""harness.load.contended_cpu: the block starts only once every busy process is spinning."""

import os
import sys

import pytest

from harness import load

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="Linux only")


def busy_children() -> list[int]:
    me = str(os.getpid())
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat[1] == me and stat[0] != "Z":
                pids.append(int(entry))
    return pids


# Children this worker had before the block (a session-scoped Redis of an earlier test, say) are not
# the block's: each test counts only the ones that appear in it.


def test_the_busy_processes_share_the_blocks_cpu_and_end_with_it():
    before = set(busy_children())
    with load.contended_cpu(3) as cpu:
        children = set(busy_children()) - before
        assert len(children) == 3
        assert all(os.sched_getaffinity(pid) == {cpu} for pid in children)
        assert os.sched_getaffinity(0) == {cpu}
    assert set(busy_children()) - before == set()


def test_a_busy_process_that_never_spins_fails_the_block_within_its_bound(monkeypatch):
    # the block waits for each one's byte: without that wait it would start (and fail here)
    before = set(busy_children())
    monkeypatch.setattr(load, "SPINNING_WITHIN_S", 5.0)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, writes nothing
    with pytest.raises(RuntimeError, match=r"was not spinning within 5 s \(exit status 1\)"):
        with load.contended_cpu(2):
            pytest.fail("the block must not start")
    assert set(busy_children()) - before == set()
