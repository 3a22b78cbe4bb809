"""The command line end to end, in a subprocess: exit codes, stdout/stderr, reports."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples" / "answers").glob("*.yaml"))
CANARY = "sk-canary-123"
TODAY = "2026-11-24"

SIMPLE = "task_type: summarization\nmonthly_requests: 100000\nquality_floor: 0.85\n"


def advisor(*args: str, cwd: Path, data_dir: Path, stdin: str | None = None, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update(
        {
            "ADVISOR_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(REPO),
            "OPENAI_API_KEY": CANARY,
            "ANTHROPIC_API_KEY": CANARY,
            "COLUMNS": "120",
            "NO_COLOR": "1",
        }
    )
    env.pop("ADVISOR_DEBUG", None)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "advisor", *args],
        cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=60,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


@pytest.fixture
def cli(tmp_path, _isolated_data_dir):
    def go(*args: str, stdin: str | None = None, cwd: Path | None = None, **kw):
        return advisor(*args, cwd=cwd or tmp_path, data_dir=_isolated_data_dir, stdin=stdin, **kw)

    return go


def assert_bad_input(r, *expected_parts: str, lines: int | None = 1):
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    err = r.stderr.strip().splitlines()
    if lines is not None:
        assert len(err) == lines, err
    assert all(line.startswith("advisor: ") for line in err), err
    for part in expected_parts:
        assert part in r.stderr, (part, r.stderr)
    assert CANARY not in r.stderr + r.stdout


# ---------------------------------------------------------------- examples


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_prints_a_shortlist(cli, example):
    r = cli("--answers", str(example), "--today", TODAY, "--format", "json", cwd=REPO)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    data = json.loads(r.stdout)["shortlist"]
    assert data["candidates"], example.name
    assert data["candidates"][0]["role"] == "recommended"
    assert data["tree_path"] and data["outcome"]["node"]
    assert CANARY not in r.stdout + r.stderr


def test_numbered_examples_reach_their_branch(cli):
    expected = {
        "1-own-infrastructure": "self_hosted_open_weights",
        "2-very-long-context": "million_token_context",
        "3-complex-reasoning": "reasoning_models",
        "4-latency-critical": "fast_models",
        "5-cost-primary": "cheapest_models",
        "6-code-and-instructions": "instruction_followers",
        "7-safe-default": "safe_default",
    }
    for stem, node in expected.items():
        r = cli("--answers", f"examples/answers/{stem}.yaml", "--today", TODAY, "--format", "json", cwd=REPO)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["shortlist"]["outcome"]["node"] == node, stem


def test_text_output(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--today", TODAY)
    assert r.returncode == 0, r.stderr
    assert "Shortlist" in r.stdout
    assert "Recommended" in r.stdout
    assert "Decision tree path" in r.stdout
    assert r.stderr == ""


def test_json_output_has_the_tree_path(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--today", TODAY, "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["schema_version"] == 1
    path = doc["shortlist"]["tree_path"]
    assert [p["node"] for p in path][0] == "own_infrastructure"
    assert path[0]["answer"] == "data_privacy = standard"
    assert all(p["decision"] in ("yes", "no") for p in path)
    assert doc["shortlist"]["today"] == TODAY


def test_markdown_output(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--today", TODAY, "--format", "markdown")
    assert r.returncode == 0
    assert r.stdout.startswith("# advisor shortlist")
    assert "## Decision tree path" in r.stdout


def test_answers_from_stdin(cli):
    r = cli("--answers", "-", "--today", TODAY, "--format", "json", stdin=SIMPLE)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["shortlist"]["answers"]["monthly_requests"] == 100000


def test_same_answers_same_json(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    a = cli("--answers", "a.yaml", "--today", TODAY, "--format", "json").stdout
    b = cli("--answers", "a.yaml", "--today", TODAY, "--format", "json").stdout
    assert a == b


# ---------------------------------------------------------------- reports


@pytest.mark.parametrize("ext", ["md", "html", "json"])
def test_report_is_written_atomically(cli, tmp_path, ext):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    out = tmp_path / "out"
    out.mkdir()
    r = cli("--answers", "a.yaml", "--today", TODAY, "--report", f"out/x.{ext}")
    assert r.returncode == 0, r.stderr
    report = out / f"x.{ext}"
    assert report.is_file()
    assert os.listdir(out) == [f"x.{ext}"]  # no temp file left behind
    text = report.read_text()
    if ext == "json":
        assert json.loads(text)["shortlist"]["tree_path"]
    elif ext == "html":
        assert text.startswith("<!doctype html>") and text.rstrip().endswith("</html>")
    else:
        assert text.startswith("# advisor shortlist")
    assert CANARY not in text
    assert "wrote" in r.stderr


def test_report_replaces_its_own_report_but_not_a_file_someone_wrote(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    (tmp_path / "x.md").write_text("my notes")
    r = cli("--answers", "a.yaml", "--today", TODAY, "--report", "x.md")
    assert_bad_input(r, "x.md", "not a report advisor wrote", "--force")
    assert (tmp_path / "x.md").read_text() == "my notes"
    r = cli("--answers", "a.yaml", "--today", TODAY, "--report", "x.md", "--force")
    assert r.returncode == 0
    assert (tmp_path / "x.md").read_text().startswith("# advisor shortlist")
    for ext in ("md", "html", "json"):  # a second run refreshes its own report without --force
        for _ in range(2):
            r = cli("--answers", "a.yaml", "--today", TODAY, "--report", f"y.{ext}")
            assert r.returncode == 0, r.stderr


def test_report_pdf_is_refused(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--report", "x.pdf")
    assert_bad_input(r, "x.pdf", "--report", "unknown report format")
    assert not (tmp_path / "x.pdf").exists()
    assert r.stdout == ""


def test_report_into_a_missing_folder(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--today", TODAY, "--report", "nope/x.md")
    assert_bad_input(r, "nope/x.md", "does not exist")


def _only_evil() -> str:
    """An answers line that leaves only the overlay's own provider: the hostile
    model is then certain to be shortlisted, whatever the shipped knowledge ranks."""
    from advisor.core.knowledge import load_knowledge

    return "excluded_providers: [" + ", ".join(sorted(load_knowledge().providers)) + "]\n"


EVIL_PROVIDER = (
    "providers:\n"
    "  - {id: evilcorp, name: Evil Corp, api: openai, base_url: 'https://evil.test/v1', key_env: EVIL_API_KEY}\n"
)


def test_html_escapes_a_script_in_a_model_name(cli, tmp_path):
    over = tmp_path / "over"
    over.mkdir()
    # a cheap hosted frontier generalist (so it can reach the shortlist), whose
    # window is large enough for these answers
    (over / "models.yaml").write_text(
        EVIL_PROVIDER + "models:\n"
        "  - id: evil\n"
        "    name: '<script>alert(1)</script>'\n"
        "    family: evil\n    vendor: evil\n    tier: frontier\n    context_window: 128000\n"
        "    tags: [generalist]\n"
        "    endpoints:\n"
        "      - {provider: evilcorp, model_id: 'x\"><img src=x onerror=alert(2)>', "
        "price: {input: 0.01, output: 0.01, as_of: 2026-11-01, source: '<b>quote</b>'}}\n"
    )
    (tmp_path / "a.yaml").write_text(SIMPLE + "context_tokens: 200000\n")  # evil is eliminated: listed with a reason
    r = cli("--answers", "a.yaml", "--today", TODAY, "--knowledge", "over", "--report", "r.html")
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "r.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "<img" not in html

    (tmp_path / "b.yaml").write_text(SIMPLE + _only_evil())  # now evil is the only option left
    r = cli("--answers", "b.yaml", "--today", TODAY, "--knowledge", "over", "--report", "s.html")
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "s.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "<img" not in html
    assert "<b>quote</b>" not in html
    # the text output shows the name literally (Rich markup escaped, nothing swallowed)
    assert "alert(1)" in r.stdout


# ---------------------------------------------------------------- bad input


def test_missing_answers_file(cli):
    assert_bad_input(cli("--answers", "nope.yaml"), "nope.yaml: no such file")


def test_answers_file_is_a_directory(cli, tmp_path):
    (tmp_path / "d").mkdir()
    assert_bad_input(cli("--answers", "d"), "d: is a directory, not a file")


def test_bad_answers_one_line_each(cli, tmp_path):
    (tmp_path / "a.yaml").write_text("task_type: chat\nmonthly_requests: -1\navg_input_token: 5\n")
    r = cli("--answers", "a.yaml")
    assert_bad_input(
        r,
        "advisor: a.yaml:2: monthly_requests: must be >= 1; got -1",
        "advisor: a.yaml:3: avg_input_token: unknown key (did you mean 'avg_input_tokens'?)",
        lines=2,
    )
    assert r.stdout == ""


def test_malformed_answers(cli, tmp_path):
    (tmp_path / "a.yaml").write_text("task_type: chat\nmonthly_requests: 5\nbad: a: b\n")
    assert_bad_input(cli("--answers", "a.yaml"), "a.yaml:3: malformed YAML")


def test_empty_answers(cli, tmp_path):
    (tmp_path / "a.yaml").write_text("")
    assert_bad_input(cli("--answers", "a.yaml"), "a.yaml:1: the file is empty")


def test_bad_today(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    assert_bad_input(cli("--answers", "a.yaml", "--today", "24/11/2026"), "--today", "not a date")


def test_knowledge_not_a_folder(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    (tmp_path / "models.yaml").write_text("models: []\n")
    assert_bad_input(cli("--answers", "a.yaml", "--knowledge", "models.yaml"), "models.yaml: is not a directory")


def test_broken_overlay_names_the_overlay_file_and_line(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    over = tmp_path / "over"
    over.mkdir()
    (over / "models.yaml").write_text("models:\n  - id: gpt-4o\n    contex_window: 5\n")
    r = cli("--answers", "a.yaml", "--knowledge", "over")
    assert_bad_input(r, "over/models.yaml:3: models[", "contex_window: unknown key (did you mean 'context_window'?)")


def test_a_users_catalog_overlay_is_read_from_the_data_dir(cli, tmp_path, _isolated_data_dir):
    # proves ADVISOR_DATA_DIR is honoured (and so isolating it in tests matters)
    (tmp_path / "a.yaml").write_text(SIMPLE)
    user = _isolated_data_dir / "knowledge"
    user.mkdir()
    (user / "models.yaml").write_text("models:\n  - id: gpt-4o\n    bogus: 1\n")
    r = cli("--answers", "a.yaml")
    assert_bad_input(r, "bogus: unknown key")


def test_no_arguments_without_a_terminal(cli):
    r = cli()
    assert_bad_input(r, "no answers given and no terminal")


def test_unknown_format_is_a_usage_error(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--format", "pdf")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


# ---------------------------------------------------------------- init and questions


def test_init_then_answers(cli, tmp_path):
    r = cli("init", "a.yaml")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.yaml").is_file()
    r = cli("--answers", "a.yaml", "--today", TODAY, "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["shortlist"]["candidates"]


def test_init_refuses_to_overwrite(cli, tmp_path):
    (tmp_path / "a.yaml").write_text("mine\n")
    r = cli("init", "a.yaml")
    assert_bad_input(r, "a.yaml: already exists", "--force")
    assert (tmp_path / "a.yaml").read_text() == "mine\n"
    r = cli("init", "a.yaml", "--force")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.yaml").read_text() != "mine\n"


def test_init_to_stdout_covers_every_question(cli):
    from advisor.core.knowledge import load_knowledge

    r = cli("init", "-")
    assert r.returncode == 0
    keys = {line.split(":")[0] for line in r.stdout.splitlines() if line and not line.startswith("#")}
    assert keys == {q.id for q in load_knowledge().questions.questions}


def test_questions_lists_every_question_id(cli):
    from advisor.core.knowledge import load_knowledge

    r = cli("questions")
    assert r.returncode == 0, r.stderr
    for q in load_knowledge().questions.questions:
        assert f"\n{q.id}: " in r.stdout, q.id


# ---------------------------------------------------------------- sample prompt


def test_sample_prompt_sets_avg_input_tokens(cli, tmp_path):
    from advisor.core.tokens import count_tokens

    (tmp_path / "a.yaml").write_text(SIMPLE + "avg_input_tokens: 999\n")
    (tmp_path / "p.txt").write_text("Hello, world!")
    assert count_tokens("Hello, world!", "o200k_base") == 4 == count_tokens("Hello, world!", "cl100k_base")
    r = cli("--answers", "a.yaml", "--sample-prompt", "p.txt", "--today", TODAY, "--format", "json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)["shortlist"]
    assert s["answers"]["avg_input_tokens"] == 4
    assert s["candidates"][0]["costs"]["input_tokens"] == 4
    assert "approximate" in s["token_note"]


def test_sample_prompt_larger_file(cli, tmp_path):
    from advisor.core.tokens import count_tokens

    text = "Summarise the following ticket in two sentences.\n" + "The printer on floor 3 is jammed again. " * 50
    (tmp_path / "a.yaml").write_text(SIMPLE)
    (tmp_path / "p.txt").write_text(text)
    r = cli("--answers", "a.yaml", "--sample-prompt", "p.txt", "--today", TODAY, "--format", "json")
    assert json.loads(r.stdout)["shortlist"]["answers"]["avg_input_tokens"] == count_tokens(text)


def test_empty_sample_prompt(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    (tmp_path / "p.txt").write_text("")
    assert_bad_input(cli("--answers", "a.yaml", "--sample-prompt", "p.txt"), "p.txt", "empty")


def test_missing_sample_prompt(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    assert_bad_input(cli("--answers", "a.yaml", "--sample-prompt", "nope.txt"), "nope.txt: no such file")


# ---------------------------------------------------------------- secrets


def test_api_keys_never_appear_in_output_or_reports(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE + "availability: high\n")
    for fmt, ext in (("text", "md"), ("json", "html"), ("markdown", "json")):
        r = cli("--answers", "a.yaml", "--today", TODAY, "--format", fmt, "--report", f"r.{ext}")
        assert r.returncode == 0, r.stderr
        assert CANARY not in r.stdout + r.stderr
        assert CANARY not in (tmp_path / f"r.{ext}").read_text()
    r = cli("--answers", "missing.yaml")
    assert CANARY not in r.stdout + r.stderr


def _evil_model(tmp_path, name_yaml: str, tags: str = "") -> None:
    """An overlay (over/) with one model named ``name_yaml`` (a YAML scalar) at the evil
    provider, and answers (a.yaml) that leave only that provider."""
    over = tmp_path / "over"
    over.mkdir()
    (over / "models.yaml").write_text(
        EVIL_PROVIDER + "models:\n"
        "  - id: evil\n"
        f"    name: {name_yaml}\n"
        "    family: evil\n    vendor: evil\n    tier: frontier\n    context_window: 128000\n"
        + tags +
        "    endpoints:\n"
        "      - {provider: evilcorp, model_id: evil-1, price: {input: 0.01, output: 0.01, as_of: 2026-11-01, source: s}}\n"
    )
    (tmp_path / "a.yaml").write_text(SIMPLE + _only_evil())


def test_markdown_makes_a_hostile_model_name_inert(cli, tmp_path):
    _evil_model(tmp_path, "'Mini | [x](http://evil) <script>alert(1)</script>'", tags="    tags: [generalist]\n")
    r = cli("--answers", "a.yaml", "--today", TODAY, "--knowledge", "over", "--format", "markdown")
    assert r.returncode == 0, r.stderr
    # the only provider left: it is recommended
    # (the cell goes on with what the advice rests on: "(unproven: run the bake-off)")
    assert "| Recommended | Mini \\| \\[x\\](http://evil) &lt;script&gt;alert(1)&lt;/script&gt; (" in r.stdout
    assert "<script" not in r.stdout
    assert "&lt;script&gt;" in r.stdout
    assert not re.search(r"(?<!\\)\]\(http://evil\)", r.stdout)  # brackets escaped: no live link
    assert "\\[x\\](http://evil)" in r.stdout
    for line in r.stdout.splitlines():
        if "Mini" in line and line.startswith("|"):
            assert "Mini \\| " in line  # the pipe cannot split the table cell


def test_the_terminal_shows_an_emoji_code_in_a_model_name_as_written(cli, tmp_path):
    """Rich turns ':rocket:' into an emoji unless told not to: a name from a file is shown as written."""
    _evil_model(tmp_path, "'Evil :rocket: :warning:'", tags="    tags: [generalist]\n")
    r = cli("--answers", "a.yaml", "--today", TODAY, "--knowledge", "over")
    assert r.returncode == 0, r.stderr
    assert "Evil :rocket: :warning:" in r.stdout
    assert "\N{ROCKET}" not in r.stdout


def test_problems_in_an_answers_file_are_listed_in_line_order(cli, tmp_path):
    """Range checks and type checks run in separate passes; the reader gets the file top to bottom."""
    (tmp_path / "a.yaml").write_text(
        "task_type: chatt\nmonthly_requests: -5\nquality_floor: 2\nlatency_target_ms: fast\n"
        "bogus_key: 1\navg_input_tokens: 10\navg_output_tokens: 0\n")
    r = cli("--answers", "a.yaml")
    assert_bad_input(r, "task_type", "bogus_key: unknown key", lines=6)
    lines = [int(re.match(r"advisor: a\.yaml:(\d+): ", line).group(1)) for line in r.stderr.splitlines()]
    assert lines == [1, 2, 3, 4, 5, 7]


def test_a_scalar_where_a_list_belongs_says_list(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE + "languages: en\n")
    r = cli("--answers", "a.yaml")
    assert_bad_input(r, "a.yaml:4: languages: must be a list (e.g. [a, b]); got 'en'")
    assert "tuple" not in r.stderr


def test_tui_without_a_terminal_is_refused(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--tui", stdin="")
    assert_bad_input(r, "--tui needs a terminal")


def test_a_reader_that_stops_early_is_not_a_failure(tmp_path):
    """`advisor --answers … | head -1`: the closed pipe ends the run with exit 0, quietly."""
    (tmp_path / "a.yaml").write_text(SIMPLE)
    env = dict(os.environ, ADVISOR_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", "--answers", "a.yaml", "--today", TODAY],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # like `| head -0`: the reader is gone before advisor writes a line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert "Traceback" not in err


# ---------------------------------------------------------------- why not X?


def test_why_not_explains_each_model_asked(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--why-not", "claude-3-5-sonnet", "--why-not", "o3", "--format", "json", "--today", TODAY)
    assert r.returncode == 0, r.stderr
    why = {w["model_id"]: w for w in json.loads(r.stdout)["shortlist"]["why_not"]}
    assert why["claude-3-5-sonnet"]["asked"] is True
    assert why["claude-3-5-sonnet"]["status"] == "retired"
    assert why["o3"]["asked"] is True and why["o3"]["summary"].startswith("o3 ")
    md = cli("--answers", "a.yaml", "--why-not", "o3", "--format", "markdown", "--today", TODAY)
    assert "## Why not…?" in md.stdout and "**o3 " in md.stdout


def test_why_not_takes_the_name_as_shown_too(cli, tmp_path):
    # a person copies "GPT-5.4" from the table, not the id gpt-5-4
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--why-not", "GPT-5.4", "--why-not", "GPT-5-4", "--format", "json", "--today", TODAY)
    assert r.returncode == 0, r.stderr
    asked = [w["model_id"] for w in json.loads(r.stdout)["shortlist"]["why_not"] if w["asked"]]
    assert asked == ["gpt-5-4"]


def test_why_not_takes_the_api_model_id_the_output_prints(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--why-not", "mistral-large-2512", "--why-not", "accounts/fireworks/models/qwen3-235b-a22b",
            "--why-not", "QWEN3-235B-A22B", "--format", "json", "--today", TODAY)
    assert r.returncode == 0, r.stderr
    asked = [w["model_id"] for w in json.loads(r.stdout)["shortlist"]["why_not"] if w["asked"]]
    assert asked == ["mistral-large-3", "qwen3-235b-a22b"]


def test_why_not_a_model_retiring_soon_says_so_first(cli, tmp_path):
    """GPT-4o qualifies and ranks well, but retires on 2027-01-14: that is why it is not recommended."""
    r = cli("--answers", str(REPO / "examples" / "answers" / "support-bot.yaml"), "--why-not", "gpt-4o",
            "--format", "json", "--today", "2026-12-02")
    assert r.returncode == 0, r.stderr
    (w,) = [w for w in json.loads(r.stdout)["shortlist"]["why_not"] if w["asked"]]
    assert w["status"] == "ranked_below"
    assert "passes every filter but retires on 2027-01-14, within 45 days: not shortlisted" in w["summary"]
    assert not any(d.startswith("retires on") for d in w["details"])  # said once


def test_the_models_the_tree_outcome_names_are_explained_when_not_shortlisted(cli, tmp_path):
    r = cli("--answers", str(REPO / "examples" / "answers" / "1-own-infrastructure.yaml"), "--format", "json",
            "--today", "2026-12-02")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)["shortlist"]
    from advisor.core.knowledge import load_knowledge

    named = set(load_knowledge().node_by_id[s["outcome"]["node"]].candidates.models)
    shortlisted = {c["option"]["model_id"] for c in s["candidates"]}
    why = {w["model_id"]: w for w in s["why_not"]}
    for mid in named - shortlisted:
        assert "named by the decision tree's outcome" in why[mid]["summary"] and not why[mid]["asked"]
    assert named - shortlisted  # (this example's tree outcome names models it does not shortlist)


def test_a_self_hosted_default_mode_is_not_called_the_apis(cli, tmp_path):
    r = cli("--answers", str(REPO / "examples" / "answers" / "1-own-infrastructure.yaml"), "--format", "json",
            "--today", "2026-12-02")
    assert r.returncode == 0, r.stderr
    reasons = [x for c in json.loads(r.stdout)["shortlist"]["candidates"] for x in c["reasons"]]
    modes = [x for x in reasons if x.startswith("assumes reasoning mode")]
    assert any("(the default of its chat template)" in x for x in modes), modes
    assert not any("API's default" in x for x in modes), modes


def test_a_rating_measured_thinking_is_flagged_when_the_advice_assumes_thinking_off(cli, tmp_path):
    """GPT-5.4 is assumed at 'thinking off'; its code-editing rating is GPT-5's Aider runs at effort low to high."""
    r = cli("--answers", str(REPO / "examples" / "answers" / "6-code-and-instructions.yaml"), "--format", "json",
            "--today", "2026-12-02")
    assert r.returncode == 0, r.stderr
    cands = json.loads(r.stdout)["shortlist"]["candidates"]
    rec = cands[0]
    assert rec["option"]["model_id"] == "gpt-5-4" and "thinking off" in rec["reasoning_mode"]["label"]
    assert any(x.startswith("its ratings on Code editing (reasoning effort low, medium, high) come from runs that thought")
               for x in rec["reasons"]), rec["reasons"]
    for c in cands:  # never said of a candidate assumed to think
        if c["reasoning_mode"] and c["reasoning_mode"]["thinks"]:
            assert not any("come from runs that thought" in x for x in c["reasons"])


