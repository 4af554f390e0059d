"""A client for the AnchorRegistry contract on any EVM chain (web3.py).

`connect(url)` takes an RPC URL (anvil in `make up`, any node in
production; the anchoring key from the environment) or `eth-tester://` for
an in-process chain (py-evm) shared by everything in the process, as tests
use. web3 calls block, so the async methods run them in a thread.
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import threading
from dataclasses import dataclass
from typing import Any

from web3 import Web3

ARTIFACT = pathlib.Path(__file__).parent / "AnchorRegistry.json"
_IN_PROCESS: dict[str, Web3] = {}
_IN_PROCESS_LOCK = threading.Lock()
# One call at a time per chain from this process: eth-tester is not thread-safe,
# and a single sender keeps nonces in order on a real node.
_CALL_LOCKS: dict[str, threading.Lock] = {}


class ChainUnavailable(RuntimeError):
    """The chain cannot be reached (or refused the transaction); try again later."""


def artifact() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(ARTIFACT.read_text())
    return value


def _web3(url: str) -> Web3:
    if url.startswith("eth-tester://"):
        with _IN_PROCESS_LOCK:
            if url not in _IN_PROCESS:
                from web3 import EthereumTesterProvider

                _IN_PROCESS[url] = Web3(EthereumTesterProvider())
            return _IN_PROCESS[url]
    return Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 10}))


@dataclass(frozen=True)
class Anchored:
    """Where a root was recorded."""

    transaction: str
    block: int
    timestamp: int
    leaf_count: int


class AnchorChain:
    """The AnchorRegistry at `address` (or to be deployed) on the chain at `url`."""

    def __init__(self, url: str, private_key: str = "", address: str = "") -> None:
        self.url = url
        self.w3 = _web3(url)
        self._account = self.w3.eth.account.from_key(private_key) if private_key else None
        self.address = address
        self._lock = asyncio.Lock()  # one transaction at a time: nonces stay in order
        with _IN_PROCESS_LOCK:
            self._calls = _CALL_LOCKS.setdefault(url, threading.Lock())

    # --- plumbing -------------------------------------------------------------------

    def _sender(self) -> str:
        if self._account is not None:
            return str(self._account.address)
        accounts = self.w3.eth.accounts
        if not accounts:
            raise ChainUnavailable("no anchoring key: set CREDENTIALS_CHAIN_PRIVATE_KEY")
        return str(accounts[0])

    def _contract(self) -> Any:
        if not self.address:
            raise ChainUnavailable("no AnchorRegistry address")
        return self.w3.eth.contract(address=Web3.to_checksum_address(self.address), abi=artifact()["abi"])

    def _send(self, call: Any) -> Any:
        sender = self._sender()
        if self._account is None:
            tx_hash = call.transact({"from": sender})
        else:
            tx = call.build_transaction(
                {
                    "from": sender,
                    "nonce": self.w3.eth.get_transaction_count(Web3.to_checksum_address(sender), "pending"),
                }
            )
            signed = self._account.sign_transaction(tx)
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
        if receipt["status"] != 1:
            raise ChainUnavailable(f"transaction {tx_hash.hex()} reverted")
        return receipt

    def _locked(self, function: Any, *args: Any) -> Any:
        with self._calls:
            return function(*args)

    async def _run(self, function: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(self._locked, function, *args)
        except ChainUnavailable:
            raise
        except Exception as error:  # connection refused, timeouts, node errors
            raise ChainUnavailable(f"{type(error).__name__}: {error}") from None

    def at(self, address: str) -> AnchorChain:
        """The same chain and key, for the registry at `address` (read-only use)."""
        if address == self.address:
            return self
        other = AnchorChain.__new__(AnchorChain)
        other.url, other.w3, other._account, other.address = self.url, self.w3, self._account, address
        other._lock, other._calls = self._lock, self._calls
        return other

    # --- operations -----------------------------------------------------------------

    async def chain_id(self) -> int:
        return int(await self._run(lambda: self.w3.eth.chain_id))

    async def deploy(self) -> str:
        """Deploy a new AnchorRegistry owned by the anchoring key; returns its address."""

        def deploy() -> str:
            built = artifact()
            contract = self.w3.eth.contract(abi=built["abi"], bytecode=built["bytecode"])
            receipt = self._send(contract.constructor())
            return str(receipt["contractAddress"])

        async with self._lock:
            self.address = await self._run(deploy)
        return self.address

    async def is_registry(self) -> bool:
        """Does `address` hold the AnchorRegistry code (e.g. after a chain restart without state)?"""
        code = await self._run(lambda: self.w3.eth.get_code(Web3.to_checksum_address(self.address)))
        return bytes(code) == bytes.fromhex(artifact()["deployedBytecode"][2:])

    async def anchor(self, root: bytes, leaf_count: int) -> Anchored:
        """Record `root` in one transaction."""

        def send() -> Anchored:
            receipt = self._send(self._contract().functions.anchor(root, leaf_count))
            block = self.w3.eth.get_block(receipt["blockNumber"])
            return Anchored(
                "0x" + bytes(receipt["transactionHash"]).hex(),
                int(receipt["blockNumber"]),
                int(block["timestamp"]),
                leaf_count,
            )

        async with self._lock:
            result: Anchored = await self._run(send)
        return result

    async def find(self, root: bytes) -> Anchored | None:
        """Where `root` was recorded (from the contract and its event), or None."""

        def lookup() -> Anchored | None:
            contract = self._contract()
            block, timestamp, count = contract.functions.anchorOf(root).call()
            if block == 0:
                return None
            logs = contract.events.RootAnchored().get_logs(
                from_block=block, to_block=block, argument_filters={"root": root}
            )
            tx = "0x" + bytes(logs[0]["transactionHash"]).hex() if logs else ""
            return Anchored(tx, int(block), int(timestamp), int(count))

        result: Anchored | None = await self._run(lookup)
        return result
