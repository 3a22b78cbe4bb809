"""A loopback HTTP server that speaks the three providers' streaming wire formats.

Used by tests/providers, tests/eval and bench/bench_eval.py. It listens on
127.0.0.1 (port 0 = any free port), answers

* ``.../chat/completions``            OpenAI Chat Completions SSE (``data: [DONE]``,
                                      final usage chunk with empty ``choices``)
* ``.../v1/messages``                 Anthropic Messages SSE (message_start,
                                      content_block_start/delta/stop, message_delta, message_stop)
* ``...:streamGenerateContent?alt=sse`` Gemini SSE (usageMetadata, finishReason)

with a settable first-token delay and total latency, and injected faults
consumed one per request from ``server.faults`` (a list):

* ``{"status": 429, "headers": {"retry-after": "1"}, "body": "..."}``
* ``{"drop": True}``        close the connection without answering
* ``{"reset": True}``       reset the connection (TCP RST: SO_LINGER 0, then close)
                            before any reply
* ``{"reset_mid": True}``   send the head and the first content event, then reset
* ``{"truncate": True}``    send the first chunk, then close mid-stream
* ``{"malformed": True}``   send an event whose data is not JSON
* ``{"inject": ['{"choices": ["x"]}']}``  send these event data lines (JSON of a
                            wrong shape, say) after the first content event
* ``{"bad_gzip": True}``    claim ``content-encoding: gzip`` for a body that is not
* ``{"status": 401, "echo_key": True}``  an error body quoting the request's
                            key header (as some providers do)
* ``{"status": 500, "body_size": N}``  an error body of N bytes (sent lazily)
* ``{"text": "..."}``       this request's answer text (instead of ``responder``)
* ``{"usage": {...}}``      this usage object instead of the real one (any values)
* ``{"events": [...]}``     send exactly these SSE blocks (each followed by a blank line)
* ``{"oversize": N}``       stream an answer of N characters as fast as possible
* ``{"endless": True}``     after the first content event, send SSE comments forever
* ``{"json_body": True}``   ignore ``stream: true`` and answer one JSON body (a request
                            without ``stream: true``, or Gemini's ``:generateContent``,
                            always gets one)
* ``None``                  answer normally

``server.burst = True`` sends the whole stream in one write; ``server.usage_extra``
is merged into the usage object (e.g. Anthropic ``cache_read_input_tokens``);
``server.validate(api, body) -> [problems]`` (when set) answers 422 with them,
like an API that checks its request schema.

``server.responder(api, body) -> str`` chooses the answer text;
``server.requests`` records (path, headers, body) of every request.
Run as a script (``python fake_llm_server.py --latency 0.1``) it prints its
port on stdout and serves until killed (for the benchmark).
"""

from __future__ import annotations

import argparse
import json
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def _prompt_text(api: str, body: dict[str, Any]) -> str:
    if api == "gemini":
        return " ".join(p.get("text", "") for c in body.get("contents", []) for p in c.get("parts", []))
    return " ".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") != "system")


class FakeLLMServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, port: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.lock = threading.Lock()
        self.faults: list[dict[str, Any] | None] = []
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.first_token_delay = 0.0
        self.latency = 0.0  # total time for the body, first-token delay included
        self.chunks = 4
        self.input_tokens = 12
        self.output_tokens: int | None = None  # None: number of words of the answer
        self.send_usage = True
        self.burst = False
        self.usage_extra: dict[str, Any] = {}
        self.validate: Callable[[str, dict[str, Any]], list[str]] | None = None
        self.responder: Callable[[str, dict[str, Any]], str] = lambda api, body: "Hello from the fake server."
        self.active = 0
        self.max_active = 0
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> "FakeLLMServer":
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> "FakeLLMServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle_error(self, request: Any, client_address: Any) -> None:  # quiet on client resets
        pass

    def next_fault(self) -> dict[str, Any] | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def count(self, needle: str = "") -> int:
        with self.lock:
            return sum(1 for path, _, _ in self.requests if needle in path)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeLLMServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    # -- helpers -----------------------------------------------------------
    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _plain(self, status: int, body: str, headers: dict[str, str] | None = None) -> None:
        raw = body.encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)
        self.wfile.flush()

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("content-length", "0"))
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        srv = self.server
        with srv.lock:
            srv.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        if self.path.endswith("/chat/completions"):
            api = "openai"
        elif self.path.endswith("/messages"):
            api = "anthropic"
        elif ":streamGenerateContent" in self.path or ":generateContent" in self.path:
            api = "gemini"
        else:
            self._plain(404, json.dumps({"error": {"message": f"no route {self.path}"}}))
            return
        if srv.validate is not None:
            problems = srv.validate(api, body)
            if problems:
                self._plain(422, json.dumps({"error": {"message": "; ".join(problems)[:500]}}))
                return
        fault = srv.next_fault() or {}
        if fault.get("drop"):
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault.get("reset"):
            self._reset()
            return
        if "status" in fault:
            message = f"injected {fault['status']}"
            if fault.get("echo_key"):
                key = self.headers.get("authorization") or self.headers.get("x-api-key") or self.headers.get("x-goog-api-key")
                message = f"Incorrect API key provided: {key!r}. You can find your API key at https://example.invalid."
            body_text = fault.get("body", json.dumps({"error": {"message": message}}))
            if fault.get("body_size"):
                self._big_error(fault["status"], body_text, int(fault["body_size"]))
            else:
                self._plain(fault["status"], body_text, fault.get("headers"))
            return
        text = fault["text"] if "text" in fault else srv.responder(api, body)
        # a request that does not ask for a stream gets one JSON body, as the real APIs do
        asked = ":streamGenerateContent" in self.path if api == "gemini" else body.get("stream") is True
        if fault.get("json_body") or not asked:
            whole = self._whole(api, text)
            if api == "gemini" and not asked:
                whole = whole[0]  # generateContent answers one response, not a list
            self._plain(200, json.dumps(whole))
            return
        with srv.lock:
            srv.active += 1
            srv.max_active = max(srv.max_active, srv.active)
        try:
            self._stream(api, text, body, fault)
        finally:
            with srv.lock:
                srv.active -= 1

    def _reset(self) -> None:
        """Abort the connection: SO_LINGER with a zero timeout makes close() send RST."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def _big_error(self, status: int, head: str, size: int) -> None:
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(size))
        self.end_headers()
        raw = head.encode()[:size]
        block = b"x" * 65536
        try:
            self.wfile.write(raw)
            sent = len(raw)
            while sent < size:
                piece = block[: size - sent]
                self.wfile.write(piece)
                sent += len(piece)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def _whole(self, api: str, text: str) -> Any:
        srv = self.server
        out_tokens = srv.output_tokens if srv.output_tokens is not None else max(1, len(text.split()))
        if api == "openai":
            return {"id": "c1", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": srv.input_tokens, "completion_tokens": out_tokens, **srv.usage_extra}}
        if api == "anthropic":
            return {"id": "m1", "type": "message", "role": "assistant", "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                    "usage": {"input_tokens": srv.input_tokens, "output_tokens": out_tokens, **srv.usage_extra}}
        return [{"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
                 "usageMetadata": {"promptTokenCount": srv.input_tokens, "candidatesTokenCount": out_tokens, **srv.usage_extra}}]

    def _pieces(self, text: str) -> list[str]:
        n = max(1, min(self.server.chunks, len(text) or 1))
        size = -(-len(text) // n) if text else 1
        return [text[i : i + size] for i in range(0, len(text), size)] or [""]

    def _stream(self, api: str, text: str, body: dict[str, Any], fault: dict[str, Any]) -> None:
        srv = self.server
        out_tokens = srv.output_tokens if srv.output_tokens is not None else max(1, len(text.split()))
        in_tokens = srv.input_tokens
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        if fault.get("bad_gzip"):
            self.send_header("content-encoding", "gzip")
        self.end_headers()
        self.wfile.flush()
        pieces = self._pieces(text)

        def data(obj: Any, event: str | None = None) -> bytes:
            head = f"event: {event}\n" if event else ""
            return f"{head}data: {json.dumps(obj)}\n\n".encode()

        if api == "openai":
            content = [
                data({"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]})
                for p in pieces
            ]
            tail = [data({"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})]
            if srv.send_usage and (body.get("stream_options") or {}).get("include_usage"):
                tail.append(data({"id": "c1", "choices": [], "usage": {"prompt_tokens": in_tokens, "completion_tokens": out_tokens, "total_tokens": in_tokens + out_tokens, **srv.usage_extra}}))
            tail.append(b"data: [DONE]\n\n")
            head: list[bytes] = [b": keep-alive comment\n\n"]
        elif api == "anthropic":
            head = [
                data({"type": "message_start", "message": {"id": "m1", "type": "message", "role": "assistant", "content": [], "usage": {"input_tokens": in_tokens, "output_tokens": 1, **srv.usage_extra}}}, "message_start"),
                data({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}, "content_block_start"),
                data({"type": "ping"}, "ping"),
            ]
            content = [data({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}, "content_block_delta") for p in pieces]
            tail = [
                data({"type": "content_block_stop", "index": 0}, "content_block_stop"),
                data({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": out_tokens}}, "message_delta"),
                data({"type": "message_stop"}, "message_stop"),
            ]
        else:
            head = []
            content = [data({"candidates": [{"content": {"role": "model", "parts": [{"text": p}]}, "index": 0}], "usageMetadata": {"promptTokenCount": in_tokens}}) for p in pieces[:-1]]
            content.append(
                data({"candidates": [{"content": {"role": "model", "parts": [{"text": pieces[-1]}]}, "finishReason": "STOP", "index": 0}],
                      "usageMetadata": {"promptTokenCount": in_tokens, "candidatesTokenCount": out_tokens, "totalTokenCount": in_tokens + out_tokens, **srv.usage_extra}})
            )
            tail = []
        if "usage" in fault:
            self._override_usage(api, fault["usage"], head, tail, content)
        if "events" in fault:
            head, content, tail = [], [f"{e}\n\n".encode() for e in fault["events"]], []
        if fault.get("oversize"):
            self._oversize(api, int(fault["oversize"]), data)
            return
        if fault.get("malformed"):
            content.insert(1 if len(content) > 1 else 0, b"data: {not json\n\n")
        for i, raw in enumerate(fault.get("inject") or []):
            content.insert(min(1 + i, len(content)), f"data: {raw}\n\n".encode())
        if srv.burst:
            try:
                self._chunk(b"".join(head + content + tail))
                self._end_chunks()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            return
        try:
            for ev in head:
                self._chunk(ev)
            if srv.first_token_delay:
                time.sleep(srv.first_token_delay)
            rest = max(0.0, srv.latency - srv.first_token_delay)
            gap = rest / max(1, len(content))
            for i, ev in enumerate(content):
                if i and gap:
                    time.sleep(gap)
                self._chunk(ev)
                if fault.get("truncate"):
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault.get("reset_mid"):
                    self._reset()
                    return
                if fault.get("endless"):
                    while True:
                        self._chunk(b": still thinking\n\n")
                        time.sleep(0.005)
            if gap:
                time.sleep(gap)
            for ev in tail:
                self._chunk(ev)
            self._end_chunks()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    @staticmethod
    def _override_usage(api: str, usage: Any, head: list[bytes], tail: list[bytes], content: list[bytes]) -> None:
        """Put ``usage`` (any JSON) where the API reports token counts."""
        def swap(events: list[bytes], key: str, where: Callable[[dict[str, Any]], dict[str, Any] | None]) -> None:
            for i, ev in enumerate(events):
                lines = ev.decode().split("\n")
                for j, line in enumerate(lines):
                    if line.startswith("data: ") and line[6:].startswith("{"):
                        obj = json.loads(line[6:])
                        holder = where(obj)
                        if holder is not None and key in holder:
                            holder[key] = usage
                            lines[j] = "data: " + json.dumps(obj)
                events[i] = "\n".join(lines).encode()

        if api == "openai":
            swap(tail, "usage", lambda o: o)
        elif api == "anthropic":
            swap(head, "usage", lambda o: o.get("message") if isinstance(o.get("message"), dict) else None)
            swap(tail, "usage", lambda o: o)
        else:
            swap(content, "usageMetadata", lambda o: o)

    def _oversize(self, api: str, n: int, data: Callable[..., bytes]) -> None:
        piece = "x" * 65536
        sent = 0
        try:
            while sent < n:
                p = piece[: n - sent]
                if api == "openai":
                    ev = data({"choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]})
                elif api == "anthropic":
                    ev = data({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}, "content_block_delta")
                else:
                    ev = data({"candidates": [{"content": {"role": "model", "parts": [{"text": p}]}, "index": 0}]})
                self._chunk(ev)
                sent += len(p)
            self._end_chunks()
        except OSError:
            self.close_connection = True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--first-token-delay", type=float, default=0.0)
    ap.add_argument("--chunks", type=int, default=4)
    args = ap.parse_args()
    srv = FakeLLMServer()
    srv.latency = args.latency
    srv.first_token_delay = args.first_token_delay
    srv.chunks = args.chunks
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
        sys.exit(0)


if __name__ == "__main__":
    main()
