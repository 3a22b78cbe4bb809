"""A catalog import writes its own file and never rewrites one the user edited."""

from __future__ import annotations

import hashlib
import json

from advisor.cli import catalog_cmd
from advisor.core.knowledge import load_knowledge, overlay_files

from .conftest import LITELLM, MODELS_DEV

USER_OVERLAY = """\
# my own notes: we negotiated a discount with OpenAI (ticket 4411)
models:
  - id: gpt-4o
    context_window: 64000   # our deployment's limit, not the model's
"""


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _import(capsys, *argv):
    code = catalog_cmd.main(["import", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_reimport_leaves_the_users_models_yaml_byte_identical_and_it_wins(data_dir, capsys):
    data_dir.mkdir(parents=True)
    mine = data_dir / "models.yaml"
    mine.write_text(USER_OVERLAY)
    before = _sha(mine)
    for kind, src, as_of in (("models-dev", MODELS_DEV, "2026-07-02"), ("litellm", LITELLM, "2026-09-29"),
                             ("models-dev", MODELS_DEV, "2026-07-02")):
        code, out, _ = _import(capsys, kind, str(src), "--as-of", as_of, "--format", "json")
        assert code == 0 and json.loads(out)["overlay"].endswith("models.catalog.yaml")
        assert _sha(mine) == before  # the comments and the edit are still there
    assert sorted(p.name for p in data_dir.iterdir()) == ["models.catalog.yaml", "models.yaml"]
    assert [p.name for p in overlay_files(data_dir)] == ["models.catalog.yaml", "models.yaml"]  # the user's last


def test_the_users_models_yaml_wins_over_the_imported_file(tmp_path):
    builtin = load_knowledge()
    mid = builtin.models[0].id
    (tmp_path / "models.catalog.yaml").write_text(f"models:\n  - id: {mid}\n    context_window: 1000\n")
    (tmp_path / "models.yaml").write_text(f"models:\n  - id: {mid}\n    context_window: 64000\n")
    assert load_knowledge([tmp_path]).model_by_id[mid].context_window == 64000


def test_an_edited_import_file_is_refused_byte_identical(data_dir, capsys):
    assert _import(capsys, "models-dev", str(MODELS_DEV), "--as-of", "2026-07-02")[0] == 0
    written = data_dir / "models.catalog.yaml"
    written.write_text(written.read_text().replace("models:", "# keep this\nmodels:", 1))
    before = _sha(written)
    code, out, err = _import(capsys, "litellm", str(LITELLM), "--as-of", "2026-09-29")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "models.catalog.yaml" in err and "was edited" in err and "models.yaml" in err
    assert _sha(written) == before


def test_a_models_yaml_from_an_older_import_is_kept_and_named(data_dir, capsys):
    data_dir.mkdir(parents=True)
    legacy = data_dir / "models.yaml"
    legacy.write_text("# models.yaml overlay written by `advisor catalog import` (schema: x).\nmodels: []\n")
    before = _sha(legacy)
    code, out, _ = _import(capsys, "models-dev", str(MODELS_DEV), "--as-of", "2026-07-02", "--format", "json")
    (note,) = json.loads(out)["notes"]
    assert code == 0 and "models.yaml was written by an earlier import" in note
    assert _sha(legacy) == before
