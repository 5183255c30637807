"""The transport ceiling: a minimal broadcast server on the bare `websockets`
package (no Django, no Redis), speaking just enough of Canteen's protocol
for the same clients: `hello` on connect, every `message.send` fanned out to
all sockets as `message.new` with the server's accept time, and an empty
`sync.batch` for every `sync` (the reconnect storm's ceiling).

Run: python -m bench.reference PORT
"""

import asyncio
import json
import sys
import time

import websockets

clients: set = set()


async def handle(ws) -> None:
    clients.add(ws)
    try:
        await ws.send(json.dumps({"type": "hello", "user": 0}))
        async for raw in ws:
            event = json.loads(raw)
            if event.get("type") == "sync":
                batch = {"type": "sync.batch", "events": [], "more": False}
                await ws.send(json.dumps({**batch, "cursor": event["since"]}))
                continue
            if event.get("type") != "message.send":
                continue
            frame = json.dumps(
                {
                    "type": "message.new",
                    "accepted_at": time.time(),
                    "message": {"body": event["body"], "client_id": event["client_id"]},
                }
            )
            websockets.broadcast(clients, frame)
    finally:
        clients.discard(ws)


async def main(port: int) -> None:
    async with websockets.serve(
        handle, "127.0.0.1", port, max_size=65536, ping_interval=None
    ):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
