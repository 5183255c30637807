"""Figures of the capacity ramp: percentiles, the verdict on each step and
the capacity of a set-up, the table and the chart. Pure: no Django, no
gevent, so both the generator and the runner import it (and tests do)."""

from collections.abc import Iterable
from pathlib import Path

# The limits (docs/capacity.md): a step passes when every page and
# API request's p95 is within PAGE_P95_MS, send → delivery p99 within
# DELIVERY_P99_MS, and nothing errors or is lost.
PAGE_P95_MS = 200.0
DELIVERY_P99_MS = 250.0
# A generator busier than this on its core is measuring itself.
GENERATOR_CPU_LIMIT = 90.0


def percentile(values: Iterable[float], p: float) -> float | None:
    """The nearest-rank `p`th percentile, None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[k], 1)


def spread(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50),
        "p95_ms": percentile(values, 95),
        "p99_ms": percentile(values, 99),
    }


def verdict(step: dict) -> str:
    """ "pass", "fail" (with the reasons in step["why"]) or
    "generator-bound", when the load generator's own core was saturated
    and the step measured the generator rather than the server."""
    if (step.get("generator_cpu_percent") or 0) >= GENERATOR_CPU_LIMIT:
        return "generator-bound"
    return "fail" if reasons(step) else "pass"


def reasons(step: dict) -> list[str]:
    """Why a step fails the limits, in words; empty when it passes."""
    why = []
    page = step.get("http_p95_ms")
    if page is None or page > PAGE_P95_MS:
        why.append(f"page/API p95 {page} ms > {PAGE_P95_MS:g}")
    delivery = step.get("delivery_p99_ms")
    if delivery is not None and delivery > DELIVERY_P99_MS:
        why.append(f"delivery p99 {delivery} ms > {DELIVERY_P99_MS:g}")
    if step.get("errors"):
        why.append(f"{step['errors']} errors")
    if step.get("lost"):
        why.append(f"{step['lost']} lost")
    # A tab closed on purpose is away, not lost; anyone else without a
    # socket at the end of the window could not connect.
    present = step.get("users_connected", 0) + step.get("users_away", 0)
    if present < step["users"]:
        why.append(f"{step['users'] - present} employees without a socket")
    return why


def capacity(steps: list[dict]) -> int | None:
    """The last step's employees before the first step that does not
    pass (None when the first already does not). A generator-bound step
    ends the ramp without a verdict on the server."""
    last = None
    for step in steps:
        if verdict(step) != "pass":
            break
        last = step["users"]
    return last


def table(results: dict) -> str:
    """The printed table: one line per set-up and step."""
    header = (
        f"{'set-up':<16}{'users':>6}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'deliv99':>8}{'sync95':>7}{'err':>5}{'lost':>5}"
        f"{'daphne%':>8}{'pg%':>6}{'redis%':>7}{'gen%':>6}{'MiB':>6}{'conns':>6}"
        "  verdict"
    )
    lines = [header]
    for name, setup in results["setups"].items():
        if "error" in setup:
            lines.append(f"{name:<16} not run: {setup['error']}")
            continue
        for s in setup["steps"]:
            lines.append(
                f"{name:<16}{s['users']:>6}{_f(s['http_p50_ms']):>7}"
                f"{_f(s['http_p95_ms']):>7}{_f(s['http_p99_ms']):>7}"
                f"{_f(s['delivery_p99_ms']):>8}{_f(s['sync_p95_ms']):>7}"
                f"{s['errors']:>5}{s['lost']:>5}"
                f"{_f(s.get('daphne_cpu_percent')):>8}{_f(s.get('postgres_cpu_percent')):>6}"
                f"{_f(s.get('redis_cpu_percent')):>7}{_f(s['generator_cpu_percent']):>6}"
                f"{_f(s.get('server_rss_mib')):>6}{_f(s.get('db_connections')):>6}"
                f"  {s['verdict']}{': ' + '; '.join(s['why']) if s['why'] else ''}"
            )
        lines.append(
            f"{'':<16} capacity: {setup['capacity'] or 'below the first step'}"
        )
    return "\n".join(lines)


def _f(value) -> str:
    return "-" if value is None else f"{value:g}"


def plot(results: dict, path: Path) -> Path:
    """p95 of page and API requests against simulated employees, one line
    per set-up, with the limit drawn; return the PNG's path."""
    import matplotlib

    matplotlib.use("Agg")  # no display: the bench runs unattended
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 5))
    for name, setup in results["setups"].items():
        steps = setup.get("steps") or []
        if steps:
            axes.plot(
                [s["users"] for s in steps],
                [s["http_p95_ms"] for s in steps],
                marker="o",
                label=f"{name}: {setup.get('description', '')}",
            )
    axes.axhline(PAGE_P95_MS, color="grey", linestyle="--", label="limit (p95)")
    axes.set_xlabel("simulated employees")
    # Log scale: a saturated set-up's seconds and a healthy one's tens of
    # milliseconds stay readable on one chart.
    axes.set_yscale("log")
    axes.set_ylabel("page and API p95 (ms, log scale)")
    axes.set_title(f"Canteen capacity, {results['data']['people']:,}-person company")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
