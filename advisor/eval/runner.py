"""The live smoke eval: run every case against every target, bounded and resumable.

Usage::

    runner = EvalRunner(targets, cases, RunConfig(concurrency=8, per_provider=4,
                        max_spend=Decimal("2.00")), results_path="results.jsonl",
                        resume=True)
    plan = runner.plan()               # what would run (after resume), skipped targets
    dry = runner.dry_run()             # DryRun: requests, counted tokens, worst-case cost
    summary = await runner.run(on_event=print)   # or:
    async for event in runner.events(): ...

Events (frozen dataclasses, in this order): :class:`RunStarted` once,
:class:`RequestStarted` when a request gets its slot, :class:`ResultReady`
for each finished request (with a :class:`Progress` snapshot), then
:class:`RunFinished` once (also after ``cancel()`` or an interrupt). A UI can
keep a per-model table from ``ResultReady.result`` and ``Progress.by_model``.

Guarantees:

* concurrency is bounded overall (``concurrency``) and per provider endpoint
  (``per_provider``) with asyncio semaphores; temperature 0 by default;
* ``max_spend`` bounds the spend counted against it, and that count never
  crosses the cap: before a request (or a judge call) is sent, its worst case
  (input at the prompt's byte bound, or its counted tokens when the bound does
  not fit; ``max_tokens`` + the target's ``reasoning_tokens`` output; priced) is
  reserved together with everything already in flight, and it is only sent
  when spent + reserved + its worst case fits (:mod:`advisor.eval.prompt_size`);
  once the answer's cost is known the reservation shrinks to it (room for its
  judge calls), and the rest is released when the request settles. Reported
  usage is checked first (:func:`allowed_usage`): counts that are negative or not whole numbers fail
  the case ``malformed`` (counted at its worst case), and counts beyond what
  the request allows are counted at the allowed maximum and flagged
  (``CaseResult.usage_anomaly``, a note in the report) — so what a provider
  may bill beyond the cap is exactly those flagged excesses. The spend is
  recorded in the results file as it settles (``read_spend``) and a resumed
  run starts from it: the cap covers every run that shares the file. A request
  that cannot fit is not sent (it is counted in ``RunSummary.not_run_budget``
  and left for a later ``--resume``; so is a case whose answer arrived but
  whose judge call no longer fits), and once the spend reaches the cap no new
  request starts. Targets with an unknown price cannot be bounded and are
  skipped when a cap is set, and so is an unpriced judge (the CLI refuses it);
* each result is appended to the JSONL results file as it completes (flush +
  fsync); ``resume`` runs only the (model × case × repeat) keys not yet there;
* ``cancel()`` (or cancelling the task running ``run``) stops cleanly: the
  requests in flight are cancelled, completed results are kept;
* API keys never reach results, events or errors: every stored string is
  scrubbed of every key variable set in the environment, in every form
  (:mod:`advisor.secrets`); a target whose key has surrounding whitespace or
  control characters is skipped with a reason that names the variable.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field

from advisor.core.tokens import count_for_model
from advisor.eval.prompt_size import FRAMING_TOKENS, PromptSize
from advisor.eval.cases import Case, CasesFile, LlmJudgeCheck
from advisor.eval.durable import DurableAppender
from advisor.eval.checks import JUDGE_SYSTEM, BudgetExhausted, judge_prompt, parse_judge_reply, parse_json_answer, schema_errors, score_case
from advisor.eval.results import CaseResult, CheckOutcome, ResultsWriter, read_results, read_spend, result_key
from advisor.eval.target import Target
from advisor.providers import ChatRequest, Message, ProviderCallError, RetryPolicy, make_client, stream_chat, wire_for
from advisor.providers.base import json_instruction
from advisor.providers.http import MAX_ERROR_TEXT, AttemptLog
from advisor.secrets import Redactor, key_problem, redactor_for_env

__all__ = [
    "RunConfig",
    "EvalRunner",
    "PlannedRequest",
    "Plan",
    "DryRun",
    "DryRunModel",
    "RunSummary",
    "RunStarted",
    "RequestStarted",
    "Progress",
    "ResultReady",
    "RunFinished",
    "EvalEvent",
    "SpendBudget",
    "allowed_usage",
]

JUDGE_MAX_TOKENS = 200


@dataclass(frozen=True)
class RunConfig:
    concurrency: int = 4
    per_provider: int = 2
    timeout: float = 60.0  # seconds for one attempt, head to end of stream
    repeat: int = 1
    temperature: float = 0.0
    max_spend: Decimal | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    judge_model: str | None = None  # model_key of the default llm_judge model (None: the first that runs)


@dataclass(frozen=True)
class PlannedRequest:
    target: Target
    case: Case
    repeat: int
    prompt: PromptSize  # the prompt's byte bound and (counted when asked) tokens

    @property
    def input_tokens(self) -> int:
        """The prompt's counted tokens (approximate when the target's tokenizer is unknown)."""
        return self.prompt.counted[0]

    @property
    def exact(self) -> bool:
        return self.prompt.counted[1]

    @property
    def key(self) -> str:
        return result_key(self.target.model_key, self.case.id, self.repeat)

    @property
    def max_output_tokens(self) -> int:
        """The case's limit plus the reasoning mode's room to think (billed as output)."""
        return self.target.max_output_tokens(self.case.max_tokens)

    @property
    def worst_case_cost(self) -> Decimal | None:
        """The most the spend cap can count for it: input at the prompt's bound, output at its limit."""
        return self.target.cost(self.prompt.bound, self.max_output_tokens)


