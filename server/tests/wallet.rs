//! The licence wallet as holders, verifiers and attackers use it.

mod common;

use common::TestServer;
use ed25519_dalek::{Signer, SigningKey};
use kapok_api::{
    ErrorCode, FieldKey, HolderKind, LicenceStatus, LicenceType, PresentationRequest,
    VerifyRequest,
    client::{Client, ClientError},
    token::{self, Claims},
};

fn code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> ErrorCode {
    result
        .expect_err("the call should fail")
        .code()
        .expect("a problem document")
}

async fn one_token(client: &Client, licence: &str) -> String {
    let tokens = client
        .present(licence, &PresentationRequest::default())
        .await
        .unwrap();
    assert_eq!(tokens.len(), 1);
    tokens[0].token.clone()
}

fn verify_request(token: &str) -> VerifyRequest {
    VerifyRequest {
        token: token.into(),
        place: Some("天河区政务服务中心 3 号窗口".into()),
    }
}

/// The server's own signing key, read from its database: tokens signed with it are real.
async fn server_key(server: &TestServer) -> (String, SigningKey) {
    let (key_id, secret): (String, Vec<u8>) =
        sqlx::query_as("SELECT key_id, secret_key FROM issuer_keys WHERE retired_at IS NULL")
            .fetch_one(&server.db)
            .await
            .unwrap();
    (key_id, SigningKey::from_bytes(&secret.try_into().unwrap()))
}

