"""MarketplaceService: worker and employer profiles, jobs, applications."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from google.type import date_pb2

from iworkz.marketplace.v1 import events_pb2, marketplace_pb2_grpc
from iworkz.marketplace.v1 import marketplace_pb2 as pb
from iworkz.type.v1 import audit_pb2
from services.eligibility import contracts, rules
from services.marketplace import store
from services.marketplace.domain import applications, jobs
from services.runtime import auditlog, context, fieldmask, names, outbox, paging
from services.runtime.context import Caller
from services.runtime.db import Connection
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from services.runtime.server import Resources
from services.runtime.timestamps import timestamp

SERVICE = "marketplace"
# Personal data kept out of `body` and encrypted per field.
PII_FIELDS = ("phone", "address", "birth_date", "residence_card_number")
_PII_COLUMNS = {
    "phone": "phone_enc",
    "address": "address_enc",
    "birth_date": "birth_date_enc",
    "residence_card_number": "residence_card_enc",
}
WORKER_FIELDS = {f.name for f in pb.WorkerProfile.DESCRIPTOR.fields} - {"name", "create_time", "update_time"}
EMPLOYER_FIELDS = {f.name for f in pb.EmployerProfile.DESCRIPTOR.fields} - {"name", "update_time"}
JOB_FIELDS = {
    "title",
    "description",
    "required_skills",
    "preferred_skills",
    "min_japanese_level",
    "location",
    "wage_min",
    "wage_max",
    "wage_period",
    "employment_type",
    "headcount",
    "start_date",
    "eligible_visa_statuses",
    "eligible_ssw_fields",
    "offers_visa_sponsorship",
    "hours_per_week",
    "licences_required",
    "accepts_self_declared_licences",
    "manual_work",
}


def _actor(caller: Caller) -> str:
    return caller.user_name if caller.kind == "user" else f"apiKeys/{caller.subject}"


def _date_text(d: date_pb2.Date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def _date(text: str) -> date_pb2.Date | None:
    if not text:
        return None
    y, m, d = (int(x) for x in text.split("-"))
    return date_pb2.Date(year=y, month=m, day=d)


class MarketplaceServicer(marketplace_pb2_grpc.MarketplaceServiceServicer):
    def __init__(self, resources: Resources) -> None:
        self.db = resources.db
        self.reads = resources.reads  # search and public job pages: the replica when there is one
        # Anonymous job pages and searches: in-process LRU over Redis, invalidated by job events (public_cache.py).
        self.public_cache = resources.extras.get("public_cache")
        self.cipher = resources.cipher

    # --- worker profiles ---------------------------------------------------------

    def _where(self, field: str, user_id: str) -> str:
        return f"worker_profiles.{field}:{user_id}"

    def _worker_message(self, row: store.WorkerProfileRow) -> pb.WorkerProfile:
        profile = pb.WorkerProfile.FromString(row.body)
        uid = str(row.user_id)
        profile.name = f"workers/{uid}"
        profile.phone = self.cipher.decrypt_optional(row.phone_enc, self._where("phone", uid))
        profile.address = self.cipher.decrypt_optional(row.address_enc, self._where("address", uid))
        profile.residence_card_number = self.cipher.decrypt_optional(
            row.residence_card_enc, self._where("residence_card_number", uid)
        )
        birth = _date(self.cipher.decrypt_optional(row.birth_date_enc, self._where("birth_date", uid)))
        if birth:
            profile.birth_date.CopyFrom(birth)
        profile.create_time.CopyFrom(timestamp(row.created_at))
        profile.update_time.CopyFrom(timestamp(row.updated_at))
        return profile

    @staticmethod
    async def _audit_personal_data(conn: Connection, action: str, worker: str, fields: list[str]) -> None:
        """Anyone but the worker (an admin) who reads or writes their personal data leaves an audit entry,
        committed before the data is returned."""
        caller = context.caller()
        if caller.subject != names.ids(worker)[0] and fields:
            await outbox.audit(conn, _actor(caller), action, worker, {"fields": sorted(fields)})

    @staticmethod
    def _personal_fields(row: store.WorkerProfileRow) -> list[str]:
        return [field for field, column in _PII_COLUMNS.items() if getattr(row, column)]

    async def GetWorkerProfile(self, request, context_):
        async with self.db.transaction() as conn:
            row = await store.worker_profile(conn, names.ids(request.name)[0])
            if row is None:
                raise NotFound("this worker has no profile yet")
            profile = self._worker_message(row)
            await self._audit_personal_data(conn, "read_worker_personal_data", request.name, self._personal_fields(row))
        return pb.GetWorkerProfileResponse(profile=profile)

    async def UpdateWorkerProfile(self, request, context_):
        uid = names.ids(request.profile.name)[0]
        async with self.db.transaction() as conn:
            row = await store.worker_profile(conn, uid, for_update=True)
            profile = self._worker_message(row) if row else pb.WorkerProfile(name=request.profile.name)
            fieldmask.apply_update_mask(profile, request.profile, list(request.update_mask.paths), WORKER_FIELDS)
            if (contracts.status(profile.visa_status) in rules.FIELD_BOUND) != (profile.ssw_field != 0):
                raise FailedPrecondition(
                    "ssw_field must be set exactly when visa_status is an SSW or Skill Development status"
                )
            encrypted = {
                "phone_enc": self.cipher.encrypt_optional(profile.phone, self._where("phone", uid)),
                "address_enc": self.cipher.encrypt_optional(profile.address, self._where("address", uid)),
                "residence_card_enc": self.cipher.encrypt_optional(
                    profile.residence_card_number, self._where("residence_card_number", uid)
                ),
                "birth_date_enc": self.cipher.encrypt_optional(
                    _date_text(profile.birth_date) if profile.HasField("birth_date") else "",
                    self._where("birth_date", uid),
                ),
            }
            body = pb.WorkerProfile()
            body.CopyFrom(profile)
            for field in PII_FIELDS + ("create_time", "update_time", "name"):
                body.ClearField(field)
            columns = {
                "display_name": profile.display_name,
                "visa_status": profile.visa_status,
                "ssw_field": profile.ssw_field,
                "japanese_level": contracts.worker_japanese_level(profile),
                "prefecture": profile.location.prefecture,
            }
            row = await store.upsert_worker_profile(conn, uid, body.SerializeToString(), columns, encrypted)
            await self._audit_personal_data(
                conn, "update_worker_personal_data", request.profile.name, self._personal_fields(row)
            )
            public = pb.WorkerProfile()
            public.CopyFrom(body)  # personal data already cleared
            public.name = f"workers/{uid}"
            await outbox.emit(
                conn,
                SERVICE,
                "worker",
                uid,
                events_pb2.WorkerProfileChanged(worker=f"workers/{uid}", profile=public),
            )
        return pb.UpdateWorkerProfileResponse(profile=self._worker_message(row))

    # --- employer profiles ---------------------------------------------------------

    @staticmethod
    def _employer_message(row: store.EmployerProfileRow) -> pb.EmployerProfile:
        employer = pb.EmployerProfile.FromString(row.body)
        employer.name = f"employers/{row.org_id}"
        employer.update_time.CopyFrom(timestamp(row.updated_at))
        return employer

    async def GetEmployerProfile(self, request, context_):
        async with self.db.connection() as conn:
            row = await store.employer_profile(conn, names.ids(request.name)[0])
        if row is None:
            raise NotFound("this employer has no profile yet")
        return pb.GetEmployerProfileResponse(employer=self._employer_message(row))

    async def UpdateEmployerProfile(self, request, context_):
        org_id = names.ids(request.employer.name)[0]
        async with self.db.transaction() as conn:
            row = await store.employer_profile(conn, org_id)
            employer = self._employer_message(row) if row else pb.EmployerProfile()
            fieldmask.apply_update_mask(employer, request.employer, list(request.update_mask.paths), EMPLOYER_FIELDS)
            employer.ClearField("name")
            employer.ClearField("update_time")
            row = await store.upsert_employer_profile(conn, org_id, employer.SerializeToString(), employer.display_name)
        return pb.UpdateEmployerProfileResponse(employer=self._employer_message(row))

    # --- jobs --------------------------------------------------------------------------

    @staticmethod
    def _job_message(row: store.JobRow) -> pb.Job:
        job = pb.Job.FromString(row.body)
        job.name = f"employers/{row.org_id}/jobs/{row.id}"
        job.state = row.state
        for field, column in (
            ("create_time", "created_at"),
            ("update_time", "updated_at"),
            ("publish_time", "published_at"),
        ):
            if getattr(row, column) is not None:
                getattr(job, field).CopyFrom(timestamp(getattr(row, column)))
        return job

    @staticmethod
    def _job_body(job: pb.Job) -> bytes:
        body = pb.Job()
        body.CopyFrom(job)
        for field in ("name", "state", "create_time", "update_time", "publish_time"):
            body.ClearField(field)
        return body.SerializeToString()

    async def _employer_name(self, conn, org_id: str) -> str:
        row = await store.employer_profile(conn, org_id)
        return row.display_name if row else ""

    async def CreateJob(self, request, context_):
        org_id = names.ids(request.parent)[0]
        job = pb.Job()
        fieldmask.apply_update_mask(job, request.job, [], JOB_FIELDS)
        if not job.title.strip():
            raise InvalidArgument.field("job.title", "a new job needs a title", "required")
        jobs.check_wage_range(job)
        job.state = jobs.INITIAL_STATE
        job_id = uuid.uuid4()
        async with self.db.transaction() as conn:
            job.employer_display_name = await self._employer_name(conn, org_id)
            row = await store.insert_job(conn, job_id, org_id, self._job_body(job), store.job_columns(job))
        return pb.CreateJobResponse(job=self._job_message(row))

    async def GetJob(self, request, context_):
        if self.public_cache is not None and context.optional_caller() is None:

            async def load() -> bytes:
                return (await self._get_job(request)).SerializeToString()

            return pb.GetJobResponse.FromString(await self.public_cache.get("job:" + request.name, load))
        return await self._get_job(request)

    async def _public_changed(self) -> None:
        """A job write committed: anonymous readers see it at once (the JobUpdated, JobPublished or
        JobClosed event invalidates again, on its consumer, for writes made elsewhere)."""
        if self.public_cache is not None:
            await self.public_cache.invalidate()

    async def _get_job(self, request):
        org_id, job_id = names.ids(request.name)
        async with self.reads.reader() as conn:
            row = await store.job(conn, org_id, job_id)
        if row.state == jobs.DRAFT:
            caller = context.optional_caller()
            if caller is None or not (caller.is_admin or caller.organization == org_id):
                raise NotFound("no such job")
        return pb.GetJobResponse(job=self._job_message(row))

    async def UpdateJob(self, request, context_):
        org_id, job_id = names.ids(request.job.name)
        async with self.db.transaction() as conn:
            row = await store.job(conn, org_id, job_id, for_update=True)
            job = self._job_message(row)
            jobs.check_editable(row.state)
            fieldmask.apply_update_mask(job, request.job, list(request.update_mask.paths), JOB_FIELDS)
            jobs.check_update(row.state, job)
            row = await store.update_job(conn, row.id, self._job_body(job), store.job_columns(job))
            updated = self._job_message(row)
            if row.state == jobs.OPEN:
                await outbox.emit(conn, SERVICE, "job", job_id, events_pb2.JobUpdated(job=updated))
        await self._public_changed()
        return pb.UpdateJobResponse(job=updated)

    async def PublishJob(self, request, context_):
        org_id, job_id = names.ids(request.name)
        async with self.db.transaction() as conn:
            row = await store.job(conn, org_id, job_id, for_update=True)
            job = self._job_message(row)
            job.state = jobs.publish(job)
            job.employer_display_name = await self._employer_name(conn, org_id) or job.employer_display_name
            row = await store.update_job(conn, row.id, self._job_body(job), store.job_columns(job), published=True)
            published = self._job_message(row)
            await outbox.emit(conn, SERVICE, "job", job_id, events_pb2.JobPublished(job=published))
        await self._public_changed()
        return pb.PublishJobResponse(job=published)

    async def CloseJob(self, request, context_):
        org_id, job_id = names.ids(request.name)
        async with self.db.transaction() as conn:
            row = await store.job(conn, org_id, job_id, for_update=True)
            job = self._job_message(row)
            job.state = jobs.close(row.state)
            row = await store.update_job(conn, row.id, self._job_body(job), store.job_columns(job))
            await outbox.emit(conn, SERVICE, "job", job_id, events_pb2.JobClosed(job=request.name))
        await self._public_changed()
        return pb.CloseJobResponse(job=self._job_message(row))

    async def ListJobs(self, request, context_):
        org_id = names.ids(request.parent)[0]
        fp = paging.fingerprint(parent=request.parent, state=request.state)
        size, after = paging.page_request(request, fp, 20, 100)
        async with self.db.connection() as conn:
            rows = await store.list_jobs(conn, org_id, request.state, size + 1, after)
        rows, token = paging.keyset_page(rows, size, fp, paging.created_key)
        return pb.ListJobsResponse(jobs=[self._job_message(r) for r in rows], next_page_token=token)

    async def SearchJobs(self, request, context_):
        if self.public_cache is not None and context.optional_caller() is None:

            async def load() -> bytes:
                return (await self._search_jobs(request)).SerializeToString()

            key = "search:" + hashlib.sha256(request.SerializeToString(deterministic=True)).hexdigest()
            return pb.SearchJobsResponse.FromString(await self.public_cache.get(key, load))
        return await self._search_jobs(request)

    async def _search_jobs(self, request):
        filters = pb.SearchJobsRequest()
        filters.CopyFrom(request)
        filters.ClearField("page_token")
        filters.ClearField("page_size")
        fp = paging.fingerprint(filters=filters)
        size, after = paging.page_request(request, fp, 20, 100)
        column = store.ORDERINGS[request.order_by][0]
        async with self.reads.reader() as conn:
            rows, total = await store.search_jobs(conn, request, size + 1, after)
        rows, token = paging.keyset_page(rows, size, fp, lambda r: (getattr(r, column), r.id))
        return pb.SearchJobsResponse(jobs=[self._job_message(r) for r in rows], next_page_token=token, total_size=total)

    # --- applications -----------------------------------------------------------------

    def _application_message(
        self, row: store.ApplicationRow, events: list[store.ApplicationEventRow] | None = None
    ) -> pb.Application:
        return pb.Application(
            name=f"employers/{row.org_id}/jobs/{row.job_id}/applications/{row.id}",
            worker=f"workers/{row.worker_id}",
            job=f"employers/{row.org_id}/jobs/{row.job_id}",
            status=row.status,
            cover_letter=row.cover_letter,
            job_title=row.job_title,
            worker_display_name=row.worker_display_name,
            create_time=timestamp(row.created_at),
            update_time=timestamp(row.updated_at),
            history=[
                pb.ApplicationEvent(
                    from_status=e.from_status,
                    to_status=e.to_status,
                    actor=e.actor,
                    note=e.note,
                    create_time=timestamp(e.created_at),
                )
                for e in events or []
            ],
        )

    async def _with_history(self, conn: Connection, rows: list[store.ApplicationRow]) -> list[pb.Application]:
        events = await store.application_events(conn, [r.id for r in rows])
        return [self._application_message(r, events.get(r.id, [])) for r in rows]

    async def CreateApplication(self, request, context_):
        caller = context.caller()
        if caller.kind != "user":
            raise PermissionDenied("only a worker can apply")
        org_id, job_id = names.ids(request.parent)
        async with self.db.transaction() as conn:
            job_row = await store.job(conn, org_id, job_id)
            jobs.check_accepting_applications(job_row.state)
            worker_row = await store.worker_profile(conn, caller.subject)
            if worker_row is None:
                raise FailedPrecondition("create your worker profile before applying")
            worker = contracts.worker_facts(pb.WorkerProfile.FromString(worker_row.body))
            job_facts = contracts.job_facts(self._job_message(job_row))
            failures = [
                v for v in rules.check(worker, job_facts, date.today()).failures if v.rule in rules.APPLICATION_RULES
            ]
            if failures:
                raise FailedPrecondition("not eligible for this job: " + " ".join(v.reason.en for v in failures))
            row = await store.insert_application(
                conn,
                job_row,
                caller.subject,
                request.cover_letter,
                worker_row.display_name,
                applications.INITIAL_STATUS,
            )
            await store.add_application_event(conn, row.id, 0, row.status, caller.user_name, "")
            [message] = await self._with_history(conn, [row])
            await outbox.emit(
                conn,
                SERVICE,
                "application",
                str(row.id),
                events_pb2.ApplicationSubmitted(application=message, employer=f"employers/{org_id}"),
            )
        return pb.CreateApplicationResponse(application=message)

    @staticmethod
    def _check_reader(caller: Caller, row: store.ApplicationRow) -> None:
        if caller.is_admin or (caller.kind == "user" and str(row.worker_id) == caller.subject):
            return
        if "employer" in caller.roles and caller.organization == str(row.org_id):
            return
        raise PermissionDenied("this application belongs to another worker or employer")

    async def GetApplication(self, request, context_):
        caller = context.caller()
        async with self.db.connection() as conn:
            row = await store.application(conn, *names.ids(request.name))
            self._check_reader(caller, row)
            [message] = await self._with_history(conn, [row])
        return pb.GetApplicationResponse(application=message)

    async def ListWorkerApplications(self, request, context_):
        fp = paging.fingerprint(parent=request.parent)
        size, after = paging.page_request(request, fp, 20, 100)
        async with self.db.connection() as conn:
            rows = await store.list_applications(
                conn, worker_id=names.ids(request.parent)[0], limit=size + 1, after=after
            )
            rows, token = paging.keyset_page(rows, size, fp, paging.created_key)
            messages = await self._with_history(conn, rows)
        return pb.ListWorkerApplicationsResponse(applications=messages, next_page_token=token)

    async def ListJobApplications(self, request, context_):
        org_id, job_id = names.ids(request.parent)
        fp = paging.fingerprint(parent=request.parent, status=request.status)
        size, after = paging.page_request(request, fp, 20, 100)
        async with self.db.connection() as conn:
            if job_id != "-":
                await store.job(conn, org_id, job_id)
            rows = await store.list_applications(
                conn,
                org_id=org_id,
                job_id="" if job_id == "-" else job_id,
                status=request.status,
                limit=size + 1,
                after=after,
            )
            rows, token = paging.keyset_page(rows, size, fp, paging.created_key)
            messages = await self._with_history(conn, rows)
        return pb.ListJobApplicationsResponse(applications=messages, next_page_token=token)

    async def _move(self, name: str, note: str, decide) -> pb.Application:
        caller = context.caller()
        org_id = names.ids(name)[0]
        async with self.db.transaction() as conn:
            org, job, app = names.ids(name)
            row = await store.application(conn, org, job, app, for_update=True)
            previous = row.status
            target = decide(caller, row)
            row = await store.set_application_status(conn, row.id, target)
            await store.add_application_event(conn, row.id, previous, target, _actor(caller), note)
            [message] = await self._with_history(conn, [row])
            await outbox.emit(
                conn,
                SERVICE,
                "application",
                str(row.id),
                events_pb2.ApplicationStatusChanged(
                    application=message,
                    employer=f"employers/{org_id}",
                    from_status=previous,
                    to_status=target,
                    actor=_actor(caller),
                ),
            )
        return message

    async def WithdrawApplication(self, request, context_):
        def decide(caller: Caller, row: store.ApplicationRow) -> int:
            if str(row.worker_id) != caller.subject and not caller.is_admin:
                raise PermissionDenied("only the worker who applied can withdraw")
            return applications.worker_withdraw(row.status)

        return pb.WithdrawApplicationResponse(application=await self._move(request.name, request.note, decide))

    async def UpdateApplicationStatus(self, request, context_):
        def decide(caller: Caller, row: store.ApplicationRow) -> int:
            return applications.employer_transition(row.status, request.status)

        return pb.UpdateApplicationStatusResponse(application=await self._move(request.name, request.note, decide))

    # --- audit log ---------------------------------------------------------------

    async def ListAuditEvents(self, request, context_):
        events, token = await auditlog.list_events(self.db, request, audit_pb2.AuditEvent)
        return pb.ListAuditEventsResponse(audit_events=events, next_page_token=token)
