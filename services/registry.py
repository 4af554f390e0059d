"""Which services exist: the topology's services that have their code here.

A service is a topology entry (`mesh/topology.yaml`) plus a folder
`services/<name>/` whose `main.py` exposes `SPEC` (a `ServiceSpec`), or the
module the entry names as `main` (e.g. `voice.main` for the top-level `voice/`). Nothing
else lists services: the operator CLI, `make up`, the edge, the sidecars and
the Istio manifests all start from the topology and this module.
"""

from __future__ import annotations

import importlib
import importlib.util

import topology
from services.runtime.server import ServiceSpec


def main_module(name: str, of: topology.Topology | None = None) -> str:
    """The module of a service's process: the topology's `main`, by default `services.<name>.main`."""
    of = of or topology.load()
    service = of.services.get(name)
    return service.main_module if service is not None else f"services.{name}.main"


def implemented(name: str, of: topology.Topology | None = None) -> bool:
    """Whether the service's main module exists (the topology may list services still to come)."""
    try:
        return importlib.util.find_spec(main_module(name, of)) is not None
    except ModuleNotFoundError:  # no such package at all
        return False


def names(of: topology.Topology | None = None) -> list[str]:
    """The services of the topology (default `mesh/topology.yaml`) that are implemented, in topology order."""
    of = of or topology.load()
    return [name for name in of.services if implemented(name, of)]


def spec(name: str, of: topology.Topology | None = None) -> ServiceSpec:
    """The ServiceSpec of a service, from its main module; LookupError if there is none."""
    module_name = main_module(name, of)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        raise LookupError(f"service {name!r} is not available here ({err})") from None
    found = getattr(module, "SPEC", None)
    if not isinstance(found, ServiceSpec):
        raise LookupError(f"{module_name} has no SPEC (a ServiceSpec)")
    return found
