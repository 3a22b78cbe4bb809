"""The SSE decoder against the examples of the WHATWG spec (section 9.2)."""

from advisor.providers.sse import LineSplitter, ServerSentEvent, decode_bytes, decode_lines


def test_multi_line_data_joined_with_newlines():
    evs = decode_bytes([b"data: YHOO\ndata: +2\ndata: 10\n\n"])
    assert evs == [ServerSentEvent(data="YHOO\n+2\n10")]


def test_comments_ids_and_one_leading_space_removed():
    text = b": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n"
    evs = decode_bytes([text])
    assert [e.data for e in evs] == ["first event", "second event", " third event"]
    assert [e.id for e in evs] == ["1", "", ""]


def test_empty_data_fields_and_unterminated_last_block():
    evs = decode_bytes([b"data\n\ndata\ndata\n\ndata:"])
    assert [e.data for e in evs] == ["", "\n"]  # the last block has no blank line: not dispatched


def test_with_and_without_space_are_the_same():
    evs = decode_bytes([b"data:test\n\ndata: test\n\n"])
    assert [e.data for e in evs] == ["test", "test"]


def test_crlf_and_cr_line_endings_and_split_chunks():
    evs = decode_bytes([b"event: add\r\ndata: 1\r", b"\n\r\n", b"data: 2\r\rdata: 3\n\n"])
    assert [(e.event, e.data) for e in evs] == [("add", "1"), ("message", "2"), ("message", "3")]


def test_event_type_resets_and_retry_only_digits():
    evs = decode_lines(["event: ping", "retry: 15x", "data: a", "", "retry: 250", "data: b", ""])
    assert evs[0].event == "ping" and evs[0].retry is None
    assert evs[1].event == "message" and evs[1].retry == 250


def test_event_without_data_is_not_dispatched():
    assert decode_lines(["event: nothing", "", "data: x", ""]) == [ServerSentEvent(data="x")]


def test_unknown_fields_ignored_and_utf8_split_across_chunks():
    raw = "data: héllo\n\n".encode()
    cut = raw.index(b"\xc3") + 1
    evs = decode_bytes([b"foo: bar\n", raw[:cut], raw[cut:]])
    assert [e.data for e in evs] == ["héllo"]


def test_line_splitter_flush_returns_unterminated_line():
    s = LineSplitter()
    assert s.feed(b"a\nb") == ["a"]
    assert s.flush() == ["b"]
