"""The dev stack's chain node restarts on whatever state a previous run left behind."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from devstack.platform import _any_free_port, keep_readable_chain_state
from services.credentials import node_packages


@pytest.mark.parametrize("content", [b"", b'{"block": {"number": "0x1"', b"\x00\x00"])
def test_an_unreadable_state_is_moved_aside_not_deleted(tmp_path: pathlib.Path, content: bytes) -> None:
    state = tmp_path / "anvil-state.json"
    state.write_bytes(content)
    aside = keep_readable_chain_state(state)
    assert aside is not None and aside.parent == tmp_path and aside.name.startswith("anvil-state.unreadable-")
    assert aside.read_bytes() == content
    assert not state.exists()


def test_a_readable_state_or_none_stays(tmp_path: pathlib.Path) -> None:
    state = tmp_path / "anvil-state.json"
    assert keep_readable_chain_state(state) is None
    state.write_text('{"block": {}}')
    assert keep_readable_chain_state(state) is None
    assert state.read_text() == '{"block": {}}'


def _rpc(port: int, method: str) -> object:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)["result"]


def _start(state: pathlib.Path, port: int) -> subprocess.Popen[bytes]:
    command = [node_packages.anvil(), "--host", "127.0.0.1", "--port", str(port), "--state", str(state)]
    node = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return node
        except OSError:
            assert node.poll() is None, f"anvil exited with {node.returncode}"
            assert time.monotonic() < deadline, "anvil did not listen within 30 s"
            time.sleep(0.1)


def test_the_chain_node_is_the_native_binary_and_keeps_its_chain_over_a_cut_state(tmp_path: pathlib.Path) -> None:
    binary = node_packages.anvil()
    assert "/bin/anvil" in binary and os.access(binary, os.X_OK)
    state = tmp_path / "anvil-state.json"
    state.write_bytes(b"")  # what a node killed mid-write left behind
    assert keep_readable_chain_state(state) is not None
    port = _any_free_port()
    node = _start(state, port)
    try:
        _rpc(port, "evm_mine")
        height = int(str(_rpc(port, "eth_blockNumber")), 16)
        assert height >= 1
    finally:
        node.send_signal(signal.SIGTERM)  # anvil writes its state on SIGTERM
        node.wait(timeout=30)
    assert json.loads(state.read_bytes())  # a whole, readable state
    node = _start(state, port)  # and it starts again on it, with the chain it had
    try:
        assert int(str(_rpc(port, "eth_blockNumber")), 16) == height
    finally:
        node.send_signal(signal.SIGTERM)
        node.wait(timeout=30)
