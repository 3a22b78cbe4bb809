"""Loading cases files (YAML and JSONL) with located errors."""

import pytest

from advisor.errors import InputError
from advisor.eval.cases import load_cases, parse_cases


def problems(text, name="cases.yaml"):
    with pytest.raises(InputError) as info:
        parse_cases(text, name)
    return info.value.lines()


def test_yaml_with_defaults_and_messages():
    cf = parse_cases(
        "defaults:\n  system: Extract.\n  max_tokens: 99\n  checks: [{type: valid_json}]\n"
        "cases:\n  - id: a\n    input: hi\n  - id: b\n    messages:\n      - {role: user, content: x}\n"
        "      - {role: assistant, content: y}\n      - {role: user, content: z}\n    max_tokens: 5\n",
        "c.yaml",
    )
    a, b = cf.cases
    assert a.system == "Extract." and a.max_tokens == 99 and a.wants_json
    assert b.max_tokens == 5 and b.chat_messages()[-1] == ("user", "z")


def test_errors_name_file_line_and_field():
    text = (
        "- id: a\n  input: hi\n  max_tokens: 0\n"          # line 3
        "- id: b\n  imput: hi\n"                           # line 5: typo
        "- id: c\n  input: x\n  checks: [{type: regexp, pattern: a}]\n"  # line 8
        "- id: d\n  input: x\n  checks:\n    - {type: regex, pattern: '('}\n"  # line 12
        "- id: a\n  input: again\n"                        # line 13
    )
    lines = problems(text)
    assert "cases.yaml:3: [0].max_tokens: must be > 0; got 0" in lines
    assert any(l.startswith("cases.yaml:5: [1].imput: unknown key (did you mean 'input'?)") for l in lines)
    assert any(l.startswith("cases.yaml:8: [2].checks[0]") for l in lines)
    assert any(l.startswith("cases.yaml:12: [3].checks[0].pattern: not a valid regular expression") for l in lines)
    assert "cases.yaml:13: [4].id: case id 'a' given twice (first on line 1)" in lines


def test_input_xor_messages_and_fields_needs_object():
    lines = problems("- {id: a}\n- {id: b, input: x, checks: [{type: fields}]}\n")
    assert lines[0].startswith("cases.yaml:1: [0]: give exactly one of input or messages")
    assert lines[1].startswith("cases.yaml:2: [1]: a fields check needs expected")


def test_unsupported_schema_keyword_is_located():
    lines = problems("- id: a\n  input: x\n  checks:\n    - type: json_schema\n      schema: {type: object, minLength: 1}\n")
    assert lines[0].startswith("cases.yaml:5: [0].checks[0].schema: unsupported keyword 'minLength'")


def test_jsonl_with_line_numbers(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text('{"id": "a", "input": "x", "expected": "y"}\n\n{"id": "b", "input": 3}\n{bad json\n')
    with pytest.raises(InputError) as info:
        load_cases(p)
    lines = info.value.lines()
    assert any(":4: not valid JSON" in l for l in lines)
    assert any(":3: [1].input: " in l for l in lines)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(InputError) as info:
        load_cases(tmp_path / "nope.yaml")
    assert info.value.lines()[0].endswith("nope.yaml: no such file")
    assert problems("[]\n")[0] == "cases.yaml:1: the file has no cases"
    assert problems("cases: [\n")[0].startswith("cases.yaml:")


def test_example_files_load():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "examples" / "cases"
    ext = load_cases(root / "extraction.yaml")
    cls = load_cases(root / "classification.jsonl")
    assert len(ext.cases) >= 8 and all(c.json_schema for c in ext.cases)
    assert len(cls.cases) >= 10
