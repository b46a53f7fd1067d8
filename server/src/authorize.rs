//! Who may touch what: one function per object kind, called by every handler that touches
//! that kind. Anything the caller may not see answers `NotFound`, so its existence is not
//! confirmed either.

use crate::{
    clock,
    db::Db,
    error::ApiError,
    session::CurrentUser,
    store::{self, licences::StoredLicence},
};

/// A licence the caller may see and present: one they hold, or one held by an enterprise
/// whose legal representative they are. (Staff act for the company only through a grant.)
pub async fn licence(db: &Db, user: &CurrentUser, id: &str) -> Result<StoredLicence, ApiError> {
    let stored = store::licences::find(db, id, &clock::today(store::now()))
        .await?
        .ok_or(ApiError::NotFound)?;
    let allowed = match (&stored.holder_user_id, &stored.holder_enterprise_id) {
        (Some(holder), _) => *holder == user.user_id,
        (None, Some(enterprise)) => {
            store::users::is_legal_representative(db, &user.user_id, enterprise).await?
        }
        (None, None) => false,
    };
    if allowed {
        Ok(stored)
    } else {
        Err(ApiError::NotFound)
    }
}
