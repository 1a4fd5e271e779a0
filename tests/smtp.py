"""A real SMTP server for the tests (aiosmtpd), in a thread of the test process: it records
each message it accepts, and can refuse for a while, temporarily or for good."""

import socket
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """The server's handler: what it accepted, and what it should answer next."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted: list = []
        self.refuse_next = 0  # this many RCPTs answered 451 (try again later)
        self.unknown: set[str] = set()  # mailboxes answered 550 (no such user)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.unknown:
                return "550 5.1.1 No such user here"
            if self.refuse_next > 0:
                self.refuse_next -= 1
                return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            for address in envelope.rcpt_tos:
                self.accepted.append((address, message["Message-ID"], message))
        return "250 Message accepted"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [message_id for _to, message_id, _m in self.accepted]


class SMTPServer:
    def __init__(self):
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()
