"""Temp files of atomic writes: removed on every way out that runs code; a stale
one (its writer was killed) is cleared by the next write of the same file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from advisor.fileio import atomic_write

REPO = Path(__file__).resolve().parents[2]


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit, OSError])
def test_an_interrupted_write_removes_its_temp_and_keeps_the_old_file(tmp_path, monkeypatch, exc):
    target = tmp_path / "report.md"
    target.write_text("old\n")

    def boom(_fd):
        raise exc(28, "No space left on device") if exc is OSError else exc()

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(Exception if exc is OSError else exc):
        atomic_write(target, "new\n")
    assert target.read_text() == "old\n" and _temps(tmp_path) == []


def test_a_stale_temp_of_a_killed_writer_is_cleared_by_the_next_write(tmp_path):
    target = tmp_path / "report.md"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".report.md.{int(dead.stdout)}.abc123.tmp"
    stale.write_bytes(b"")  # what a SIGKILL mid-write leaves
    live = tmp_path / f".report.md.{os.getppid()}.zzz999.tmp"  # a writer that is still running
    live.write_bytes(b"")
    other = tmp_path / ".notes.md.1.abc.tmp"  # another file's temp: not ours to touch
    other.write_bytes(b"")
    atomic_write(target, "new\n")
    assert target.read_text() == "new\n"
    assert _temps(tmp_path) == sorted([live.name, other.name])


def test_sigterm_during_a_write_leaves_no_temp(tmp_path):
    """A real process, a real signal: the CLI's handler unwinds the write."""
    target = tmp_path / "out.md"
    target.write_text("old\n")
    script = textwrap.dedent(f"""
        import os, sys, time
        from advisor.cli.common import run_guarded
        from advisor.fileio import atomic_write
        real = os.fsync
        def slow(fd):
            print("writing", flush=True)
            time.sleep(30)
        os.fsync = slow
        sys.exit(run_guarded(lambda: atomic_write({str(target)!r}, "new\\n") or 0))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        assert len(_temps(tmp_path)) == 1
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 128 + signal.SIGTERM
    assert target.read_text() == "old\n" and _temps(tmp_path) == []
