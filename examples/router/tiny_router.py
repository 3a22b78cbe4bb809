"""A router for the plain routing plan `advisor route --plain routes.yaml` writes (OpenAI-compatible endpoints).

    from tiny_router import Router
    router = Router("routes.yaml")
    reply = router.complete("label", [{"role": "user", "content": "I was charged twice"}])

`route_by: tag` and `task_type`: the caller names the category. `input_length`: pass category=None and the
bands pick it. A category the plan does not know goes to `default`. The primary endpoint is tried first, the
fallback (another provider) when it fails. Keys come from the variables named in `key_env`.
"""

import json
import os

import httpx
import yaml


class Router:
    def __init__(self, path, timeout=60.0):
        with open(path, encoding="utf-8") as fh:
            self.plan = yaml.safe_load(fh)
        self.client = httpx.Client(timeout=timeout)

    def category_for(self, category, messages):
        if category is None and self.plan.get("bands"):
            n = sum(len(m["content"]) for m in messages if m["role"] != "system")
            category = next(b["category"] for b in self.plan["bands"] if b["max_chars"] is None or n <= b["max_chars"])
        return category if category in self.plan["routes"] else self.plan["default"]

    def call(self, ep, messages, max_tokens):
        if ep["api"] != "openai":
            raise ValueError(f"this small router speaks the OpenAI wire format only, not {ep['api']}")
        headers = {"authorization": f"Bearer {os.environ[ep['key_env']]}"} if ep.get("key_env") else {}
        body = {"model": ep["model_id"], "messages": messages, "max_tokens": max_tokens, "stream": False, **ep.get("request", {})}
        r = self.client.post(ep["base_url"].rstrip("/") + "/chat/completions", json=body, headers=headers)
        r.raise_for_status()
        if not r.headers.get("content-type", "").startswith("text/event-stream"):
            return r.json()["choices"][0]["message"]["content"]
        parts = [json.loads(line[6:]) for line in r.text.splitlines() if line.startswith("data: ") and line != "data: [DONE]"]
        return "".join((p["choices"][0]["delta"].get("content") or "") for p in parts if p.get("choices"))

    def complete(self, category, messages, max_tokens=512):
        route = self.plan["routes"][self.category_for(category, messages)]
        try:
            return self.call(route["primary"], messages, max_tokens)
        except (httpx.HTTPError, KeyError, ValueError):
            if not route.get("fallback"):
                raise
            return self.call(route["fallback"], messages, max_tokens)
