//! Demo accounts and data, seeded into an empty database when `KAPOK_DEMO=1`.
//! Every account's password is [`DEMO_PASSWORD`].

use kapok_api::uscc;

use crate::{db::Db, session::hash_password, store};

pub const DEMO_PASSWORD: &str = "kapok-demo";

struct DemoUser {
    username: &'static str,
    display_name: &'static str,
    persona: &'static str,
    locale: &'static str,
    prefers_elderly_mode: bool,
    department: Option<&'static str>,
}

const USERS: &[DemoUser] = &[
    // A Guangzhou resident in her thirties.
    DemoUser {
        username: "resident",
        display_name: "陈嘉欣",
        persona: "resident",
        locale: "zh-CN",
        prefers_elderly_mode: false,
        department: None,
    },
    // A retired resident aged 78 (born 1948), who reads best in elderly mode.
    DemoUser {
        username: "elder",
        display_name: "李桂英",
        persona: "resident",
        locale: "zh-CN",
        prefers_elderly_mode: true,
        department: None,
    },
    // A Hong Kong resident working in Guangzhou; reads Traditional Chinese.
    DemoUser {
        username: "hk-resident",
        display_name: "陳志偉",
        persona: "resident",
        locale: "zh-HK",
        prefers_elderly_mode: false,
        department: None,
    },
    // Staff (经办人) of the demo company.
    DemoUser {
        username: "staff",
        display_name: "周晓彤",
        persona: "enterprise",
        locale: "zh-CN",
        prefers_elderly_mode: false,
        department: None,
    },
    // The demo company's legal representative (法定代表人).
    DemoUser {
        username: "legal-rep",
        display_name: "梁国栋",
        persona: "enterprise",
        locale: "zh-CN",
        prefers_elderly_mode: false,
        department: None,
    },
    // An officer of the Tianhe district market-regulation bureau.
    DemoUser {
        username: "official",
        display_name: "王丽华",
        persona: "official",
        locale: "zh-CN",
        prefers_elderly_mode: false,
        department: Some("market_regulation"),
    },
];

/// The demo company's register entry.
pub const COMPANY_NAME: &str = "广州木棉数字科技有限公司";
/// Registration authority 9 (market regulation), kind 1 (enterprise), Tianhe district
/// (440106), organisation code MA5D8XKP3; the check character is computed.
const COMPANY_USCC_BODY: &str = "91440106MA5D8XKP3";

/// Seeds the demo data if the database has no users yet; returns whether it did.
pub async fn seed_if_empty(db: &Db) -> Result<bool, sqlx::Error> {
    if store::users::count(db).await? > 0 {
        return Ok(false);
    }
    let password_hash = tokio::task::spawn_blocking(|| hash_password(DEMO_PASSWORD))
        .await
        .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let now = store::now();
    let mut tx = db.begin().await?;
    for u in USERS {
        sqlx::query(
            "INSERT INTO users (id, username, password_hash, display_name, persona, preferred_locale,
                                prefers_elderly_mode, department, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(u.username) // demo ids are the usernames: readable in the audit log
        .bind(u.username)
        .bind(&password_hash)
        .bind(u.display_name)
        .bind(u.persona)
        .bind(u.locale)
        .bind(u.prefers_elderly_mode)
        .bind(u.department)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let check =
        uscc::check_character(COMPANY_USCC_BODY).expect("the demo code body is well-formed");
    let company_uscc = format!("{COMPANY_USCC_BODY}{check}");
    sqlx::query("INSERT INTO enterprises (id, name, uscc) VALUES ('kapok-digital', ?, ?)")
        .bind(COMPANY_NAME)
        .bind(&company_uscc)
        .execute(&mut *tx)
        .await?;
    for (user, role) in [("legal-rep", "legal_representative"), ("staff", "staff")] {
        sqlx::query("INSERT INTO enterprise_members (enterprise_id, user_id, role) VALUES ('kapok-digital', ?, ?)")
            .bind(user)
            .bind(role)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The demo accounts, for the start-up banner: (username, display name, persona).
pub fn accounts() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    USERS
        .iter()
        .map(|u| (u.username, u.display_name, u.persona))
}
