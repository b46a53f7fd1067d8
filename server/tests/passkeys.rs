//! Passkey ceremonies as an attacker would misuse them. The happy path and the authenticator's
//! own failures (no user verification, forged signature) run against Chromium's virtual
//! authenticator in e2e/tests/passkeys.spec.ts.

mod common;

use common::TestServer;
use kapok_api::{CeremonyAnswer, ErrorCode, NewPasskey, PasskeySignIn, client::ClientError};
use serde_json::json;

fn code(result: Result<impl std::fmt::Debug, ClientError>) -> ErrorCode {
    result
        .expect_err("the call should fail")
        .code()
        .expect("a problem document")
}

fn answer(ceremony: &str) -> CeremonyAnswer {
    CeremonyAnswer {
        ceremony: ceremony.into(),
        credential: json!({
            "id": "AAAA", "rawId": "AAAA", "type": "public-key",
            "response": { "clientDataJSON": "AAAA", "attestationObject": "AAAA" },
            "extensions": {}
        }),
    }
}

/// A sign-in answer: an assertion, shaped as `credential.toJSON()` gives it.
fn assertion(ceremony: &str) -> CeremonyAnswer {
    CeremonyAnswer {
        ceremony: ceremony.into(),
        credential: json!({
            "id": "AAAA", "rawId": "AAAA", "type": "public-key",
            "response": { "clientDataJSON": "AAAA", "authenticatorData": "AAAA", "signature": "AAAA" },
            "extensions": {}
        }),
    }
}

#[tokio::test]
async fn registration_asks_for_user_verification_and_no_attestation_and_excludes_nothing_yet() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let ceremony = resident.passkey_register_start().await.unwrap();
    let options = &ceremony.options["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(options["attestation"], "none");
    assert_eq!(options["user"]["name"], "resident");
    // The user handle is random, not the username.
    assert_ne!(options["user"]["id"], json!("resident"));
    assert!(resident.passkeys().await.unwrap().is_empty());
}

#[tokio::test]
async fn passkey_endpoints_need_a_session_except_sign_in() {
    let server = TestServer::start().await;
    let anonymous = server.client();
    assert_eq!(
        code(anonymous.passkey_register_start().await),
        ErrorCode::Unauthenticated
    );
    assert_eq!(code(anonymous.passkeys().await), ErrorCode::Unauthenticated);
    assert_eq!(
        code(anonymous.remove_passkey("x").await),
        ErrorCode::Unauthenticated
    );
    let finish = anonymous
        .passkey_register_finish(&NewPasskey {
            answer: answer("x"),
            label: String::new(),
        })
        .await;
    assert_eq!(code(finish), ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn a_ceremony_is_single_use_and_only_its_owners() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let elder = server.signed_in("elder").await;
    let ceremony = resident.passkey_register_start().await.unwrap();

    // Someone else cannot finish it; trying burns it.
    let stolen = elder
        .passkey_register_finish(&NewPasskey {
            answer: answer(&ceremony.ceremony),
            label: String::new(),
        })
        .await;
    assert_eq!(code(stolen), ErrorCode::CeremonyExpired);
    let late = resident
        .passkey_register_finish(&NewPasskey {
            answer: answer(&ceremony.ceremony),
            label: String::new(),
        })
        .await;
    assert_eq!(code(late), ErrorCode::CeremonyExpired);

    // A registration ceremony is no sign-in ceremony, and made-up ids open nothing.
    let ceremony = resident.passkey_register_start().await.unwrap();
    let anonymous = server.client();
    assert_eq!(
        code(
            anonymous
                .passkey_sign_in_finish(&assertion(&ceremony.ceremony))
                .await
        ),
        ErrorCode::CeremonyExpired
    );
    assert_eq!(
        code(
            anonymous
                .passkey_sign_in_finish(&assertion("made-up"))
                .await
        ),
        ErrorCode::CeremonyExpired
    );
}

#[tokio::test]
async fn an_expired_ceremony_is_refused() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let ceremony = resident.passkey_register_start().await.unwrap();
    sqlx::query("UPDATE webauthn_ceremonies SET expires_at = expires_at - 600")
        .execute(&server.db)
        .await
        .unwrap();
    let finish = resident
        .passkey_register_finish(&NewPasskey {
            answer: answer(&ceremony.ceremony),
            label: String::new(),
        })
        .await;
    assert_eq!(code(finish), ErrorCode::CeremonyExpired);
}

#[tokio::test]
async fn a_credential_that_is_not_webauthn_json_is_a_clear_400_and_keeps_the_ceremony() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let ceremony = resident.passkey_register_start().await.unwrap();
    let garbage = resident
        .passkey_register_finish(&NewPasskey {
            answer: CeremonyAnswer {
                ceremony: ceremony.ceremony.clone(),
                credential: json!({ "id": 7 }),
            },
            label: String::new(),
        })
        .await;
    assert_eq!(code(garbage), ErrorCode::MalformedBody);
    // A well-formed answer that does not check out is rejected, not a 5xx.
    let forged = resident
        .passkey_register_finish(&NewPasskey {
            answer: answer(&ceremony.ceremony),
            label: String::new(),
        })
        .await;
    assert_eq!(code(forged), ErrorCode::PasskeyRejected);
}

#[tokio::test]
async fn an_overlong_label_is_refused() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let ceremony = resident.passkey_register_start().await.unwrap();
    let finish = resident
        .passkey_register_finish(&NewPasskey {
            answer: answer(&ceremony.ceremony),
            label: "手".repeat(61),
        })
        .await;
    assert_eq!(code(finish), ErrorCode::MalformedBody);
}

#[tokio::test]
async fn sign_in_with_a_passkey_says_the_same_for_unknown_accounts_and_accounts_without_one() {
    let server = TestServer::start().await;
    let anonymous = server.client();
    for username in ["resident", "no-such-user"] {
        let start = anonymous
            .passkey_sign_in_start(&PasskeySignIn {
                username: username.into(),
            })
            .await;
        assert_eq!(code(start), ErrorCode::NoPasskey, "{username}");
    }
}

#[tokio::test]
async fn nobody_removes_another_accounts_passkey() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    sqlx::query(
        "INSERT INTO passkeys (credential_id, user_id, label, passkey, created_at)
         VALUES ('elders-key', 'elder', '', '{}', 0)",
    )
    .execute(&server.db)
    .await
    .unwrap();
    assert_eq!(
        code(resident.remove_passkey("elders-key").await),
        ErrorCode::NotFound
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passkeys")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(left, 1);
}
