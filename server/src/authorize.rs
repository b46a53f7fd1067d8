//! Who may touch what: one function per object kind, called by every handler that touches
//! that kind. Anything the caller may not see answers `NotFound`, so its existence is not
//! confirmed either.
//!
//! Authority from a grant is looked up afresh on every call (nothing is cached in the session),
//! so a revocation, an expiry or leaving the company bites on the very next request.

use kapok_api::{
    ApplicationStatus, DelegationKind, Department, EnterpriseRole, GrantStatus, LicenceSummary,
    Persona, Scope,
};

use crate::{
    clock,
    db::Db,
    error::ApiError,
    session::CurrentUser,
    store::{
        self,
        applications::StoredApplication,
        delegation::{StoredGrant, StoredRequest},
        licences::StoredLicence,
    },
};

/// What the caller wants to do with a licence; it is named in the audit entry when the
/// authority comes from a grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LicenceUse {
    View,
    Present,
    /// "Who saw my data" is the holder's own business: a grant does not reach it.
    SeeVerifications,
}

impl LicenceUse {
    fn verb(self) -> &'static str {
        match self {
            LicenceUse::View => "view",
            LicenceUse::Present => "present",
            LicenceUse::SeeVerifications => "verifications",
        }
    }
}

/// A licence the caller may use: one they hold, one held by an enterprise whose legal
/// representative they are, or (except for its verifications) one whose holder gave them an
/// active grant with [`Scope::PresentLicences`]. A use through a grant is audited, and the
/// summary names the grant. What it reads comes through `reads`; the audit goes through `db`.
pub async fn licence(
    db: &Db,
    reads: &Db,
    user: &CurrentUser,
    id: &str,
    usage: LicenceUse,
) -> Result<StoredLicence, ApiError> {
    let now = store::now();
    let today = clock::today(now);
    let mut stored = store::licences::find(reads, id, &today)
        .await?
        .ok_or(ApiError::NotFound)?;
    let holder = match (&stored.holder_user_id, &stored.holder_enterprise_id) {
        (Some(holder), _) if *holder == user.user_id => return Ok(stored),
        (Some(holder), _) => (DelegationKind::Family, holder.clone()),
        (None, Some(enterprise)) => {
            if store::users::is_legal_representative(reads, &user.user_id, enterprise).await? {
                return Ok(stored);
            }
            (DelegationKind::Enterprise, enterprise.clone())
        }
        (None, None) => return Err(ApiError::NotFound),
    };
    if usage == LicenceUse::SeeVerifications {
        return Err(ApiError::NotFound);
    }
    let grants =
        store::delegation::authority_of(reads, &user.user_id, Some((holder.0, &holder.1)), &today)
            .await?;
    let grant = authority(&grants, Scope::PresentLicences)?;
    store::delegation::record_use(db, grant, &format!("{}:{id}", usage.verb()), now).await?;
    stored.licence.summary.through_grant = Some(grant.grant.id.clone());
    Ok(stored)
}

/// The licences the caller may see through active grants with [`Scope::PresentLicences`],
/// each naming its grant; each grant drawn on is audited once, as a "list". Grants and
/// licences are read through `reads`; the audit is written through `db`.
pub async fn licences_through_grants(
    db: &Db,
    reads: &Db,
    user: &CurrentUser,
) -> Result<Vec<LicenceSummary>, ApiError> {
    let now = store::now();
    let today = clock::today(now);
    let grants = store::delegation::authority_of(reads, &user.user_id, None, &today).await?;
    let mut principals_seen = Vec::new();
    let mut licences = Vec::new();
    // Newest first: when two grants cover one holder, the newer one is named.
    for grant in grants.iter().filter(|g| {
        g.grant.status == GrantStatus::Active && g.grant.scopes.contains(&Scope::PresentLicences)
    }) {
        let principal = (grant.grant.kind, grant.grant.principal.as_str());
        if principals_seen.contains(&principal) {
            continue;
        }
        principals_seen.push(principal);
        let held =
            store::licences::held_by_principal(reads, principal.0, principal.1, &today).await?;
        if held.is_empty() {
            continue;
        }
        store::delegation::record_use(db, grant, "list", now).await?;
        licences.extend(held.into_iter().map(|mut l| {
            l.through_grant = Some(grant.grant.id.clone());
            l
        }));
    }
    Ok(licences)
}

