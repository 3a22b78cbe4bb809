"""advisor.cli.common.startup_gc: no collection while a command starts, the collector
back as it was afterwards (also after an error, also when nested)."""

from __future__ import annotations

import gc

import pytest

from advisor.cli.common import startup_gc


def test_the_collector_is_off_inside_and_back_after():
    assert gc.isenabled()
    with startup_gc():
        assert not gc.isenabled()
        with startup_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner one leaves it as the outer one found it
    assert gc.isenabled()


def test_an_error_during_start_up_still_turns_it_back_on():
    with pytest.raises(ValueError):
        with startup_gc():
            raise ValueError("bad input")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with startup_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
