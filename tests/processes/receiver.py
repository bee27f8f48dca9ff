"""A webhook receiver on a loopback port that also knows which process sent each request."""

import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ESTABLISHED = "01"


@dataclass(frozen=True)
class Received:
    path: str
    delivery_id: str
    sender_pid: int | None


def connection_owner(client_port: int, server_port: int, pids: Iterable[int]) -> int | None:
    """Which of `pids` holds the client end of a loopback TCP connection (Linux /proc): the
    socket's inode from /proc/net/tcp, then the process with a descriptor on it."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if (local_port, remote_port, fields[3]) == (client_port, server_port, ESTABLISHED):
                inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        for descriptor in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(descriptor) in inodes:
                    return pid
            except OSError:  # closed meanwhile
                continue
    return None


class Receiver:
    """Answers 204 to every POST after `delay_s`, so that drains overlap; records each one."""

    def __init__(self, *, delay_s: float) -> None:
        self.delay_s = delay_s
        self.sender_pids: list[int] = []
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sender = connection_owner(
                    self.client_address[1], self.server.server_address[1], receiver.sender_pids
                )
                with receiver._lock:
                    receiver.received.append(
                        Received(self.path, self.headers["X-PAR-Delivery"], sender)
                    )
                time.sleep(receiver.delay_s)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@contextmanager
def receiving(*, delay_s: float) -> Iterator[Receiver]:
    receiver = Receiver(delay_s=delay_s)
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
        thread.join()