/// Which of the caller's grants over one holder (newest first) gives `scope`, or why none
/// does: an active grant without the scope, else the newest grant's revocation or expiry,
/// else nothing at all (`NotFound`, as for any stranger).
pub fn authority(grants: &[StoredGrant], scope: Scope) -> Result<&StoredGrant, ApiError> {
    let mut active = grants
        .iter()
        .filter(|g| g.grant.status == GrantStatus::Active)
        .peekable();
    if active.peek().is_some() {
        return active
            .find(|g| g.grant.scopes.contains(&scope))
            .ok_or(ApiError::ScopeNotGranted);
    }
    match grants.first().map(|g| g.grant.status) {
        Some(GrantStatus::Revoked) => Err(ApiError::GrantRevoked),
        Some(GrantStatus::Expired | GrantStatus::NotYetValid) => Err(ApiError::GrantExpired),
        Some(GrantStatus::Active) | None => Err(ApiError::NotFound),
    }
}

/// How the caller may act for a company in one part of its affairs (a [`Scope`]).
#[derive(Clone, Debug)]
pub enum CompanyAuthority {
    /// The legal representative the enterprise register names.
    LegalRepresentative,
    /// Staff, under this active grant with the scope; each use is audited.
    Grant(Box<StoredGrant>),
}

impl CompanyAuthority {
    /// The grant the authority comes from, if it does.
    pub fn grant(&self) -> Option<&StoredGrant> {
        match self {
            CompanyAuthority::LegalRepresentative => None,
            CompanyAuthority::Grant(grant) => Some(grant),
        }
    }

    /// Audits a use of the authority when it comes from a grant (`detail` says what).
    pub async fn record_use(&self, db: &Db, detail: &str) -> Result<(), ApiError> {
        if let CompanyAuthority::Grant(grant) = self {
            store::delegation::record_use(db, grant, detail, store::now()).await?;
        }
        Ok(())
    }
}

/// Whether the caller may file and follow applications for `enterprise_id`: as its legal
/// representative, or as staff holding an active grant with [`Scope::Applications`]. Staff
/// without one are told why (`ScopeNotGranted`, `GrantRevoked`, `GrantExpired`: they know the
/// company); anyone else is told `NotFound`.
pub async fn company_applications(
    db: &Db,
    user: &CurrentUser,
    enterprise_id: &str,
) -> Result<CompanyAuthority, ApiError> {
    company(db, user, enterprise_id, Scope::Applications).await
}

/// The company whose policy subscriptions the caller keeps, and how: the company they work
/// for, as its legal representative or as staff holding an active grant with
/// [`Scope::Policies`]. Staff without one are told why (`ScopeNotGranted`, `GrantRevoked`,
/// `GrantExpired`); anyone who works for no company (residents, officials) is `Forbidden`.
/// The register gives each person one company; should it give more, the first in its order
/// where the caller has the authority is theirs here (else the first one's refusal).
pub async fn company_policies(
    db: &Db,
    user: &CurrentUser,
) -> Result<(String, CompanyAuthority), ApiError> {
    let mut refusal = None;
    for (enterprise_id, _) in store::users::memberships(db, &user.user_id).await? {
        match company(db, user, &enterprise_id, Scope::Policies).await {
            Ok(authority) => return Ok((enterprise_id, authority)),
            Err(why) => {
                refusal.get_or_insert(why);
            }
        }
    }
    Err(refusal.unwrap_or(ApiError::Forbidden))
}

