"""A local SMTP server that keeps every email it receives as an `.eml` file.

For development and tests: point `NOTIFICATIONS_SMTP_HOST`/`_PORT` at it and
read what the platform sent. Nothing is relayed anywhere.

    python -m devstack.smtp_sink --port 2525 --dir .iworkz/mail   # serve
    python -m devstack.smtp_sink --dir .iworkz/mail --list        # list what arrived
"""

from __future__ import annotations

import argparse
import email
import email.policy
import itertools
import pathlib
import signal
import socket
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class StoredMail:
    path: pathlib.Path
    sender: str
    to: str
    subject: str
    language: str
    text: str


class _Store:
    """aiosmtpd handler: each message becomes `<time>-<n>.eml` in `directory`."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory
        self._counter = itertools.count()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}-{next(self._counter):06d}.eml"
        temporary = self.directory / (name + ".part")
        temporary.write_bytes(envelope.original_content or envelope.content)
        temporary.rename(self.directory / name)  # readers never see half a message
        return "250 Message accepted for delivery"


class SmtpSink:
    """The sink, running on its own thread (aiosmtpd's Controller)."""

    def __init__(self, directory: pathlib.Path | str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.directory = pathlib.Path(directory)
        self.host = host
        if port == 0:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self.port = port
        self._controller = Controller(_Store(self.directory), hostname=host, port=port)

    def start(self) -> SmtpSink:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def messages(self) -> list[StoredMail]:
        return list_mail(self.directory)


def read_mail(path: pathlib.Path) -> StoredMail:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    return StoredMail(
        path=path,
        sender=str(message["From"] or ""),
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        language=str(message["Content-Language"] or ""),
        text=body.get_content().replace("\r\n", "\n") if body is not None else "",
    )


def list_mail(directory: pathlib.Path | str) -> list[StoredMail]:
    """Every stored email, oldest first."""
    directory = pathlib.Path(directory)
    return [read_mail(p) for p in sorted(directory.glob("*.eml"))] if directory.exists() else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local SMTP sink: stores received emails as .eml files.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2525)
    parser.add_argument("--dir", default=".iworkz/mail", help="where the .eml files go (default %(default)s)")
    parser.add_argument("--list", action="store_true", help="list the stored emails and exit")
    args = parser.parse_args(argv)
    if args.list:
        for mail in list_mail(args.dir):
            print(f"{mail.path.name}  to={mail.to}  lang={mail.language or '-'}  {mail.subject}")
        return 0
    sink = SmtpSink(args.dir, args.host, args.port).start()
    print(f"smtp sink listening on {args.host}:{sink.port}, storing mail in {sink.directory}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    sink.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
