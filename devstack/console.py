"""What the dev stack says: progress lines, log tails, and why it stopped."""

from __future__ import annotations

import pathlib
import signal
import sys
from types import FrameType


class StartupError(Exception):
    """The platform could not start; the message says why (and shows a log tail)."""


class Stop(BaseException):
    """Raised by the SIGINT/SIGTERM handler; BaseException so nothing swallows it."""


def raise_stop(signum: int, frame: FrameType | None) -> None:
    """A signal handler: stop the dev stack (SIGINT, SIGTERM)."""
    raise Stop(signal.Signals(signum).name)


def say(text: str, err: bool = False) -> None:
    """Print a progress line; a closed terminal or pipe must not stop the launcher (or its clean-up)."""
    try:
        print(text, file=sys.stderr if err else sys.stdout, flush=True)
    except (BrokenPipeError, OSError):
        pass


def tail(path: pathlib.Path, lines: int = 30) -> str:
    """The last lines of a log, indented, for an error message."""
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except FileNotFoundError:
        return "(no log written)"
    return "\n".join("    " + line for line in text) or "    (log is empty)"
