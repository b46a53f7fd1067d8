//! Passkey ceremonies as an attacker would misuse them. The happy path and the authenticator's
//! own failures (no user verification, forged signature) run against Chromium's virtual
//! authenticator in e2e/tests/passkeys.spec.ts.

mod common;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use common::{PASSWORD, TestServer};
use kapok_api::{
    CeremonyAnswer, ErrorCode, NewPasskey, PasskeyRename, PasswordConfirmation, SignInRequest,
    client::ClientError,
};
use kapok_server::config::ClientIpSource;
use serde_json::json;

fn code(result: Result<impl std::fmt::Debug, ClientError>) -> ErrorCode {
    result
        .expect_err("the call should fail")
        .code()
        .expect("a problem document")
}

/// The account's own password, as the page asks for it before adding a passkey.
fn confirmed() -> PasswordConfirmation {
    PasswordConfirmation {
        password: PASSWORD.into(),
    }
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

/// A sign-in answer from a discoverable passkey: it names its credential and its account's
/// user handle (a UUID). The signature is made up.
fn discoverable_assertion(
    ceremony: &str,
    credential_id: &str,
    handle: uuid::Uuid,
) -> CeremonyAnswer {
    let mut answer = assertion(ceremony);
    answer.credential["id"] = credential_id.into();
    answer.credential["rawId"] = credential_id.into();
    answer.credential["response"]["userHandle"] = URL_SAFE_NO_PAD.encode(handle.as_bytes()).into();
    answer
}

async fn sessions(server: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
        .fetch_one(&server.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn registration_asks_for_user_verification_and_no_attestation_and_excludes_nothing_yet() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let ceremony = resident.passkey_register_start(&confirmed()).await.unwrap();
    let options = &ceremony.options["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(options["attestation"], "none");
    assert_eq!(options["user"]["name"], "resident");
    // A passkey the phone can offer by itself: sign-in asks for no username.
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(
        options["authenticatorSelection"]["requireResidentKey"],
        true
    );
    // The user handle is random, not the username.
    assert_ne!(options["user"]["id"], json!("resident"));
    assert!(resident.passkeys().await.unwrap().is_empty());
}

#[tokio::test]
async fn passkey_endpoints_need_a_session_except_sign_in() {
    let server = TestServer::start().await;
    let anonymous = server.client();
    assert_eq!(
        code(anonymous.passkey_register_start(&confirmed()).await),
        ErrorCode::Unauthenticated
    );
    assert_eq!(code(anonymous.passkeys().await), ErrorCode::Unauthenticated);
    assert_eq!(
        code(anonymous.remove_passkey("x").await),
        ErrorCode::Unauthenticated
    );
    let rename = anonymous.rename_passkey("x", &renamed("手机")).await;
    assert_eq!(code(rename), ErrorCode::Unauthenticated);
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
    let ceremony = resident.passkey_register_start(&confirmed()).await.unwrap();

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
    let ceremony = resident.passkey_register_start(&confirmed()).await.unwrap();
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
    let ceremony = resident.passkey_register_start(&confirmed()).await.unwrap();
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
    let ceremony = resident.passkey_register_start(&confirmed()).await.unwrap();
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
    let ceremony = resident.passkey_register_start(&confirmed()).await.unwrap();
    let finish = resident
        .passkey_register_finish(&NewPasskey {
            answer: answer(&ceremony.ceremony),
            label: "手".repeat(61),
        })
        .await;
    assert_eq!(code(finish), ErrorCode::InvalidPasskeyName);
}

#[tokio::test]
async fn a_label_that_could_read_otherwise_than_stored_is_refused() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    for label in ["工作\u{202E}机手", "手机\n备用"] {
        let ceremony = resident.passkey_register_start(&confirmed()).await.unwrap();
        let finish = resident
            .passkey_register_finish(&NewPasskey {
                answer: answer(&ceremony.ceremony),
                label: label.into(),
            })
            .await;
        assert_eq!(code(finish), ErrorCode::InvalidPasskeyName, "{label:?}");
    }
}

fn renamed(label: &str) -> PasskeyRename {
    PasskeyRename {
        label: label.into(),
    }
}

/// A passkey on `user`'s account, written straight into the database (adding one through the
/// API takes an authenticator: e2e/tests/passkeys.spec.ts).
async fn stored_passkey(server: &TestServer, user: &str, id: &str, label: &str) {
    sqlx::query(
        "INSERT INTO passkeys (credential_id, user_id, label, passkey, created_at, last_used_at)
         VALUES ($1, $2, $3, '{}', 100, 200)",
    )
    .bind(id)
    .bind(user)
    .bind(label)
    .execute(&server.db)
    .await
    .unwrap();
}

#[tokio::test]
async fn an_owner_renames_a_passkey_and_the_list_shows_the_new_name() {
    let server = TestServer::start().await;
    stored_passkey(&server, "resident", "residents-key", "").await;
    let resident = server.signed_in("resident").await;
    let info = resident
        .rename_passkey("residents-key", &renamed("  妈妈的手机\u{3000}"))
        .await
        .unwrap();
    assert_eq!(info.label, "妈妈的手机");
    assert_eq!((info.created_at, info.last_used_at), (100, Some(200)));
    assert_eq!(resident.passkeys().await.unwrap(), [info]);
}

#[tokio::test]
async fn a_blank_long_or_disguising_new_name_is_refused_and_the_old_one_kept() {
    let server = TestServer::start().await;
    stored_passkey(&server, "resident", "residents-key", "我的手机").await;
    let resident = server.signed_in("resident").await;
    for label in [
        " \u{3000}\u{200B}".to_owned(),
        "手".repeat(61),
        "工作\u{202E}机手".to_owned(),
    ] {
        let rename = resident
            .rename_passkey("residents-key", &renamed(&label))
            .await;
        assert_eq!(code(rename), ErrorCode::InvalidPasskeyName, "{label:?}");
    }
    assert_eq!(resident.passkeys().await.unwrap()[0].label, "我的手机");
}

#[tokio::test]
async fn nobody_renames_another_accounts_passkey() {
    let server = TestServer::start().await;
    stored_passkey(&server, "elder", "elders-key", "老人机").await;
    let resident = server.signed_in("resident").await;
    let rename = resident
        .rename_passkey("elders-key", &renamed("我的"))
        .await;
    assert_eq!(code(rename), ErrorCode::NotFound);
    let elder = server.signed_in("elder").await;
    assert_eq!(elder.passkeys().await.unwrap()[0].label, "老人机");
}

#[tokio::test]
async fn one_network_starts_at_most_120_passkey_sign_ins_a_minute() {
    let server = TestServer::start_behind_proxy(ClientIpSource::RightmostXForwardedFor).await;
    let client = server.raw();
    let start = |from: &'static str| {
        client
            .post(server.url("/api/v1/session/passkey/start"))
            .header("X-Forwarded-For", from)
            .header("Content-Type", "application/json")
            .send()
    };
    for i in 0..120 {
        assert_eq!(
            start("198.51.100.7").await.unwrap().status(),
            200,
            "start {i}"
        );
    }
    let refused = start("198.51.100.7").await.unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u32 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    let problem: kapok_api::Problem = refused.json().await.unwrap();
    assert_eq!(problem.code, ErrorCode::TooManyRequests);
    assert_eq!(
        start("198.51.100.8").await.unwrap().status(),
        200,
        "another network"
    );
    // What one network left behind stops at its limit: the refused start kept nothing.
    let ceremonies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webauthn_ceremonies")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(ceremonies, 121);
}

#[tokio::test]
async fn passkey_sign_in_names_no_account_and_asks_for_the_phones_unlock() {
    let server = TestServer::start().await;
    let anonymous = server.client();
    let first = anonymous.passkey_sign_in_start().await.unwrap();
    let second = anonymous.passkey_sign_in_start().await.unwrap();
    let options = &first.options["publicKey"];
    // No list of credentials, which would tell whose passkeys exist: the phone offers its own.
    let allowed = options.get("allowCredentials").and_then(|a| a.as_array());
    assert!(allowed.is_none_or(|a| a.is_empty()), "{options}");
    assert_eq!(options["userVerification"], "required");
    assert_eq!(options["rpId"], "localhost");
    // The browser's own prompt, not its autofill.
    assert!(
        first.options.get("mediation").is_none(),
        "{}",
        first.options
    );
    assert_ne!(
        options["challenge"],
        second.options["publicKey"]["challenge"]
    );
    assert_ne!(first.ceremony, second.ceremony);

    // A sign-in ceremony belongs to no one, so no account can finish a registration with it.
    let resident = server.signed_in("resident").await;
    let hijack = resident
        .passkey_register_finish(&NewPasskey {
            answer: answer(&first.ceremony),
            label: String::new(),
        })
        .await;
    assert_eq!(code(hijack), ErrorCode::CeremonyExpired);
}

#[tokio::test]
async fn a_passkey_on_no_account_is_told_apart_and_signs_no_one_in() {
    let server = TestServer::start().await;
    let anonymous = server.client();
    let before = sessions(&server).await;
    let ceremony = anonymous.passkey_sign_in_start().await.unwrap();
    let unknown = anonymous
        .passkey_sign_in_finish(&discoverable_assertion(
            &ceremony.ceremony,
            "cmVtb3ZlZC1rZXk",
            uuid::Uuid::new_v4(),
        ))
        .await;
    assert_eq!(code(unknown), ErrorCode::PasskeyUnknown);
    // Used up all the same.
    let again = anonymous
        .passkey_sign_in_finish(&discoverable_assertion(
            &ceremony.ceremony,
            "cmVtb3ZlZC1rZXk",
            uuid::Uuid::new_v4(),
        ))
        .await;
    assert_eq!(code(again), ErrorCode::CeremonyExpired);
    // An answer without a user handle is no discoverable passkey's.
    let ceremony = anonymous.passkey_sign_in_start().await.unwrap();
    let bare = anonymous
        .passkey_sign_in_finish(&assertion(&ceremony.ceremony))
        .await;
    assert_eq!(code(bare), ErrorCode::PasskeyRejected);
    assert_eq!(sessions(&server).await, before);
    assert_eq!(code(anonymous.me().await), ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn an_answer_whose_user_handle_names_another_account_than_its_passkeys_is_refused() {
    let server = TestServer::start().await;
    let (elders, residents) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    for (user, handle) in [("elder", elders), ("resident", residents)] {
        sqlx::query("UPDATE users SET webauthn_id = $1 WHERE id = $2")
            .bind(handle.to_string())
            .bind(user)
            .execute(&server.db)
            .await
            .unwrap();
    }
    sqlx::query(
        "INSERT INTO passkeys (credential_id, user_id, label, passkey, created_at)
         VALUES ('ZWxkZXJzLWtleQ', 'elder', '', '{}', 0)",
    )
    .execute(&server.db)
    .await
    .unwrap();
    let before = sessions(&server).await;
    let anonymous = server.client();
    let ceremony = anonymous.passkey_sign_in_start().await.unwrap();
    // The handle is not signed: the elder's credential with the resident's handle is refused
    // before anything else is looked at, rather than signing in either of them.
    let swapped = anonymous
        .passkey_sign_in_finish(&discoverable_assertion(
            &ceremony.ceremony,
            "ZWxkZXJzLWtleQ",
            residents,
        ))
        .await;
    assert_eq!(code(swapped), ErrorCode::PasskeyRejected);
    assert_eq!(sessions(&server).await, before);
    assert_eq!(code(anonymous.me().await), ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn sign_in_ceremonies_that_nobody_finishes_do_not_pile_up() {
    let server = TestServer::start().await;
    let anonymous = server.client();
    for _ in 0..5 {
        anonymous.passkey_sign_in_start().await.unwrap();
    }
    sqlx::query("UPDATE webauthn_ceremonies SET expires_at = expires_at - 600")
        .execute(&server.db)
        .await
        .unwrap();
    anonymous.passkey_sign_in_start().await.unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webauthn_ceremonies")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(left, 1);
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

#[tokio::test]
async fn a_session_alone_does_not_add_a_passkey_the_password_must_confirm_it() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    for password in ["", "not-the-password", "kapok-demo "] {
        let start = resident
            .passkey_register_start(&PasswordConfirmation {
                password: password.into(),
            })
            .await;
        assert_eq!(code(start), ErrorCode::BadCredentials, "{password:?}");
    }
    // Nothing was started, and the session is as it was.
    let ceremonies: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webauthn_ceremonies")
        .fetch_one(&server.db)
        .await
        .unwrap();
    assert_eq!(ceremonies, 0);
    assert_eq!(resident.me().await.unwrap().user.username, "resident");
    // Her own password starts it.
    resident.passkey_register_start(&confirmed()).await.unwrap();
}

#[tokio::test]
async fn wrong_passwords_when_adding_a_passkey_count_towards_the_sign_in_limit() {
    let server = TestServer::start().await;
    let resident = server.signed_in("resident").await;
    let wrong = PasswordConfirmation {
        password: "guess".into(),
    };
    for _ in 0..10 {
        assert_eq!(
            code(resident.passkey_register_start(&wrong).await),
            ErrorCode::BadCredentials
        );
    }
    // The eleventh is refused before any check, even the right password, here and at sign-in.
    assert_eq!(
        code(resident.passkey_register_start(&confirmed()).await),
        ErrorCode::TooManySignInAttempts
    );
    let sign_in = server
        .client()
        .sign_in(&SignInRequest {
            username: "resident".into(),
            password: PASSWORD.into(),
        })
        .await;
    assert_eq!(code(sign_in), ErrorCode::TooManySignInAttempts);
    // The session itself goes on.
    assert_eq!(resident.me().await.unwrap().user.username, "resident");
}
