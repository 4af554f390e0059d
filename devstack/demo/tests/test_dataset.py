"""The demo data set is consistent and valid against the contracts, without a network."""

import datetime as dt
from collections import Counter

import protovalidate
import pytest

from devstack.demo import dataset, load
from iworkz.identity.v1 import identity_pb2
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from services.eligibility import contracts, rules
from services.marketplace.domain import applications, jobs

FAKE_ORG = "employers/00000000-0000-4000-8000-000000000001"
FAKE_USER = "workers/00000000-0000-4000-8000-000000000002"
FAKE_EMPLOYER = "employers/00000000-0000-4000-8000-000000000003"
validator = protovalidate.Validator()


def _violations(message) -> list[str]:
    return [f"{v.proto.rule_id}: {v.proto.message}" for v in validator.collect_violations(message)]


def test_keys_and_logins_are_unique():
    for items in (dataset.EMPLOYERS, dataset.JOBS, dataset.WORKERS):
        assert len({i.key for i in items}) == len(items)
    emails = [e.email for e in dataset.EMPLOYERS] + [w.email for w in dataset.WORKERS]
    assert len(set(emails)) == len(emails)
    assert len({(a.worker, a.job) for a in dataset.APPLICATIONS}) == len(dataset.APPLICATIONS)


def test_covers_the_cities_nationalities_and_statuses_it_promises():
    assert {e.location.prefecture for e in dataset.EMPLOYERS} == {"JP-27", "JP-23", "JP-13", "JP-40"}
    assert 12 <= len(dataset.JOBS) <= 20
    assert {"VN", "ID", "PH", "NP", "MM", "CN", "BR", "JP"} <= {w.nationality for w in dataset.WORKERS}
    assert {
        "SSW_1",
        "TECHNICAL_INTERN",
        "ENGINEER_SPECIALIST",
        "STUDENT",
        "PERMANENT_RESIDENT",
        "NEEDS_SPONSORSHIP",
        "JAPANESE_NATIONAL",
    } <= {w.visa_status for w in dataset.WORKERS}
    assert len(Counter(a.status for a in dataset.APPLICATIONS)) >= 6


def test_sign_up_requests_are_valid():
    assert len(dataset.DEMO_PASSWORD) >= 12
    for e in dataset.EMPLOYERS:
        assert not _violations(
            identity_pb2.SignUpRequest(
                email=e.email,
                password=dataset.DEMO_PASSWORD,
                display_name=e.contact_name,
                account_type=identity_pb2.ACCOUNT_TYPE_EMPLOYER,
                organization_display_name=e.company,
                locale=e.locale,
            )
        ), e.key
    for w in dataset.WORKERS:
        assert not _violations(
            identity_pb2.SignUpRequest(
                email=w.email,
                password=dataset.DEMO_PASSWORD,
                display_name=w.display_name,
                account_type=identity_pb2.ACCOUNT_TYPE_WORKER,
                locale=w.locale,
            )
        ), w.key


@pytest.mark.parametrize("employer", dataset.EMPLOYERS, ids=lambda e: e.key)
def test_employer_profiles_are_valid(employer):
    request = mp.UpdateEmployerProfileRequest(employer=load.employer_profile(employer, FAKE_ORG))
    assert _violations(request) == []


@pytest.mark.parametrize("job", dataset.JOBS, ids=lambda j: j.key)
def test_jobs_are_valid_and_publishable(job):
    assert _violations(mp.CreateJobRequest(parent=FAKE_ORG, job=load.job_message(job))) == []
    assert jobs.missing_publish_fields(load.job_message(job)) == []


@pytest.mark.parametrize("worker", dataset.WORKERS, ids=lambda w: w.key)
def test_worker_profiles_are_valid(worker):
    request = mp.UpdateWorkerProfileRequest(profile=load.worker_profile(worker, FAKE_USER))
    assert _violations(request) == []


@pytest.mark.parametrize("application", dataset.APPLICATIONS, ids=lambda a: f"{a.worker}->{a.job}")
def test_every_application_is_eligible_and_its_history_is_legal(application):
    worker = next(w for w in dataset.WORKERS if w.key == application.worker)
    job = next(j for j in dataset.JOBS if j.key == application.job)
    message = load.job_message(job)
    message.name = f"{FAKE_EMPLOYER}/jobs/00000000-0000-4000-8000-0000000000aa"
    verdict = rules.check(
        contracts.worker_facts(load.worker_profile(worker, FAKE_USER, {job.employer: FAKE_EMPLOYER})),
        contracts.job_facts(message),
        dt.date.today(),
    )
    failures = [v.reason.en for v in verdict.failures if v.rule in rules.APPLICATION_RULES]
    assert failures == []
    status = applications.APPLIED
    for name, _note in application.history:
        nxt = load.application_status(name)
        assert nxt in applications.TRANSITIONS[status], f"{name} after {status}"
        status = nxt
