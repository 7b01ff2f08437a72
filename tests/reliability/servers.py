"""Real servers the reliability tests stop and start: a redis-server of the test's own on a
free port, and an SMTP sink (aiosmtpd) that records what it accepted."""

import asyncio
import email
import socket
import subprocess
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int, greeting: bytes, send: bytes = b"") -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            if send:
                sock.sendall(send)
            return sock.recv(64).startswith(greeting)
    except OSError:
        return False


class RedisServer:
    """redis-server on 127.0.0.1:<free port>. Without ``persist``, a restart comes back
    empty (a Redis without disk); with it, the data is saved on stop and read back."""

    def __init__(self, directory: Path, persist=False):
        self.port = free_port()
        self.directory = directory
        self.persist = persist
        self.process = None
        self.log = directory / f"redis-{self.port}.log"

    def url(self, db=0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "3600 1" if self.persist else "", "--dbfilename", f"{self.port}.rdb",
             "--appendonly", "no", "--dir", str(self.directory), "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not answers(self.port, b"+PONG", b"PING\r\n"):
            assert self.process.poll() is None, self.log.read_text()[-2000:]
            assert time.monotonic() < deadline, "redis-server did not answer within 20 s"
            time.sleep(0.05)
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None
        assert not answers(self.port, b"+PONG", b"PING\r\n")


class Recorder:
    """aiosmtpd handler: keeps every accepted message. With ``hold_quit`` set, the answer
    to QUIT waits until ``release_quit`` (a client killed while waiting for it)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.hold_quit = False
        self.quit_received = threading.Event()
        self._release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        self.quit_received.set()
        while self.hold_quit and not self._release.is_set():
            await asyncio.sleep(0.05)
        return "221 Bye"

    def release_quit(self):
        self._release.set()

    def received(self):
        with self.lock:
            return list(self.messages)


class SmtpSink:
    """An SMTP server on 127.0.0.1:<free port>; ``stop()`` closes the port (connections are
    refused, as with the mail relay down), ``start()`` opens it again."""

    def __init__(self, recorder=None):
        self.port = free_port()
        self.recorder = recorder or Recorder()
        self.controller = None

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.recorder.release_quit()
            self.controller.stop()
            self.controller = None
        assert not answers(self.port, b"220")

    def received(self):
        return self.recorder.received()
