-- Columns the search filters need for the shared eligibility rules (services/eligibility):
-- students and dependents only part-time up to 28 hours a week; Engineer/Specialist and
-- Highly Skilled Professional holders not in manual or simple labour.
ALTER TABLE jobs
    ADD COLUMN hours_per_week int NOT NULL DEFAULT 0,
    ADD COLUMN manual_work boolean NOT NULL DEFAULT false;
