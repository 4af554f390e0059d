"""Stream a WAV file through VoiceService.Converse and save the spoken reply (Python SDK example).

    .venv/bin/python voice/examples/converse_wav.py question.wav reply.wav \
        --email budi.santoso@example.com --password iworkz-demo-2026 --language en

The WAV must be 16 kHz, mono, 16-bit (`sox in.wav -r 16000 -c 1 -b 16 question.wav`
converts one; `espeak-ng -w q.wav "Find welding jobs in Osaka"` makes one to try).
It is streamed in 100 ms chunks at real-time pace (`--fast`: as fast as possible),
then the stream is half-closed after the reply. Everything the service sends is
printed as it arrives; the reply's speech is saved as a WAV file.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import sys
import wave
from collections.abc import AsyncIterator

import grpc

from iworkz.sdk import Client
from iworkz.voice.v1 import voice_pb2 as v

CHUNK_MS = 100


def read_pcm(path: pathlib.Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (16000, 1, 2):
            sys.exit(f"{path}: need 16 kHz mono 16-bit PCM (sox {path} -r 16000 -c 1 -b 16 out.wav)")
        return w.readframes(w.getnframes())


async def converse(args: argparse.Namespace) -> None:
    pcm = read_pcm(args.question)
    credentials = grpc.ssl_channel_credentials(args.ca.read_bytes())
    async with Client(args.target, credentials=credentials) as api:
        me = await api.login(args.email, args.password)
        replied = asyncio.Event()

        async def requests() -> AsyncIterator[v.ConverseRequest]:
            yield v.ConverseRequest(config=v.ConverseConfig(parent=me.user.name, language_code=args.language))
            step = 16000 * 2 * CHUNK_MS // 1000
            for start in range(0, len(pcm), step):
                yield v.ConverseRequest(audio=pcm[start : start + step])
                if not args.fast:
                    await asyncio.sleep(CHUNK_MS / 1000)
            yield v.ConverseRequest(end_of_utterance=True)  # don't wait for the silence detector
            await replied.wait()  # then half-close: the conversation ends after this reply

        speech = bytearray()
        rate = 22050
        async for response in api.voice.Converse(requests()):
            kind = response.WhichOneof("event")
            if kind == "transcript":
                print(f"heard ({response.transcript.language_code}): {response.transcript.text}")
            elif kind == "reply_text":
                print(f"reply: {response.reply_text}")
            elif kind == "tool_call":
                print(f"tool: {response.tool_call.name}: {response.tool_call.summary}")
            elif kind == "confirmation":
                print(f"confirm: {response.confirmation.prompt} (answer yes or no in the next recording)")
            elif kind == "audio":
                speech += response.audio.pcm
                rate = response.audio.sample_rate_hertz
            elif kind == "done":
                print(f"done: conversation {response.done.conversation}")
                replied.set()
        with wave.open(str(args.reply), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(bytes(speech))
        print(f"saved {len(speech) / 2 / rate:.1f} s of speech to {args.reply}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("question", type=pathlib.Path)
    parser.add_argument("reply", type=pathlib.Path)
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--language", default="en", choices=["en", "ja", "vi", "id", ""])
    parser.add_argument("--target", default="127.0.0.1:8443", help="the edge (gRPC over TLS)")
    parser.add_argument("--ca", type=pathlib.Path, default=pathlib.Path(".iworkz/edge/tls/ca.pem"))
    parser.add_argument("--fast", action="store_true", help="send the audio as fast as possible")
    asyncio.run(converse(parser.parse_args()))


if __name__ == "__main__":
    main()
