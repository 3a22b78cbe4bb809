"""Where the user's own data lives (the catalogue overlay ``advisor catalog import``
writes), and the knowledge folders a run reads: shared by the CLI, the app and the
bake-off, so none of them imports another's entry point."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path


def user_knowledge_dir() -> Path:
    """Where ``advisor catalog import`` keeps the user's overlay.

    ``ADVISOR_DATA_DIR`` wins; otherwise the platform's convention for user
    data: ``%APPDATA%`` on Windows, ``~/Library/Application Support`` on macOS,
    ``$XDG_DATA_HOME`` (default ``~/.local/share``) elsewhere.
    """
    env = os.environ.get("ADVISOR_DATA_DIR")
    if env:
        return Path(env).expanduser() / "knowledge"
    home = Path.home()
    if sys.platform.startswith("win"):
        root = Path(os.environ.get("APPDATA", home / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        root = home / "Library" / "Application Support"
    else:
        root = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return root / "advisor" / "knowledge"


KEPT_GLOB = "bakeoff-*.json"  # the kept bake-offs' file names in evidence_dir()


def evidence_dir() -> Path:
    """``<data>/advisor/evidence``: the kept bake-offs, beside the catalog overlay's ``knowledge`` folder."""
    return user_knowledge_dir().parent / "evidence"


def has_kept_evidence() -> bool:
    """Whether any bake-off is kept (cheap: a directory listing, no file read)."""
    folder = evidence_dir()
    return folder.is_dir() and next(folder.glob(KEPT_GLOB), None) is not None


def user_cache_dir() -> Path | None:
    """Where advisor keeps what it can rebuild (advisor.knowledge_cache), or None when
    ``ADVISOR_NO_CACHE`` is set (to anything but ``0`` or empty). The platform's
    convention for caches: ``$XDG_CACHE_HOME`` (default ``~/.cache``),
    ``%LOCALAPPDATA%`` on Windows, ``~/Library/Caches`` on macOS. Never beside the
    user's own files."""
    if os.environ.get("ADVISOR_NO_CACHE", "") not in ("", "0"):
        return None
    env = os.environ.get("XDG_CACHE_HOME")
    if env:
        return Path(env).expanduser() / "advisor"
    home = Path.home()
    if sys.platform.startswith("win"):
        return Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local")) / "advisor" / "cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "advisor"
    return home / ".cache" / "advisor"


def knowledge_dirs(extra: Sequence[str] | None) -> list[str]:
    """The user's catalog overlay (if any) then every ``--knowledge`` folder, in order."""
    dirs: list[str] = []
    user = user_knowledge_dir()
    if user.is_dir():
        dirs.append(str(user))
    dirs.extend(extra or [])
    return dirs
