use kapok_server::{Config, seed};

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kapok-server: {e}");
            std::process::exit(2);
        }
    };
    let origin = config.origin.clone();
    let demo = config.demo;
    let running = match kapok_server::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("kapok-server: {e}");
            std::process::exit(1);
        }
    };
    if running.seeded {
        tracing::info!("seeded the demo accounts");
    }
    if demo {
        let accounts: Vec<String> = seed::accounts()
            .map(|(username, name, persona)| format!("{username} ({name}, {persona})"))
            .collect();
        tracing::info!(
            "demo accounts, password {:?}: {}",
            seed::DEMO_PASSWORD,
            accounts.join(", ")
        );
    }
    tracing::info!("kapok ready at {origin} (listening on {})", running.addr);
    if let Err(e) = running.until_stopped().await {
        eprintln!("kapok-server: {e}");
        std::process::exit(1);
    }
}
