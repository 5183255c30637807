"""make bench: the message path, measured with real sockets.

Daphne (Redis channel layer, PostgreSQL when it answers on 127.0.0.1:5432,
else SQLite) runs pinned to core 0; this load generator runs on core 1.
Latency is per recipient, from the server's accept time (`accepted_at` in
`message.new`) to the moment this client reads the frame; loss and
duplicates are counted with per-run sequence numbers in the bodies.
Figures go to bench/results/messaging.json and a table on stdout.

The scenarios are registered in bench/scenarios.py (bench/registry.py), and
bench/run.py provides what they need; `--only` picks some.
"""

import argparse
import contextlib
import json
import os
import resource
import textwrap
from pathlib import Path

from bench.harness import CLIENT_CORE, RESULTS_DIR
from bench.run import Bench
from bench.scenarios import REGISTRY


def parse_args() -> argparse.Namespace:
    listing = "\n".join(
        textwrap.fill(
            f"{s.name:<11} {s.description}; needs "
            + ", ".join(need.value for need in s.needs),
            width=79,
            initial_indent="  ",
            subsequent_indent=" " * 14,
        )
        for s in REGISTRY.values()
    )
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.split("\n")[0],
        epilog=f"scenarios, in the order they run:\n{listing}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--direct-messages", type=int, default=300)
    parser.add_argument("--idle", type=int, default=5000, help="idle sockets")
    parser.add_argument(
        "--people",
        type=int,
        default=5000,
        help="capacity: the demo company's size (smaller for a quick run)",
    )
    parser.add_argument(
        "--steps",
        type=int,
        nargs="+",
        default=[100, 200, 400, 700, 1000, 1500],
        help="capacity: simulated employees at each step",
    )
    parser.add_argument(
        "--setups",
        nargs="+",
        choices=["embedded", "one", "two"],
        default=["embedded", "one", "two"],
        help="capacity: the set-ups to ramp",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(REGISTRY),
        default=list(REGISTRY),
        metavar="SCENARIO",
        help="run only these scenarios (the JSON and table then hold only them)",
    )
    parser.add_argument(
        "--layer",
        choices=["redis", "pubsub"],
        default="redis",
        help="channels_redis RedisChannelLayer or RedisPubSubChannelLayer",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    chosen = [s for name, s in REGISTRY.items() if name in args.only]
    here = [s for s in chosen if s.results == "messaging"]
    bench = Bench(args)
    try:
        for scenario in chosen:
            if scenario.results == "messaging" and scenario is here[0]:
                start_load_generator()
            bench.provide(scenario.needs)
            scenario.run(bench)
    finally:
        bench.close()
    if not here:
        return
    results = bench.results
    ceiling = results.get("reference", {}).get("best_deliveries_per_s") or 1
    for key in ("saturation_one_daphne", "saturation_two_daphnes"):
        if key in results:
            results[key]["ratio_to_reference"] = round(
                results[key]["best_deliveries_per_s"] / ceiling, 3
            )
    path = RESULTS_DIR / f"messaging{bench.suffix}.json"
    path.write_text(json.dumps(results, indent=2))
    print_table(results, path)


def start_load_generator() -> None:
    """Take the client's core and room for thousands of sockets, and clear
    the last run's server logs."""
    with contextlib.suppress(OSError):
        os.sched_setaffinity(0, {CLIENT_CORE})
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for old_log in RESULTS_DIR.glob("daphne-*.log"):
        old_log.unlink()


def print_table(r: dict, path: Path) -> None:
    rows = []
    if "one_to_one" in r:
        o = r["one_to_one"]
        rows += [
            (
                "1:1 delivery p50 / p95 / p99 (ms)",
                f"{o['delivery_p50_ms']} / {o['delivery_p95_ms']} / "
                f"{o['delivery_p99_ms']}",
                "p50 ≤ 15, p99 ≤ 50",
            ),
            (
                "1:1 end-to-end p50 / p99 (ms)",
                f"{o['end_to_end_p50_ms']} / {o['end_to_end_p99_ms']}",
                "",
            ),
            ("1:1 lost", str(o["lost"]), "0"),
        ]
    if "flood" in r:
        f = r["flood"]
        rows += [
            (
                f"1:1 p99 with {f['crowd']} connected: quiet / flooded (ms)",
                f"{f['quiet_delivery_p99_ms']} / {f['flooded_delivery_p99_ms']}",
                "flooded within noise",
            ),
            (
                "  flood frames/s, refused, closed, 1:1 lost",
                f"{f['flood_frames_per_s']}, {f['flood_refused']}, "
                f"{f['flood_closed']}, {f['flooded_lost']}",
                "0 lost",
            ),
        ]
    for step in r.get("space", []):
        rows.append(
            (
                f"{step['recipients']} members at {step['rate_per_s']:g} msg/s: "
                "p50 / p99 / max (ms)",
                f"{step['p50_ms']} / {step['p99_ms']} / {step['max_ms']}",
                "p99 ≤ 200 at 5/s",
            )
        )
        rows.append(
            (
                "  deliveries/s, lost, duplicates",
                f"{step['deliveries_per_s']}, {step['lost']}, {step['duplicates']}",
                "0 lost",
            )
        )
    for key, label in (
        ("saturation_one_daphne", "Saturation, 1 Daphne"),
        ("saturation_two_daphnes", "Saturation, 2 Daphnes"),
    ):
        if key not in r:
            continue
        sat = r[key]
        rows.append(
            (
                f"{label} (deliveries/s at p99 ≤ 250 ms, share of reference)",
                f"{sat['best_deliveries_per_s']} ({sat['ratio_to_reference']})",
                "≥ 15,000",
            )
        )
    if "reference" in r:
        rows.append(
            (
                "Reference: bare websockets (deliveries/s)",
                str(r["reference"]["best_deliveries_per_s"]),
                "",
            )
        )
    for key, label in (
        ("idle", ""),
        ("idle_two_daphnes", ", 2 Daphnes"),
        ("reference_idle", ", bare websockets"),
    ):
        if key not in r:
            continue
        idle = r[key]
        rows += [
            (
                f"{idle['sockets']} idle sockets{label}: KiB each, idle CPU %",
                f"{idle['rss_per_connection_kib']}, {idle['idle_cpu_percent']}",
                "≤ 100 KiB",
            ),
            ("  connects/s", str(idle["connect_per_s"]), ""),
            *(
                [
                    (
                        "  heartbeats (a ping each 10 s): CPU %, pong p99 ms, missed",
                        f"{idle['heartbeat_cpu_percent']}, "
                        f"{idle['heartbeat_pong_p99_ms']}, "
                        f"{idle['heartbeat_pongs_missed']}",
                        "-, ≤ 250, 0",
                    )
                ]
                if "heartbeat_cpu_percent" in idle
                else []
            ),
            (
                "  reconnect storm: resynced, 5xx, failed tries, all done (s)",
                f"{idle['storm_resynced']}, {idle['storm_5xx']}, "
                f"{sum(idle['storm_failed_attempts'].values())}, "
                f"{idle['storm_all_resynced_s']}",
                "all, 0, -, ≈10 s",
            ),
            (
                "  storm CPU %: servers, load generator",
                f"{idle['storm_server_cpu_percent']}, "
                f"{idle['storm_client_cpu_percent']}",
                "",
            ),
        ]
    profiles = [
        ("profile at 20 msg/s", r.get("profile_space_20", {}), "% of samples"),
        ("storm profile", r.get("idle", {}).get("profile_storm", {}), "% of GIL time"),
    ]
    for title, profile, unit in profiles:
        for name, share in profile.get("inclusive", {}).items():
            if share:  # a marker the scenario never reaches says nothing
                rows.append((f"  {title}: {name} ({unit})", str(share), ""))
    width = max(len(a) for a, _, _ in rows)
    database = r.get("database", "no database")
    print(f"\nCanteen message path ({database}, {r['layer']} layer) → {path}")
    print(f"{'measure'.ljust(width)}  {'result':>24}  target")
    for name, value, target in rows:
        print(f"{name.ljust(width)}  {value:>24}  {target}")


if __name__ == "__main__":
    main()
