//! The one place pages get an API client from.

use kapok_api::client::Client;

/// A client for the server this page came from; the browser carries the session cookie. Any
/// request that finds the session ended on the server signs the person out of the app.
pub fn api() -> Client {
    #[cfg(target_arch = "wasm32")]
    return Client::same_origin().on_unauthenticated(crate::auth::session_ended);
    // Native builds of the app exist only for its unit tests, which make no requests.
    #[cfg(not(target_arch = "wasm32"))]
    Client::new("http://localhost:8080").on_unauthenticated(crate::auth::session_ended)
}
