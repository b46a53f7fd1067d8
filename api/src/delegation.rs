//! Delegation: a staff member (or a family member) asks for authority, the principal (the
//! company's legal representative, or the parent) approves with a passkey, and the grant is
//! scoped, time-boxed, revocable and audited.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// What a grant lets its holder do. Each endpoint that acts for someone checks one scope.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Show the principal's licences (their live QR codes included).
    PresentLicences,
    /// File applications and follow their progress.
    Applications,
    /// Read and apply for policies (enterprises only).
    Policies,
    /// Keep the company's profile up to date (enterprises only).
    CompanyProfile,
}

impl Scope {
    pub const ENTERPRISE: [Scope; 4] = [
        Scope::PresentLicences,
        Scope::Applications,
        Scope::Policies,
        Scope::CompanyProfile,
    ];
    pub const FAMILY: [Scope; 2] = [Scope::PresentLicences, Scope::Applications];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::PresentLicences => "present_licences",
            Scope::Applications => "applications",
            Scope::Policies => "policies",
            Scope::CompanyProfile => "company_profile",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ENTERPRISE.into_iter().find(|x| x.as_str() == s)
    }
}

/// Who is asked: a company (its legal representative approves), or a relative from the
/// household register (they approve themselves). The server resolves the approver; the
/// requester never names them.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DelegationKind {
    Enterprise,
    Family,
}

/// Default length of a grant when the request names no end date, in days.
pub const DEFAULT_GRANT_DAYS: i64 = 30;
/// Longest grant, in days.
pub const MAX_GRANT_DAYS: i64 = 366;
/// How long a link can be decided on, in seconds (7 days).
pub const LINK_LIFETIME_SECS: i64 = 7 * 24 * 60 * 60;
/// Longest note, in characters.
pub const NOTE_MAX: usize = 200;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewDelegationRequest {
    pub kind: DelegationKind,
    /// The enterprise id (kind `enterprise`) or the relative's user id (kind `family`).
    pub principal: String,
    /// At least one; only scopes of the kind (`Scope::ENTERPRISE` or `Scope::FAMILY`).
    pub scopes: Vec<Scope>,
    /// First day of the grant, `YYYY-MM-DD` (China Standard Time); today when absent.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// Last day of the grant, inclusive: 30 days in all when absent, at most 366 days in all
    /// (`valid_from` + 29 and + 365).
    #[serde(default)]
    pub valid_until: Option<String>,
    /// A word for the approver, at most 200 characters.
    #[serde(default)]
    pub note: String,
    /// The same on every try of one submission (see `is_idempotency_key`): a try repeated
    /// after a lost answer gets what the first made, and nothing is made twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{16,64}$"))]
    pub idempotency_key: Option<String>,
}

/// A person as the other side of a delegation sees them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Party {
    pub name: String,
    /// The resident ID number, masked (e.g. `4401**********2324`).
    pub id_masked: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Declined,
    /// Withdrawn by the requester.
    Cancelled,
    /// Not decided within the link's lifetime.
    Expired,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DelegationRequest {
    pub id: String,
    pub kind: DelegationKind,
    /// The enterprise id or the relative's user id.
    pub principal: String,
    /// The company's registered name, or the relative's name.
    pub principal_name: String,
    /// The company's USCC (kind `enterprise`).
    pub uscc: Option<String>,
    pub requester: Party,
    /// Who decides: the legal representative, or the relative.
    pub approver_name: String,
    pub scopes: Vec<Scope>,
    pub valid_from: String,
    pub valid_until: String,
    pub note: String,
    /// Six characters shown on both phones, to tell this request from a look-alike.
    pub binding_code: String,
    pub status: RequestStatus,
    pub created_at: i64,
    /// After this the link can no longer be decided on.
    pub link_expires_at: i64,
    pub decided_at: Option<i64>,
    /// When the grant made from this request was revoked (Unix seconds), if it was: the
    /// request stays approved, but the authority is gone.
    #[serde(default)]
    pub revoked_at: Option<i64>,
    /// SHA-256 (hex) of the request's canonical form; an approval names the version it saw.
    pub request_hash: String,
    /// Whether the caller is the one who decides.
    pub caller_decides: bool,
}

/// A new request and the secret of its link. The secret is shown once: only its hash is kept.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CreatedDelegationRequest {
    pub request: DelegationRequest,
    /// Goes in the link's fragment: `/authorize#<secret>`.
    pub secret: String,
}

/// The secret from a link's fragment, sent in a POST body (never in a URL).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LinkLookup {
    pub token: String,
}

/// Start approving: names the version of the request the approver was shown.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApprovalStart {
    pub request_hash: String,
}

/// Requests the caller made, and requests waiting for the caller's decision.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DelegationRequests {
    pub mine: Vec<DelegationRequest>,
    pub to_decide: Vec<DelegationRequest>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    Active,
    /// Starts on `valid_from`.
    NotYetValid,
    Expired,
    Revoked,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Grant {
    pub id: String,
    pub request_id: String,
    pub kind: DelegationKind,
    /// The enterprise id or the relative's user id.
    pub principal: String,
    pub principal_name: String,
    pub grantee: Party,
    pub approver_name: String,
    pub scopes: Vec<Scope>,
    pub valid_from: String,
    pub valid_until: String,
    pub status: GrantStatus,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Grants the caller holds, and grants the caller gave.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Grants {
    pub held: Vec<Grant>,
    pub given: Vec<Grant>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Requested,
    LinkViewed,
    Approved,
    Declined,
    Cancelled,
    Revoked,
    /// The grantee acted under the grant (`detail` says what, e.g. `present:lic-company-bl`).
    GrantUsed,
}

/// At most this many audit entries come in one answer, newest first; the entries before the
/// oldest of them are asked for with its `id` as `before`. A page a phone can draw at once.
pub const AUDIT_PAGE: usize = 50;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    /// Who acted; `None` for someone not signed in (e.g. a link opened by anyone).
    pub actor_name: Option<String>,
    pub action: AuditAction,
    pub request_id: Option<String>,
    pub grant_id: Option<String>,
    pub detail: String,
}

/// A relative from the household register, whom a resident may ask for authority.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Relative {
    pub user_id: String,
    pub name: String,
    /// As the register says, from the caller's side: `mother`, `father`, `spouse`, `child`.
    pub relation: String,
}
