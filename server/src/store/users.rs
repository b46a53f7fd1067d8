use kapok_api::{
    Department, Enterprise, EnterpriseMembership, EnterpriseRole, GrantStatus, LocaleTag, Me,
    NotificationKind, Party, Persona, Relative, User, mask,
};
use sqlx::Row;

use crate::{clock, db::Db, store};

pub struct Credentials {
    pub user_id: String,
    pub password_hash: String,
    /// When the password was last changed (Unix seconds), 0 if never.
    pub password_changed_at: i64,
}

pub async fn credentials(db: &Db, username: &str) -> sqlx::Result<Option<Credentials>> {
    let row =
        sqlx::query("SELECT id, password_hash, password_changed_at FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|r| Credentials {
        user_id: r.get("id"),
        password_hash: r.get("password_hash"),
        password_changed_at: r.get("password_changed_at"),
    }))
}

/// Gives the account a new password hash and ends every session of it but `keep` (the one
/// the change was made from), with a notice to the owner, in one transaction: whoever signed in
/// with the old password, anywhere, is out, and the owner hears of it. The time of the change
/// is kept, so device cookies written before it no longer count.
pub async fn change_password(
    db: &Db,
    user_id: &str,
    password_hash: &str,
    keep: &[u8],
    now: i64,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(&mut *tx)
        .await?;
    let kind = NotificationKind::PasswordChanged {};
    store::notifications::add(&mut *tx, user_id, &kind, None, now).await?;
    tx.commit().await
}

pub async fn count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}

