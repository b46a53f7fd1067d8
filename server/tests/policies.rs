//! Enterprise policies as companies, officials and attackers use them: searching the library in
//! either Chinese script or in English, filtering by tag, a company's subscriptions kept by its
//! legal representative or by staff with the policies scope, and an official's new policy
//! reaching every member of every company that follows one of its tags, once.

mod common;

use common::TestServer;
use kapok_api::{
    AuditAction, ErrorCode, Localized, NewPolicy, NotificationKind, Policy, PolicyTag, Scope,
    Subscriptions,
    client::{Client, ClientError},
};

/// The demo library: each policy's id, and a word only it has, in zh-CN, zh-HK and en (the
/// zh-HK word is written in traditional characters, so it is not in the zh-CN text).
const LIBRARY: [(&str, &str, &str, &str); 8] = [
    ("pol-gz-startup-loan", "担保", "擔保", "guaranteed"),
    ("pol-gz-first-hire-subsidy", "吸纳", "吸納", "jobseeker"),
    ("pol-gz-hitech-reward", "高新技术", "高新技術", "high-tech"),
    ("pol-gz-catering-relief", "纾困", "紓困", "restaurants"),
    (
        "pol-gd-export-credit-insurance",
        "信用保险",
        "信用保險",
        "buyers",
    ),
    (
        "pol-gd-manufacturing-digital",
        "数字化",
        "數碼化",
        "digital",
    ),
    (
        "pol-national-small-business-tax",
        "微利企业",
        "微利企業",
        "low-profit",
    ),
    ("pol-gz-retail-upgrade", "升规", "升規", "retailer"),
];

/// The code and HTTP status of a failed call.
fn problem<T: std::fmt::Debug>(result: Result<T, ClientError>) -> (ErrorCode, u16) {
    match result.expect_err("the call should fail") {
        ClientError::Problem(p) => (p.code, p.status),
        other => panic!("expected a problem document, got {other}"),
    }
}

fn ids(policies: &[Policy]) -> Vec<&str> {
    policies.iter().map(|p| p.id.as_str()).collect()
}

fn subscriptions(tags: &[PolicyTag]) -> Subscriptions {
    Subscriptions {
        tags: tags.to_vec(),
    }
}

/// Today in Guangdong, `YYYY-MM-DD`.
fn today() -> String {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
        .format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap()
}

/// A new city measure for caterers, as the commerce bureau would word it.
fn catering_measure() -> NewPolicy {
    NewPolicy {
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
        tags: vec![PolicyTag::Catering, PolicyTag::City, PolicyTag::Catering],
    }
}

/// Staff holding an approved company grant for `scopes`, and the grant's id.
async fn staff_with_grant(server: &TestServer, scopes: &[Scope]) -> (Client, String) {
    server.staff_with_grant(scopes, "关注企业扶持政策").await
}

/// A second company in the register, with a legal representative of its own (`other-rep`,
/// with the demo password), following nothing.
async fn add_other_company(server: &TestServer) {
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, display_name, persona, preferred_locale,
                            prefers_elderly_mode, created_at)
         SELECT 'other-rep', 'other-rep', password_hash, '林少华', 'enterprise', 'zh-CN', 0,
                created_at
         FROM users WHERE id = 'legal-rep'",
    )
    .execute(&server.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO enterprises (id, name, uscc)
         VALUES ('other-co', '广州荔湾茶点有限公司', '91440103MA5TEST00X')",
    )
    .execute(&server.db)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO enterprise_members (enterprise_id, user_id, role)
         VALUES ('other-co', 'other-rep', 'legal_representative')",
    )
    .execute(&server.db)
    .await
    .unwrap();
}