def test_why_not_an_unknown_model_is_bad_input(cli, tmp_path):
    (tmp_path / "a.yaml").write_text(SIMPLE)
    r = cli("--answers", "a.yaml", "--why-not", "gpt-4oo")
    assert_bad_input(r, "command line: --why-not: unknown model 'gpt-4oo' (did you mean 'gpt-4o'?)")


def test_json_output_escapes_bidi_and_control_characters(cli, tmp_path):
    _evil_model(tmp_path, '"Mini\\u202Elive\\u0085x"')
    r = cli("--answers", "a.yaml", "--today", TODAY, "--knowledge", "over", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert "\u202e" not in r.stdout and "\u0085" not in r.stdout  # nothing that reorders or breaks a terminal
    assert json.loads(r.stdout)["shortlist"]["candidates"][0]["option"]["model_name"] == "Mini\u202elive\u0085x"


def test_money_in_json_has_one_precision_everywhere(cli, tmp_path):
    # the shortlist's money and the bake-off's share one documented format:
    # a decimal string with exactly 10 places (advisor.core.money)
    (tmp_path / "a.yaml").write_text(SIMPLE + "availability: high\n")
    r = cli("--answers", "a.yaml", "--today", TODAY, "--format", "json")
    assert r.returncode == 0, r.stderr
    money = {"per_request", "input_per_request", "output_per_request", "per_month", "per_year",
             "price_input_per_m", "price_output_per_m", "per_success_at_floor", "gpu_monthly", "ops_monthly",
             "total_monthly", "api_per_request"}
    seen = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in money and v is not None:
                    seen.append(v)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(r.stdout))
    assert len(seen) > 10
    assert all(isinstance(v, str) and re.fullmatch(r"\d+\.\d{10}", v) for v in seen), seen[:5]
