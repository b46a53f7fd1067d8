//! Who may call what: every endpoint of the API against every kind of caller, with the status
//! the security model (DESIGN.md) gives each of them, written out as one table.
//!
//! The endpoints are taken from the OpenAPI document the server builds, so a new endpoint
//! without a row fails `every_endpoint_has_a_row_in_the_matrix` until someone decides, caller
//! by caller, what it should answer.
//!
//! Each cell runs in a world of its own (a copy of one prepared database, with a server of its
//! own), so no cell's answer depends on what another cell changed: the legal representative's
//! decline cannot turn the requester's withdrawal into a 409.
//!
//! Besides its status, every answer is checked for what the security model promises of all
//! answers: never a 5xx, every error a problem+json document, and nothing in a successful
//! answer about an object the caller may not see.

mod common;

use std::{collections::BTreeSet, fmt, sync::Arc};

use common::{PASSWORD, TestServer};
use kapok_api::{
    API_PREFIX, ApplicationForm, ApplicationUpdate, ApprovalStart, CeremonyAnswer,
    CreatedDelegationRequest, Decision, DelegationKind, DrivingLicenceRenewalForm, ErrorCode,
    FoodBusinessKind, FoodBusinessPermitForm, LinkLookup, Localized, NewApplication,
    NewDelegationRequest, NewPasskey, NewPolicy, PasskeyRename, PasswordChange,
    PasswordConfirmation, PolicyTag, PresentationRequest, Problem, RecordPurpose, RenewalReason,
    Scope, SignInRequest, SocialSecurityRecordForm, Subscriptions, Verdict, VerifyRequest,
    client::Client,
};
use kapok_server::{Config, Db, config::ClientIpSource};
use serde::Serialize;
use serde_json::{Value, json};

/// The kinds of caller, in the order of each row's statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    /// No session at all.
    Anonymous,
    /// `resident`, who holds the resident's licences.
    Resident,
    /// `hk-resident`: another resident, a stranger to the resident.
    OtherResident,
    /// A second member of staff of the demo company, who holds no grant (added by the test:
    /// the demo data has one member of staff, and both staff columns must face the same world).
    Staff,
    /// `staff`, who asked the company for authority and holds an active grant to present its
    /// licences and file its applications (she filed one); she has also asked again, and that
    /// request is pending.
    StaffWithGrant,
    /// `legal-rep`, the company's legal representative, who decides its requests.
    LegalRep,
    /// `official`, an officer of the government service centre, which decides residents'
    /// services (the company's permit is market regulation's, so not hers).
    Official,
}

const CALLERS: [Caller; 7] = [
    Caller::Anonymous,
    Caller::Resident,
    Caller::OtherResident,
    Caller::Staff,
    Caller::StaffWithGrant,
    Caller::LegalRep,
    Caller::Official,
];

/// The colleague in the `Staff` column.
const COLLEAGUE: &str = "staff-colleague";

impl Caller {
    fn username(self) -> Option<&'static str> {
        match self {
            Caller::Anonymous => None,
            Caller::Resident => Some("resident"),
            Caller::OtherResident => Some("hk-resident"),
            Caller::Staff => Some(COLLEAGUE),
            Caller::StaffWithGrant => Some("staff"),
            Caller::LegalRep => Some("legal-rep"),
            Caller::Official => Some("official"),
        }
    }
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Caller::Anonymous => "anonymous",
            Caller::Resident => "resident",
            Caller::OtherResident => "another resident",
            Caller::Staff => "staff without grant",
            Caller::StaffWithGrant => "staff with grant",
            Caller::LegalRep => "legal rep",
            Caller::Official => "official",
        };
        f.write_str(name)
    }
}

/// What a row aims at: the object whose id fills `{id}`, or that the body names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// Nothing in particular.
    Nothing,
    /// The resident's ID card, `lic-resident-id`.
    ResidentLicence,
    /// The company's business licence, `lic-company-bl`.
    CompanyLicence,
    /// A fresh QR code of the resident's ID card, never checked yet.
    ResidentsCode,
    /// A passkey on the resident's account (ids are the credential's; this one is made up).
    ResidentsPasskey,
    /// The demo company, as the principal of a new request.
    Company,
    /// The resident's mother (`elder`), as the principal of a new family request, or as the
    /// relative whose licences are asked for.
    ResidentsMother,
    /// Staff's pending request to the company: its id, its link's secret, its hash.
    PendingRequest,
    /// Staff's active grant from the company.
    Grant,
    /// A complete renewal form reusing the resident's ID card and driving licence, to send.
    RenewalForm,
    /// A complete food-permit form for the company, reusing its business licence, to send.
    PermitForm,
    /// A complete social-insurance record form for the resident's mother, reusing her ID card,
    /// to send for her (as a relative holding her grant would).
    MothersForm,
    /// The resident's renewal, sent and accepted, waiting to be claimed.
    ResidentsApplication,
    /// The resident's renewal saved as a draft.
    ResidentsDraft,
    /// Another renewal of the resident's, claimed by the official.
    ClaimedApplication,
    /// Staff's food-permit application for the company (market regulation's to decide).
    CompanyApplication,
    /// A notice in the resident's inbox.
    ResidentsNotification,
    /// A session of the resident's on another device.
    ResidentsOtherSession,
}

