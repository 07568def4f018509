"""A protocol-level client of ``backview serve``: what a browser tab says to the server over
trame's websocket (wslink: msgpack messages in chunks), without the browser.

Used by tests/test_serve.py (a viewer forging requests) and benchmarks/bench_serve.py (thirty
viewers on one server)::

    async with WslinkClient.connect("ws://127.0.0.1:8080/ws") as viewer:
        state = await viewer.call("trame.state.get")
        await viewer.call("trame.trigger", ["bv_go", [1], {}])   # ignored: not the instructor
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time

import aiohttp
import msgpack

#: what trame's page sends as wslink's secret when its link has none
DEFAULT_SECRET = "wslink-secret"
#: wslink's chunk header: message id, offset, total size (uint32 little-endian each)
HEADER = 12


def _chunks(payload: bytes, size: int = 4 * 1024 * 1024):
    ident = secrets.randbits(32)
    for offset in range(0, max(len(payload), 1), size):
        header = (ident.to_bytes(4, "little") + offset.to_bytes(4, "little")
                  + len(payload).to_bytes(4, "little"))
        yield header + payload[offset:offset + size]


class WslinkClient:
    """One connection. ``publications`` keeps (arrival time, topic, data) of every message the
    server published to it; ``on_publish(topic, data)`` is called as they arrive."""

    def __init__(self, session, ws):
        self._session = session
        self._ws = ws
        self._ids = itertools.count(1)
        self._pending: dict[str, asyncio.Future] = {}
        self._partial: dict[int, bytearray] = {}
        self.publications: list[tuple[float, str, object]] = []
        self.on_publish = None
        self.client_id = None
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, url: str, secret: str = DEFAULT_SECRET) -> "WslinkClient":
        session = aiohttp.ClientSession()
        try:
            ws = await session.ws_connect(url, max_msg_size=0)
        except BaseException:
            await session.close()
            raise
        client = cls(session, ws)
        hello = await client._request("system:c0:0", "wslink.hello", [{"secret": secret}])
        client.client_id = hello["clientID"]
        return client

    @classmethod
    def connect(cls, url: str, secret: str = DEFAULT_SECRET):
        return _Connected(cls, url, secret)

    async def close(self) -> None:
        self._reader.cancel()
        await self._ws.close()
        await self._session.close()

    async def call(self, method: str, args: list | None = None):
        """Call an RPC; its result, or RuntimeError with the server's error."""
        return await self._request(f"rpc:{self.client_id}:{next(self._ids)}", method, args or [])

    async def trigger(self, name: str, *args):
        """Call a trame trigger (what the page's ``trigger(name, args)`` does)."""
        return await self.call("trame.trigger", [name, list(args), {}])

    async def _request(self, rpc_id: str, method: str, args: list):
        future = asyncio.get_running_loop().create_future()
        self._pending[rpc_id] = future
        message = msgpack.packb({"wslink": "1.0", "id": rpc_id, "method": method,
                                 "args": args, "kwargs": {}})
        for chunk in _chunks(message):
            await self._ws.send_bytes(chunk)
        return await future

    async def _read(self) -> None:
        async for msg in self._ws:
            if msg.type != aiohttp.WSMsgType.BINARY:
                continue
            data = msg.data
            ident = int.from_bytes(data[0:4], "little")
            offset = int.from_bytes(data[4:8], "little")
            total = int.from_bytes(data[8:12], "little")
            buf = self._partial.setdefault(ident, bytearray(total))
            buf[offset:offset + len(data) - HEADER] = data[HEADER:]
            if offset + len(data) - HEADER < total:
                continue
            del self._partial[ident]
            self._dispatch(msgpack.unpackb(bytes(buf), strict_map_key=False))

    def _dispatch(self, message: dict) -> None:
        rpc_id = message.get("id", "")
        if rpc_id.startswith("publish:"):
            topic = rpc_id.split(":")[1]
            self.publications.append((time.perf_counter(), topic, message.get("result")))
            if self.on_publish is not None:
                self.on_publish(topic, message.get("result"))
            return
        future = self._pending.pop(rpc_id, None)
        if future is None or future.done():
            return
        if "error" in message:
            future.set_exception(RuntimeError(message["error"]))
        else:
            future.set_result(message.get("result"))


class _Connected:
    def __init__(self, cls, url, secret):
        self._args = (cls, url, secret)
        self._client = None

    async def __aenter__(self) -> WslinkClient:
        cls, url, secret = self._args
        self._client = await cls.open(url, secret)
        return self._client

    async def __aexit__(self, *exc) -> None:
        await self._client.close()


def array_hashes(scene) -> set[str]:
    """The data arrays a vtk.js scene (trame-vtk's view state, or a delta of it) refers to:
    a browser fetches each one it does not hold yet (``viewport.geometry.array.get``)."""
    found: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            h = node.get("hash")
            if isinstance(h, str) and ("dataType" in node or "vtkClass" in node
                                       or "numberOfComponents" in node):
                found.add(h)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(scene)
    return found
