"""Writing the user's files safely: all or nothing, never half a file.

Every file advisor writes (reports, answers, templates, catalog overlays,
exported configs) goes through :func:`atomic_write`: a temp file in the same
folder, fsync, then ``os.replace``. A crash or Ctrl-C leaves either the old
file or the new one, never a truncated mix.

The temp file is removed on every way out that runs code (an error, Ctrl-C,
SIGTERM: the CLI turns it into an exception). A process killed outright
(SIGKILL, power loss) cannot remove it, so its name carries the writer's pid and
the next write to the same file clears temp files whose writer is gone.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from advisor.errors import InputError, Location, Problem, display_path


def atomic_write(path: str | Path, text: str, make_parents: bool = False) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically.

    Without ``make_parents`` a missing folder is an input error (a typo in a
    path should not create directories). OS errors become one-line InputErrors.
    """
    target = Path(path)
    label = display_path(target)
    if target.is_dir():
        raise InputError([Problem("is a directory", Location(label))])
    folder = target.parent
    if make_parents:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError([Problem(f"cannot create its folder: {exc.strerror or exc}", Location(label))]) from None
    elif not folder.is_dir():
        raise InputError([Problem(f"folder {display_path(folder)} does not exist", Location(label))])
    clear_stale_temps(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError([Problem(f"cannot write: {exc.strerror or exc}", Location(label))]) from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual mode
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise InputError([Problem(f"cannot write: {exc.strerror or exc}", Location(label))]) from None
        raise


#: a temp file with no pid in its name (an older advisor's) is stale after this long
STALE_SECONDS = 600


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or we cannot tell: leave its file alone
    return True


def clear_stale_temps(target: str | Path) -> list[Path]:
    """Remove the temp files an interrupted write of ``target`` left beside it
    (``.NAME.PID.XXXX.tmp`` whose process is gone); return what was removed."""
    import time

    target = Path(target)
    prefix = f".{target.name}."
    removed: list[Path] = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for p in entries:
        name = p.name
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        middle = name[len(prefix):-len(".tmp")]
        pid_text = middle.split(".", 1)[0]
        try:
            if "." in middle and pid_text.isdigit():
                stale = not _alive(int(pid_text))
            else:
                stale = time.time() - p.stat().st_mtime > STALE_SECONDS
            if stale and p.is_file():
                p.unlink()
                removed.append(p)
        except OSError:
            continue
    return removed


#: what every report advisor writes starts with (or contains near the top), so a
#: later run may replace its own report but never a file someone else wrote
REPORT_MARKERS = ("<!-- advisor report -->", '"generator": "advisor"', "<meta name=generator content=advisor>")


def is_advisor_report(path: str | Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return any(marker in head for marker in REPORT_MARKERS)


def refuse_overwrite(path: str | Path, force: bool, flag: str = "--force") -> None:
    """For files the user keeps (answers, templates, exported configs): never
    replace one that exists unless ``force``."""
    p = Path(path)
    if p.is_dir():
        raise InputError([Problem("is a directory; give a file name", Location(display_path(p)))])
    if p.exists() and not force:
        raise InputError([Problem(f"already exists; not overwriting it (pass {flag} to replace it)", Location(display_path(p)))])


def check_report_target(path: str | Path, force: bool = False, flag: str = "--force") -> None:
    """Refuse to replace an existing file unless advisor wrote it or ``force``.

    Re-running a command refreshes its own report; a file the user wrote is
    never lost by accident.
    """
    target = Path(path)
    if target.is_dir():
        raise InputError([Problem("is a directory", Location(display_path(target)))])
    if target.exists() and not force and not is_advisor_report(target):
        raise InputError(
            [
                Problem(
                    f"already exists and is not a report advisor wrote; not overwriting it (pass {flag} to replace it)",
                    Location(display_path(target)),
                )
            ]
        )