@dataclass(frozen=True)
class Plan:
    requests: list[PlannedRequest]
    already_done: int
    skipped_targets: list[tuple[Target, str]]  # (target, reason)
    targets: list[Target]


class DryRunModel(BaseModel):
    model_config = ConfigDict(frozen=True)

    model_key: str
    label: str
    requests: int
    input_tokens: int  # counted
    input_bound: int  # the most the spend cap counts them at (the prompts' byte bound)
    max_output_tokens: int
    tokens_exact: bool
    worst_case_cost_usd: Decimal | None  # input at its bound + output at its limit; None = unknown price


class DryRun(BaseModel):
    model_config = ConfigDict(frozen=True)

    requests: int
    already_done: int
    models: list[DryRunModel]
    skipped: list[str]
    worst_case_cost_usd: Decimal | None
    max_spend_usd: Decimal | None
    planned: list[str] = Field(default_factory=list)  # result keys, in run order
    # under a cap: how many of the planned requests it covers even if each costs its
    # worst case at its counted input (in run order, after what the results file spent)
    sure_under_cap: int | None = None
    spent_before_usd: Decimal = Decimal(0)


@dataclass(frozen=True)
class RunSummary:
    results: list[CaseResult]  # everything in the results file for this plan (resumed + new)
    new_results: int
    cancelled: bool
    not_run_budget: int
    spent_usd: Decimal  # priced spend of this run (new results only)
    max_spend_usd: Decimal | None
    skipped_targets: list[tuple[Target, str]]
    targets: list[Target]
    spent_before_usd: Decimal = Decimal(0)  # recorded in the results file by earlier runs


# -- events --------------------------------------------------------------------

@dataclass(frozen=True)
class RunStarted:
    total: int  # requests this run will try
    already_done: int  # found in the results file (resume)
    targets: list[Target]
    skipped_targets: list[tuple[Target, str]]


@dataclass(frozen=True)
class RequestStarted:
    model_key: str
    case_id: str
    repeat: int


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    spent_usd: Decimal
    by_model: dict[str, tuple[int, int]]  # model_key -> (done, total)


@dataclass(frozen=True)
class ResultReady:
    result: CaseResult
    progress: Progress


@dataclass(frozen=True)
class RunFinished:
    summary: RunSummary


EvalEvent = RunStarted | RequestStarted | ResultReady | RunFinished
EventCallback = Callable[[EvalEvent], Any]


# -- spend ---------------------------------------------------------------------

@dataclass
class Hold:
    """One request's reservation: its amount, and whether that is now its known cost."""

    amount: Decimal
    known: bool = False