/// Whether the caller may act for `enterprise_id` within `scope`: as its legal representative,
/// or as staff holding an active grant with the scope. Staff without one are told why; anyone
/// else is told `NotFound`.
async fn company(
    db: &Db,
    user: &CurrentUser,
    enterprise_id: &str,
    scope: Scope,
) -> Result<CompanyAuthority, ApiError> {
    match store::users::role_in(db, &user.user_id, enterprise_id).await? {
        None => Err(ApiError::NotFound),
        Some(EnterpriseRole::LegalRepresentative) => Ok(CompanyAuthority::LegalRepresentative),
        Some(EnterpriseRole::Staff) => {
            let today = clock::today(store::now());
            let grants = store::delegation::authority_of(
                db,
                &user.user_id,
                Some((DelegationKind::Enterprise, enterprise_id)),
                &today,
            )
            .await?;
            match authority(&grants, scope) {
                Ok(grant) => Ok(CompanyAuthority::Grant(Box::new(grant.clone()))),
                Err(ApiError::NotFound) => Err(ApiError::ScopeNotGranted),
                Err(refusal) => Err(refusal),
            }
        }
    }
}

/// What the caller wants to do with an application; named in the audit entry when the
/// authority comes from a grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplicationUse {
    /// Read it: its applicant side, or an official of its department once it is sent.
    View,
    /// Change or send it: its applicant side only.
    Edit,
    /// Delete a draft: its applicant side only.
    Delete,
    /// Claim or decide it: officials of its department only, once it is sent.
    Handle,
}

impl ApplicationUse {
    fn verb(self) -> &'static str {
        match self {
            ApplicationUse::View => "view",
            ApplicationUse::Edit => "edit",
            ApplicationUse::Delete => "delete",
            ApplicationUse::Handle => "handle",
        }
    }
}

/// The caller's side of an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplicationSide {
    /// Filed it for themself, or acts for the company it was filed for.
    Applicant,
    /// An official of the department that decides it.
    Official,
}

/// An application the caller may use as `usage` says: the applicant side is the person who
/// filed it for themself, or for a company its legal representative and staff with a grant
/// covering applications (re-checked now, and audited); the official side is an official of
/// the deciding department, once the application is sent. Anyone else is told `NotFound`
/// (staff of the company without the authority are told why, as for its licences).
pub async fn application(
    db: &Db,
    user: &CurrentUser,
    id: &str,
    usage: ApplicationUse,
) -> Result<(StoredApplication, ApplicationSide), ApiError> {
    let stored = store::applications::find(db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if usage != ApplicationUse::Handle {
        match &stored.enterprise_id {
            None if stored.applicant_user_id == user.user_id => {
                return Ok((stored, ApplicationSide::Applicant));
            }
            None => match relative_applications(db, user, &stored.applicant_user_id).await {
                Ok(grant) => {
                    let detail = format!("application:{}:{id}", usage.verb());
                    store::delegation::record_use(db, &grant, &detail, store::now()).await?;
                    return Ok((stored, ApplicationSide::Applicant));
                }
                Err(ApiError::NotFound) => {}
                Err(refusal) => return Err(refusal),
            },
            Some(enterprise) => match company_applications(db, user, enterprise).await {
                Ok(authority) => {
                    authority
                        .record_use(db, &format!("application:{}:{id}", usage.verb()))
                        .await?;
                    return Ok((stored, ApplicationSide::Applicant));
                }
                Err(ApiError::NotFound) => {}
                Err(refusal) => return Err(refusal),
            },
        }
    }
    let official_may = matches!(usage, ApplicationUse::View | ApplicationUse::Handle)
        && stored.application.status != ApplicationStatus::Draft
        && official_department(db, user).await? == Some(stored.department);
    if official_may {
        return Ok((stored, ApplicationSide::Official));
    }
    Err(ApiError::NotFound)
}

/// The caller's grant to file and follow the applications `relative` files for themself: the
/// newest active family grant over them with [`Scope::Applications`]. Someone with no grant
/// over them is told `NotFound`; one whose grant lacks the scope, was revoked or has run out
/// is told why.
pub async fn relative_applications(
    db: &Db,
    user: &CurrentUser,
    relative: &str,
) -> Result<StoredGrant, ApiError> {
    let today = clock::today(store::now());
    let over = Some((DelegationKind::Family, relative));
    let grants = store::delegation::authority_of(db, &user.user_id, over, &today).await?;
    authority(&grants, Scope::Applications).cloned()
}

/// The family grants through which the caller follows relatives' applications: one active
/// grant with [`Scope::Applications`] per relative, the newest.
pub async fn relatives_applications(
    db: &Db,
    user: &CurrentUser,
) -> Result<Vec<StoredGrant>, ApiError> {
    let today = clock::today(store::now());
    let grants = store::delegation::authority_of(db, &user.user_id, None, &today).await?;
    let mut chosen: Vec<StoredGrant> = Vec::new();
    for grant in grants {
        let usable = grant.grant.kind == DelegationKind::Family
            && grant.grant.status == GrantStatus::Active
            && grant.grant.scopes.contains(&Scope::Applications);
        if usable
            && !chosen
                .iter()
                .any(|c| c.grant.principal == grant.grant.principal)
        {
            chosen.push(grant);
        }
    }
    Ok(chosen)
}

/// The caller's department if they are an official, else `None`.
pub async fn official_department(
    db: &Db,
    user: &CurrentUser,
) -> Result<Option<Department>, ApiError> {
    let profile = store::users::profile(db, &user.user_id).await?;
    Ok(profile
        .filter(|p| p.persona == Persona::Official)
        .and_then(|p| p.department))
}

/// The caller's department; anyone but an official is `Forbidden` (their own inbox is not a
/// secret, but it is not theirs).
pub async fn official(db: &Db, user: &CurrentUser) -> Result<Department, ApiError> {
    official_department(db, user)
        .await?
        .ok_or(ApiError::Forbidden)
}

/// The caller's side of a delegation request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestSide {
    Requester,
    Approver,
}

