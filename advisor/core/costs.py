"""Money math, exact: Decimal dollars throughout, rounded only when rendered.

- API cost per request from per-1M-token prices and a token mix;
- per month and per year at a volume;
- cost per success given a pass rate and a retry rate;
- self-hosting: replicas and GPUs needed (rounded up), monthly GPU and
  operations cost, and the monthly volume at which self-hosting breaks even
  with an API price.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from advisor.core.schema import Gpu, Hosting, ModelSpec, Price, PriceTier, SizeClass

MILLION = Decimal(1_000_000)
SECONDS_PER_HOUR = Decimal(3600)
MONTHS_PER_YEAR = 12


@lru_cache(maxsize=8192)  # the same budgets and volumes recur in thousands of messages
def format_usd(value: Decimal | None) -> str:
    """Dollars for people: $1,234.57 from $1 up, 4 decimals from a cent, else up
    to 6; never "$0" for an amount that is not zero, "unknown" for ``None``."""
    if value is None:
        return "unknown"
    if value == 0:
        return "$0.00"
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1:
        return f"{sign}$" + format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), ",f")
    if value >= Decimal("0.01"):
        text = format(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP), "f")
    else:
        q = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        if q == 0:
            return f"{sign}<$0.000001" if not sign else "-<$0.000001"
        text = format(q, "f")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0").ljust(2, "0")  # at least cents: $0.50, $0.022, $0.00035
    return f"{sign}${whole}.{frac}"


@lru_cache(maxsize=8192)
def format_count(n: int | Decimal) -> str:
    """1,234,567"""
    return f"{int(n):,}"


def ceil_int(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class RequestCost:
    input: Decimal
    output: Decimal
    tier: PriceTier | None = None  # the long-prompt tier the whole request is billed at
    cached_tokens: int = 0  # input tokens billed at the cache-hit price
    thinking_tokens: int = 0  # reasoning tokens billed as output

    @property
    def total(self) -> Decimal:
        return self.input + self.output


def tier_for(price: Price, input_tokens: int) -> PriceTier | None:
    """The tier a prompt of ``input_tokens`` is billed at: the highest one whose
    threshold it exceeds (the provider then bills the whole request at it)."""
    chosen = None
    for tier in price.tiers:
        if input_tokens > tier.above_input_tokens:
            chosen = tier
    return chosen


def request_cost(
    price: Price,
    input_tokens: int,
    output_tokens: int,
    cached_share: Decimal = Decimal(0),
    thinking_tokens: int = 0,
) -> RequestCost | None:
    """Cost of one request as the provider bills it; ``None`` when a price is unknown.

    - A prompt longer than a tier's threshold is billed entirely at that tier.
    - ``cached_share`` of the input is a cache hit, billed at the cached-input
      price where one is listed (else at the input price: no saving assumed).
    - Thinking tokens are billed as output tokens.
    """
    if price.input is None or price.output is None:
        return None
    tier = tier_for(price, input_tokens)
    in_price = tier.input if tier else price.input
    out_price = tier.output if tier else price.output
    cached_price = (tier.cached_input if tier else price.cached_input) if cached_share else None
    cached = 0
    if cached_price is not None:
        cached = int((Decimal(input_tokens) * cached_share).to_integral_value(rounding=ROUND_HALF_UP))
    fresh = input_tokens - cached
    input_cost = in_price * fresh / MILLION
    if cached:
        input_cost += cached_price * cached / MILLION  # type: ignore[operator]
    return RequestCost(
        input=input_cost,
        output=out_price * (output_tokens + thinking_tokens) / MILLION,
        tier=tier,
        cached_tokens=cached,
        thinking_tokens=thinking_tokens,
    )


def per_month(per_request: Decimal | None, monthly_requests: int) -> Decimal | None:
    return None if per_request is None else per_request * monthly_requests


def per_year(monthly: Decimal | None) -> Decimal | None:
    return None if monthly is None else monthly * MONTHS_PER_YEAR


def cost_per_success(
    per_request: Decimal | None, pass_rate: Decimal, retry_rate: Decimal = Decimal(0)
) -> Decimal | None:
    """Spend per successful task.

    Each request costs ``per_request`` and is retried ``retry_rate`` times on
    average (0.1 = one retry in ten), so an attempt costs
    ``per_request * (1 + retry_rate)``; only ``pass_rate`` of them succeed.
    ``None`` when nothing succeeds or the price is unknown.
    """
    if per_request is None or pass_rate <= 0:
        return None
    if pass_rate > 1 or retry_rate < 0:
        raise ValueError("pass_rate must be in (0, 1] and retry_rate >= 0")
    return per_request * (1 + retry_rate) / pass_rate


# --------------------------------------------------------------------------- self-hosting

@dataclass(frozen=True)
class SelfHostPlan:
    size_class: SizeClass
    gpu: Gpu
    gpus_per_replica: int
    replicas: int
    tokens_per_month: int
    replica_capacity_tokens: Decimal  # tokens one replica serves a month at the utilisation
    gpu_monthly: Decimal
    ops_monthly: Decimal

    @property
    def gpus(self) -> int:
        return self.replicas * self.gpus_per_replica

    @property
    def total_monthly(self) -> Decimal:
        return self.gpu_monthly + self.ops_monthly

    @property
    def replica_monthly(self) -> Decimal:
        return self.gpu_monthly / self.replicas


def size_class_for(model: ModelSpec, hosting: Hosting) -> SizeClass | None:
    """The serving class, by the parameters each token uses: the active ones of a
    mixture of experts, all of them for a dense model."""
    if not model.open_weights or model.params_b is None:
        return None
    size = model.active_params_b or model.params_b
    for sc in sorted(hosting.size_classes, key=lambda s: s.max_params_b):
        if size <= sc.max_params_b:
            return sc
    return None


def weights_gb(model: ModelSpec, hosting: Hosting) -> Decimal | None:
    """Memory the weights take at the serving quantisation (total parameters)."""
    if model.vram_4bit_gb is not None:
        return model.vram_4bit_gb
    if model.params_b is None:
        return None
    return model.params_b * hosting.weights_gb_per_billion_params


def _round_gpus(n: int, hosting: Hosting) -> int:
    if not hosting.gpus_per_replica_powers_of_two:
        return n
    p = 1
    while p < n:
        p *= 2
    return p


def _replica_gpus(model: ModelSpec, sc: SizeClass, hosting: Hosting) -> tuple[Gpu, int]:
    """The GPU and count one replica needs: the class's GPU, or one with more
    memory when the weights need fewer of those for less money an hour."""
    base = next(g for g in hosting.gpus if g.id == sc.gpu)
    memory = weights_gb(model, hosting)
    if memory is None:
        return base, sc.gpus_per_replica
    best: tuple[Decimal, int, Gpu] | None = None
    for gpu in hosting.gpus:
        if gpu.id != base.id and gpu.vram_gb <= base.vram_gb:
            continue  # only the class's GPU, or one with more memory
        floor = sc.gpus_per_replica if gpu.id == base.id else 1
        count = _round_gpus(max(floor, ceil_int(memory / gpu.vram_gb)), hosting)
        key = (count * gpu.hourly_usd, count, gpu)
        if best is None or key[:2] < best[:2] or (key[:2] == best[:2] and gpu.id == base.id):
            best = key
    assert best is not None
    return best[2], best[1]


def replica_capacity(sc: SizeClass, hosting: Hosting) -> Decimal:
    """Tokens one replica serves in a month at the assumed utilisation."""
    return Decimal(sc.tokens_per_s) * hosting.utilisation * hosting.hours_per_month * SECONDS_PER_HOUR


def ops_monthly(hosting: Hosting, experience: str) -> Decimal:
    oh = hosting.ops_overhead
    return oh.engineer_monthly_usd * oh.fte[experience]  # type: ignore[index]


def self_host_plan(
    model: ModelSpec,
    hosting: Hosting,
    monthly_requests: int,
    tokens_per_request: int,
    experience: str,
) -> SelfHostPlan | None:
    """GPUs and monthly cost to serve the volume; ``None`` if the model cannot be sized."""
    sc = size_class_for(model, hosting)
    if sc is None:
        return None
    gpu, per_replica = _replica_gpus(model, sc, hosting)
    capacity = replica_capacity(sc, hosting)
    tokens = monthly_requests * tokens_per_request
    replicas = max(1, ceil_int(Decimal(tokens) / capacity))
    gpu_monthly = replicas * per_replica * gpu.hourly_usd * hosting.hours_per_month
    return SelfHostPlan(
        size_class=sc,
        gpu=gpu,
        gpus_per_replica=per_replica,
        replicas=replicas,
        tokens_per_month=tokens,
        replica_capacity_tokens=capacity,
        gpu_monthly=gpu_monthly,
        ops_monthly=ops_monthly(hosting, experience),
    )


def break_even_requests(
    api_per_request: Decimal | None,
    model: ModelSpec,
    hosting: Hosting,
    tokens_per_request: int,
    experience: str,
) -> int | None:
    """Smallest monthly volume at which self-hosting costs no more than the API.

    Self-hosting costs ``F + G * n`` a month (operations ``F``, ``G`` per
    replica, ``n`` replicas for the volume); the API costs ``c * R``. Within
    the volumes ``n`` replicas serve, the API reaches ``F + G * n`` at
    ``R = ceil((F + G*n) / c)``. ``None`` when it never does (the API is
    cheaper per token than a busy replica) or a figure is unknown.
    """
    if api_per_request is None or api_per_request <= 0:
        return None
    plan = self_host_plan(model, hosting, 1, tokens_per_request, experience)
    if plan is None:
        return None
    c = api_per_request
    fixed = plan.ops_monthly
    replica = plan.replica_monthly
    per_replica_requests = plan.replica_capacity_tokens / tokens_per_request  # requests a replica serves
    margin = c * per_replica_requests - replica  # what each full replica saves
    # replicas at which the break-even volume falls inside that replica count's range
    n = 1
    if margin <= 0:
        # only the first replica's range can work (volume below one replica's capacity)
        candidates = [1]
    else:
        n = max(1, ceil_int(fixed / margin) - 1)
        candidates = [1, n, n + 1, n + 2]
    for n in sorted(set(candidates)):
        low = 1 if n == 1 else int((n - 1) * per_replica_requests) + 1
        high = int(n * per_replica_requests)
        need = ceil_int((fixed + replica * n) / c)
        volume = max(need, low)
        if volume <= high:
            return volume
    return None


def self_host_monthly_at(
    model: ModelSpec, hosting: Hosting, monthly_requests: int, tokens_per_request: int, experience: str
) -> Decimal | None:
    plan = self_host_plan(model, hosting, monthly_requests, tokens_per_request, experience)
    return None if plan is None else plan.total_monthly


def self_host_floor_monthly(hosting: Hosting, experience: str) -> Decimal:
    """The least self-hosting can cost a month whatever the model: one of the
    cheapest GPUs, always on, plus operations. A floor for a model whose size is
    unknown, so a tight budget still rules it out."""
    cheapest = min(g.hourly_usd for g in hosting.gpus)
    return cheapest * hosting.hours_per_month + ops_monthly(hosting, experience)
