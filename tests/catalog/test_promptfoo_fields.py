"""`export promptfoo`'s ``fields`` assertion scores like advisor's own check (run with node)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from advisor.cli.export_cmd import assertion
from advisor.eval.cases import parse_cases
from advisor.eval.checks import run_check

NODE = shutil.which("node")

CASES = """
cases:
  - id: invoice
    input: "read the invoice"
    expected:
      invoice: {number: "INV-7", total: 1240}
      vendor: "Acme  Corp"
      paid: true
      notes: null
      items: ["a", "b"]
    checks:
      - type: fields
        fields: [invoice.number, invoice.total, vendor, paid, notes, items]
        numeric_tolerance: 0.01
    threshold: 0.8
  - id: braces
    input: "template"
    expected: {tpl: "{{name}} {%x%} {#c#}"}
    checks: [{type: fields}]
"""

RIGHT = {"invoice": {"number": "INV-7", "total": 1240}, "vendor": "acme corp", "paid": True, "notes": None, "items": ["a", "b"]}

OUTPUTS = {
    "all right": json.dumps(RIGHT),
    "5 of 6 right": json.dumps(RIGHT | {"vendor": "Other"}),
    "4 of 6 right": json.dumps(RIGHT | {"paid": 1, "items": ["b", "a"]}),
    "fenced": "```json\n" + json.dumps(RIGHT, indent=2) + "\n```",
    "numeric string": json.dumps(RIGHT | {"invoice": {"number": "INV-7", "total": "1,240.00"}}),
    "numeric string off": json.dumps(RIGHT | {"invoice": {"number": "INV-7", "total": "1,241"}}),
    "within tolerance": json.dumps(RIGHT | {"invoice": {"number": "INV-7", "total": 1240.005}}),
    "missing null field": json.dumps({k: v for k, v in RIGHT.items() if k != "notes"}),
    "missing other field": json.dumps({k: v for k, v in RIGHT.items() if k != "vendor"}),
    "dotted missing": json.dumps(RIGHT | {"invoice": "INV-7"}),
    "not json": "The invoice total is 1240.",
    "a list": "[1, 2]",
    "case and spaces": json.dumps(RIGHT | {"vendor": "  ACME\n corp "}),
}


def _node_scores(js: str, outputs: list[str]) -> list[dict]:
    # what promptfoo does with a one-line javascript assertion: new Function('output', 'context', 'process', 'return ' + value)
    script = (
        "const f = new Function('output', 'context', 'process', 'return ' + process.argv[1]);"
        "const outs = JSON.parse(process.argv[2]);"
        "console.log(JSON.stringify(outs.map(o => f(o, {}, process))));"
    )
    done = subprocess.run([NODE, "-e", script, js, json.dumps(outputs)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_exported_fields_assertion_scores_like_advisors_check():
    cases = parse_cases(CASES, "cases.yaml")
    case = cases.cases[0]
    check = case.effective_checks[0]
    out = assertion(check, case)
    assert out["type"] == "javascript" and "\n" not in out["value"]
    names = list(OUTPUTS)
    got = _node_scores(out["value"], [OUTPUTS[n] for n in names])
    for name, js in zip(names, got):
        py = run_check(check, case, OUTPUTS[name])
        assert js["score"] == pytest.approx(py.score, abs=1e-12), (name, js, py)
        assert js["pass"] is py.passed, name
        assert js["reason"] == py.detail, name
    scores = dict(zip(names, (r["score"] for r in got)))
    assert scores["all right"] == scores["fenced"] == scores["numeric string"] == scores["missing null field"] == 1
    assert scores["5 of 6 right"] == pytest.approx(5 / 6)
    assert scores["not json"] == 0


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_fields_assertion_survives_promptfoo_templating():
    cases = parse_cases(CASES, "cases.yaml")
    case = cases.cases[1]
    check = case.effective_checks[0]
    js = assertion(check, case)["value"]
    for tag in ("{{", "{%", "{#"):
        assert tag not in js  # promptfoo renders assertion values with Nunjucks
    good, bad = json.dumps({"tpl": "{{name}} {%x%} {#c#}"}), json.dumps({"tpl": "name"})
    assert [r["score"] for r in _node_scores(js, [good, bad])] == [1, 0]
    assert [run_check(check, case, o).score for o in (good, bad)] == [1, 0]