/// A request the caller made or is to decide; anyone else is told `NotFound`.
pub async fn delegation_request(
    db: &Db,
    user: &CurrentUser,
    id: &str,
) -> Result<(StoredRequest, RequestSide), ApiError> {
    let request = store::delegation::find(db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let side = if request.requester_user_id == user.user_id {
        RequestSide::Requester
    } else if request.approver_user_id == user.user_id {
        RequestSide::Approver
    } else {
        return Err(ApiError::NotFound);
    };
    Ok((request, side))
}

/// A request the caller may decide on: they must be its approver, and the register must still
/// name them (a legal representative replaced since the request was made decides nothing, nor
/// does a relative no longer in the household register). Anyone else is told `NotApprover`;
/// request ids are random, so saying so confirms nothing guessable.
pub async fn approver_of(db: &Db, user: &CurrentUser, id: &str) -> Result<StoredRequest, ApiError> {
    let request = store::delegation::find(db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if request.approver_user_id != user.user_id {
        return Err(ApiError::NotApprover);
    }
    let still_named = match request.kind {
        DelegationKind::Enterprise => {
            store::users::legal_representative_of(db, &request.principal)
                .await?
                .as_deref()
                == Some(user.user_id.as_str())
        }
        DelegationKind::Family => {
            request.principal == user.user_id
                && store::users::is_relative(db, &request.requester_user_id, &request.principal)
                    .await?
        }
    };
    if still_named {
        Ok(request)
    } else {
        Err(ApiError::NotApprover)
    }
}

/// Whom the caller may ask for authority, and who then decides: for a company, a staff member
/// asks and the legal representative in the enterprise register decides; for a family, a
/// person asks a relative from the household register, who decides. The requester never
/// names the approver.
pub async fn approver_for_new_request(
    db: &Db,
    user: &CurrentUser,
    kind: DelegationKind,
    principal: &str,
) -> Result<String, ApiError> {
    match kind {
        DelegationKind::Enterprise => {
            match store::users::role_in(db, &user.user_id, principal).await? {
                Some(EnterpriseRole::Staff) => {}
                Some(EnterpriseRole::LegalRepresentative) => {
                    return Err(ApiError::InvalidDelegation(
                        "principal: the legal representative already acts for the company".into(),
                    ));
                }
                None => {
                    return Err(ApiError::InvalidDelegation(
                        "principal: you can only ask a company you work for".into(),
                    ));
                }
            }
            store::users::legal_representative_of(db, principal)
                .await?
                .ok_or_else(|| {
                    ApiError::InvalidDelegation(
                        "principal: the register names no legal representative".into(),
                    )
                })
        }
        DelegationKind::Family => {
            if store::users::is_relative(db, &user.user_id, principal).await? {
                Ok(principal.to_owned())
            } else {
                Err(ApiError::InvalidDelegation(
                    "principal: not a relative in your household register".into(),
                ))
            }
        }
    }
}

/// The caller's side of a grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantSide {
    /// The relative who gave it, or the company's current legal representative: may revoke.
    Principal,
    /// Who holds it: may give it up.
    Grantee,
    /// Approved it as legal representative, but the register names someone else now: may
    /// read its history, not change it.
    FormerApprover,
}

/// A grant the caller gave, holds, or approved; anyone else is told `NotFound`.
pub async fn grant(
    db: &Db,
    user: &CurrentUser,
    id: &str,
) -> Result<(StoredGrant, GrantSide), ApiError> {
    let today = clock::today(store::now());
    let grant = store::delegation::find_grant(db, id, &today)
        .await?
        .ok_or(ApiError::NotFound)?;
    let is_principal = match (&grant.principal_user_id, &grant.principal_enterprise_id) {
        (Some(principal), _) => *principal == user.user_id,
        (None, Some(enterprise)) => {
            store::users::is_legal_representative(db, &user.user_id, enterprise).await?
        }
        (None, None) => false,
    };
    let side = if is_principal {
        GrantSide::Principal
    } else if grant.grantee_user_id == user.user_id {
        GrantSide::Grantee
    } else if grant.approver_user_id == user.user_id {
        GrantSide::FormerApprover
    } else {
        return Err(ApiError::NotFound);
    };
    Ok((grant, side))
}

#[cfg(test)]
mod tests {
    use kapok_api::{Grant, Party};

    use super::*;

    fn grant(id: &str, status: GrantStatus, scopes: &[Scope]) -> StoredGrant {
        StoredGrant {
            grant: Grant {
                id: id.into(),
                request_id: format!("req-{id}"),
                kind: DelegationKind::Enterprise,
                principal: "kapok-digital".into(),
                principal_name: "广州木棉数字科技有限公司".into(),
                grantee: Party {
                    name: "周晓彤".into(),
                    id_masked: String::new(),
                },
                approver_name: "梁国栋".into(),
                scopes: scopes.to_vec(),
                valid_from: "2026-11-01".into(),
                valid_until: "2026-11-30".into(),
                status,
                created_at: 0,
                revoked_at: None,
            },
            grantee_user_id: "staff".into(),
            approver_user_id: "legal-rep".into(),
            principal_user_id: None,
            principal_enterprise_id: Some("kapok-digital".into()),
        }
    }

    fn refusal(grants: &[StoredGrant]) -> ApiError {
        authority(grants, Scope::PresentLicences).unwrap_err()
    }

    #[test]
    fn an_active_grant_with_the_scope_gives_authority_even_beside_a_revoked_one() {
        let grants = [
            grant("old", GrantStatus::Revoked, &[Scope::PresentLicences]),
            grant("new", GrantStatus::Active, &[Scope::PresentLicences]),
        ];
        let found = authority(&grants, Scope::PresentLicences).unwrap();
        assert_eq!(found.grant.id, "new");
    }

    #[test]
    fn the_refusal_says_why_the_authority_is_missing() {
        assert!(matches!(
            refusal(&[grant("a", GrantStatus::Active, &[Scope::Applications])]),
            ApiError::ScopeNotGranted
        ));
        assert!(matches!(
            refusal(&[grant("a", GrantStatus::Revoked, &[Scope::PresentLicences])]),
            ApiError::GrantRevoked
        ));
        assert!(matches!(
            refusal(&[grant("a", GrantStatus::Expired, &[Scope::PresentLicences])]),
            ApiError::GrantExpired
        ));
        assert!(matches!(
            refusal(&[grant(
                "a",
                GrantStatus::NotYetValid,
                &[Scope::PresentLicences]
            )]),
            ApiError::GrantExpired
        ));
        assert!(matches!(refusal(&[]), ApiError::NotFound));
    }
}
