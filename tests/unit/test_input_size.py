"""An input file larger than advisor will read is one located line, read no further."""

from __future__ import annotations

import pytest

from advisor.catalog.sources import read_raw
from advisor.core import yamlsrc
from advisor.errors import InputError


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(yamlsrc, "MAX_FILE_BYTES", 1024)


def test_a_yaml_file_over_the_limit(tmp_path, small_limit):
    big = tmp_path / "answers.yaml"
    big.write_text("notes: " + "x" * 2000 + "\n")
    with pytest.raises(yamlsrc.YamlProblems) as info:
        yamlsrc.load_yaml_file(big, "answers.yaml")
    assert [str(p) for p in info.value.problems] == ["answers.yaml: cannot read: larger than 1,024 bytes; refusing to read it"]


def test_a_catalogue_over_the_limit(tmp_path, small_limit):
    from datetime import date

    big = tmp_path / "prices-2026-01-01.json"
    big.write_text('{"a": "' + "x" * 2000 + '"}')
    with pytest.raises(InputError) as info:
        read_raw("litellm", str(big), None, date(2026, 1, 1))
    assert info.value.lines()[0].endswith("prices-2026-01-01.json: cannot read: larger than 1,024 bytes; refusing to read it")
