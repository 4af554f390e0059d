"""The EVM side of anchoring: the AnchorRegistry contract (Solidity, compiled
by solc-js into `AnchorRegistry.json`) and a client for it (`client.py`)."""