/// The policy notices in someone's inbox: (policy id, its English title).
async fn policy_notices(client: &Client) -> Vec<(String, String)> {
    client
        .notifications()
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|n| match n.kind {
            NotificationKind::Policy { policy_id, title } => Some((policy_id, title.en)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_search_in_simplified_traditional_or_english_finds_the_same_policy() {
    let server = TestServer::start().await;
    let staff = server.signed_in("clerk").await;
    let all = staff.policies("", None).await.unwrap();
    assert_eq!(all.len(), LIBRARY.len());
    let dates: Vec<&str> = all.iter().map(|p| p.published_on.as_str()).collect();
    let mut newest_first = dates.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, newest_first, "newest first");

    for (id, zh_cn, zh_hk, en) in LIBRARY {
        let policy = all.iter().find(|p| p.id == id).expect("seeded");
        assert!(
            !policy.title.zh_cn.contains(zh_hk) && !policy.summary.zh_cn.contains(zh_hk),
            "{zh_hk} is the traditional text's own"
        );
        for word in [
            zh_cn.to_owned(),
            zh_hk.to_owned(),
            en.to_owned(),
            en.to_uppercase(),
            format!("  {en}  "),
        ] {
            let found = staff.policies(&word, None).await.unwrap();
            assert_eq!(ids(&found), [id], "{word:?} finds {id} and nothing else");
        }
    }
    // Every word must match, in any of the languages.
    assert_eq!(
        ids(&staff.policies("担保 subsidy", None).await.unwrap()),
        ["pol-gz-startup-loan"]
    );
    assert!(
        staff
            .policies("担保 digital", None)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(staff.policies("量子计算机", None).await.unwrap().is_empty());
    assert!(staff.policies("quantum", None).await.unwrap().is_empty());
}

#[tokio::test]
async fn everyone_signed_in_may_read_the_library_and_nobody_else() {
    let server = TestServer::start().await;
    for username in ["legal-rep", "staff", "resident", "hk-resident", "official"] {
        let found = server
            .signed_in(username)
            .await
            .policies("纾困", None)
            .await
            .unwrap();
        assert_eq!(ids(&found), ["pol-gz-catering-relief"], "{username}");
    }
    assert_eq!(
        problem(server.client().policies("", None).await),
        (ErrorCode::Unauthenticated, 401)
    );
}

#[tokio::test]
async fn the_tag_filter_keeps_the_policies_carrying_it_and_an_unknown_tag_is_a_problem() {
    let server = TestServer::start().await;
    let legal_rep = server.signed_in("legal-rep").await;
    let city = legal_rep.policies("", Some(PolicyTag::City)).await.unwrap();
    assert_eq!(city.len(), 5);
    assert!(city.iter().all(|p| p.tags.contains(&PolicyTag::City)));
    assert_eq!(
        ids(&legal_rep
            .policies("", Some(PolicyTag::Export))
            .await
            .unwrap()),
        ["pol-gd-export-credit-insurance"]
    );
    let growing = legal_rep
        .policies("", Some(PolicyTag::Expansion))
        .await
        .unwrap();
    assert_eq!(
        ids(&growing),
        [
            "pol-gz-retail-upgrade",
            "pol-gz-hitech-reward",
            "pol-gd-manufacturing-digital"
        ],
        "newest first"
    );
    // A word and a tag together.
    assert_eq!(
        ids(&legal_rep
            .policies("奖励", Some(PolicyTag::Technology))
            .await
            .unwrap()),
        ["pol-gz-hitech-reward"]
    );
    assert!(
        legal_rep
            .policies("纾困", Some(PolicyTag::Export))
            .await
            .unwrap()
            .is_empty()
    );
    // Every tag is on some policy of the demo library, so every choice shows something.
    for tag in PolicyTag::ALL {
        assert!(
            !legal_rep.policies("", Some(tag)).await.unwrap().is_empty(),
            "{tag:?}"
        );
    }

    let cookie = legal_rep.session_cookie().unwrap();
    for query in ["tag=space_travel", "tag=City", "tag=city&tag=export"] {
        let response = server
            .raw()
            .get(server.url(&format!("/api/v1/policies?{query}")))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: kapok_api::Problem = response.json().await.unwrap();
        assert_eq!(problem.code, ErrorCode::MalformedBody, "{query}");
    }
    // An empty choice is "all", as a form sends it.
    let response = server
        .raw()
        .get(server.url("/api/v1/policies?q=&tag="))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let all: Vec<Policy> = response.json().await.unwrap();
    assert_eq!(all.len(), LIBRARY.len());
}

#[tokio::test]
async fn the_legal_representative_keeps_the_company_s_subscriptions() {
    let server = TestServer::start().await;
    let legal_rep = server.signed_in("legal-rep").await;
    assert!(
        legal_rep.subscriptions().await.unwrap().tags.is_empty(),
        "the demo company follows nothing at first"
    );
    let set = legal_rep
        .set_subscriptions(&subscriptions(&[
            PolicyTag::Export,
            PolicyTag::City,
            PolicyTag::Export,
            PolicyTag::Catering,
        ]))
        .await
        .unwrap();
    assert_eq!(
        set.tags,
        [PolicyTag::City, PolicyTag::Catering, PolicyTag::Export],
        "sorted, each once"
    );
    assert_eq!(legal_rep.subscriptions().await.unwrap(), set);
    // A new list replaces the old one; an empty one follows nothing.
    let set = legal_rep
        .set_subscriptions(&subscriptions(&[PolicyTag::FirstHire]))
        .await
        .unwrap();
    assert_eq!(set.tags, [PolicyTag::FirstHire]);
    assert!(
        legal_rep
            .set_subscriptions(&subscriptions(&[]))
            .await
            .unwrap()
            .tags
            .is_empty()
    );
    assert!(legal_rep.subscriptions().await.unwrap().tags.is_empty());
}

#[tokio::test]
async fn staff_with_the_policies_scope_keep_the_company_s_list_and_the_use_is_audited() {
    let server = TestServer::start().await;
    let legal_rep = server.signed_in("legal-rep").await;
    legal_rep
        .set_subscriptions(&subscriptions(&[PolicyTag::Technology]))
        .await
        .unwrap();
    let (staff, grant) = staff_with_grant(&server, &[Scope::Policies]).await;
    assert_eq!(
        staff.subscriptions().await.unwrap().tags,
        [PolicyTag::Technology],
        "the company's list, not a list of her own"
    );
    staff
        .set_subscriptions(&subscriptions(&[
            PolicyTag::Technology,
            PolicyTag::Expansion,
        ]))
        .await
        .unwrap();
    assert_eq!(
        legal_rep.subscriptions().await.unwrap().tags,
        [PolicyTag::Technology, PolicyTag::Expansion]
    );
    let trail = legal_rep.audit(Some(&grant)).await.unwrap();
    let uses: Vec<&str> = trail
        .iter()
        .filter(|e| e.action == AuditAction::GrantUsed)
        .map(|e| e.detail.as_str())
        .collect();
    assert!(uses.contains(&"subscriptions"), "{uses:?}");
    assert!(uses.contains(&"subscriptions:set"), "{uses:?}");

    // Revoked: the next request is refused.
    legal_rep.revoke_grant(&grant).await.unwrap();
    assert_eq!(
        problem(staff.subscriptions().await),
        (ErrorCode::GrantRevoked, 403)
    );
    assert_eq!(
        problem(staff.set_subscriptions(&subscriptions(&[])).await),
        (ErrorCode::GrantRevoked, 403)
    );
    assert_eq!(
        legal_rep.subscriptions().await.unwrap().tags,
        [PolicyTag::Technology, PolicyTag::Expansion]
    );
}

#[tokio::test]
async fn staff_without_the_policies_scope_residents_and_officials_keep_no_subscriptions() {
    let server = TestServer::start().await;
    // A grant for other things does not reach policies.
    let (staff, _) = staff_with_grant(&server, &[Scope::Applications]).await;
    let clerk = server.signed_in("clerk").await;
    for member in [&staff, &clerk] {
        assert_eq!(
            problem(member.subscriptions().await),
            (ErrorCode::ScopeNotGranted, 403)
        );
        assert_eq!(
            problem(
                member
                    .set_subscriptions(&subscriptions(&[PolicyTag::City]))
                    .await
            ),
            (ErrorCode::ScopeNotGranted, 403)
        );
    }
    for username in ["resident", "hk-resident", "official"] {
        let outsider = server.signed_in(username).await;
        assert_eq!(
            problem(outsider.subscriptions().await),
            (ErrorCode::Forbidden, 403),
            "{username}"
        );
        assert_eq!(
            problem(
                outsider
                    .set_subscriptions(&subscriptions(&[PolicyTag::City]))
                    .await
            ),
            (ErrorCode::Forbidden, 403),
            "{username}"
        );
    }
    assert_eq!(
        problem(server.client().subscriptions().await),
        (ErrorCode::Unauthenticated, 401)
    );
    let legal_rep = server.signed_in("legal-rep").await;
    assert!(legal_rep.subscriptions().await.unwrap().tags.is_empty());
}

#[tokio::test]
async fn a_published_policy_reaches_every_member_of_a_following_company_once() {
    let server = TestServer::start().await;
    add_other_company(&server).await;
    let legal_rep = server.signed_in("legal-rep").await;
    // Both of the new policy's tags are followed: still one notice each.
    legal_rep
        .set_subscriptions(&subscriptions(&[PolicyTag::City, PolicyTag::Catering]))
        .await
        .unwrap();
    let other_rep = server.signed_in("other-rep").await;
    other_rep
        .set_subscriptions(&subscriptions(&[PolicyTag::Export]))
        .await
        .unwrap();

    let official = server.signed_in("market-official").await;
    let published = official.publish_policy(&catering_measure()).await.unwrap();
    assert!(published.id.starts_with("pol-"));
    assert_eq!(published.published_on, today());
    assert_eq!(published.tags, [PolicyTag::City, PolicyTag::Catering]);
    assert_eq!(published.title, catering_measure().title);

    // The new policy heads the library and is found like the others.
    let library = legal_rep.policies("", None).await.unwrap();
    assert_eq!(library[0], published);
    assert_eq!(library.len(), LIBRARY.len() + 1);
    for word in ["夜间", "夜間", "LATE-NIGHT"] {
        assert_eq!(
            ids(&legal_rep.policies(word, None).await.unwrap()),
            [published.id.as_str()]
        );
    }

    // Every member of the following company, the legal representative and both staff (with a
    // grant for policies or not), is told once.
    let expected = vec![(
        published.id.clone(),
        "Guangzhou late-night dining subsidy".to_owned(),
    )];
    for username in ["legal-rep", "staff", "clerk"] {
        let member = server.signed_in(username).await;
        assert_eq!(policy_notices(&member).await, expected, "{username}");
    }
    // Nobody else is.
    for username in [
        "other-rep",
        "resident",
        "hk-resident",
        "market-official",
        "official",
    ] {
        let outsider = server.signed_in(username).await;
        assert!(policy_notices(&outsider).await.is_empty(), "{username}");
    }

    // A policy with no followed tag tells nobody.
    let mut national = catering_measure();
    national.title.en = "A national measure".into();
    national.tags = vec![PolicyTag::National, PolicyTag::Retail];
    official.publish_policy(&national).await.unwrap();
    assert_eq!(policy_notices(&legal_rep).await, expected);
    assert!(policy_notices(&other_rep).await.is_empty());

    // An export policy reaches the other company, and only it.
    let mut export = catering_measure();
    export.title.en = "Export fair stands".into();
    export.tags = vec![PolicyTag::Provincial, PolicyTag::Export];
    let export = official.publish_policy(&export).await.unwrap();
    assert_eq!(
        policy_notices(&other_rep).await,
        [(export.id.clone(), "Export fair stands".to_owned())]
    );
    assert_eq!(policy_notices(&legal_rep).await, expected);
}

#[tokio::test]
async fn only_officials_publish() {
    let server = TestServer::start().await;
    for username in ["legal-rep", "staff", "clerk", "resident"] {
        let caller = server.signed_in(username).await;
        assert_eq!(
            problem(caller.publish_policy(&catering_measure()).await),
            (ErrorCode::Forbidden, 403),
            "{username}"
        );
    }
    assert_eq!(
        problem(server.client().publish_policy(&catering_measure()).await),
        (ErrorCode::Unauthenticated, 401)
    );
    let official = server.signed_in("official").await;
    assert_eq!(
        official.policies("", None).await.unwrap().len(),
        LIBRARY.len(),
        "nothing was published"
    );
    official.publish_policy(&catering_measure()).await.unwrap();
}

#[tokio::test]
async fn a_policy_that_breaks_the_rules_is_refused_and_tells_nobody() {
    let server = TestServer::start().await;
    let legal_rep = server.signed_in("legal-rep").await;
    legal_rep
        .set_subscriptions(&subscriptions(&PolicyTag::ALL))
        .await
        .unwrap();
    let official = server.signed_in("official").await;

    let mut no_level = catering_measure();
    no_level.tags = vec![PolicyTag::Catering];
    let mut no_english = catering_measure();
    no_english.title.en = "  ".into();
    let mut disguised = catering_measure();
    disguised.title.zh_cn = "夜间餐饮\u{202E}补贴".into();
    let mut long = catering_measure();
    long.summary.zh_hk = "長".repeat(kapok_api::POLICY_SUMMARY_MAX + 1);
    let mut no_issuer = catering_measure();
    no_issuer.issuer = String::new();
    // Only invisible characters: a card with no title, "Issued by:" with nothing after it.
    let mut invisible = catering_measure();
    invisible.title.en = "\u{200B}\u{2060}\u{FEFF}".into();
    for (policy, named) in [
        (no_level, "tags: no_level_tag"),
        (no_english, "title.en: required"),
        (disguised, "title.zh_cn: hidden_characters"),
        (long, "summary.zh_hk: too_long"),
        (no_issuer, "issuer: required"),
        (invisible, "title.en: required"),
    ] {
        match official.publish_policy(&policy).await {
            Err(ClientError::Problem(p)) => {
                assert_eq!((p.code, p.status), (ErrorCode::InvalidPolicy, 422));
                assert_eq!(p.detail, named);
            }
            other => panic!("{named}: expected invalid_policy, got {other:?}"),
        }
    }
    assert_eq!(
        official.policies("", None).await.unwrap().len(),
        LIBRARY.len()
    );
    assert!(policy_notices(&legal_rep).await.is_empty());
}

#[tokio::test]
async fn malformed_bodies_and_queries_get_a_problem_never_a_server_error() {
    let server = TestServer::start().await;
    let official = server.signed_in("official").await;
    let legal_rep = server.signed_in("legal-rep").await;
    let bodies = [
        "{",
        "[]",
        "null",
        r#"{"tags": "city"}"#,
        r#"{"tags": ["space_travel"]}"#,
        r#"{"tags": [null]}"#,
        r#"{"title": {"zh_cn": "标题"}, "summary": 5, "issuer": "局", "tags": ["city", 5]}"#,
    ];
    for (method, path, caller) in [
        ("POST", "/api/v1/policies", &official),
        ("PUT", "/api/v1/subscriptions", &legal_rep),
    ] {
        for body in bodies {
            let response = server
                .raw()
                .request(method.parse().unwrap(), server.url(path))
                .header("cookie", caller.session_cookie().unwrap())
                .header("origin", &server.base)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("an answer, not a dropped connection");
            let status = response.status().as_u16();
            assert!(
                (400..500).contains(&status),
                "{method} {path} {body:?} answered {status}"
            );
            assert_eq!(
                response.headers()["content-type"],
                "application/problem+json",
                "{method} {path} {body:?}"
            );
        }
    }
    for query in ["q=%FF%FE", "q=a&q=b", "tag=%00", "q=%E2%80%AE"] {
        let response = server
            .raw()
            .get(server.url(&format!("/api/v1/policies?{query}")))
            .header("cookie", legal_rep.session_cookie().unwrap())
            .send()
            .await
            .unwrap();
        assert!(response.status().as_u16() < 500, "{query}");
    }
    assert!(legal_rep.subscriptions().await.unwrap().tags.is_empty());
}

#[test]
fn the_openapi_document_describes_policies_and_subscriptions() {
    let doc: serde_json::Value = serde_json::from_str(&kapok_server::openapi_json()).unwrap();
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/policies", "get"),
        ("/api/v1/policies", "post"),
        ("/api/v1/subscriptions", "get"),
        ("/api/v1/subscriptions", "put"),
    ] {
        assert_eq!(
            paths[path][method]["tags"][0], "policies",
            "{method} {path}"
        );
    }
    assert!(
        paths["/api/v1/policies"]["post"]["responses"]["201"].is_object(),
        "publishing answers 201 Created"
    );
    for schema in [
        "Policy",
        "NewPolicy",
        "PolicyTag",
        "Localized",
        "Subscriptions",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} is described"
        );
    }
}
