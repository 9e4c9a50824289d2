"""The server's part of a first view (issue 14: first paint): its connections answer without Nagle's delay
(app/serve.py)."""

from __future__ import annotations

import asyncio
import socket

from app import serve


def test_each_connection_of_the_dashboards_server_sends_without_waiting_for_an_acknowledgement(monkeypatch):
    from streamlit.web.server.starlette import starlette_server

    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)  # undone after the test

    serve.answer_without_delay()
    serve.answer_without_delay()  # a second call wraps nothing twice
    listening = starlette_server._bind_socket("127.0.0.1", 0, 8)
    assert listening.proto == socket.IPPROTO_TCP
    assert not listening.getblocking()

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(connected, sock=listening)
        async with server:
            _, writer = await asyncio.open_connection(*listening.getsockname())
            value = await asyncio.wait_for(seen, 5)
            writer.close()
        return value

    assert asyncio.run(accepted_nodelay()) != 0