class SpendBudget:
    """Reserve-then-settle accounting that never lets spent + reserved exceed the cap."""

    def __init__(self, cap: Decimal | None, spent: Decimal = Decimal(0)):
        self.cap = cap
        self.spent = spent  # starts at what earlier runs on the same results file spent
        self.reserved = Decimal(0)
        self.in_flight = 0
        self._changed = asyncio.Condition()
        # called with (amount, result key) for every amount settled: the results
        # file records it, so a resumed run starts from it
        self.on_spend: Callable[[Decimal, str], None] | None = None

    def fits(self, amount: Decimal) -> bool:
        return self.cap is None or self.spent + self.reserved + amount <= self.cap

    @property
    def exhausted(self) -> bool:
        """The spend has reached the cap: nothing new may start."""
        return self.cap is not None and self.spent >= self.cap

    async def reserve(self, amount: Decimal) -> bool:
        """Wait until ``amount`` fits; False when it never can (the cap is reached,
        or nothing is left in flight to free room)."""
        async with self._changed:
            while not self.fits(amount):
                if self.in_flight == 0 or self.exhausted:
                    return False
                await self._changed.wait()
            if self.exhausted:
                return False
            self.reserved += amount
            self.in_flight += 1
            return True

    def try_reserve(self, amount: Decimal) -> bool:
        """Reserve now or fail now (never waits; used for judge calls inside a request)."""
        if self.exhausted or not self.fits(amount):
            return False
        self.reserved += amount
        self.in_flight += 1
        return True

    async def shrink(self, hold: Hold, amount: Decimal) -> None:
        """Lower a reservation in flight to ``amount`` (a request whose cost is known
        before its judge calls reserve), freeing the difference for others."""
        hold.known = True
        if amount < hold.amount:
            async with self._changed:
                self.reserved -= hold.amount - amount
                hold.amount = amount
                self._changed.notify_all()

    async def settle(self, reserved: Decimal, actual: Decimal, key: str = "") -> None:
        async with self._changed:
            self.reserved -= reserved
            self.in_flight -= 1
            self.spent += actual
            self._changed.notify_all()
        if actual and self.on_spend is not None:
            self.on_spend(actual, key)


def allowed_usage(reported_in: int, reported_out: int, allowed_in: int, allowed_out: int) -> tuple[int, int, str | None]:
    """The usage to price: the reported counts, but never more than the request
    allows (its counted input; max_tokens plus reasoning headroom of output), and a
    note when the provider reported more (a provider anomaly, said in the report)."""
    over = []
    if reported_in > allowed_in:
        over.append(f"{reported_in:,} input tokens (the prompt allows {allowed_in:,})")
    if reported_out > allowed_out:
        over.append(f"{reported_out:,} output tokens (the request allows {allowed_out:,})")
    note = ("provider reported " + " and ".join(over) + "; counted at the request's limit") if over else None
    return min(reported_in, allowed_in), min(reported_out, allowed_out), note


# -- the runner ------------------------------------------------------------------

async def _count_output(text: str, tokenizer: str | None) -> int:
    """Tokens of an answer whose usage was not reported, counted off the event loop."""
    return (await asyncio.to_thread(count_for_model, text, tokenizer)).tokens


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _prompt_text(case: Case, target: Target) -> str:
    parts = [case.system or ""]
    parts.extend(content for _, content in case.chat_messages())
    if case.wants_json:
        parts.append(json_instruction(case.json_schema))
    return "\n".join(parts)


def prompt_size(target: Target, case: Case) -> PromptSize:
    """The size of a case's prompt as sent to a target (system, messages, JSON instruction)."""
    return PromptSize(_prompt_text(case, target), len(case.chat_messages()) + (1 if case.system else 0), target.tokenizer)


