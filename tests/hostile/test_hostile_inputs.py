"""The hostile-input corpus: every entry of inputs/manifest.yaml, run in process.

Each entry runs ``advisor ARGS`` with a copy of the files it names as its
working folder and the canary keys in the environment, then asserts: exit 2;
one ``advisor: ...`` line on stderr per problem (``lines``, default 1), each
naming the place (``where``: file:line: field, or the flag) and what is wrong
(``says``); no traceback and no "internal error"; nothing on stdout; every file
byte-identical and no file added; no canary key in any output.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import sys
from pathlib import Path

import pytest
import yaml

CORPUS = Path(__file__).resolve().parent / "inputs"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
CANARIES = {
    "OPENAI_API_KEY": "sk-canary-openai-7f3a9c",
    "ANTHROPIC_API_KEY": "sk-ant-canary-51d0e2",
    "GEMINI_API_KEY": "canary-gemini-a8b7c6",
    "MISTRAL_API_KEY": "canary-mistral-0c1d2e",
}


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _copy_inputs(entry: dict, work: Path) -> None:
    """The corpus files the entry names (arguments and stdin), at the same relative paths."""
    for token in [*entry["args"], entry.get("stdin") or ""]:
        if not token or token.startswith("-"):
            continue
        src = CORPUS / token
        try:
            if not src.exists() or src == CORPUS:
                continue
        except OSError:  # a flag value too long to be a file name
            continue
        dst = work / token
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
        parent = src.parent  # a file in a knowledge folder brings the folder's other files
        if parent.parent.name == "overlays":
            shutil.copytree(parent, work / parent.relative_to(CORPUS), dirs_exist_ok=True)


def _run(argv: list[str]) -> int:
    from advisor.__main__ import main

    try:
        return main(argv)
    except SystemExit as exc:  # argparse's own exit (a bad flag)
        return int(exc.code or 0)


def test_the_corpus_is_large_and_every_entry_is_complete():
    ids = [e["id"] for e in MANIFEST]
    assert len(ids) == len(set(ids)) and len(ids) >= 100
    for e in MANIFEST:
        assert e["args"] and "where" in e and "says" in e, e["id"]


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["id"] for e in MANIFEST])
def test_hostile_input(entry, tmp_path, monkeypatch, capsys):
    work = tmp_path / "work"
    work.mkdir()
    _copy_inputs(entry, work)
    monkeypatch.chdir(work)
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)
    if entry.get("stdin"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((CORPUS / entry["stdin"]).read_bytes())))
    before = _snapshot(work)

    code = _run(list(entry["args"]))
    out, err = capsys.readouterr()

    assert code == 2, (code, out, err)
    assert "Traceback" not in err and "internal error" not in err, err
    assert out == "", out
    lines = err.splitlines()
    assert len(lines) == entry.get("lines", 1), err
    for line in lines:
        assert line.startswith("advisor: ") and entry["where"] in line and entry["says"] in line, line
    assert _snapshot(work) == before  # byte-identical, and nothing written beside them
    for key in CANARIES.values():
        assert key not in out and key not in err
