-- Who filed an application, when not the person it is for: a relative, under a family grant
-- with the applications scope. NULL when the applicant filed it (for a company, the member of
-- staff who filed it is its applicant).
ALTER TABLE applications ADD COLUMN filed_by_user_id TEXT REFERENCES users (id);
-- A relative's keys are the relative's: a try repeated after its answer was lost is found by
-- who sent it (applications_by_idempotency_key keeps each applicant's own).
CREATE UNIQUE INDEX applications_by_filer_idempotency_key
    ON applications (filed_by_user_id, idempotency_key);
