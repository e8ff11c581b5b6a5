#!/usr/bin/env python3
"""bench/shaped-relay.py - a TCP relay that makes a loopback server look remote, for bench/mirror.sh.

Usage: shaped-relay.py LISTEN_PORT TARGET_PORT RTT_MS RATE_MBIT

Every connection to 127.0.0.1:LISTEN_PORT is relayed to 127.0.0.1:TARGET_PORT through a modelled link:
- the connection to the target opens one RTT after the client's (the TCP handshake over the link);
- each direction delays every chunk by RTT/2 (propagation) and sends at most RATE_MBIT megabits per second
  (serialisation: a chunk leaves when the link has finished sending the previous ones);
- at most WINDOW bytes (4 MiB, above the link's bandwidth-delay product at 1 Gbit/s and 20 ms) wait in each
  direction, so a fast sender is held back as TCP's window would hold it.
Used because this VM's kernel has no netem qdisc; it binds 127.0.0.1 only.
"""
import asyncio
import sys
import time

CHUNK = 64 * 1024
WINDOW = 4 * 1024 * 1024


class Link:
    """One direction: chunks leave at max(arrival + one-way delay, end of the previous chunk's serialisation)."""

    def __init__(self, delay_s: float, bytes_per_s: float):
        self.delay_s = delay_s
        self.bytes_per_s = bytes_per_s
        self.busy_until = 0.0

    def departure(self, arrival: float, size: int) -> float:
        start = max(arrival + self.delay_s, self.busy_until)
        self.busy_until = start + size / self.bytes_per_s
        return self.busy_until


async def pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: Link) -> None:
    queue: asyncio.Queue = asyncio.Queue()
    room = asyncio.Semaphore(WINDOW // CHUNK)

    async def receive() -> None:
        try:
            while True:
                await room.acquire()
                data = await reader.read(CHUNK)
                if not data:
                    break
                queue.put_nowait((link.departure(time.monotonic(), len(data)), data))
        except (ConnectionError, OSError):
            pass
        queue.put_nowait((time.monotonic() + link.delay_s, None))

    async def send() -> None:
        try:
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0.0002:
                    await asyncio.sleep(wait)
                if data is None:
                    break
                writer.write(data)
                await writer.drain()
                room.release()
            if writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError):
            pass

    await asyncio.gather(receive(), send())


async def serve(listen_port: int, target_port: int, rtt_s: float, bytes_per_s: float) -> None:
    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            await asyncio.sleep(rtt_s)
            target_reader, target_writer = await asyncio.open_connection("127.0.0.1", target_port)
        except OSError:
            client_writer.close()
            return
        try:
            await asyncio.gather(
                pump(client_reader, target_writer, Link(rtt_s / 2, bytes_per_s)),
                pump(target_reader, client_writer, Link(rtt_s / 2, bytes_per_s)),
            )
        finally:
            for writer in (client_writer, target_writer):
                writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port, limit=CHUNK)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    listen, target, rtt_ms, rate_mbit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    asyncio.run(serve(listen, target, rtt_ms / 1000, rate_mbit * 1_000_000 / 8))
