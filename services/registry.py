"""Which services exist: the topology's services that have their code here.

A service is a topology entry (`mesh/topology.yaml`) plus a folder
`services/<name>/` whose `main.py` exposes `SPEC` (a `ServiceSpec`). Nothing
else lists services: the operator CLI, `make up`, the edge, the sidecars and
the Istio manifests all start from the topology and this module.
"""

from __future__ import annotations

import importlib
import importlib.util

import topology
from services.runtime.server import ServiceSpec


def implemented(name: str) -> bool:
    """Whether `services/<name>/main.py` exists (the topology may list services still to come)."""
    try:
        return importlib.util.find_spec(f"services.{name}.main") is not None
    except ModuleNotFoundError:  # no services/<name>/ package at all
        return False


def names(of: topology.Topology | None = None) -> list[str]:
    """The services of the topology (default `mesh/topology.yaml`) that are implemented, in topology order."""
    of = of or topology.load()
    return [name for name in of.services if implemented(name)]


def spec(name: str) -> ServiceSpec:
    """The ServiceSpec of a service, from `services/<name>/main.py`; LookupError if there is none."""
    try:
        module = importlib.import_module(f"services.{name}.main")
    except ModuleNotFoundError as err:
        raise LookupError(f"service {name!r} is not available here ({err})") from None
    found = getattr(module, "SPEC", None)
    if not isinstance(found, ServiceSpec):
        raise LookupError(f"services/{name}/main.py has no SPEC (a ServiceSpec)")
    return found
