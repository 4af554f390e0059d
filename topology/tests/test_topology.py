"""The topology model: what `mesh/topology.yaml` may say, and how a bad file is reported."""

from __future__ import annotations

import copy

import pytest
import yaml

import topology
from topology import TopologyError

RAW = yaml.safe_load(topology.DEFAULT_PATH.read_text())


def broken(change) -> str:
    """The error message for the committed topology with `change(raw)` applied."""
    raw = copy.deepcopy(RAW)
    change(raw)
    with pytest.raises(TopologyError) as caught:
        topology.validate(raw, "mesh/topology.yaml")
    return str(caught.value)


def test_the_committed_topology_loads_with_durations_in_seconds():
    loaded = topology.load()
    identity = loaded.services["identity"]
    assert identity.name == "identity"
    assert identity.timeout == 5.0 and identity.retries.per_try_timeout == 2.0
    assert loaded.traffic.retry_back_off.base_interval == 0.025
    assert identity.port("app", 1) == identity.ports["app"] + 1
    assert loaded.spiffe_id("edge") == f"spiffe://{loaded.trust_domain}/ns/{loaded.namespace}/sa/edge"


def test_retry_conditions_are_normalised_once_and_writes_retry_only_undelivered_requests():
    raw = copy.deepcopy(RAW)
    raw["services"]["identity"]["retries"]["retry_on"] = ["UNAVAILABLE", "connect_failure", "Reset", "unavailable"]
    retries = topology.validate(raw).services["identity"].retries
    assert retries.retry_on == ("unavailable", "connect-failure", "reset")
    assert retries.safe_retry_on == ("connect-failure", "reset-before-request")


@pytest.mark.parametrize(
    ("change", "names"),
    [
        (
            lambda raw: raw["services"]["identity"]["retries"].update(retry_on=["sometimes"]),
            "services.identity.retries.retry_on: 'sometimes' is not a retry condition",
        ),
        (
            lambda raw: raw["services"]["marketplace"]["ports"].pop("egress"),
            "services.marketplace.ports: needs a port for each of",
        ),
        (lambda raw: raw["services"]["marketplace"].update(replicas=0), "services.marketplace.replicas"),
        (
            lambda raw: raw["services"]["marketplace"].update(timeout="soon"),
            "services.marketplace.timeout: 'soon' is not a duration",
        ),
        (lambda raw: raw["services"]["marketplace"].update(colour="blue"), "services.marketplace.colour"),
        (
            lambda raw: raw["services"]["marketplace"].update(calls=["nowhere"]),
            "services.marketplace.calls: unknown service 'nowhere'",
        ),
        (lambda raw: raw["services"]["identity"].update(callers=["edge"]), "does not list it as a caller"),
        (lambda raw: raw["edge"]["jwt"].update(jwks_service="nobody"), "edge.jwt.jwks_service"),
        (lambda raw: raw["traffic"]["health_check"].pop("timeout"), "traffic.health_check.timeout: Field required"),
        (lambda raw: raw["services"]["identity"]["ports"].update(app=RAW["edge"]["port"]), "clashes with edge"),
    ],
)
def test_a_bad_topology_is_an_error_naming_the_key(change, names):
    message = broken(change)
    assert message.startswith("mesh/topology.yaml: ")
    assert names in message


def test_every_problem_is_reported_at_once():
    def two(raw):
        raw["services"]["identity"]["replicas"] = -1
        raw["edge"]["port"] = "eighty"

    message = broken(two)
    assert "services.identity.replicas" in message and "edge.port" in message


def test_unreadable_files_are_errors_too(tmp_path):
    path = tmp_path / "topology.yaml"
    path.write_text("services: [unclosed")
    with pytest.raises(TopologyError, match="cannot read"):
        topology.load(path)


def test_replica_overrides_and_services_left_out_are_validated_again():
    loaded = topology.load()
    assert loaded.with_replicas({"marketplace": 3}).services["marketplace"].replicas == 3
    with pytest.raises(TopologyError, match="no service"):
        loaded.with_replicas({"nonesuch": 2})
    with pytest.raises(TopologyError, match="clashes"):
        loaded.with_replicas({"identity": 50})
    without = loaded.without(["notifications"])
    assert "notifications" not in without.services
    assert "notifications" not in without.services["identity"].callers


def test_a_service_runs_its_main_module_from_services_unless_the_topology_says_where():
    raw = copy.deepcopy(RAW)
    assert topology.validate(raw).services["identity"].main_module == "services.identity.main"
    raw["services"]["identity"]["main"] = "voice.main"
    assert topology.validate(raw).services["identity"].main_module == "voice.main"
    message = broken(lambda r: r["services"]["identity"].update(main="voice/main.py"))
    assert "services.identity.main" in message and "dotted Python module path" in message
