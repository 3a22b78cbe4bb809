"""Saving answers over the file they came from keeps the user's comments."""

from __future__ import annotations

import yaml

from advisor.yaml_comments import carry_comments

OLD = """# Support bot for the EU shop.
# Numbers from the Q3 traffic report.

task_type: chat
# 10k conversations a day
monthly_requests: 300000  # check again in Q1
note_key: "a # inside quotes"  # but this one is a comment
languages: [en, de]
budget_per_month_usd: 5000  # finance's ceiling
# the end
"""

NEW = yaml.safe_dump({"task_type": "chat", "monthly_requests": 400000, "note_key": "a # inside quotes",
                      "languages": ["en", "de", "fr"]}, sort_keys=False)


def test_header_key_comments_and_line_ends_come_back_at_their_keys():
    text = carry_comments(OLD, NEW)
    lines = text.splitlines()
    assert lines[:2] == ["# Support bot for the EU shop.", "# Numbers from the Q3 traffic report."]
    i = lines.index("monthly_requests: 400000  # check again in Q1")
    assert lines[i - 1] == "# 10k conversations a day"
    assert "note_key: 'a # inside quotes'  # but this one is a comment" in lines
    assert yaml.safe_load(text) == yaml.safe_load(NEW)  # the values are the new ones, untouched


def test_comments_of_a_dropped_key_are_kept_under_a_note_and_the_end_stays_last():
    text = carry_comments(OLD, NEW)
    lines = text.splitlines()
    note = lines.index("# comments about answers this file no longer has:")
    assert lines[note + 1] == "# budget_per_month_usd: finance's ceiling"
    assert lines[-1] == "# the end"


def test_a_file_without_comments_is_the_new_text():
    assert carry_comments("task_type: chat\n", NEW) == NEW
