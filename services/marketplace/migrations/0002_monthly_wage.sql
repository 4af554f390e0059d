-- One definition of a wage per month (160 hours, 20 days, a twelfth of a year),
-- used by the stored monthly columns (ordering) and by SearchJobs' wage filter alike.
-- Periods are iworkz.type.v1.WagePeriod: 1 hourly, 2 daily, 3 monthly, 4 annual.
CREATE FUNCTION monthly_wage(amount bigint, period int) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE period WHEN 1 THEN amount * 160 WHEN 2 THEN amount * 20 WHEN 4 THEN amount / 12 ELSE amount END;

ALTER TABLE jobs DROP COLUMN monthly_wage_max, DROP COLUMN monthly_wage_min;
ALTER TABLE jobs
    ADD COLUMN monthly_wage_max bigint GENERATED ALWAYS AS (monthly_wage(wage_max, wage_period)) STORED,
    ADD COLUMN monthly_wage_min bigint GENERATED ALWAYS AS (monthly_wage(wage_min, wage_period)) STORED;
