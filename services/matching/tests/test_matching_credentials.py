"""Verified evidence from credentials' events, on every replica.

A real credential service issues a forklift licence credential to a worker;
matching consumes CredentialIssued, …Suspended, …Unsuspended and …Revoked
into its `verified` table and every replica re-reads the worker. A job that
requires the licence (self-declared not accepted) becomes eligible while the
credential counts and not otherwise. A revoked credential stops counting on
both replicas within a second of the revocation (the issue's bound, timed
from before the RevokeCredential call, so it includes the outbox relay).
"""

from __future__ import annotations

import asyncio
import time

from iworkz.credentials.v1 import credentials_pb2 as cpb
from iworkz.marketplace.v1 import marketplace_pb2 as mp
from iworkz.matching.v1 import matching_pb2 as pb
from services.credentials.tests.credentials_testing import Platform, struct
from services.matching.tests.service_testing import World, employer, eventually, profile, publish

REVOKED_WITHIN_SECONDS = 1.0


def licence(kind: str = "forklift") -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "LicenceCredential"],
        "credentialSubject": {
            "name": "Nguyen Van An",
            "licenceType": kind,
            "licenceClass": "1t+",
            "licenceNumber": "FL-2026-0042",
            "issuingAuthority": "Osaka Labour Bureau",
        },
    }


async def test_a_credential_counts_on_every_replica_and_a_revoked_one_stops_within_a_second(
    world: World, credentials_service, identity_service, database_url
) -> None:
    platform = Platform(identity_service.target, credentials_service.target, database_url)
    try:
        school = await platform.issuer(("LicenceCredential",), name="Osaka Forklift School")
        _, org, market = await employer(world, "Naniwa Logistics")
        job = await publish(
            market,
            org,
            title="Forklift operator",
            licences_required=["licence:forklift"],
            required_skills=[mp.Skill(label="Forklift licence")],
        )
        signed, worker = await profile(
            world,
            skills=[mp.Skill(label="Forklift licence", years=3)],
            licences=[mp.Licence(taxonomy_id="licence:forklift", label="Forklift licence")],
        )
        stubs = [world.stub(signed.tokens, replica) for replica in (0, 1)]
        request = pb.ExplainMatchRequest(worker=worker, job=job.name)

        async def explained() -> list[pb.ExplainMatchResponse]:
            return list(await asyncio.gather(*(s.ExplainMatch(request) for s in stubs)))

        def licence_rule(reply: pb.ExplainMatchResponse) -> pb.RuleCheck:
            return next(r for r in reply.rules if r.rule == pb.HARD_RULE_LICENCES)

        # Self-declared only: the job wants proof.
        before = await eventually(explained)
        assert [r.eligible for r in before] == [False, False]
        assert "verified credential" in licence_rule(before[0]).reason
        assert before[0].matched_skills[0].evidence == pb.EVIDENCE_LEVEL_SELF_DECLARED

        issued = await school.api.IssueCredential(
            cpb.IssueCredentialRequest(
                parent=school.issuer, credential=struct(licence()), options=cpb.IssueCredentialOptions(subject=worker)
            )
        )
        name = issued.credential.name

        async def all_eligible(expected: bool):
            replies = await explained()
            return replies if all(r.eligible is expected for r in replies) else None

        after = await eventually(lambda: all_eligible(True))
        assert all(r.matched_skills[0].evidence == pb.EVIDENCE_LEVEL_VERIFIED for r in after)
        assert all(licence_rule(r).passed for r in after)
        evidence = {c.component: c.value for c in after[0].score.components}[pb.COMPONENT_EVIDENCE]
        assert evidence > {c.component: c.value for c in before[0].score.components}[pb.COMPONENT_EVIDENCE]

        # Suspended: stops counting; reinstated: counts again.
        await school.api.SuspendCredential(cpb.SuspendCredentialRequest(name=name, reason="under review"))
        await eventually(lambda: all_eligible(False))
        await school.api.UnsuspendCredential(cpb.UnsuspendCredentialRequest(name=name))
        await eventually(lambda: all_eligible(True))

        # Revoked: gone from both replicas within the bound.
        started = time.monotonic()
        await school.api.RevokeCredential(cpb.RevokeCredentialRequest(name=name, reason="licence withdrawn"))
        replies = await eventually(lambda: all_eligible(False), timeout=10.0, interval=0.01)
        elapsed = time.monotonic() - started
        assert elapsed <= REVOKED_WITHIN_SECONDS, f"revocation took {elapsed:.3f} s to reach both replicas"
        assert all(r.matched_skills[0].evidence == pb.EVIDENCE_LEVEL_SELF_DECLARED for r in replies)
    finally:
        await platform.close()
