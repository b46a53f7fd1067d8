//! Enterprise policies: a library of support measures anyone signed in may search (policies are
//! public information), the tags a company follows, and officials publishing new policies,
//! which reach the inbox of every member of every company following one of their tags.

use axum::{Json, extract::State, http::StatusCode};
use kapok_api::{
    Localized, NewPolicy, POLICY_ISSUER_MAX, POLICY_SUMMARY_MAX, POLICY_TITLE_MAX, Policy,
    PolicyTag, Problem, Subscriptions, TagGroup,
};
use serde::Deserialize;

use crate::{
    AppState, authorize, clock,
    error::ApiError,
    session::CurrentUser,
    store,
    text::{self, search_terms},
    web::{ApiJson, ApiQuery},
};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PolicyQuery {
    /// Words to look for (every word must match); empty for all
    q: Option<String>,
    /// Only policies carrying this tag; empty for all
    #[param(schema_with = tag_or_empty)]
    tag: Option<String>,
}

/// A `PolicyTag`, or the empty string a form's "all" choice sends. (Documented as the plain
/// enum, the empty choice was a schema-violating value the server accepted.)
fn tag_or_empty() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Ref, Type};
    OneOfBuilder::new()
        .item(Ref::from_schema_name("PolicyTag"))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([""])),
        )
        .into()
}

