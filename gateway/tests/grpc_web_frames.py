"""A minimal gRPC-web client over httpx, framed by hand as the spec says.

Request: one message frame (flag 0x00, 4-byte big-endian length, message).
Response: message frames, then one trailers frame (flag 0x80) holding
`grpc-status` and `grpc-message` as HTTP/1-style header lines; a
trailers-only response puts them in the HTTP headers instead. In the text
mode (`application/grpc-web-text`) both directions are base64, and a response
may be several base64 chunks, each with its own padding.
"""

from __future__ import annotations

import base64
import re
import struct
from dataclasses import dataclass

import httpx

MESSAGE, TRAILERS = 0x00, 0x80


def frame(payload: bytes, flags: int = MESSAGE) -> bytes:
    return bytes([flags]) + struct.pack(">I", len(payload)) + payload


def decode_text(body: bytes) -> bytes:
    """Base64 chunks, each possibly padded, one after another."""
    return b"".join(base64.b64decode(chunk) for chunk in re.findall(rb"[^=]+=*", body) if chunk.strip())


def parse(body: bytes) -> tuple[list[bytes], dict[str, str]]:
    messages: list[bytes] = []
    trailers: dict[str, str] = {}
    offset = 0
    while offset + 5 <= len(body):
        flags, length = body[offset], struct.unpack(">I", body[offset + 1 : offset + 5])[0]
        payload = body[offset + 5 : offset + 5 + length]
        offset += 5 + length
        if flags & TRAILERS:
            for line in payload.decode().split("\r\n"):
                if ":" in line:
                    key, _, value = line.partition(":")
                    trailers[key.strip().lower()] = value.strip()
        else:
            messages.append(payload)
    return messages, trailers


@dataclass
class Reply:
    http: httpx.Response
    messages: list[bytes]
    status: int  # the gRPC status code
    message: str  # grpc-message


async def call(
    client: httpx.AsyncClient, path: str, request: bytes, *, text: bool = False, headers: dict[str, str] | None = None
) -> Reply:
    """Send one unary (or server-streaming) gRPC-web call; `request` is the serialized message."""
    body = frame(request)
    content_type = "application/grpc-web-text" if text else "application/grpc-web+proto"
    sent = {
        "content-type": content_type,
        "accept": content_type,
        "x-grpc-web": "1",
        "x-user-agent": "grpc-web-test/1.0",
        **(headers or {}),
    }
    response = await client.post(path, content=base64.b64encode(body) if text else body, headers=sent)
    raw = decode_text(response.content) if text else response.content
    messages, trailers = parse(raw)
    status = trailers.get("grpc-status", response.headers.get("grpc-status"))
    message = trailers.get("grpc-message", response.headers.get("grpc-message", ""))
    assert status is not None, f"no grpc-status: HTTP {response.status_code} {response.headers} {raw!r}"
    return Reply(response, messages, int(status), message)
