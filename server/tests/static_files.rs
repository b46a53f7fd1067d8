//! The built client is served with SPA fallback and cache headers that suit each file.

mod common;

use common::TestServer;

const INDEX: &str = r#"<!doctype html><html><head><script type="module">import init from '/kapok-app-0123456789abcdef.js'; init();</script></head><body></body></html>"#;

async fn server_with_client() -> TestServer {
    TestServer::start_with_dist(|dist| {
        std::fs::write(dist.join("index.html"), INDEX).unwrap();
        std::fs::write(
            dist.join("kapok-app-0123456789abcdef.js"),
            "export default function init() {}",
        )
        .unwrap();
        std::fs::write(dist.join("robots.txt"), "User-agent: *\n").unwrap();
    })
    .await
}

#[tokio::test]
async fn client_routes_fall_back_to_index_html_which_is_always_revalidated() {
    let server = server_with_client().await;
    for path in [
        "/",
        "/resident",
        "/enterprise/delegation",
        "/official/verify",
    ] {
        let response = server.raw().get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        assert_eq!(response.text().await.unwrap(), INDEX, "{path}");
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_good_and_others_are_not() {
    let server = server_with_client().await;
    let response = server
        .raw()
        .get(server.url("/kapok-app-0123456789abcdef.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let response = server
        .raw()
        .get(server.url("/robots.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn a_missing_asset_is_404_not_the_app() {
    let server = server_with_client().await;
    let response = server
        .raw()
        .get(server.url("/kapok-app-ffffffffffffffff.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_loader_script_in_index_html_is_allowed_by_its_hash() {
    use base64::Engine;
    use sha2::Digest;
    let server = server_with_client().await;
    let response = server.raw().get(server.url("/")).send().await.unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let inline = INDEX
        .split("<script type=\"module\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(inline));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
}
