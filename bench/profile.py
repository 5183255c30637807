"""Sample a running Daphne with py-spy and summarise where its time goes.

The raw collapsed stacks are kept next to the results, so a flame graph can
be drawn from them later (e.g. with speedscope or inferno).
"""

import contextlib
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

# Frames worth naming in the summary: the steps of one delivery.
# (label, file, function); py-spy names a frame "Class.method (pkg/file.py:n)".
MARKERS = {
    "hub: deliver to sockets": ("intranet/hub.py", "Hub.deliver"),
    "autobahn: frame and write": ("autobahn/websocket/protocol.py", "sendMessage"),
    "channel layer: receive": ("channels_redis/core.py", "receive"),
    "hub: batched recheck": ("intranet/consumers.py", "_recheck"),
    "database thread, all": ("asgiref/sync.py", "thread_handler"),
    "inbound frames (consumer dispatch)": ("channels/consumer.py", "dispatch"),
    # The steps of one (re)connect.
    "connect: HTTP upgrade handshake": (
        "autobahn/websocket/protocol.py",
        "processHandshake",
    ),
    "connect: its database trip, all (database thread)": (
        "intranet/consumers.py",
        "_arrive",
    ),
    "connect: session and user (database thread)": (
        "profiles/selectors.py",
        "session_user",
    ),
    "connect: hub attach": ("intranet/hub.py", "Hub.attach"),
    "sync: events since (database thread)": ("messaging/selectors.py", "events_since"),
}


def py_spy() -> str | None:
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


@contextlib.contextmanager
def sampled(
    pid: int, out: Path, *, into: dict, rate: int = 250, gil: bool = False
) -> Iterator[None]:
    """Record `pid` while the block runs, then put a summary in `into`
    (an error instead when py-spy is missing or may not attach).

    With `gil`, only the thread holding the GIL is sampled: where the
    process's Python time goes, without time spent waiting for the GIL.
    """
    binary = py_spy()
    if binary is None:
        into["error"] = "py-spy is not installed"
        yield
        return
    process = subprocess.Popen(
        [
            binary,
            "record",
            "--pid",
            str(pid),
            "--rate",
            str(rate),
            "--format",
            "raw",
            "--nonblocking",
            *(["--gil"] if gil else []),
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
        if out.exists():
            into.update(summarise(out.read_text()))
        else:
            into["error"] = (err or "py-spy wrote nothing").strip()[-500:]


def summarise(collapsed: str, top: int = 12) -> dict:
    """Self time by function and inclusive time of the MARKERS, in % of
    samples."""
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        own[_short(frames[-1])] += count
        located = [_location(f) for f in frames]
        for label, (path, name) in MARKERS.items():
            if any(p.endswith(path) and n.endswith(name) for p, n in located):
                inclusive[label] += count
    if not total:
        return {"samples": 0}

    def pct(n: int) -> float:
        return round(100 * n / total, 1)

    return {
        "samples": total,
        "self_top": [[name, pct(n)] for name, n in own.most_common(top)],
        "inclusive": {label: pct(inclusive[label]) for label in MARKERS},
    }


def _location(frame: str) -> tuple[str, str]:
    """Return (file, function) of a frame "function (path/to/file.py:line)"."""
    name, _, rest = frame.partition(" (")
    return rest.rstrip(")").rsplit(":", 1)[0], name


def _short(frame: str) -> str:
    name, _, rest = frame.partition(" (")
    path = rest.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/", "python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"
