"""Channels that carry notifications out of the platform, behind one interface.

A `Delivery` sends one rendered message to one address and raises if it
could not. Email over SMTP is the first; SMS or push would be another class
with the same `channel`/`send` shape, registered in `main.py`.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """One message for one address."""

    delivery_id: str
    address: str
    subject: str
    body: str
    language: str


class Delivery(Protocol):
    """Sends messages over one channel (`email`, later `sms`, `push`)."""

    channel: str

    async def send(self, message: Outgoing) -> None:
        """Send, or raise: the dispatcher retries with backoff."""


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send email (from `NOTIFICATIONS_SMTP_*`, see `config.py`)."""

    host: str
    port: int = 25
    sender: str = "iWORKZ <notifications@iworkz.local>"
    starttls: bool = False
    ssl: bool = False
    username: str = ""
    password: str = ""
    timeout_seconds: float = 10.0


class SmtpEmail:
    """Email over SMTP (plain, STARTTLS or implicit TLS), UTF-8, one connection per message."""

    channel = "email"

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config

    def build(self, message: Outgoing) -> EmailMessage:
        email = EmailMessage()
        name, address = parseaddr(self.config.sender)
        email["From"] = formataddr((name, address))
        email["To"] = message.address
        email["Subject"] = message.subject
        # The delivery id makes a resend after a crash recognisable as the same message.
        email["Message-ID"] = make_msgid(idstring=message.delivery_id, domain=address.split("@")[-1])
        email["X-Iworkz-Delivery"] = message.delivery_id
        email.set_content(message.body, charset="utf-8")
        email["Content-Language"] = message.language  # after set_content, which resets Content-* headers
        return email

    def _send_now(self, email: EmailMessage) -> None:
        c = self.config
        client: smtplib.SMTP
        if c.ssl:
            client = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout_seconds, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(c.host, c.port, timeout=c.timeout_seconds)
        with client:
            if c.starttls and not c.ssl:
                client.starttls(context=ssl.create_default_context())
            if c.username:
                client.login(c.username, c.password)
            client.send_message(email)

    async def send(self, message: Outgoing) -> None:
        await asyncio.to_thread(self._send_now, self.build(message))
