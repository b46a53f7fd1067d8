use kapok_api::{
    Department, Enterprise, EnterpriseMembership, EnterpriseRole, LocaleTag, Me, Persona, User,
};
use sqlx::Row;

use crate::db::Db;

pub struct Credentials {
    pub user_id: String,
    pub password_hash: String,
}

pub async fn credentials(db: &Db, username: &str) -> sqlx::Result<Option<Credentials>> {
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE username = ?")
        .bind(username)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| Credentials {
        user_id: r.get("id"),
        password_hash: r.get("password_hash"),
    }))
}

pub async fn count(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(db)
        .await
}

pub async fn me(db: &Db, user_id: &str) -> sqlx::Result<Option<Me>> {
    let Some(row) = sqlx::query(
        "SELECT id, username, display_name, persona, preferred_locale, prefers_elderly_mode, department
         FROM users WHERE id = ?",
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
        department: match row.get::<Option<&str>, _>("department") {
            None => None,
            Some("market_regulation") => Some(Department::MarketRegulation),
            Some(_) => return Err(corrupt("department")),
        },
    };
    let enterprises = sqlx::query(
        "SELECT e.id, e.name, e.uscc, m.role
         FROM enterprise_members m JOIN enterprises e ON e.id = m.enterprise_id
         WHERE m.user_id = ? ORDER BY e.name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?
    .into_iter()
    .map(|r| {
        let role = match r.get::<&str, _>("role") {
            "legal_representative" => EnterpriseRole::LegalRepresentative,
            "staff" => EnterpriseRole::Staff,
            _ => return Err(corrupt("role")),
        };
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
    Ok(Some(Me { user, enterprises }))
}

fn corrupt(column: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unexpected value in users.{column}").into())
}

pub async fn is_legal_representative(
    db: &Db,
    user_id: &str,
    enterprise_id: &str,
) -> sqlx::Result<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM enterprise_members WHERE user_id = ? AND enterprise_id = ? AND role = 'legal_representative'",
    )
    .bind(user_id)
    .bind(enterprise_id)
    .fetch_optional(db)
    .await?;
    Ok(found.is_some())
}