/// The policy library, newest first. `q` matches the titles and summaries in every locale at
/// once (every word must appear in one of them; English ignores case), so a search in
/// simplified or traditional Chinese or in English finds the same policy whatever language
/// the page is in. `tag` keeps the policies carrying that tag.
#[utoipa::path(get, path = "/policies", tag = "policies", operation_id = "policies",
    params(PolicyQuery),
    responses(
        (status = 200, description = "The matching policies, newest first (at most 100)", body = Vec<Policy>),
        (status = 400, description = "Malformed query, or a tag that is not a PolicyTag (malformed_body)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn search(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(query): ApiQuery<PolicyQuery>,
) -> Result<Json<Vec<Policy>>, ApiError> {
    // An empty `tag=` is what a form's "all" choice sends: no filter, not an error.
    // Exactly a tag's name, as documented: no trimming, so " city" is refused like any other
    // value that is not a tag.
    let tag = match query.tag.as_deref() {
        None | Some("") => None,
        Some(name) => Some(
            PolicyTag::parse(name)
                .ok_or_else(|| ApiError::MalformedBody("tag: not a policy tag".into()))?,
        ),
    };
    let terms = search_terms(query.q.as_deref().unwrap_or_default());
    Ok(Json(store::policies::search(&state.db, &terms, tag).await?))
}

/// Publish a policy. Only officials publish. In the same step every member (legal
/// representative and staff) of every company following one of its tags is told, once.
#[utoipa::path(post, path = "/policies", tag = "policies", operation_id = "publish_policy",
    request_body = NewPolicy,
    responses(
        (status = 201, description = "Published today (China Standard Time), with its tags sorted and each once", body = Policy),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only officials publish (forbidden)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_policy: the detail lists `field: problem` pairs separated by `; `; fields are `title.zh_cn`, `title.zh_hk`, `title.en`, `summary.…` alike, `issuer` and `tags`; problems are `required`, `too_long`, `hidden_characters` (control or text-direction characters; line breaks are allowed in summaries only) and, for tags, `no_level_tag` (at least one of national, provincial, city)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(new): ApiJson<NewPolicy>,
) -> Result<(StatusCode, Json<Policy>), ApiError> {
    authorize::official(&state.db, &user).await?;
    let now = store::now();
    let policy = checked_policy(
        new,
        format!("pol-{}", uuid::Uuid::new_v4()),
        clock::today(now),
    )?;
    store::policies::publish(&state.db, &policy, &user.user_id, now).await?;
    Ok((StatusCode::CREATED, Json(policy)))
}

/// The tags the caller's company follows. They are the company's, kept by its legal
/// representative or by staff holding a grant with the `policies` scope (the use is audited).
#[utoipa::path(get, path = "/subscriptions", tag = "policies", operation_id = "subscriptions",
    responses(
        (status = 200, description = "The company's tags, in the contract's order", body = Subscriptions),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller works for no company (forbidden), or is staff without authority for policies (scope_not_granted, grant_revoked, grant_expired)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn subscriptions(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Subscriptions>, ApiError> {
    let (enterprise, authority) = authorize::company_policies(&state.db, &user).await?;
    authority.record_use(&state.db, "subscriptions").await?;
    let tags = store::policies::subscriptions(&state.db, &enterprise).await?;
    Ok(Json(Subscriptions { tags }))
}

/// Replace the tags the caller's company follows (an empty list follows nothing).
#[utoipa::path(put, path = "/subscriptions", tag = "policies", operation_id = "set_subscriptions",
    request_body = Subscriptions,
    responses(
        (status = 200, description = "The company's tags now, in the contract's order, each once", body = Subscriptions),
        (status = 400, description = "Malformed body, or a tag that is not a PolicyTag", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No live session", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "As for reading them", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_subscriptions(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(wanted): ApiJson<Subscriptions>,
) -> Result<Json<Subscriptions>, ApiError> {
    let (enterprise, authority) = authorize::company_policies(&state.db, &user).await?;
    authority.record_use(&state.db, "subscriptions:set").await?;
    store::policies::set_subscriptions(&state.db, &enterprise, &wanted.tags).await?;
    let tags = store::policies::subscriptions(&state.db, &enterprise).await?;
    Ok(Json(Subscriptions { tags }))
}

/// The policy to publish, if it keeps the rules: every title and summary and the issuer
/// present (after trimming) and within its length, no text that could disguise itself (a
/// summary may have line breaks; a title or issuer is one line), and at least one level tag
/// so a reader knows whose policy it is. Tags come out sorted, each once.
pub(crate) fn checked_policy(
    new: NewPolicy,
    id: String,
    published_on: String,
) -> Result<Policy, ApiError> {
    let mut problems = Vec::new();
    let mut check = |field: &str, text: &str, max: usize, multiline: bool| {
        let text = text::trim(text);
        let hidden = |c: char| !(multiline && c == '\n') && text::disguises(c);
        let problem = if text.is_empty() {
            Some("required")
        } else if text.chars().count() > max {
            Some("too_long")
        } else if text.chars().any(hidden) {
            Some("hidden_characters")
        } else {
            None
        };
        if let Some(problem) = problem {
            problems.push(format!("{field}: {problem}"));
        }
        text.to_owned()
    };
    let mut localized = |field: &str, texts: &Localized, max: usize, multiline: bool| Localized {
        zh_cn: check(&format!("{field}.zh_cn"), &texts.zh_cn, max, multiline),
        zh_hk: check(&format!("{field}.zh_hk"), &texts.zh_hk, max, multiline),
        en: check(&format!("{field}.en"), &texts.en, max, multiline),
    };
    let title = localized("title", &new.title, POLICY_TITLE_MAX, false);
    let summary = localized("summary", &new.summary, POLICY_SUMMARY_MAX, true);
    let issuer = check("issuer", &new.issuer, POLICY_ISSUER_MAX, false);
    let mut tags = new.tags;
    tags.sort();
    tags.dedup();
    if !tags.iter().any(|t| t.group() == TagGroup::Level) {
        problems.push("tags: no_level_tag".into());
    }
    if !problems.is_empty() {
        return Err(ApiError::InvalidPolicy(problems.join("; ")));
    }
    Ok(Policy {
        id,
        title,
        summary,
        issuer,
        published_on,
        tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn everywhere(text: &str) -> Localized {
        Localized {
            zh_cn: text.into(),
            zh_hk: text.into(),
            en: text.into(),
        }
    }

    fn new_policy() -> NewPolicy {
        NewPolicy {
            title: Localized {
                zh_cn: " 广州市稳岗补贴 ".into(),
                zh_hk: "廣州市穩崗補貼".into(),
                en: "Guangzhou job-retention subsidy".into(),
            },
            summary: Localized {
                zh_cn: "第一段。\n第二段。".into(),
                zh_hk: "第一段。".into(),
                en: "First paragraph.".into(),
            },
            issuer: "广州市人力资源和社会保障局".into(),
            tags: vec![PolicyTag::FirstHire, PolicyTag::City, PolicyTag::FirstHire],
        }
    }

    fn problems(new: NewPolicy) -> String {
        match checked_policy(new, "pol-x".into(), "2026-11-21".into()) {
            Err(ApiError::InvalidPolicy(detail)) => detail,
            other => panic!("expected invalid_policy, got {other:?}"),
        }
    }

    #[test]
    fn a_good_policy_is_trimmed_and_its_tags_sorted_once_each() {
        let policy = checked_policy(new_policy(), "pol-x".into(), "2026-11-21".into()).unwrap();
        assert_eq!(policy.title.zh_cn, "广州市稳岗补贴");
        assert_eq!(
            policy.summary.zh_cn, "第一段。\n第二段。",
            "summaries keep paragraphs"
        );
        assert_eq!(policy.tags, [PolicyTag::City, PolicyTag::FirstHire]);
        assert_eq!(policy.published_on, "2026-11-21");
    }

    #[test]
    fn every_broken_rule_is_named_with_its_field() {
        let mut new = new_policy();
        new.title.en = "   ".into();
        new.title.zh_hk = "稳岗\u{202E}补贴".into();
        new.title.zh_cn = "第一行\n第二行".into();
        new.summary = everywhere(&"长".repeat(POLICY_SUMMARY_MAX + 1));
        new.issuer = String::new();
        new.tags = vec![PolicyTag::Catering];
        assert_eq!(
            problems(new),
            "title.zh_cn: hidden_characters; title.zh_hk: hidden_characters; title.en: required; \
             summary.zh_cn: too_long; summary.zh_hk: too_long; summary.en: too_long; \
             issuer: required; tags: no_level_tag"
        );
    }

    #[test]
    fn the_longest_texts_allowed_pass() {
        let mut new = new_policy();
        new.title = everywhere(&"长".repeat(POLICY_TITLE_MAX));
        new.summary = everywhere(&"长".repeat(POLICY_SUMMARY_MAX));
        new.issuer = "局".repeat(POLICY_ISSUER_MAX);
        assert!(checked_policy(new, "pol-x".into(), "2026-11-21".into()).is_ok());
    }
}
