"""The user's overlay is read with the same safety as every other YAML file,
and written so that it reads back to the same data."""

from __future__ import annotations

import pytest
import yaml

from advisor.catalog.overlay import read_overlay
from advisor.catalog.yamlout import dump
from advisor.errors import KnowledgeError


def test_keys_yaml_would_read_as_booleans_are_quoted():
    data = {"yes": 1, "No": 2, "on": {"off": True}, "null": None, "plain": "x", "y": "n"}
    assert yaml.safe_load(dump(data)) == data


def test_a_duplicate_key_in_the_overlay_is_refused_with_its_line(tmp_path):
    (tmp_path / "models.catalog.yaml").write_text("models:\n  - id: a\n    name: A\n    name: B\n")
    with pytest.raises(KnowledgeError) as info:
        read_overlay(tmp_path)
    assert info.value.lines()[0].endswith(
        "models.catalog.yaml:4: models[0].name: key given twice (first on line 3); the second would silently win"
    )


def test_an_alias_loop_in_the_overlay_is_refused(tmp_path):
    (tmp_path / "models.catalog.yaml").write_text("models: &m [*m]\n")
    with pytest.raises(KnowledgeError) as info:
        read_overlay(tmp_path)
    assert "an alias refers to a value that contains it" in info.value.lines()[0]