pub async fn me(db: &Db, user_id: &str) -> sqlx::Result<Option<Me>> {
    let Some(row) = sqlx::query(
        "SELECT id, username, display_name, persona, preferred_locale, prefers_elderly_mode, department
         FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let user = User {
        id: row.get("id"),
        username: row.get("username"),
        display_name: row.get("display_name"),
        persona: Persona::parse(row.get("persona")).ok_or_else(|| corrupt("persona"))?,
        preferred_locale: LocaleTag::parse(row.get("preferred_locale"))
            .ok_or_else(|| corrupt("preferred_locale"))?,
        prefers_elderly_mode: row.get::<i64, _>("prefers_elderly_mode") != 0,
        department: parse_department(row.get("department"))?,
    };
    let enterprises = sqlx::query(
        "SELECT e.id, e.name, e.uscc, m.role
         FROM enterprise_members m JOIN enterprises e ON e.id = m.enterprise_id
         WHERE m.user_id = $1 ORDER BY e.name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| {
        let role = parse_role(r.get("role"))?;
        Ok(EnterpriseMembership {
            enterprise: Enterprise {
                id: r.get("id"),
                name: r.get("name"),
                uscc: r.get("uscc"),
            },
            role,
        })
    })
    .collect::<sqlx::Result<Vec<_>>>()?;
    let today = clock::today(store::now());
    let grants = store::delegation::authority_of(db, user_id, None, &today)
        .await?
        .into_iter()
        .map(|g| g.grant)
        .filter(|g| g.status == GrantStatus::Active)
        .collect();
    Ok(Some(Me {
        user,
        enterprises,
        grants,
        relatives: relatives(db, user_id).await?,
    }))
}

/// Who a user is, as the services need it: their name, their shell and, for an official,
/// their department.
pub struct Profile {
    pub display_name: String,
    pub persona: Persona,
    pub department: Option<Department>,
}

pub async fn profile(db: &Db, user_id: &str) -> sqlx::Result<Option<Profile>> {
    let Some(row) =
        sqlx::query("SELECT display_name, persona, department FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(db)
            .await?
    else {
        return Ok(None);
    };
    Ok(Some(Profile {
        display_name: row.get("display_name"),
        persona: Persona::parse(row.get("persona")).ok_or_else(|| corrupt("persona"))?,
        department: parse_department(row.get("department"))?,
    }))
}

/// The stored name of a department.
pub fn department_str(department: Department) -> &'static str {
    match department {
        Department::MarketRegulation => "market_regulation",
        Department::ServiceCentre => "service_centre",
    }
}

pub fn parse_department(text: Option<&str>) -> sqlx::Result<Option<Department>> {
    match text {
        None => Ok(None),
        Some("market_regulation") => Ok(Some(Department::MarketRegulation)),
        Some("service_centre") => Ok(Some(Department::ServiceCentre)),
        Some(_) => Err(corrupt("department")),
    }
}

/// The enterprises the user belongs to, and their role in each.
pub async fn memberships(db: &Db, user_id: &str) -> sqlx::Result<Vec<(String, EnterpriseRole)>> {
    let rows = sqlx::query(
        "SELECT enterprise_id, role FROM enterprise_members WHERE user_id = $1 ORDER BY enterprise_id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok((r.get("enterprise_id"), parse_role(r.get("role"))?)))
        .collect()
}

/// The user's relatives in the household register.
pub async fn relatives(db: &Db, user_id: &str) -> sqlx::Result<Vec<Relative>> {
    let rows = sqlx::query(
        "SELECT r.relative_user_id, u.display_name, r.relation
         FROM relatives r JOIN users u ON u.id = r.relative_user_id
         WHERE r.user_id = $1 ORDER BY u.display_name, r.relative_user_id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Relative {
            user_id: r.get("relative_user_id"),
            name: r.get("display_name"),
            relation: r.get("relation"),
        })
        .collect())
}

/// Whether the household register lists `relative_user_id` as a relative of `user_id`.
pub async fn is_relative(db: &Db, user_id: &str, relative_user_id: &str) -> sqlx::Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM relatives WHERE user_id = $1 AND relative_user_id = $2")
            .bind(user_id)
            .bind(relative_user_id)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// The user's role in the enterprise, if they belong to it.
pub async fn role_in(
    db: &Db,
    user_id: &str,
    enterprise_id: &str,
) -> sqlx::Result<Option<EnterpriseRole>> {
    let role: Option<String> = sqlx::query_scalar(
        "SELECT role FROM enterprise_members WHERE user_id = $1 AND enterprise_id = $2",
    )
    .bind(user_id)
    .bind(enterprise_id)
    .fetch_optional(db)
    .await?;
    role.as_deref().map(parse_role).transpose()
}

fn parse_role(text: &str) -> sqlx::Result<EnterpriseRole> {
    match text {
        "legal_representative" => Ok(EnterpriseRole::LegalRepresentative),
        "staff" => Ok(EnterpriseRole::Staff),
        _ => Err(corrupt("role")),
    }
}

/// The legal representative the enterprise register names, if any.
pub async fn legal_representative_of(db: &Db, enterprise_id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT user_id FROM enterprise_members WHERE enterprise_id = $1 AND role = 'legal_representative'",
    )
    .bind(enterprise_id)
    .fetch_optional(db)
    .await
}

/// A person as the other side of a delegation sees them: the name, and the ID number with
/// only its ends showing (enough to tell two people of one name apart, not to copy it).
pub fn party(name: String, id_number: Option<String>) -> Party {
    let id_masked = match id_number {
        Some(n) if n.chars().count() >= 15 => mask(&n, 4, 4),
        Some(n) => mask(&n, 1, 3),
        None => String::new(),
    };
    Party { name, id_masked }
}

fn corrupt(column: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected value in users.{column}").into())
}

/// The enterprise's register entry: its name and unified social credit code.
pub async fn enterprise(db: &Db, enterprise_id: &str) -> sqlx::Result<Option<Enterprise>> {
    let row = sqlx::query("SELECT id, name, uscc FROM enterprises WHERE id = $1")
        .bind(enterprise_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| Enterprise {
        id: r.get("id"),
        name: r.get("name"),
        uscc: r.get("uscc"),
    }))
}

pub async fn is_legal_representative(
    db: &Db,
    user_id: &str,
    enterprise_id: &str,
) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM enterprise_members WHERE user_id = $1 AND enterprise_id = $2 AND role = 'legal_representative'",
    )
    .bind(user_id)
    .bind(enterprise_id)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}
