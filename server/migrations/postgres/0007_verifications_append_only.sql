-- The record of checks is the holder's: who checked which licence, when and where. Append-only,
-- like the audit log, so a check cannot be hidden from the holder afterwards.
CREATE TRIGGER verifications_no_update BEFORE UPDATE ON verifications
    FOR EACH ROW EXECUTE FUNCTION kapok_append_only('verifications is append-only');

CREATE TRIGGER verifications_no_delete BEFORE DELETE ON verifications
    FOR EACH ROW EXECUTE FUNCTION kapok_append_only('verifications is append-only');
