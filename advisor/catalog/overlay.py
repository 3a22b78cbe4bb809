"""Read and write the user's catalogue overlay (``models.yaml`` in a knowledge folder)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from advisor.catalog import litellm, models_dev
from advisor.catalog.build import Report, build_overlay
from advisor.catalog.sources import read_raw
from advisor.catalog.yamlout import dump, write_atomic
from advisor.core.yamlsrc import YamlProblems, load_yaml_file
from advisor.errors import KnowledgeError, Location, Problem, display_path

PARSERS = {"models-dev": models_dev.parse, "litellm": litellm.parse}


def read_overlay(directory: Path) -> dict[str, Any] | None:
    path = directory / "models.yaml"
    if not path.exists():
        return None
    try:  # the located loader: duplicate keys, alias loops and bombs are refused here too
        data, _ = load_yaml_file(path)
    except YamlProblems as exc:
        raise KnowledgeError(exc.problems) from None
    if not isinstance(data, dict):
        raise KnowledgeError([Problem("must be a mapping of keys to values", Location(display_path(path), 1))])
    return data


def import_catalog(
    kind: str,
    where: str | None,
    directory: Path,
    *,
    builtin_kb: Any,
    today: date,
    as_of: date | None = None,
    dry_run: bool = False,
) -> tuple[Report, Path]:
    """Read a catalogue, merge it into ``directory/models.yaml`` (atomically); return what changed.

    Everything that can fail (reading, parsing, the existing overlay) fails
    before the file is touched, so a bad input leaves the overlay as it was.
    """
    raw = read_raw(kind, where, as_of, today)
    parsed = PARSERS[kind](raw)
    existing = read_overlay(directory)
    data, report = build_overlay(parsed, builtin_kb.providers, builtin_kb.models, existing)
    target = directory / "models.yaml"
    if not dry_run:
        header = (
            "models.yaml overlay written by `advisor catalog import` (schema: advisor.core.schema.ModelsFile).\n"
            f"Last import: {kind} from {raw.label}, {parsed.source}, as of {parsed.as_of.isoformat()}.\n"
            "Merged over the built-in knowledge by id (endpoints by provider). Prices: USD per 1M tokens; null = unknown.\n"
            "Imported models are unrated on every capability. Edit freely; a re-import refreshes the endpoints it finds."
        )
        write_atomic(target, dump(data, header))
    return report, target