class EvalRunner:
    def __init__(
        self,
        targets: Sequence[Target],
        cases: CasesFile | Sequence[Case],
        config: RunConfig | None = None,
        *,
        results_path: str | Path | None = None,
        resume: bool = False,
        retry_errors: bool = True,
        env: Mapping[str, str] | None = None,
        judge_targets: Sequence[Target] = (),
        client: httpx.AsyncClient | None = None,
    ):
        self.targets = list(targets)
        self.cases = list(cases.cases if isinstance(cases, CasesFile) else cases)
        self.config = config or RunConfig()
        self.results_path = Path(results_path) if results_path else None
        self.resume = resume
        self.retry_errors = retry_errors  # resume: a result that ended in an error runs again
        self.env = os.environ if env is None else env
        self.judge_targets = list(judge_targets)
        self._client = client
        self._tasks: list[asyncio.Task[Any]] = []
        self._cancelled = False
        self.unreadable: list[str] = []  # lines of the results file that were not results
        self._runnable: list[Target] = []  # the plan's targets, set by run()
        self._redact: Redactor = redactor_for_env(
            self.env, [t.key_env for t in self.targets + self.judge_targets])

    # -- keys ------------------------------------------------------------------
    def _key(self, target: Target) -> str | None:
        return self.env.get(target.key_env) if target.key_env else None

    def _key_problem(self, target: Target) -> str | None:
        """Why the target's key cannot be used (names the variable, never the value)."""
        if not target.key_env:
            return None
        key = self._key(target)
        if not key:
            return f"${target.key_env} is not set"
        return key_problem(target.key_env, key)

    def redact(self, text: str) -> str:
        """``text`` without any key set in the environment, in any form."""
        return self._redact(text)

    # -- planning ----------------------------------------------------------------
    def _done_keys(self) -> tuple[set[str], list[CaseResult]]:
        if not (self.resume and self.results_path):
            return set(), []
        self.unreadable = []
        prior = read_results(self.results_path, self.unreadable)
        if self.retry_errors:  # (the new result is appended; the last line for a key wins)
            prior = [r for r in prior if r.ok]
        return {r.key for r in prior}, prior

    def plan(self, require_keys: bool = True) -> Plan:
        """What would run. ``require_keys=False`` (dry runs) plans targets whose key is missing too."""
        skipped: list[tuple[Target, str]] = []
        runnable: list[Target] = []
        for t in self.targets:
            why = self._key_problem(t)
            if why and (require_keys or self._key(t)):
                skipped.append((t, why))
            elif self.config.max_spend is not None and not t.priced:
                skipped.append((t, "its price is unknown, so the spend cap cannot bound it (give prices in a targets file)"))
            else:
                runnable.append(t)
        done, _ = self._done_keys()
        prompts: dict[tuple[str, str], PromptSize] = {}
        requests: list[PlannedRequest] = []
        already = 0
        for rep in range(self.config.repeat):
            for case in self.cases:
                for t in runnable:
                    if result_key(t.model_key, case.id, rep) in done:
                        already += 1
                        continue
                    ck = (t.model_key, case.id)
                    if ck not in prompts:
                        prompts[ck] = prompt_size(t, case)
                    requests.append(PlannedRequest(t, case, rep, prompts[ck]))
        return Plan(requests, already, skipped, runnable)

    def dry_run(self) -> DryRun:
        plan = self.plan(require_keys=False)
        spent_before = read_spend(self.results_path) if (self.resume and self.results_path) else Decimal(0)
        sure: int | None = None
        if self.config.max_spend is not None:
            room, sure = self.config.max_spend - spent_before, 0
            for r in plan.requests:
                room -= r.target.cost(r.input_tokens, r.max_output_tokens) or Decimal(0)
                if room < 0:
                    break
                sure += 1
        models = []
        total: Decimal | None = Decimal(0)
        for t in plan.targets:
            rs = [r for r in plan.requests if r.target.model_key == t.model_key]
            inp = sum(r.input_tokens for r in rs)
            bound = sum(r.prompt.bound for r in rs)
            out = sum(r.max_output_tokens for r in rs)
            cost = t.cost(bound, out)  # the most the cap may count
            if cost is None:
                total = None
            elif total is not None:
                total += cost
            models.append(DryRunModel(
                model_key=t.model_key, label=t.label, requests=len(rs), input_tokens=inp, input_bound=bound,
                max_output_tokens=out, tokens_exact=all(r.exact for r in rs), worst_case_cost_usd=cost,
            ))
        return DryRun(
            requests=len(plan.requests),
            already_done=plan.already_done,
            models=models,
            skipped=[f"{t.label} ({t.model_key}): {why}" for t, why in plan.skipped_targets],
            worst_case_cost_usd=total,
            max_spend_usd=self.config.max_spend,
            planned=[r.key for r in plan.requests],
            sure_under_cap=sure, spent_before_usd=spent_before,
        )

    # -- spend -----------------------------------------------------------------------
    async def _reserve(
        self, budget: SpendBudget, t: Target, size: PromptSize, max_out: int, *, wait: bool
    ) -> tuple[int, Decimal] | None:
        """Reserve a call's worst case: input at the prompt's byte bound, or at its
        counted tokens when the cap is too tight for the bound. (input the reservation
        allows, amount reserved), or None when neither fits. ``wait``: wait for room
        held by calls in flight (a case), else fail at once (a judge call inside one)."""
        allowed_in = size.bound
        for last in (False, True):
            amount = self._worst_case(t, allowed_in, max_out) or Decimal(0)
            if await budget.reserve(amount) if wait else budget.try_reserve(amount):
                return allowed_in, amount
            if last or budget.exhausted:
                break
            allowed_in = await size.billable()
        return None

    @staticmethod
    def _worst_case(t: Target, counted_in: int, max_out: int) -> Decimal | None:
        """The cost to reserve: ``counted_in`` input (the prompt's byte bound, or its
        counted tokens when the bound does not fit) and ``max_out`` output. Usage is never
        counted above these (:func:`allowed_usage`), so a settled cost never exceeds it."""
        return t.cost(counted_in, max_out)

    # -- running -------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop: cancel requests in flight, keep completed results, finish the run."""
        self._cancelled = True
        for task in self._tasks:
            task.cancel()

    async def events(self) -> AsyncIterator[EvalEvent]:
        """The run as an async iterator of events (ends after RunFinished)."""
        queue: asyncio.Queue[EvalEvent | None] = asyncio.Queue()
        task = asyncio.create_task(self.run(on_event=queue.put_nowait))
        task.add_done_callback(lambda _t: queue.put_nowait(None))
        try:
            while True:
                ev = await queue.get()
                if ev is None:
                    break
                yield ev
            task.result()
        finally:
            if not task.done():
                self.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def run(self, on_event: EventCallback | None = None, plan: Plan | None = None) -> RunSummary:
        """Run ``plan`` (default: ``self.plan()`` now). A UI that planned off its
        event loop passes that plan in, so the results file and tokens are not
        read and counted twice."""
        emit = on_event or (lambda _e: None)
        plan = self.plan() if plan is None else plan
        self._runnable = list(plan.targets)
        done_keys, prior = self._done_keys()
        planned_keys = {result_key(t.model_key, c.id, rep) for t in plan.targets for c in self.cases for rep in range(self.config.repeat)}
        prior = [r for r in prior if r.key in planned_keys]
        cfg = self.config
        # the cap covers every run on this results file: start from what they spent
        spent_before = read_spend(self.results_path) if (self.resume and self.results_path) else Decimal(0)
        budget = SpendBudget(cfg.max_spend, spent_before)
        global_sem = asyncio.Semaphore(max(1, cfg.concurrency))
        provider_sems: dict[str, asyncio.Semaphore] = {}
        by_model_total: dict[str, int] = {}
        for r in plan.requests:
            by_model_total[r.target.model_key] = by_model_total.get(r.target.model_key, 0) + 1
        by_model_done = {k: 0 for k in by_model_total}
        new_results: list[CaseResult] = []
        not_run = 0
        total = len(plan.requests)
        # opened before anything starts: a results file that cannot be written is an
        # InputError (located at the file) before a single request is paid for
        writer = ResultsWriter(self.results_path, append=self.resume, redact=self._redact) if self.results_path else None
        if writer is not None:
            budget.on_spend = writer.append_spend
        emit(RunStarted(total, plan.already_done, plan.targets, plan.skipped_targets))

        loop = asyncio.get_running_loop()
        appender = DurableAppender(writer, loop) if writer is not None else None
        own_client = self._client is None
        client = self._client or make_client(max_connections=max(8, cfg.concurrency * 2))

        async def one(req: PlannedRequest) -> None:
            nonlocal not_run
            sem = provider_sems.setdefault(req.target.provider_key, asyncio.Semaphore(max(1, cfg.per_provider)))
            async with sem, global_sem:
                reserved = await self._reserve(budget, req.target, req.prompt, req.max_output_tokens, wait=True)
                if reserved is None:
                    not_run += 1
                    return
                allowed_in, amount = reserved
                hold = Hold(amount)
                actual = Decimal(0)
                settled = False
                try:
                    emit(RequestStarted(req.target.model_key, req.case.id, req.repeat))
                    result, actual = await self._execute(client, req, budget, allowed_in, hold)
                    await budget.settle(hold.amount, actual, req.key)
                    settled = True
                finally:
                    if not settled:
                        # cancelled mid-request: the tokens may be billed; count its known cost,
                        # else the worst case at the counted input (as a billed failure)
                        await asyncio.shield(self._settle_cancelled(budget, req, hold))
                if result is None:  # answered but not judged within the cap
                    not_run += 1
                    return
                cancelled_while_writing = False
                if appender is not None:
                    # append + fsync off the event loop (one writer thread keeps order, and
                    # batches what finishes together); the result is durable before its event
                    # is emitted. A cancel that lands during the write cannot stop the thread,
                    # so the result is in the file either way: finish its bookkeeping, then
                    # honour the cancel.
                    write = appender.append(result)
                    while not write.done():
                        try:
                            await asyncio.shield(write)
                        except asyncio.CancelledError:
                            cancelled_while_writing = True
                    write.result()  # (a failed write raises here, as before)
                new_results.append(result)
                by_model_done[req.target.model_key] += 1
                progress = Progress(
                    len(new_results), total, budget.spent - spent_before,
                    {k: (by_model_done[k], by_model_total[k]) for k in by_model_total},
                )
                emit(ResultReady(result, progress))
                if cancelled_while_writing:
                    raise asyncio.CancelledError

        try:
            self._tasks = [asyncio.create_task(one(r)) for r in plan.requests]
            if self._cancelled:
                for t in self._tasks:
                    t.cancel()
            try:
                outcomes = await asyncio.gather(*self._tasks, return_exceptions=True)
            except asyncio.CancelledError:
                self._cancelled = True
                for t in self._tasks:
                    t.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)
                raise
            for o in outcomes:
                if isinstance(o, asyncio.CancelledError):
                    self._cancelled = True
                elif isinstance(o, BaseException):
                    raise o
        finally:
            if appender is not None:
                appender.close()
            if writer is not None:
                writer.close()
            if own_client:
                await asyncio.shield(client.aclose())
            summary = RunSummary(
                results=prior + new_results,
                new_results=len(new_results),
                cancelled=self._cancelled,
                not_run_budget=not_run,
                spent_usd=budget.spent - spent_before,
                max_spend_usd=cfg.max_spend,
                skipped_targets=plan.skipped_targets,
                targets=plan.targets,
                spent_before_usd=spent_before,
            )
            emit(RunFinished(summary))
        return summary

    async def _execute(
        self, client: httpx.AsyncClient, req: PlannedRequest, budget: SpendBudget, allowed_in: int, hold: Hold,
    ) -> tuple[CaseResult | None, Decimal]:
        """The request's result and its cost; ``None`` for a case that could not be
        judged within the spend cap (not a result: counted in ``not_run_budget``).
        ``allowed_in`` is the input its reservation holds: usage is never counted above
        it. Once the answer's cost is known, ``hold`` shrinks to it before any judge call."""
        t, case, cfg = req.target, req.case, self.config
        chat = ChatRequest(
            messages=tuple(Message(role, content) for role, content in case.chat_messages()),
            max_tokens=case.max_tokens,
            system=case.system,
            temperature=cfg.temperature,
            want_json=case.wants_json,
            json_schema=case.json_schema,
        )
        base: dict[str, Any] = {
            "model_key": t.model_key, "label": t.label, "case_id": case.id, "repeat": req.repeat,
            "wants_json": case.wants_json, "reasoning_mode": t.reasoning.id if t.reasoning else None,
        }
        log = AttemptLog()
        try:
            resp = await stream_chat(
                client, wire_for(t.api), t, chat, self._key(t), policy=cfg.retry, timeout=cfg.timeout, log=log
            )
        except ProviderCallError as exc:
            base["failed_attempts"] = [f.describe() for f in log.failed]
            base["retry_wait_ms"] = log.waited_s * 1000.0
            worst = await self._billed_worst(req) if exc.billed and t.priced else Decimal(0)
            return self._failed(base, t, exc.kind, exc.message, exc.attempts, exc.billed, worst)
        except Exception as exc:  # noqa: BLE001 - one odd stream must not abort the whole eval
            # the last resort: a provider reply the wire format did not foresee; it may
            # have been billed, so it counts at its worst case
            message = f"unexpected reply ({type(exc).__name__}): {exc}"
            worst = await self._billed_worst(req) if t.priced else Decimal(0)
            return self._failed(base, t, "malformed", message, 1, True, worst)
        text = self._redact(resp.text)
        reported = resp.input_tokens is not None and resp.output_tokens is not None
        in_tok = resp.input_tokens if resp.input_tokens is not None else await req.prompt.billable()
        out_tok = resp.output_tokens if resp.output_tokens is not None else await _count_output(resp.text, t.tokenizer)
        bill_in, bill_out, anomaly = allowed_usage(in_tok, out_tok, allowed_in, req.max_output_tokens)
        cost = t.cost(bill_in, bill_out, resp.cached_input_tokens or 0, resp.cache_write_tokens or 0)
        await budget.shrink(hold, cost or Decimal(0))  # room for its judge calls (and for others)
        judge_cost: Decimal | None = None
        judge_anomalies: list[str] = []

        async def judge(check: LlmJudgeCheck, c: Case, answer: str) -> tuple[float, str]:
            nonlocal judge_cost
            jt = self._judge_target(check)
            if jt is None:
                raise RuntimeError(f"judge model {check.model or cfg.judge_model or '(none)'} is not among the targets that can run")
            jreq = ChatRequest(
                messages=(Message("user", judge_prompt(check, c, answer)),), max_tokens=JUDGE_MAX_TOKENS,
                system=JUDGE_SYSTEM, temperature=0.0, want_json=True,
            )
            # the judge's prompt as sent (system, the prompt, the JSON instruction), sized as a case's
            jsize = PromptSize("\n".join((JUDGE_SYSTEM, judge_prompt(check, c, answer), json_instruction(None))), 2, jt.tokenizer)
            jout = jt.max_output_tokens(JUDGE_MAX_TOKENS)  # with the judge's room to think, if it thinks
            reserved = await self._reserve(budget, jt, jsize, jout, wait=False)
            if reserved is None:
                raise BudgetExhausted("not judged: the spend cap leaves no room")
            jin, worst = reserved
            spent = Decimal(0)
            try:
                jr = await stream_chat(client, wire_for(jt.api), jt, jreq, self._key(jt), policy=cfg.retry, timeout=cfg.timeout)
                j_in, j_out, j_note = allowed_usage(
                    await jsize.billable() if jr.input_tokens is None else jr.input_tokens,
                    await _count_output(jr.text, jt.tokenizer) if jr.output_tokens is None else jr.output_tokens,
                    jin, jout)
                if j_note:
                    judge_anomalies.append(f"judge {jt.label}: {j_note}")
                spent = jt.cost(j_in, j_out, jr.cached_input_tokens or 0, jr.cache_write_tokens or 0) or Decimal(0)
                if jt.priced:
                    judge_cost = (judge_cost or Decimal(0)) + spent
                return parse_judge_reply(jr.text)
            except ProviderCallError as exc:
                if exc.billed:  # at the counted input, as a case's billed failure
                    spent = self._worst_case(jt, await jsize.billable(), jout) or Decimal(0)
                raise RuntimeError(self._redact(str(exc))) from None
            finally:
                await budget.settle(worst, spent, req.key)

        try:
            score, passed, checks = await score_case(case, resp.text, judge)
        except BudgetExhausted:
            # the answer was paid for but cannot be judged under the cap: not a result
            # (neither scored nor written), so --resume runs the case again
            return None, cost or Decimal(0)
        json_valid = schema_valid = None
        if case.wants_json:
            ok, value, _ = parse_json_answer(resp.text)
            json_valid = ok
            if case.json_schema is not None:
                schema_valid = ok and not schema_errors(value, case.json_schema)
        r = CaseResult(
            **base, ok=True, passed=passed, score=score, output=text,
            usage_anomaly="; ".join(n for n in (anomaly, *judge_anomalies) if n) or None,
            checks=[CheckOutcome(name=c.name, score=c.score, passed=c.passed, detail=self._redact(c.detail)) for c in checks],
            input_tokens=in_tok, output_tokens=out_tok, tokens_reported=reported,
            ttft_ms=None if resp.ttft_s is None else resp.ttft_s * 1000.0,
            latency_ms=resp.latency_s * 1000.0, attempts=resp.attempts, cost_usd=cost,
            judge_cost_usd=judge_cost, json_valid=json_valid, schema_valid=schema_valid, finished_at=_now(),
            cached_input_tokens=resp.cached_input_tokens, cache_write_tokens=resp.cache_write_tokens,
            reasoning_tokens=resp.reasoning_tokens, failed_attempts=[f.describe() for f in resp.failed_attempts],
            retry_wait_ms=resp.retry_wait_s * 1000.0, burst=resp.burst,
            generation_ms=None if resp.generation_s is None else resp.generation_s * 1000.0, notes=list(resp.notes),
        )
        # judge spend was settled on its own reservation; this request settles its own cost
        return r, cost or Decimal(0)

    async def _billed_worst(self, req: PlannedRequest) -> Decimal:
        """What a call that may have been billed, with no usage to say how much, counts:
        its worst case at the prompt's counted tokens (never above the bound it reserved)."""
        return self._worst_case(req.target, await req.prompt.billable(), req.max_output_tokens) or Decimal(0)

    async def _settle_cancelled(self, budget: SpendBudget, req: PlannedRequest, hold: Hold) -> None:
        """Settle a request cancelled in flight: its cost when it was known, else its billed worst case."""
        actual = hold.amount if hold.known else await self._billed_worst(req)
        await budget.settle(hold.amount, actual, req.key)

    def _failed(
        self, base: dict[str, Any], t: Target, kind: str, message: str, attempts: int, billed: bool,
        worst: Decimal,
    ) -> tuple[CaseResult, Decimal]:
        """A failed call's result; a call that may have been billed counts at ``worst``."""
        cost: Decimal | None
        if not t.priced:
            cost = None
        else:
            cost = worst if billed else Decimal(0)
        r = CaseResult(
            # redacted whole, then shortened: a provider's error text can be long, a key never half-shown
            **base, ok=False, error_kind=kind, error=self._redact(message)[:MAX_ERROR_TEXT],
            attempts=attempts, cost_usd=cost, cost_estimated=bool(cost), finished_at=_now(),
        )
        return r, cost or Decimal(0)

    def judge_pool(self, runnable: Sequence[Target] | None = None) -> list[Target]:
        """Targets that may judge: the extra judge targets whose key is set (and whose
        price is known when a cap is set), then the targets the plan runs. Never a
        target the plan skipped (its calls could not be paid for or bounded)."""
        capped = self.config.max_spend is not None
        extra = [t for t in self.judge_targets
                 if not (t.key_env and not self._key(t)) and (t.priced or not capped)]
        return extra + list(self._runnable if runnable is None else runnable)

    def _judge_target(self, check: LlmJudgeCheck) -> Target | None:
        want = check.model or self.config.judge_model
        pool = self.judge_pool()
        if want is None:  # the first extra judge target, else the first target that runs
            return pool[0] if pool else None
        for t in pool:
            if t.model_key == want:
                return t
        return None
