"""The capacity bench's load generator: Locust users, each a signed-in
employee with one socket (bench/capacity/employee.py), ramped in steps;
run by bench/capacity/__main__.py pinned to its own core.

    python -m bench.capacity.load SETTINGS.json OUT.json

Each employee opens the home page and a socket (a tab), pings every 10 s
as socket.js does, sends a message about once a minute (typing first; half
1:1, half in their busy space) and otherwise follows the day of
docs/capacity.md with Mattermost's think time between actions. Every HTTP
request and every socket measure goes through Locust's request event; the
listener in bench/capacity/record.py keeps the raw times so each step has
exact percentiles.
"""

# Locust patches the standard library for gevent when it is imported;
# nothing that opens sockets may be imported before it.
import locust  # noqa: F401  # isort: skip

import json
import sys
import time

import gevent
from locust import events
from locust.env import Environment

from bench.capacity import report
from bench.capacity.employee import SETTINGS, STARTED, Employee
from bench.capacity.record import RECORD, figures

# A delivery or an echo not there this long after the step is lost.
DRAIN_S = 5.0


def main() -> None:
    with open(sys.argv[1]) as file:
        SETTINGS.update(json.load(file))
    out = sys.argv[2]
    environment = Environment(
        user_classes=[Employee], events=events, host=SETTINGS["http"]
    )
    runner = environment.create_local_runner()
    steps: list[dict] = []
    for users in SETTINGS["steps"]:
        runner.start(users, spawn_rate=SETTINGS["spawn_rate"])
        if runner.spawning_greenlet is not None:
            runner.spawning_greenlet.join()
        # The sign-in ramp is not measured: wait until every new employee
        # has its home page and socket, then let the server settle.
        deadline = time.monotonic() + 120
        while STARTED["count"] < users and time.monotonic() < deadline:
            gevent.sleep(0.2)
        gevent.sleep(SETTINGS["settle_seconds"])
        t0, cpu0 = time.time(), time.process_time()
        gevent.sleep(SETTINGS["step_seconds"])
        t1, cpu1 = time.time(), time.process_time()
        gevent.sleep(DRAIN_S)  # the window's last sends arrive
        step = figures(t0, t1, users, cpu1 - cpu0)
        step["window"] = [t0, t1]
        step["verdict"] = report.verdict(step)
        step["why"] = report.reasons(step)
        steps.append(step)
        print(
            f"    {users} employees: p95 {step['http_p95_ms']} ms, delivery p99 "
            f"{step['delivery_p99_ms']} ms, {step['errors']} errors, "
            f"{step['lost']} lost, generator {step['generator_cpu_percent']} % "
            f"→ {step['verdict']}",
            file=sys.stderr,
            flush=True,
        )
        # Keep what the next window needs only: the process holds 1,500
        # sockets and thousands of frames a second.
        RECORD.requests = [r for r in RECORD.requests if r[0] > t1]
        RECORD.errors = [e for e in RECORD.errors if e[0] > t1]
        RECORD.sends = {k: v for k, v in RECORD.sends.items() if v[0] > t1}
        with open(out, "w") as file:
            json.dump(steps, file)
        if step["verdict"] != "pass":
            break  # the capacity is found; more load would only hurt
    runner.quit()


if __name__ == "__main__":
    main()
