"""What credentials prove (keys), when they count, and states under out-of-order events."""

from __future__ import annotations

import datetime as dt

from services.matching.domain.evidence import State, apply, counts, keys

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def test_keys_by_type() -> None:
    assert keys("JlptResultCredential", {"level": "N3"}) == ("jlpt:N3", "jlpt:N4", "jlpt:N5")
    assert keys("JlptResultCredential", {"level": "N9"}) == ()
    assert keys("LicenceCredential", {"licenceType": "forklift", "licenceClass": "1t+"}) == (
        "forklift licence",
        "forklift license",
        "licence:forklift",
        "licence:forklift:1t+",
    )
    assert keys("SswSkillsTestCredential", {"field": "manufacturing", "test": "Welding", "result": "pass"}) == (
        "ssw-test:MANUFACTURING",
        "welding",
    )
    assert keys("SswSkillsTestCredential", {"field": "manufacturing", "test": "Welding", "result": "fail"}) == ()
    assert keys("EmploymentReferenceCredential", {"role": " TIG   Welder ", "employer": "X"}) == ("tig welder",)
    assert keys("TrainingCompletionCredential", {"course": "Food hygiene"}) == ("food hygiene",)
    assert keys("SomethingElse", {"level": "N1"}) == ()


def test_only_active_accredited_valid_credentials_count() -> None:
    assert counts(State.ACTIVE, True, None, T0)
    assert counts(State.ACTIVE, True, T0 + dt.timedelta(days=1), T0)
    assert not counts(State.ACTIVE, True, T0 - dt.timedelta(seconds=1), T0)
    assert not counts(State.ACTIVE, False, None, T0)
    assert not counts(State.SUSPENDED, True, None, T0)
    assert not counts(State.REVOKED, True, None, T0)


def test_out_of_order_events_and_final_revocation() -> None:
    later = T0 + dt.timedelta(seconds=5)
    assert apply(None, State.SUSPENDED, T0) is State.SUSPENDED
    # An older "issued" arriving after a newer suspension changes nothing.
    assert apply((State.SUSPENDED, later), State.ACTIVE, T0) is None
    assert apply((State.SUSPENDED, T0), State.ACTIVE, later) is State.ACTIVE
    # Revocation wins whenever it comes, and nothing follows it.
    assert apply((State.ACTIVE, later), State.REVOKED, T0) is State.REVOKED
    assert apply((State.REVOKED, T0), State.ACTIVE, later) is None
