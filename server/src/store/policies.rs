//! The policy library and the tags each company follows. Publishing a policy and telling the
//! members of every company that follows one of its tags is one transaction, so nobody hears
//! of a policy that is not in the library, and nobody in a following company misses it.

use std::collections::BTreeSet;

use kapok_api::{Localized, NotificationKind, Policy, PolicyTag};
use sqlx::{Any, Row, Transaction, any::AnyRow};

use crate::{
    db::Db,
    store::{self, notifications},
};

/// At most this many policies per answer, newest first.
const PAGE: i64 = 100;

/// Policies whose texts hold every one of `terms` (each in any of the six texts; the terms
/// are lower-cased by the caller, as `search_text` is) and that carry `tag`, newest first.
pub async fn search(
    db: &Db,
    terms: &[String],
    tag: Option<PolicyTag>,
) -> sqlx::Result<Vec<Policy>> {
    // Each term must appear in the texts; the tag, if any, is the last parameter.
    let matches: String = (0..terms.len())
        .map(|i| format!(" AND p.search_text LIKE ${} ESCAPE '\\'", i + 1))
        .collect();
    let tag_param = terms.len() + 1;
    let sql = format!(
        "SELECT p.id, p.title_zh_cn, p.title_zh_hk, p.title_en,
                p.summary_zh_cn, p.summary_zh_hk, p.summary_en, p.issuer, p.published_on,
                (SELECT string_agg(t.tag, ' ') FROM policy_tags t WHERE t.policy_id = p.id)
                    AS tags
         FROM policies p
         WHERE TRUE{matches}
           AND (${tag_param} IS NULL OR EXISTS (
                SELECT 1 FROM policy_tags t WHERE t.policy_id = p.id AND t.tag = ${tag_param}))
         ORDER BY p.published_on DESC, p.created_at DESC, p.rowid DESC LIMIT {PAGE}"
    );
    let mut query = sqlx::query(&sql);
    for term in terms {
        query = query.bind(store::contains_pattern(term));
    }
    let rows = query.bind(tag.map(PolicyTag::as_str)).fetch_all(db).await?;
    rows.iter().map(from_row).collect()
}

/// Adds `policy` to the library and tells every member (legal representative and staff) of
/// every company following any of its tags, once each.
pub async fn publish(
    db: &Db,
    policy: &Policy,
    published_by_user_id: &str,
    now: i64,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    insert(&mut tx, policy, Some(published_by_user_id), now).await?;
    let tags: Vec<&str> = policy.tags.iter().map(|t| t.as_str()).collect();
    let sql = format!(
        "SELECT DISTINCT m.user_id
         FROM policy_subscriptions s
         JOIN enterprise_members m ON m.enterprise_id = s.enterprise_id
         WHERE s.tag IN ({})
         ORDER BY m.user_id",
        store::placeholders(1, tags.len())
    );
    let mut query = sqlx::query_scalar(&sql);
    for tag in tags {
        query = query.bind(tag);
    }
    let members: Vec<String> = query.fetch_all(&mut *tx).await?;
    let kind = NotificationKind::Policy {
        policy_id: policy.id.clone(),
        title: policy.title.clone(),
    };
    // Someone in two following companies is told once: the key is the policy's.
    let dedupe_key = format!("policy:{}", policy.id);
    for user_id in members {
        notifications::add(&mut *tx, &user_id, &kind, Some(&dedupe_key), now).await?;
    }
    tx.commit().await
}

/// Writes a policy and its tags (for publishing, and for the demo's library).
pub async fn insert(
    tx: &mut Transaction<'_, Any>,
    policy: &Policy,
    published_by_user_id: Option<&str>,
    now: i64,
) -> sqlx::Result<()> {
    let (title, summary) = (&policy.title, &policy.summary);
    let search_text = [
        &title.zh_cn,
        &title.zh_hk,
        &title.en,
        &summary.zh_cn,
        &summary.zh_hk,
        &summary.en,
    ]
    .map(|text| text.to_lowercase())
    .join("\n");
    sqlx::query(
        "INSERT INTO policies (id, title_zh_cn, title_zh_hk, title_en, summary_zh_cn,
             summary_zh_hk, summary_en, issuer, published_on, published_by_user_id, search_text,
             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&policy.id)
    .bind(&title.zh_cn)
    .bind(&title.zh_hk)
    .bind(&title.en)
    .bind(&summary.zh_cn)
    .bind(&summary.zh_hk)
    .bind(&summary.en)
    .bind(&policy.issuer)
    .bind(&policy.published_on)
    .bind(published_by_user_id)
    .bind(search_text)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for tag in policy.tags.iter().collect::<BTreeSet<_>>() {
        sqlx::query("INSERT INTO policy_tags (policy_id, tag) VALUES ($1, $2)")
            .bind(&policy.id)
            .bind(tag.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The tags `enterprise_id` follows, in the contract's order.
pub async fn subscriptions(db: &Db, enterprise_id: &str) -> sqlx::Result<Vec<PolicyTag>> {
    let tags: Vec<String> =
        sqlx::query_scalar("SELECT tag FROM policy_subscriptions WHERE enterprise_id = $1")
            .bind(enterprise_id)
            .fetch_all(db)
            .await?;
    let mut tags = tags
        .iter()
        .map(|t| parse_tag(t))
        .collect::<sqlx::Result<Vec<_>>>()?;
    tags.sort();
    Ok(tags)
}

/// Replaces the tags `enterprise_id` follows with `tags` (duplicates count once).
pub async fn set_subscriptions(
    db: &Db,
    enterprise_id: &str,
    tags: &[PolicyTag],
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM policy_subscriptions WHERE enterprise_id = $1")
        .bind(enterprise_id)
        .execute(&mut *tx)
        .await?;
    for tag in tags.iter().collect::<BTreeSet<_>>() {
        sqlx::query("INSERT INTO policy_subscriptions (enterprise_id, tag) VALUES ($1, $2)")
            .bind(enterprise_id)
            .bind(tag.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

fn from_row(row: &AnyRow) -> sqlx::Result<Policy> {
    let tags: Option<String> = row.get("tags");
    let mut tags = tags
        .as_deref()
        .unwrap_or_default()
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(parse_tag)
        .collect::<sqlx::Result<Vec<_>>>()?;
    tags.sort();
    Ok(Policy {
        id: row.get("id"),
        title: Localized {
            zh_cn: row.get("title_zh_cn"),
            zh_hk: row.get("title_zh_hk"),
            en: row.get("title_en"),
        },
        summary: Localized {
            zh_cn: row.get("summary_zh_cn"),
            zh_hk: row.get("summary_zh_hk"),
            en: row.get("summary_en"),
        },
        issuer: row.get("issuer"),
        published_on: row.get("published_on"),
        tags,
    })
}

fn parse_tag(text: &str) -> sqlx::Result<PolicyTag> {
    PolicyTag::parse(text)
        .ok_or_else(|| sqlx::Error::Decode("policies: unexpected value in tag".into()))
}
