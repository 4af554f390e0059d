"""The contracts as the renderers see them: the descriptor image read once.

`build/iworkz.binpb` (made by `make proto`) holds every file of `proto/` with
its imports and comments. This package reads it: the RPCs, their HTTP
bindings and access rules, messages, enums and comments, and the descriptor
set Envoy's transcoder needs. The edge (gateway/), the mesh (mesh/) and the
OpenAPI document read the platform through it; it imports none of them.
"""

from contracts.image import (
    ERROR_FILES,
    Contracts,
    HttpBinding,
    Rpc,
    from_bytes,
    from_image,
    load,
    transcoder_descriptor_set,
)
from contracts.json_bodies import body_checks

__all__ = [
    "ERROR_FILES",
    "Contracts",
    "HttpBinding",
    "Rpc",
    "body_checks",
    "from_bytes",
    "from_image",
    "load",
    "transcoder_descriptor_set",
]
