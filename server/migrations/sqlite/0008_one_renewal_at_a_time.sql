-- A driving licence is renewed by one application at a time. The licence a renewal is for is
-- inside the form's JSON, so it gets a column of its own, and a unique index over the
-- applications in progress (sent and not yet finished) makes a second one fail, however close
-- together two devices send them. Drafts and finished applications are not in the index.
ALTER TABLE applications ADD COLUMN renews_licence_id TEXT;

UPDATE applications
SET renews_licence_id = json_extract(form, '$.licence_id')
WHERE service = 'driving_licence_renewal';

-- Renewals sent twice before this index existed: the oldest keeps the claim, the others
-- keep their form (and the licence in it) but not the column, so they can still finish.
UPDATE applications
SET renews_licence_id = NULL
WHERE renews_licence_id IS NOT NULL
  AND status IN ('submitted', 'accepted', 'under_review', 'returned')
  AND EXISTS (
      SELECT 1 FROM applications AS earlier
      WHERE earlier.renews_licence_id = applications.renews_licence_id
        AND earlier.status IN ('submitted', 'accepted', 'under_review', 'returned')
        AND (earlier.created_at, earlier.id) < (applications.created_at, applications.id)
  );

CREATE UNIQUE INDEX applications_one_renewal ON applications (renews_licence_id)
WHERE status IN ('submitted', 'accepted', 'under_review', 'returned');
