"""What the capacity bench's load generator records: every HTTP request and
socket measure as Locust's request event carries it, with its wall-clock
time, each message sent with who should get it, and who is connected; and
a step's figures from that record, with exact percentiles."""

# Locust patches the standard library for gevent when it is imported;
# nothing that opens sockets may be imported before it.
import locust  # noqa: F401  # isort: skip

import time
from collections import defaultdict

from locust import events

from bench.capacity import report

# index -> connection epoch, for connected employees only.
CONNECTED: dict[int, int] = {}
# Employees whose tab is closed on purpose (close_tab_and_come_back).
AWAY: set[int] = set()


class Record:
    """Raw figures, by wall-clock time, for the step windows."""

    def __init__(self) -> None:
        self.requests: list[tuple[float, str, str, float, bool]] = []
        # client_id -> [sent_at, sender, {recipient: epoch}, got]
        self.sends: dict[str, list] = {}
        self.errors: list[tuple[float, str]] = []
        self.last_window_end = 0.0


RECORD = Record()


@events.request.add_listener
def _record(request_type, name, response_time, exception=None, **_kw) -> None:
    RECORD.requests.append(
        (time.time(), request_type, name, response_time, exception is None)
    )
    if exception is not None:
        RECORD.errors.append((time.time(), f"{request_type} {name}: {exception}"))


def fire(kind: str, name: str, ms: float, error: str | None = None) -> None:
    events.request.fire(
        request_type=kind,
        name=name,
        response_time=ms,
        response_length=0,
        exception=Exception(error) if error else None,
        context={},
    )


def figures(t0: float, t1: float, users: int, cpu_s: float) -> dict:
    """The step's figures from the raw record between t0 and t1."""
    by_name: dict[str, list[float]] = defaultdict(list)
    http: list[float] = []
    failures = 0
    for at, kind, name, ms, ok in RECORD.requests:
        if not t0 <= at <= t1:
            continue
        if not ok:
            failures += 1
            continue
        by_name[name].append(ms)
        if kind != "WS":
            http.append(ms)
    errors = [e for at, e in RECORD.errors if t0 <= at <= t1]
    # What failed while the step's employees signed in (not in the verdict,
    # which is the window's; here to explain a step that lacks sockets).
    ramp_failures = [
        f"{kind} {name}"
        for at, kind, name, _ms, ok in RECORD.requests
        if not ok and at < t0 and at >= RECORD.last_window_end
    ]
    RECORD.last_window_end = t1
    lost = 0
    for sent_at, _sender, expect, got in RECORD.sends.values():
        if not t0 <= sent_at <= t1:
            continue
        for who, epoch in expect.items():
            # Someone who reconnected since catches up by sync instead.
            if who not in got and CONNECTED.get(who) == epoch:
                lost += 1
    sends = sum(1 for s in RECORD.sends.values() if t0 <= s[0] <= t1)
    overall = report.spread(http)
    delivery = report.spread(by_name.get("socket: send → delivery", []))
    sync = report.spread(by_name.get("socket: sync", []))
    return {
        "users": users,
        "users_connected": len(CONNECTED),
        "users_away": len(AWAY),
        "seconds": round(t1 - t0, 1),
        "requests": len(http),
        "requests_per_s": round(len(http) / (t1 - t0), 1),
        "messages_sent": sends,
        "http_p50_ms": overall["p50_ms"],
        "http_p95_ms": overall["p95_ms"],
        "http_p99_ms": overall["p99_ms"],
        "delivery_p50_ms": delivery["p50_ms"],
        "delivery_p99_ms": delivery["p99_ms"],
        "deliveries": delivery["n"],
        "sync_p50_ms": sync["p50_ms"],
        "sync_p95_ms": sync["p95_ms"],
        "syncs": sync["n"],
        "errors": failures + len(errors),
        "error_samples": errors[:5],
        "ramp_failures": len(ramp_failures),
        "ramp_failure_samples": sorted(set(ramp_failures))[:5],
        "lost": lost,
        "endpoints": {
            name: report.spread(values) for name, values in sorted(by_name.items())
        },
        "generator_cpu_percent": round(100 * cpu_s / (t1 - t0), 1),
    }
