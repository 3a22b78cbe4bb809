"""The loaded knowledge, kept between runs so a command need not parse its YAML again.

Parsing the built-in knowledge (about 4,000 lines of YAML) is most of what
``advisor --answers`` spends before it can decide anything. This cache keeps
the validated :class:`~advisor.core.knowledge.KnowledgeBase` under a key that
covers everything it was made from:

- the cache format, advisor's version, Python's and pydantic's versions, and
  the source of advisor's core modules (the schema that shapes what is loaded,
  so an edited checkout never reads objects of an older shape);
- for every file the knowledge is read from (built-in, each overlay, each
  evidence file; :func:`~advisor.core.knowledge.knowledge_plan` lists them),
  its label, its path and its bytes.

Editing a knowledge file or an overlay, adding or removing one, running from
another folder (labels in messages are relative to it): each is another key,
so a stale entry is never read. What is parsed on a miss are the very bytes
that were hashed. Knowledge with problems is never cached: its errors come
from the parse, located (``file:line: field``) as always.

An entry is a pickle of the knowledge's fields behind a SHA-256 of its bytes,
read back by an unpickler that builds only the knowledge's own classes (plus
``date`` and ``Decimal``), so a tampered file cannot run code. It lives in
the user's cache folder (``$XDG_CACHE_HOME/advisor``, default
``~/.cache/advisor``; ``%LOCALAPPDATA%`` on Windows, ``~/Library/Caches`` on
macOS), never beside the user's files, and at most :data:`KEEP` entries are
kept. ``ADVISOR_NO_CACHE=1`` turns it off. A missing, corrupt, unreadable or
unwritable cache is a silent miss: the knowledge is parsed as without it.

This sits at the boundary between the commands and the core: the core's
loader stays a pure function of its files (``load_plan``), and this module
does the extra reading and writing.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from advisor.core.knowledge import KnowledgeBase, KnowledgePlan, knowledge_plan, load_plan
from advisor.core.yamlsrc import read_bounded
from advisor.userdirs import user_cache_dir

#: bump when what an entry holds changes shape
FORMAT = 1
MAGIC = b"advisor-knowledge-cache\n"
#: entries kept (one per set of inputs: built-in alone, with an overlay, ...)
KEEP = 8
_PREFIX, _SUFFIX = "knowledge-", ".pickle"


def cache_dir() -> Path | None:
    """The folder entries go in (:func:`advisor.userdirs.user_cache_dir`), or None: no cache."""
    return user_cache_dir()


def _code_fingerprint(h: Any) -> None:
    import pydantic

    import advisor
    import advisor.core

    h.update(f"{FORMAT}|{advisor.__version__}|{sys.version}|{pydantic.VERSION}\n".encode())
    core = Path(advisor.core.__file__).parent
    for path in sorted(core.glob("*.py")) + [core.parent / "errors.py"]:
        h.update(path.name.encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


def cache_key(plan: KnowledgePlan, contents: dict[Path, bytes]) -> str:
    """The key of the knowledge made from ``plan``'s files with these bytes."""
    h = hashlib.sha256()
    _code_fingerprint(h)
    h.update(f"{plan.base_dir}|{plan.models_replaced}\n".encode())
    for src in plan.files:
        h.update(f"{src.kind}|{src.overlay}|{src.listed}|{src.label}|{src.path}\0".encode())
        h.update(hashlib.sha256(contents[src.path]).digest())
    return h.hexdigest()


#: what an entry may build besides the knowledge's own classes
_ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("decimal", "Decimal")}
_KNOWLEDGE_MODULES = ("advisor.core.schema", "advisor.core.profiles", "advisor.core.yamlsrc")


class _KnowledgeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        if module in _KNOWLEDGE_MODULES:
            from pydantic import BaseModel

            from advisor.core.yamlsrc import SourceMap

            obj = super().find_class(module, name)
            if isinstance(obj, type) and (issubclass(obj, BaseModel) or obj is SourceMap):
                return obj
        raise pickle.UnpicklingError(f"{module}.{name} is not part of the knowledge")


def _entry(folder: Path, key: str) -> Path:
    return folder / f"{_PREFIX}{key[:40]}{_SUFFIX}"


def read_entry(folder: Path, key: str) -> KnowledgeBase | None:
    """The knowledge stored under ``key``, or None for any kind of miss."""
    try:
        blob = _entry(folder, key).read_bytes()
    except OSError:
        return None
    head = MAGIC + key.encode()
    digest_end = len(head) + 32
    if not blob.startswith(head) or len(blob) < digest_end:
        return None
    payload = memoryview(blob)[digest_end:]
    if hashlib.sha256(payload).digest() != blob[len(head) : digest_end]:
        return None
    try:
        data = _KnowledgeUnpickler(io.BytesIO(payload)).load()
        return KnowledgeBase(**data)
    except Exception:  # noqa: BLE001 - a cache that cannot be read is a miss, whatever the reason
        return None


def write_entry(folder: Path, key: str, kb: KnowledgeBase) -> None:
    """Store ``kb`` under ``key`` (atomically: temp file + rename); failures are ignored."""
    try:
        payload = pickle.dumps({f.name: getattr(kb, f.name) for f in fields(kb)}, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - something in the knowledge that does not pickle: no cache, no harm
        return
    blob = MAGIC + key.encode() + hashlib.sha256(payload).digest() + payload
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{_PREFIX}", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, _entry(folder, key))
        tmp = None
        _prune(folder)
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


#: a temp file this old was left by a writer that was killed (a write takes milliseconds)
STALE_TEMP_SECONDS = 600


def _prune(folder: Path) -> None:
    """Keep the newest :data:`KEEP` entries; remove temp files killed writers left."""
    import time

    entries = []
    stale: list[Path] = []
    for p in folder.iterdir():
        try:
            mtime = p.stat().st_mtime_ns
        except OSError:
            continue
        if p.name.startswith(_PREFIX) and p.name.endswith(_SUFFIX):
            entries.append((mtime, p))
        elif p.name.startswith(f".{_PREFIX}") and p.name.endswith(".tmp") and time.time() - mtime / 1e9 > STALE_TEMP_SECONDS:
            stale.append(p)
    for p in stale + [p for _, p in sorted(entries, reverse=True)[KEEP:]]:
        try:
            p.unlink()
        except OSError:
            pass


def load_knowledge_cached(overlays: Sequence[str | Path] = ()) -> KnowledgeBase:
    """``load_knowledge(overlays)``, from the cache when the same files were loaded before."""
    plan = knowledge_plan(overlays)
    folder = cache_dir()
    if folder is None:
        return load_plan(plan)
    try:
        contents = {src.path: read_bounded(src.path) for src in plan.files}
        key = cache_key(plan, contents)
    except OSError:  # a file that cannot be read: the loader says which, located
        return load_plan(plan)
    kb = read_entry(folder, key)
    if kb is None:
        kb = load_plan(plan, contents)
        write_entry(folder, key, kb)
    return kb