/// Puts a new issuer key in the database, as a rotation (or another instance's first key)
/// would.
async fn add_issuer_key(server: &TestServer, key_id: &str, key: &SigningKey, created_at: i64) {
    sqlx::query(
        "INSERT INTO issuer_keys (key_id, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(key_id)
    .bind(key.verifying_key().to_bytes().to_vec())
    .bind(key.to_bytes().to_vec())
    .bind(created_at)
    .execute(&server.db)
    .await
    .unwrap();
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The caller can neither read, present nor audit `licence`, and learns nothing of it.
async fn assert_no_access(client: &Client, licence: &str) {
    assert_eq!(code(client.licence(licence).await), ErrorCode::NotFound);
    let presentation = client
        .present(licence, &PresentationRequest::default())
        .await;
    assert_eq!(code(presentation), ErrorCode::NotFound);
    assert_eq!(
        code(client.verifications(licence).await),
        ErrorCode::NotFound
    );
}

/// Claims for the resident's ID card, as the server would sign them.
fn resident_id_claims(issued_at: i64, nonce: u8) -> Claims {
    Claims {
        licence_id: "lic-resident-id".into(),
        licence_type: LicenceType::ResidentIdCard,
        holder: "resident".into(),
        holder_name: "陈嘉欣".into(),
        issued_at,
        expires_at: issued_at + 60,
        nonce: [nonce; 16],
    }
}

#[tokio::test]
async fn each_holder_sees_their_own_licences_and_no_one_else_s() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await.wallet().await.unwrap();
    assert_eq!(resident.len(), 5);
    assert!(
        resident
            .iter()
            .all(|l| l.holder_kind == HolderKind::Person && l.holder_name == "陈嘉欣")
    );
    let id_card = resident
        .iter()
        .find(|l| l.licence_type == LicenceType::ResidentIdCard)
        .unwrap();
    assert!(
        id_card.number_masked.contains("**********"),
        "{}",
        id_card.number_masked
    );

    let elder = server.signed_in("elder").await.wallet().await.unwrap();
    assert!(
        elder.iter().any(|l| l.status == LicenceStatus::Expired),
        "the elder's old driving licence"
    );

    let legal_rep = server.signed_in("legal-rep").await.wallet().await.unwrap();
    let types: Vec<_> = legal_rep.iter().map(|l| l.licence_type).collect();
    assert_eq!(
        types,
        [
            LicenceType::BusinessLicence,
            LicenceType::FoodBusinessPermit
        ]
    );
    assert!(
        legal_rep
            .iter()
            .all(|l| l.holder_kind == HolderKind::Enterprise)
    );

    assert!(
        server
            .signed_in("staff")
            .await
            .wallet()
            .await
            .unwrap()
            .is_empty(),
        "staff need a grant first"
    );
    assert_eq!(
        code(server.client().wallet().await),
        ErrorCode::Unauthenticated
    );
}

#[tokio::test]
async fn a_resident_cannot_read_present_or_audit_another_residents_licence() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    assert_no_access(&resident, "lic-elder-id").await;
    // The same answer as for a licence that does not exist: nothing is confirmed.
    assert_eq!(
        code(resident.licence("lic-no-such").await),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn staff_without_a_grant_cannot_touch_the_company_licences_but_the_legal_rep_can() {
    let server = TestServer::start().await;
    let staff = server.signed_in("staff").await;
    assert_no_access(&staff, "lic-company-bl").await;

    let legal_rep = server.signed_in("legal-rep").await;
    let licence = legal_rep.licence("lic-company-bl").await.unwrap();
    let uscc = licence
        .fields
        .iter()
        .find(|f| f.key == FieldKey::Uscc)
        .unwrap();
    assert!(kapok_api::uscc::is_valid(&uscc.value));
    one_token(&legal_rep, "lic-company-bl").await;
}

#[tokio::test]
async fn a_presented_code_verifies_once_and_shows_only_what_a_verifier_may_see() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let token = one_token(&resident, "lic-resident-id").await;

    let official = server.signed_in("official").await;
    let verified = official.verify(&verify_request(&token)).await.unwrap();
    assert_eq!(verified.holder_name, "陈嘉欣");
    assert_eq!(verified.licence_type, LicenceType::ResidentIdCard);
    let shown: Vec<_> = verified.shown_fields.iter().map(|f| f.key).collect();
    assert!(shown.contains(&FieldKey::Name) && shown.contains(&FieldKey::BirthDate));
    assert!(
        !shown.contains(&FieldKey::IdNumber),
        "never the full ID number"
    );
    assert!(!shown.contains(&FieldKey::Address), "never the address");
    assert!(
        !serde_json::to_string(&verified)
            .unwrap()
            .contains("44010619910314232")
    );

    // The same official sending it again (the first answer lost on a counter's network) sees
    // the same result, and the holder's record does not change: it was one check.
    let again = official.verify(&verify_request(&token)).await.unwrap();
    assert_eq!(again, verified);
    assert_eq!(
        resident
            .verifications("lic-resident-id")
            .await
            .unwrap()
            .len(),
        1
    );

    // Shown to another official (a screenshot, a photo): flagged as a replay.
    let other = server.signed_in("market-official").await;
    assert_eq!(
        code(other.verify(&verify_request(&token)).await),
        ErrorCode::TokenReplayed
    );

    // The holder sees both checks, by whom and where.
    let seen = resident.verifications("lic-resident-id").await.unwrap();
    assert_eq!(seen.len(), 2);
    let by: Vec<_> = seen.iter().map(|v| v.verifier.as_deref()).collect();
    assert!(
        by.contains(&Some("王丽华")) && by.contains(&Some("黄志明")),
        "{by:?}"
    );
    assert!(
        seen.iter()
            .all(|v| v.place.as_deref() == Some("天河区政务服务中心 3 号窗口"))
    );
    assert_eq!(seen.iter().filter(|v| v.replay).count(), 1);
    assert!(
        seen.iter()
            .any(|v| v.replay && v.verifier.as_deref() == Some("黄志明"))
    );
}

#[tokio::test]
async fn the_record_of_checks_cannot_be_rewritten() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let token = one_token(&resident, "lic-resident-id").await;
    let official = server.signed_in("official").await;
    official.verify(&verify_request(&token)).await.unwrap();

    let rewrite = sqlx::query("UPDATE verifications SET place = 'nowhere'")
        .execute(&server.db)
        .await;
    assert!(rewrite.is_err(), "an UPDATE is refused");
    let hide = sqlx::query("DELETE FROM verifications")
        .execute(&server.db)
        .await;
    assert!(hide.is_err(), "a DELETE is refused");
    let seen = resident.verifications("lic-resident-id").await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].place.as_deref(),
        Some("天河区政务服务中心 3 号窗口")
    );
}