use Caller::*;
use Target::*;

/// One row: method, path (below `/api/v1`, `{id}` filled from the target), target, and the
/// status each caller should get, in the order of [`CALLERS`]. Bodies are valid (see
/// `CellWorld::body`), so a status reflects who is asking, not what was sent.
type Row = (&'static str, &'static str, Target, [u16; 7]);

#[rustfmt::skip]
const MATRIX: &[Row] = &[
    // method   path                                          target            anon resid other staff grant legal offic
    // Signing in is open to anyone (the body signs in as the resident); signing out always works.
    ("POST",   "/session",                                    Nothing,          [200, 200, 200, 200, 200, 200, 200]),
    ("DELETE", "/session",                                    Nothing,          [204, 204, 204, 204, 204, 204, 204]),
    ("DELETE", "/sessions",                                   Nothing,          [401, 204, 204, 204, 204, 204, 204]),
    // Everyone sees their own sessions; only the resident can end hers.
    ("GET",    "/sessions",                                   Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    ("DELETE", "/sessions/{id}",                              ResidentsOtherSession, [401, 204, 404, 404, 404, 404, 404]),
    ("GET",    "/me",                                         Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    ("GET",    "/demo-accounts",                              Nothing,          [200, 200, 200, 200, 200, 200, 200]),
    // Everyone changes their own password, and only their own (there is no account to name).
    ("PUT",    "/password",                                   Nothing,          [401, 204, 204, 204, 204, 204, 204]),
    // Passkey sign-in is public and names no account: anyone may start one, and a made-up
    // ceremony is unknown (410 ceremony_expired), whoever asks.
    ("POST",   "/session/passkey/start",                      Nothing,          [200, 200, 200, 200, 200, 200, 200]),
    ("POST",   "/session/passkey/finish",                     Nothing,          [410, 410, 410, 410, 410, 410, 410]),
    // Everyone may add passkeys to their own account: finishing a made-up ceremony gets past
    // the session check and stops at the ceremony (410 ceremony_expired).
    ("POST",   "/passkeys/register/start",                    Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    ("POST",   "/passkeys/register/finish",                   Nothing,          [401, 410, 410, 410, 410, 410, 410]),
    ("GET",    "/passkeys",                                   Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    ("PATCH",  "/passkeys/{id}",                              ResidentsPasskey, [401, 200, 404, 404, 404, 404, 404]),
    ("DELETE", "/passkeys/{id}",                              ResidentsPasskey, [401, 204, 404, 404, 404, 404, 404]),
    // Licences: the holder, the company's legal rep, or a grant with present_licences; nobody
    // else learns that the licence exists (404). "Who saw my data" never goes through a grant.
    ("GET",    "/wallet",                                     Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    ("GET",    "/wallet/{id}",                                ResidentLicence,  [401, 200, 404, 404, 404, 404, 404]),
    ("GET",    "/wallet/{id}",                                CompanyLicence,   [401, 404, 404, 404, 200, 200, 404]),
    ("POST",   "/wallet/{id}/presentations",                  ResidentLicence,  [401, 200, 404, 404, 404, 404, 404]),
    ("POST",   "/wallet/{id}/presentations",                  CompanyLicence,   [401, 404, 404, 404, 200, 200, 404]),
    ("GET",    "/wallet/{id}/verifications",                  ResidentLicence,  [401, 200, 404, 404, 404, 404, 404]),
    ("GET",    "/wallet/{id}/verifications",                  CompanyLicence,   [401, 404, 404, 404, 404, 200, 404]),
    // The public verifier needs no account.
    ("POST",   "/verify",                                     ResidentsCode,    [200, 200, 200, 200, 200, 200, 200]),
    ("GET",    "/issuer-keys",                                Nothing,          [200, 200, 200, 200, 200, 200, 200]),
    // Asking for authority: whether the caller may ask this principal is one of the request's
    // rules, so a caller who may not is told 422 invalid_delegation ("principal: …"), as
    // DESIGN.md's contract and the OpenAPI document say, rather than 403.
    ("POST",   "/delegation-requests",                        Company,          [401, 422, 422, 200, 200, 422, 422]),
    ("POST",   "/delegation-requests",                        ResidentsMother,  [401, 200, 422, 422, 422, 422, 422]),
    ("GET",    "/delegation-requests",                        Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    // A request is its requester's and its approver's; the approver declines rather than
    // withdraws (403).
    ("GET",    "/delegation-requests/{id}",                   PendingRequest,   [401, 404, 404, 404, 200, 200, 404]),
    ("DELETE", "/delegation-requests/{id}",                   PendingRequest,   [401, 404, 404, 404, 204, 403, 404]),
    // The link is a view capability: anyone holding it may look, signed in or not.
    ("POST",   "/delegation-requests/lookup",                 PendingRequest,   [200, 200, 200, 200, 200, 200, 200]),
    // Only the approver the register names decides (403 not_approver for anyone else, even
    // the requester). The legal rep gets past that check and then stops where a real approval
    // needs a real authenticator: he has no passkey (404 no_passkey), and a made-up ceremony
    // is unknown (410 ceremony_expired). The e2e approves with Chromium's virtual one.
    ("POST",   "/delegation-requests/{id}/approve/start",     PendingRequest,   [401, 403, 403, 403, 403, 404, 403]),
    ("POST",   "/delegation-requests/{id}/approve/finish",    PendingRequest,   [401, 403, 403, 403, 403, 410, 403]),
    ("POST",   "/delegation-requests/{id}/decline",           PendingRequest,   [401, 403, 403, 403, 403, 200, 403]),
    // A grant is revoked by its principal (the legal rep) or given up by its holder.
    ("GET",    "/grants",                                     Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    ("DELETE", "/grants/{id}",                                Grant,            [401, 404, 404, 404, 204, 204, 404]),
    ("GET",    "/audit",                                      Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    ("GET",    "/audit?grant={id}",                           Grant,            [401, 404, 404, 404, 200, 200, 404]),
    // The catalogue is public; a signed-in caller gets their shell's part of it.
    ("GET",    "/services",                                   Nothing,          [200, 200, 200, 200, 200, 200, 200]),
    ("GET",    "/services?q=driving",                         Nothing,          [200, 200, 200, 200, 200, 200, 200]),
    // Residents file residents' services for themselves (another resident cannot reuse the
    // resident's licences: 422); companies' services are filed by the legal rep or staff with
    // the applications scope (staff without: 403 scope_not_granted; strangers: 404). Officials
    // and enterprise users do not file residents' services (403).
    ("POST",   "/applications",                               RenewalForm,      [401, 201, 422, 403, 403, 403, 403]),
    ("POST",   "/applications",                               PermitForm,       [401, 404, 404, 403, 201, 201, 403]),
    // Filing for a relative, and listing their licences for the form, takes a family grant
    // with the applications scope, which nobody here holds (the services tests give one): the
    // resident is told as a stranger is (404). Enterprise users and officials do not file
    // residents' services at all (403).
    ("POST",   "/applications",                               MothersForm,      [401, 404, 404, 403, 403, 403, 403]),
    ("GET",    "/relatives/{id}/licences",                    ResidentsMother,  [401, 404, 404, 404, 404, 404, 404]),
    ("GET",    "/applications",                               Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    // An application is its applicant side's, and once sent also its department's officials'.
    ("GET",    "/applications/{id}",                          ResidentsApplication, [401, 200, 404, 404, 404, 404, 200]),
    ("GET",    "/applications/{id}",                          ResidentsDraft,   [401, 200, 404, 404, 404, 404, 404]),
    ("GET",    "/applications/{id}",                          CompanyApplication, [401, 404, 404, 403, 200, 200, 404]),
    // Only the applicant side changes it, and only while a draft (or returned): 409 after.
    ("PUT",    "/applications/{id}",                          ResidentsDraft,   [401, 200, 404, 404, 404, 404, 404]),
    ("PUT",    "/applications/{id}",                          ResidentsApplication, [401, 409, 404, 404, 404, 404, 404]),
    ("PUT",    "/applications/{id}",                          CompanyApplication, [401, 404, 404, 403, 409, 409, 404]),
    ("DELETE", "/applications/{id}",                          ResidentsDraft,   [401, 204, 404, 404, 404, 404, 404]),
    // Officials' work: the inbox is theirs (403 for anyone else); claiming and deciding are
    // for officials of the deciding department, and nobody else learns more (404).
    ("GET",    "/tasks",                                      Nothing,          [401, 403, 403, 403, 403, 403, 200]),
    ("POST",   "/applications/{id}/claim",                    ResidentsApplication, [401, 404, 404, 404, 404, 404, 200]),
    ("POST",   "/applications/{id}/claim",                    CompanyApplication, [401, 404, 404, 404, 404, 404, 404]),
    ("POST",   "/applications/{id}/decision",                 ClaimedApplication, [401, 404, 404, 404, 404, 404, 200]),
    // Policies are public information: anyone signed in reads the library (in any shell).
    // Only officials publish (403 for anyone else).
    ("GET",    "/policies",                                   Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    ("GET",    "/policies?q=guangzhou&tag=city",              Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    ("POST",   "/policies",                                   Nothing,          [401, 403, 403, 403, 403, 403, 201]),
    // The tags a company follows are its own: its legal rep keeps them, and staff with a grant
    // covering policies (staff's grant here covers licences and applications only: 403
    // scope_not_granted). Residents and officials work for no company (403 forbidden).
    ("GET",    "/subscriptions",                              Nothing,          [401, 403, 403, 403, 403, 200, 403]),
    ("PUT",    "/subscriptions",                              Nothing,          [401, 403, 403, 403, 403, 200, 403]),
    // Everyone has an inbox of their own.
    ("GET",    "/notifications",                              Nothing,          [401, 200, 200, 200, 200, 200, 200]),
    ("POST",   "/notifications/{id}/read",                    ResidentsNotification, [401, 204, 404, 404, 404, 404, 404]),
    ("POST",   "/notifications/read-all",                     Nothing,          [401, 204, 204, 204, 204, 204, 204]),
];

/// Where a status alone does not show which check stopped the caller, the code does: the
/// legal rep's 404 and 410 come after the approver check (which everyone else fails with 403
/// not_approver), and a 422 on a new request is its principal rule. Every 401 anywhere in the
/// matrix must be `unauthenticated` as well.
#[rustfmt::skip]
const CODES: &[(&str, &str, Target, Caller, ErrorCode)] = &[
    ("POST", "/delegation-requests/{id}/approve/start",    PendingRequest,  LegalRep,       ErrorCode::NoPasskey),
    ("POST", "/delegation-requests/{id}/approve/start",    PendingRequest,  StaffWithGrant, ErrorCode::NotApprover),
    ("POST", "/delegation-requests/{id}/approve/finish",   PendingRequest,  LegalRep,       ErrorCode::CeremonyExpired),
    ("POST", "/delegation-requests/{id}/approve/finish",   PendingRequest,  StaffWithGrant, ErrorCode::NotApprover),
    ("POST", "/delegation-requests/{id}/decline",          PendingRequest,  StaffWithGrant, ErrorCode::NotApprover),
    ("POST", "/passkeys/register/finish",                  Nothing,         Resident,       ErrorCode::CeremonyExpired),
    ("POST", "/delegation-requests",                       Company,         LegalRep,       ErrorCode::InvalidDelegation),
    ("POST", "/delegation-requests",                       ResidentsMother, Staff,          ErrorCode::InvalidDelegation),
    ("POST", "/applications",                              RenewalForm,     OtherResident,  ErrorCode::InvalidApplication),
    ("POST", "/applications",                              RenewalForm,     Official,       ErrorCode::Forbidden),
    ("POST", "/applications",                              PermitForm,      Staff,          ErrorCode::ScopeNotGranted),
    ("POST", "/applications",                              PermitForm,      Resident,       ErrorCode::NotFound),
    ("POST", "/applications",                              MothersForm,     Resident,       ErrorCode::NotFound),
    ("POST", "/applications",                              MothersForm,     StaffWithGrant, ErrorCode::Forbidden),
    ("GET",  "/applications/{id}",                         CompanyApplication, Staff,       ErrorCode::ScopeNotGranted),
    ("PUT",  "/applications/{id}",                         ResidentsApplication, Resident,  ErrorCode::ApplicationMovedOn),
    ("PUT",  "/applications/{id}",                         CompanyApplication, LegalRep,    ErrorCode::ApplicationMovedOn),
    ("GET",  "/tasks",                                     Nothing,         Resident,       ErrorCode::Forbidden),
    ("POST", "/policies",                                  Nothing,         LegalRep,       ErrorCode::Forbidden),
    ("GET",  "/subscriptions",                             Nothing,         Staff,          ErrorCode::ScopeNotGranted),
    ("GET",  "/subscriptions",                             Nothing,         StaffWithGrant, ErrorCode::ScopeNotGranted),
    ("GET",  "/subscriptions",                             Nothing,         Resident,       ErrorCode::Forbidden),
    ("GET",  "/subscriptions",                             Nothing,         Official,       ErrorCode::Forbidden),
    ("PUT",  "/subscriptions",                             Nothing,         Staff,          ErrorCode::ScopeNotGranted),
    ("PUT",  "/subscriptions",                             Nothing,         StaffWithGrant, ErrorCode::ScopeNotGranted),
    ("PUT",  "/subscriptions",                             Nothing,         OtherResident,  ErrorCode::Forbidden),
    ("PUT",  "/subscriptions",                             Nothing,         Official,       ErrorCode::Forbidden),
];

/// The code a cell's problem must carry, if the matrix says more than its status.
fn expected_code(
    method: &str,
    path: &str,
    target: Target,
    caller: Caller,
    status: u16,
) -> Option<ErrorCode> {
    if status == 401 {
        return Some(ErrorCode::Unauthenticated);
    }
    CODES
        .iter()
        .find(|c| (c.0, c.1, c.2, c.3) == (method, path, target, caller))
        .map(|c| c.4)
}

#[test]
fn every_endpoint_has_a_row_in_the_matrix() {
    let doc: Value = serde_json::from_str(&kapok_server::openapi_json()).unwrap();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("the document has paths")
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().expect("a path item is an object");
            methods
                .keys()
                .filter(|m| ["get", "put", "post", "delete", "patch"].contains(&m.as_str()))
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    let covered: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(method, path, ..)| (method.to_string(), endpoint_of(path)))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "endpoints with no row in MATRIX (add one, with the status each caller should get): {missing:?}"
    );
    let unknown: Vec<_> = covered.difference(&documented).collect();
    assert!(
        unknown.is_empty(),
        "rows for endpoints the API does not have: {unknown:?}"
    );
}

/// `/audit?grant={id}` → `/api/v1/audit`, as the OpenAPI document names it.
fn endpoint_of(path: &str) -> String {
    format!("{API_PREFIX}{}", path.split('?').next().unwrap_or(path))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_caller_gets_what_the_security_model_gives_them_on_every_endpoint() {
    let world = Arc::new(World::make().await);
    let mut cells = tokio::task::JoinSet::new();
    // A few cells at a time: each starts a server of its own.
    let slots = Arc::new(tokio::sync::Semaphore::new(8));
    for (row, &(method, path, target, expected)) in MATRIX.iter().enumerate() {
        for (column, caller) in CALLERS.into_iter().enumerate() {
            let (world, slots) = (world.clone(), slots.clone());
            cells.spawn(async move {
                let _slot = slots.acquire_owned().await.unwrap();
                let answer = world.copy().await.call(method, path, target, caller).await;
                (row, column, expected[column], answer)
            });
        }
    }
    let mut failures = Vec::new();
    while let Some(cell) = cells.join_next().await {
        let (row, column, expected, answer) = cell.expect("a cell does not panic");
        let (method, path, target, _) = MATRIX[row];
        let caller = CALLERS[column];
        let code = expected_code(method, path, target, caller, expected);
        let wrong = answer.faults(expected, code, &world.objects_hidden_from(caller, path));
        if !wrong.is_empty() {
            let code = answer.problem.map(|p| format!(" ({:?})", p.code));
            failures.push(format!(
                "{method} {path} [{target:?}] as {caller}: {}{}",
                wrong.join("; "),
                code.unwrap_or_default()
            ));
        }
    }
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} cells differ from the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// What one caller got from one request.
struct Answer {
    status: u16,
    content_type: Option<String>,
    problem: Option<Problem>,
    body: String,
}

impl Answer {
    /// Everything wrong with this answer: another status (or code) than the matrix says, a server
    /// error, an error that is not a problem document, or a mention of an object the caller
    /// may not see.
    fn faults(
        &self,
        expected: u16,
        code: Option<ErrorCode>,
        hidden: &[(Target, String)],
    ) -> Vec<String> {
        let mut wrong = Vec::new();
        if self.status != expected {
            wrong.push(format!("expected {expected}, got {}", self.status));
        }
        if let Some(code) = code.filter(|_| self.status == expected) {
            let got = self.problem.as_ref().map(|p| p.code);
            if got != Some(code) {
                wrong.push(format!("expected code {code:?}, got {got:?}"));
            }
        }
        if self.status >= 500 {
            wrong.push("a server error".into());
        }
        if self.status >= 400 {
            match &self.problem {
                Some(problem) if problem.status == self.status => {}
                Some(problem) => wrong.push(format!("problem says status {}", problem.status)),
                None => wrong.push(format!(
                    "not a problem+json document (content-type {:?})",
                    self.content_type
                )),
            }
        }
        if self.status < 300 {
            for (object, id) in hidden {
                if self.body.contains(id.as_str()) {
                    wrong.push(format!("the answer mentions {object:?} {id}"));
                }
            }
        }
        wrong
    }
}

/// The world every cell starts from, made once the way people make it: staff asked the
/// company twice, the first request was approved into a grant, the second is pending, and
/// every caller has signed in. Each cell gets a copy of its database (sessions included) and
/// a server of its own, so no cell sees what another changed.
struct World {
    server: TestServer,
    /// Each signed-in caller's session cookie.
    sessions: Vec<(Caller, String)>,
    /// Staff's second request to the company, still pending.
    pending: CreatedDelegationRequest,
    /// The grant made from staff's first request.
    grant: String,
    /// The resident's sent renewal, her draft, and her renewal the official claimed.
    residents_application: String,
    residents_draft: String,
    claimed_application: String,
    /// Staff's application for the company.
    company_application: String,
    /// A notice in the resident's inbox.
    residents_notification: String,
    /// On PostgreSQL, the database each cell's is copied from (closed to everyone after
    /// `make`, as a template must be).
    template: Option<String>,
}

impl World {
    async fn make() -> World {
        let server = TestServer::start().await;
        add_colleague(&server).await;
        let staff = server.signed_in("staff").await;
        let granted = staff
            .create_delegation_request(&company_request())
            .await
            .unwrap();
        let grant = kapok_server::testing::approve_without_passkey(&server.db, &granted.request.id)
            .await
            .unwrap()
            .expect("a pending request is approved");
        let pending = staff
            .create_delegation_request(&company_request())
            .await
            .unwrap();
        let company_application = staff.file_application(&permit()).await.unwrap().id;
        let resident = server.signed_in("resident").await;
        let residents_application = resident.file_application(&renewal(true)).await.unwrap().id;
        let residents_draft = resident.file_application(&renewal(false)).await.unwrap().id;
        // A second renewal of the same licence could not be sent while the first is in progress.
        let claimed_application = resident.file_application(&record()).await.unwrap().id;
        let official = server.signed_in("official").await;
        official.claim(&claimed_application).await.unwrap();
        let residents_notification = resident.notifications().await.unwrap().items[0].id.clone();
        let mut sessions = Vec::new();
        for caller in CALLERS {
            if let Some(username) = caller.username() {
                let client = server.signed_in(username).await;
                sessions.push((caller, client.session_cookie().unwrap()));
            }
        }
        let template = match common::postgres() {
            Some(admin) => {
                let name = common::database_name(server.db.connect_options().database_url.as_str());
                server.db.close().await;
                common::seal_as_template(&admin, &name).await;
                Some(name)
            }
            None => None,
        };
        World {
            template,
            server,
            sessions,
            pending,
            grant,
            residents_application,
            residents_draft,
            claimed_application,
            company_application,
            residents_notification,
        }
    }

    fn session_of(&self, caller: Caller) -> Option<&str> {
        self.sessions
            .iter()
            .find(|(c, _)| *c == caller)
            .map(|(_, cookie)| cookie.as_str())
    }

    /// A copy of the world with a server of its own.
    async fn copy(&self) -> CellWorld<'_> {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match (common::postgres(), &self.template) {
            (Some(admin), Some(template)) => common::create_database(&admin, Some(template)).await,
            _ => {
                let file = dir.path().join("kapok.db");
                sqlx::query("VACUUM INTO $1")
                    .bind(file.to_str().unwrap())
                    .execute(&self.server.db)
                    .await
                    .unwrap();
                format!("sqlite://{}", file.display())
            }
        };
        let running = kapok_server::start(Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            origin: "http://localhost:8080".into(),
            database_url: database_url.clone(),
            dist: dir.path().to_owned(),
            // Demo mode for `/demo-accounts`; the copy has users, so nothing is seeded again.
            demo: true,
            client_ip: ClientIpSource::ConnectInfo,
            timeouts: Default::default(),
            max_connections: None,
        })
        .await
        .expect("a copy of the world starts");
        let copy = CellWorld {
            database_url,
            world: self,
            base: format!("http://{}", running.addr),
            db: running.db.clone(),
            _dir: dir,
        };
        tokio::spawn(running.until_stopped());
        copy
    }

    /// The world's objects that `caller` may not see, which no successful answer to them at
    /// `path` may mention. (The link is a capability: looking it up shows anyone the request.
    /// An application's form names the licences it reuses from the wallet: those are its
    /// materials, which the officials deciding it are shown, though they cannot open them.)
    fn objects_hidden_from(&self, caller: Caller, path: &str) -> Vec<(Target, String)> {
        let deciding =
            caller == Official && (path.starts_with("/applications") || path == "/tasks");
        let hidden = |object| match object {
            ResidentLicence => caller != Resident && !deciding,
            ResidentsDraft | ResidentsNotification => caller != Resident,
            // Sent: the service centre's official may see them too.
            ResidentsApplication | ClaimedApplication => !matches!(caller, Resident | Official),
            CompanyLicence | PendingRequest | Grant | CompanyApplication => {
                !matches!(caller, StaffWithGrant | LegalRep)
            }
            _ => false,
        };
        [
            (ResidentLicence, "lic-resident-id".to_owned()),
            (CompanyLicence, "lic-company-bl".to_owned()),
            (PendingRequest, self.pending.request.id.clone()),
            (Grant, self.grant.clone()),
            (ResidentsApplication, self.residents_application.clone()),
            (ResidentsDraft, self.residents_draft.clone()),
            (ClaimedApplication, self.claimed_application.clone()),
            (CompanyApplication, self.company_application.clone()),
            (ResidentsNotification, self.residents_notification.clone()),
        ]
        .into_iter()
        .filter(|(object, _)| {
            hidden(*object) && !(*object == PendingRequest && path == "/delegation-requests/lookup")
        })
        .collect()
    }
}

/// One cell's copy of the world.
struct CellWorld<'w> {
    database_url: String,
    world: &'w World,
    base: String,
    db: Db,
    _dir: tempfile::TempDir,
}

impl CellWorld<'_> {
    async fn call(self, method: &str, path: &str, target: Target, caller: Caller) -> Answer {
        let body = self.body(method, path, target).await;
        let path = path.replace("{id}", &self.id_of(target).await);
        let mut request = reqwest::Client::new().request(
            method.parse().expect("an HTTP method"),
            format!("{}{API_PREFIX}{path}", self.base),
        );
        if let Some(cookie) = self.world.session_of(caller) {
            request = request.header("cookie", cookie);
        }
        if method != "GET" {
            // What the browser sends from our own pages (the CSRF guard checks both).
            request = request.header("origin", &self.base).json(&body);
        }
        let response = request
            .send()
            .await
            .expect("the server answers instead of dropping the connection");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.text().await.expect("a whole answer");
        let problem = (content_type.as_deref() == Some("application/problem+json"))
            .then(|| serde_json::from_str(&body).ok())
            .flatten();
        // Nothing is left open behind the cell (the server's task idles until the test ends).
        self.db.close().await;
        if let Some(admin) = common::postgres() {
            common::drop_database(&admin, &common::database_name(&self.database_url)).await;
        }
        Answer {
            status,
            content_type,
            problem,
            body,
        }
    }

    /// The id that fills `{id}` for `target` (empty if it has none), making the object first
    /// if it is made only for the rows that need it.
    async fn id_of(&self, target: Target) -> String {
        match target {
            ResidentLicence => "lic-resident-id".into(),
            CompanyLicence => "lic-company-bl".into(),
            PendingRequest => self.world.pending.request.id.clone(),
            Grant => self.world.grant.clone(),
            ResidentsApplication => self.world.residents_application.clone(),
            ResidentsDraft => self.world.residents_draft.clone(),
            ClaimedApplication => self.world.claimed_application.clone(),
            CompanyApplication => self.world.company_application.clone(),
            ResidentsNotification => self.world.residents_notification.clone(),
            ResidentsPasskey => {
                // Registering a passkey needs a real authenticator, so the row is written
                // straight in; removing one reads only its id and owner. It is made only for
                // this row, as the made-up record would break the ceremonies that read it.
                sqlx::query(
                    "INSERT INTO passkeys (credential_id, user_id, label, passkey, created_at)
                     VALUES ('residents-passkey', 'resident', '手机', '{}', 0)",
                )
                .execute(&self.db)
                .await
                .unwrap();
                "residents-passkey".into()
            }
            ResidentsOtherSession => {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, id)
                     VALUES ($1, 'resident', $2, $2, 'residents-other-session')",
                )
                .bind(b"another device".to_vec())
                .bind(0_i64)
                .execute(&self.db)
                .await
                .unwrap();
                "residents-other-session".into()
            }
            ResidentsMother => "elder".into(),
            Nothing | ResidentsCode | Company | RenewalForm | PermitForm | MothersForm => {
                String::new()
            }
        }
    }

    /// A body that passes every check that does not depend on the caller. Bodies come from the
    /// contract's own types, so they cannot drift from what the server parses.
    async fn body(&self, method: &str, path: &str, target: Target) -> Value {
        let endpoint = path.split('?').next().unwrap_or(path);
        // A credential of the right shape (an assertion, or a new key's attestation) for a
        // ceremony nobody started.
        let made_up_answer = |response: Value| CeremonyAnswer {
            ceremony: "a-ceremony-nobody-started".into(),
            credential: json!({
                "id": "AAAA", "rawId": "AAAA", "type": "public-key",
                "response": response,
                "extensions": {}
            }),
        };
        let assertion = || {
            made_up_answer(
                json!({ "clientDataJSON": "AAAA", "authenticatorData": "AAAA", "signature": "AAAA" }),
            )
        };
        let attestation =
            || made_up_answer(json!({ "clientDataJSON": "AAAA", "attestationObject": "AAAA" }));
        match (method, endpoint) {
            ("POST", "/session") => value(&SignInRequest {
                username: "resident".into(),
                password: PASSWORD.into(),
            }),
            ("PUT", "/password") => value(&PasswordChange {
                current_password: PASSWORD.into(),
                new_password: "tea-lamp-river-42".into(),
            }),
            ("POST", "/passkeys/register/start") => value(&PasswordConfirmation {
                password: PASSWORD.into(),
            }),
            ("POST", "/session/passkey/finish")
            | ("POST", "/delegation-requests/{id}/approve/finish") => value(&assertion()),
            ("POST", "/passkeys/register/finish") => value(&NewPasskey {
                answer: attestation(),
                label: "我的手机".into(),
            }),
            ("PATCH", "/passkeys/{id}") => value(&PasskeyRename {
                label: "旧手机".into(),
            }),
            ("POST", "/wallet/{id}/presentations") => {
                value(&PresentationRequest { count: Some(1) })
            }
            ("POST", "/verify") => {
                assert_eq!(target, ResidentsCode);
                let resident = Client::new(&self.base);
                resident.set_session_cookie(self.world.session_of(Resident).map(str::to_owned));
                let code = resident
                    .present("lic-resident-id", &PresentationRequest { count: Some(1) })
                    .await
                    .unwrap();
                value(&VerifyRequest {
                    token: code[0].token.clone(),
                    place: Some("天河区政务服务中心 3 号窗口".into()),
                })
            }
            ("POST", "/delegation-requests") => match target {
                Company => value(&company_request()),
                ResidentsMother => value(&NewDelegationRequest {
                    kind: DelegationKind::Family,
                    principal: "elder".into(),
                    scopes: vec![Scope::PresentLicences],
                    valid_from: None,
                    valid_until: None,
                    note: "妈妈，我帮你去社保局办卡".into(),
                    idempotency_key: None,
                }),
                other => panic!("no principal for {other:?}"),
            },
            ("POST", "/delegation-requests/lookup") => value(&LinkLookup {
                token: self.world.pending.secret.clone(),
            }),
            ("POST", "/delegation-requests/{id}/approve/start") => value(&ApprovalStart {
                request_hash: self.world.pending.request.request_hash.clone(),
            }),
            ("POST", "/applications") => match target {
                // Kept as a draft: the resident's renewal of this licence is already in
                // progress, and a second one sent would be refused for that (409), whoever sent it.
                RenewalForm => value(&renewal(false)),
                PermitForm => value(&permit()),
                MothersForm => value(&mothers_record()),
                other => panic!("no form for {other:?}"),
            },
            ("PUT", "/applications/{id}") => value(&ApplicationUpdate {
                form: match target {
                    CompanyApplication => permit().form,
                    _ => renewal(false).form,
                },
                submit: false,
            }),
            ("POST", "/applications/{id}/decision") => value(&Decision {
                verdict: Verdict::Approve,
                reason: String::new(),
            }),
            ("POST", "/policies") => value(&NewPolicy {
                title: Localized {
                    zh_cn: "广州市夜间餐饮消费补贴".into(),
                    zh_hk: "廣州市夜間餐飲消費補貼".into(),
                    en: "Guangzhou late-night dining subsidy".into(),
                },
                summary: Localized {
                    zh_cn: "对晚上十点后仍营业的餐饮门店，按夜间营业额给予补贴。".into(),
                    zh_hk: "晚上十時後仍然營業的食肆，可按夜間營業額獲得補貼。".into(),
                    en: "Restaurants open after 10 p.m. receive a subsidy on their late-night takings."
                        .into(),
                },
                issuer: "广州市商务局".into(),
                tags: vec![PolicyTag::City, PolicyTag::Catering],
            }),
            ("PUT", "/subscriptions") => value(&Subscriptions {
                tags: vec![PolicyTag::City, PolicyTag::Catering],
            }),
            // What the typed client sends when a state-changing call has nothing to say.
            ("POST", "/session/passkey/start")
            | ("POST", "/delegation-requests/{id}/decline")
            | ("POST", "/applications/{id}/claim")
            | ("POST", "/notifications/{id}/read")
            | ("POST", "/notifications/read-all")
            | ("DELETE", _) => json!({}),
            ("GET", _) => Value::Null,
            (method, endpoint) => panic!("no body for {method} {endpoint}: add one to `body`"),
        }
    }
}

/// A second member of staff of the demo company, with the demo password.
async fn add_colleague(server: &TestServer) {
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, display_name, persona, preferred_locale,
                            prefers_elderly_mode, created_at)
         SELECT $1, $2, password_hash, '何家豪', 'enterprise', 'zh-CN', 0, created_at
         FROM users WHERE id = 'staff'",
    )
    .bind(COLLEAGUE)
    .bind(COLLEAGUE)
    .execute(&server.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO enterprise_members (enterprise_id, user_id, role)
         VALUES ('kapok-digital', $1, 'staff')",
    )
    .bind(COLLEAGUE)
    .execute(&server.db)
    .await
    .unwrap();
}

/// Staff asking for the company's licences and applications.
fn company_request() -> NewDelegationRequest {
    common::company_request(&[Scope::PresentLicences, Scope::Applications])
}

/// The resident's renewal, reusing her ID card and driving licence; sent, or kept as a draft.
fn renewal(submit: bool) -> NewApplication {
    NewApplication {
        form: ApplicationForm::DrivingLicenceRenewal(DrivingLicenceRenewalForm {
            licence_id: Some("lic-resident-dl".into()),
            identity_licence_id: Some("lic-resident-id".into()),
            reason: Some(RenewalReason::Expiring),
            health_declared: true,
            postal_address: "广州市天河区天河路385号".into(),
            phone: "13800138000".into(),
        }),
        enterprise_id: None,
        relative_id: None,
        submit,
        idempotency_key: None,
    }
}

/// The resident's social-insurance record, reusing her ID card, sent.
fn record() -> NewApplication {
    NewApplication {
        form: ApplicationForm::SocialSecurityRecord(SocialSecurityRecordForm {
            identity_licence_id: Some("lic-resident-id".into()),
            from_month: "2024-01".into(),
            to_month: "2025-06".into(),
            purpose: Some(RecordPurpose::Housing),
        }),
        enterprise_id: None,
        relative_id: None,
        submit: true,
        idempotency_key: None,
    }
}

/// The resident's mother's social-insurance record, reusing her ID card, sent for her.
fn mothers_record() -> NewApplication {
    let mut record = record();
    if let ApplicationForm::SocialSecurityRecord(form) = &mut record.form {
        form.identity_licence_id = Some("lic-elder-id".into());
    }
    NewApplication {
        relative_id: Some("elder".into()),
        ..record
    }
}

/// A food business permit for the demo company, reusing its business licence, sent.
fn permit() -> NewApplication {
    NewApplication {
        form: ApplicationForm::FoodBusinessPermit(FoodBusinessPermitForm {
            business_licence_id: Some("lic-company-bl".into()),
            premises_address: "广州市天河区珠江新城华夏路10号1楼".into(),
            kinds: vec![FoodBusinessKind::Catering],
            area_m2: Some(120),
            safety_manager: "周晓彤".into(),
            phone: "13912345678".into(),
        }),
        enterprise_id: Some("kapok-digital".into()),
        relative_id: None,
        submit: true,
        idempotency_key: None,
    }
}

fn value(body: &impl Serialize) -> Value {
    serde_json::to_value(body).expect("a contract type serialises")
}
