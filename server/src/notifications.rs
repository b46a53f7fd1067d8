//! One inbox for every persona: applications moving on, requests for authority, uses of
//! authority given, and licences about to run out. Notices live on the server, so they
//! survive signing out and follow the person to another device.

use axum::{Json, extract::State, http::StatusCode};
use kapok_api::{EXPIRY_NOTICE_DAYS, LicenceStatus, NotificationKind, Notifications, Problem};

use crate::{AppState, clock, error::ApiError, session::CurrentUser, store, web::ApiPath};

/// The caller's notices, newest first, with the count of unread ones. Licences the caller
/// holds (or holds for a company as its legal representative) that run out within
/// `EXPIRY_NOTICE_DAYS` are announced here first, once per licence and expiry date.
#[utoipa::path(get, path = "/notifications", tag = "notifications", operation_id = "notifications",
    responses(
        (status = 200, description = "At most 100 notices, newest first; `unread` counts all unread ones", body = Notifications),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Notifications>, ApiError> {
    let now = store::now();
    announce_expiring_licences(&state, &user, now).await?;
    Ok(Json(
        store::notifications::of(&state.db, &user.user_id).await?,
    ))
}

/// Adds a notice for each licence of the caller's that runs out soon and has none yet. Done
/// when the inbox is read rather than by a timer: nobody needs the notice before they look,
/// and the dedupe key makes it once however often they do.
async fn announce_expiring_licences(
    state: &AppState,
    user: &CurrentUser,
    now: i64,
) -> Result<(), ApiError> {
    let today = clock::today(now);
    let horizon = clock::date_in_days(&today, EXPIRY_NOTICE_DAYS);
    for licence in store::licences::held_by(&state.db, &user.user_id, &today).await? {
        let Some(valid_until) = licence.valid_until.as_deref() else {
            continue;
        };
        let soon = licence.status != LicenceStatus::Revoked
            && valid_until >= today.as_str()
            && valid_until <= horizon.as_str();
        if !soon {
            continue;
        }
        store::notifications::add(
            &state.db,
            &user.user_id,
            &NotificationKind::LicenceExpiring {
                licence_id: licence.id.clone(),
                licence_type: licence.licence_type,
                valid_until: valid_until.to_owned(),
            },
            Some(&format!("expiry:{}:{valid_until}", licence.id)),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Marks one of the caller's notices read (again is fine).
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", operation_id = "read_notification",
    params(("id" = String, Path, description = "Notification id")),
    responses(
        (status = 204, description = "Read"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notice, or not the caller's", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    if store::notifications::mark_read(&state.db, &user.user_id, &id, store::now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Marks all the caller's notices read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications", operation_id = "read_all_notifications",
    responses(
        (status = 204, description = "All read"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn read_all(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode, ApiError> {
    store::notifications::mark_all_read(&state.db, &user.user_id, store::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