#[tokio::test]
async fn a_code_checked_over_and_over_keeps_no_more_than_ten_checks_on_its_holder_s_record() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let token = one_token(&resident, "lic-resident-dl").await;
    let request = VerifyRequest { token, place: None };
    let public = server.client();
    public.verify(&request).await.unwrap();
    for _ in 0..40 {
        assert_eq!(
            code(public.verify(&request).await),
            ErrorCode::TokenReplayed
        );
    }
    let seen = resident.verifications("lic-resident-dl").await.unwrap();
    assert_eq!(seen.len(), 10);
    assert_eq!(seen.iter().filter(|v| v.replay).count(), 9);
    // Another code of hers is checked and recorded as ever.
    let next = one_token(&resident, "lic-resident-dl").await;
    public
        .verify(&VerifyRequest {
            token: next,
            place: None,
        })
        .await
        .unwrap();
    assert_eq!(
        resident
            .verifications("lic-resident-dl")
            .await
            .unwrap()
            .len(),
        11
    );
}

#[tokio::test]
async fn anyone_may_verify_and_the_holder_sees_an_anonymous_check() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let token = one_token(&resident, "lic-resident-dl").await;
    let request = VerifyRequest { token, place: None };
    server.client().verify(&request).await.unwrap();
    let seen = resident.verifications("lic-resident-dl").await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].verifier, None);
}

#[tokio::test]
async fn a_resident_or_staff_member_who_checks_a_code_is_not_named_to_the_holder() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    for checker in ["hk-resident", "staff", "official"] {
        let token = one_token(&resident, "lic-resident-dl").await;
        let request = VerifyRequest { token, place: None };
        server
            .signed_in(checker)
            .await
            .verify(&request)
            .await
            .unwrap();
    }
    let seen = resident.verifications("lic-resident-dl").await.unwrap();
    // Newest first: only the official is named; the others checked as the public does.
    let named: Vec<_> = seen.iter().map(|v| v.verifier.as_deref()).collect();
    assert_eq!(named, [Some("王丽华"), None, None]);
    let kept: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM verifications WHERE verifier_user_id IS NOT NULL")
            .fetch_one(&server.db)
            .await
            .unwrap();
    assert_eq!(kept, 1, "who else checked is not kept either");
}

#[tokio::test]
async fn a_code_with_one_changed_byte_is_refused() {
    let server = TestServer::start().await;
    let token = one_token(&server.signed_in("resident").await, "lic-resident-id").await;
    let mut bytes = base45::decode(&token[token::PREFIX.len()..]).unwrap();
    let at = bytes.windows(11).position(|w| w == b"lic-residen").unwrap();
    bytes[at + 4] ^= 0x01;
    let tampered = format!("{}{}", token::PREFIX, base45::encode(&bytes));
    assert_eq!(
        code(server.client().verify(&verify_request(&tampered)).await),
        ErrorCode::TokenBadSignature
    );
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let server = TestServer::start().await;
    one_token(&server.signed_in("resident").await, "lic-resident-id").await;
    let (key_id, key) = server_key(&server).await;
    let claims = resident_id_claims(now() - 120, 1);
    let stale = token::encode(&claims, &key_id, |data| key.sign(data).to_bytes());
    assert_eq!(
        code(server.client().verify(&verify_request(&stale)).await),
        ErrorCode::TokenExpired
    );
}

