"""`make demo` (`python -m devstack.demo`) explains what is wrong when it cannot load the demo."""

from __future__ import annotations

import socket

from devstack.demo.__main__ import main


def test_demo_without_a_platform_says_so(capsys):
    with socket.socket() as first, socket.socket() as second:
        first.bind(("127.0.0.1", 0))
        second.bind(("127.0.0.1", 0))
        a, b = first.getsockname()[1], second.getsockname()[1]
    assert main(["--target", f"127.0.0.1:{a}", "--marketplace-target", f"127.0.0.1:{b}"]) == 1
    assert "is `make up` running?" in capsys.readouterr().err