/// A later code of a batch, shown before its minute: refused with its own reason, so the
/// official is not told to ask for a "fresh" code when the code is too fresh.
#[tokio::test]
async fn a_code_whose_minute_has_not_begun_is_refused_as_not_yet_valid() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    one_token(&resident, "lic-resident-id").await;
    let (key_id, key) = server_key(&server).await;
    let claims = resident_id_claims(now() + 300, 3);
    let early = token::encode(&claims, &key_id, |data| key.sign(data).to_bytes());
    assert_eq!(
        code(server.client().verify(&verify_request(&early)).await),
        ErrorCode::TokenNotYetValid
    );
    assert!(
        resident
            .verifications("lic-resident-id")
            .await
            .unwrap()
            .is_empty(),
        "a refused code is not a check"
    );
}

#[tokio::test]
async fn a_code_from_an_unknown_key_is_refused() {
    let server = TestServer::start().await;
    let forger = SigningKey::from_bytes(&[9; 32]);
    let claims = resident_id_claims(now(), 2);
    let forged = token::encode(&claims, "kapok-forged", |data| forger.sign(data).to_bytes());
    assert_eq!(
        code(server.client().verify(&verify_request(&forged)).await),
        ErrorCode::TokenUnknownKey
    );
}

/// The verifier keeps the issuer keys in memory for a moment; a code signed by a key made
/// since (a rotation, or another instance's first key) is still trusted at once.
#[tokio::test]
async fn a_code_signed_by_a_key_made_since_the_last_check_verifies_at_once() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let token = one_token(&resident, "lic-resident-id").await;
    server
        .client()
        .verify(&verify_request(&token))
        .await
        .unwrap();

    let newer = SigningKey::from_bytes(&[7; 32]);
    add_issuer_key(&server, "kapok-newer", &newer, now()).await;
    let claims = resident_id_claims(now(), 4);
    let signed = token::encode(&claims, "kapok-newer", |data| newer.sign(data).to_bytes());
    let verified = server
        .client()
        .verify(&verify_request(&signed))
        .await
        .unwrap();
    assert_eq!(verified.key_id, "kapok-newer");
}

/// The server keeps its signing key in memory for a moment too. When the key is rotated in
/// the database (a newer key, the old one retired), codes are signed by the new key within a
/// second, and a code the old key signed in that second still verifies.
#[tokio::test]
async fn a_rotated_signing_key_signs_no_more_after_a_second_and_its_codes_still_verify() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let official = server.signed_in("official").await;
    one_token(&resident, "lic-resident-id").await;
    let (old_key, _) = server_key(&server).await;

    let newer = SigningKey::from_bytes(&[8; 32]);
    add_issuer_key(&server, "kapok-rotated", &newer, now() + 1).await;
    sqlx::query("UPDATE issuer_keys SET retired_at = $1 WHERE key_id = $2")
        .bind(now())
        .bind(&old_key)
        .execute(&server.db)
        .await
        .unwrap();

    let right_after = one_token(&resident, "lic-resident-id").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let later = one_token(&resident, "lic-resident-id").await;

    let later = official.verify(&verify_request(&later)).await.unwrap();
    assert_eq!(later.key_id, "kapok-rotated");
    let right_after = official
        .verify(&verify_request(&right_after))
        .await
        .unwrap();
    assert!(
        [old_key.as_str(), "kapok-rotated"].contains(&right_after.key_id.as_str()),
        "signed by {}",
        right_after.key_id
    );
}

#[tokio::test]
async fn a_forger_who_reuses_a_real_key_id_is_caught_by_the_signature() {
    let server = TestServer::start().await;
    one_token(&server.signed_in("resident").await, "lic-resident-id").await;
    let (key_id, _) = server_key(&server).await;
    let forger = SigningKey::from_bytes(&[9; 32]);
    let claims = resident_id_claims(now(), 3);
    let forged = token::encode(&claims, &key_id, |data| forger.sign(data).to_bytes());
    assert_eq!(
        code(server.client().verify(&verify_request(&forged)).await),
        ErrorCode::TokenBadSignature
    );
}

#[tokio::test]
async fn a_revoked_licence_s_code_is_refused_and_no_new_codes_are_issued() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let token = one_token(&resident, "lic-resident-vl").await;
    sqlx::query("UPDATE licences SET revoked_at = 1 WHERE id = 'lic-resident-vl'")
        .execute(&server.db)
        .await
        .unwrap();
    assert_eq!(
        code(server.client().verify(&verify_request(&token)).await),
        ErrorCode::LicenceRevoked
    );
    assert_eq!(
        code(
            resident
                .present("lic-resident-vl", &PresentationRequest::default())
                .await
        ),
        ErrorCode::LicenceRevoked
    );
}

#[tokio::test]
async fn an_expired_licence_cannot_be_presented() {
    let server = TestServer::start().await;
    let elder = server.signed_in("elder").await;
    assert_eq!(
        code(
            elder
                .present("lic-elder-dl", &PresentationRequest::default())
                .await
        ),
        ErrorCode::LicenceExpired
    );
}

/// People not signed in may check 120 codes a minute from one network; officials, and other
/// networks, are not held back by them.
#[tokio::test]
async fn checks_by_people_not_signed_in_are_limited_per_network() {
    let server = TestServer::start().await;
    let public = server.client();
    let junk = verify_request("KP1:not-a-code");
    for _ in 0..120 {
        assert_eq!(code(public.verify(&junk).await), ErrorCode::TokenMalformed);
    }
    let refused = public.verify(&junk).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::TooManyRequests));
    assert!(
        refused.retry_after().is_some_and(|s| (1..=60).contains(&s)),
        "Retry-After {:?}",
        refused.retry_after()
    );
    let official = server.signed_in("official").await;
    assert_eq!(
        code(official.verify(&junk).await),
        ErrorCode::TokenMalformed
    );
    let elsewhere = server
        .raw_from("127.0.0.2")
        .post(server.url("/api/v1/verify"))
        .json(&junk)
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 422);
}

#[tokio::test]
async fn garbage_is_a_malformed_code_not_an_error() {
    let server = TestServer::start().await;
    for text in ["", "hello", "KP1:", "KP1:!!!!", "https://example.com/qr"] {
        assert_eq!(
            code(server.client().verify(&verify_request(text)).await),
            ErrorCode::TokenMalformed,
            "{text:?}"
        );
    }
}

#[tokio::test]
async fn a_batch_covers_a_few_minutes_without_gaps() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let batch = resident
        .present("lic-resident-id", &PresentationRequest { count: Some(5) })
        .await
        .unwrap();
    assert_eq!(batch.len(), 5);
    for pair in batch.windows(2) {
        assert!(
            pair[1].issued_at < pair[0].expires_at,
            "consecutive codes overlap"
        );
        assert_ne!(pair[0].token, pair[1].token);
    }
    for p in &batch {
        assert!(p.expires_at - p.issued_at <= token::MAX_LIFETIME_SECS);
    }
    for count in [0, 6, 255] {
        let request = PresentationRequest { count: Some(count) };
        assert_eq!(
            code(resident.present("lic-resident-id", &request).await),
            ErrorCode::MalformedBody,
            "{count}"
        );
    }
}

#[tokio::test]
async fn issuer_keys_let_a_verifier_check_codes_without_the_server() {
    let server = TestServer::start().await;
    let keys = server.client().issuer_keys().await.unwrap();
    let token = one_token(&server.signed_in("resident").await, "lic-resident-id").await;
    let (_, claims) = token::verify_with_keys(&token, &keys.decoded(), now()).unwrap();
    assert_eq!(claims.licence_id, "lic-resident-id");
    assert_eq!(claims.holder, "resident");
    assert_eq!(claims.holder_name, "陈嘉欣");
}
