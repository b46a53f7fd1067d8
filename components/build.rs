//! Generates this crate's scoped CSS (every `style! {}` block) into target/stylers/, from where
//! Trunk's post-build hook copies it into the bundle.

fn main() {
    // Without this line cargo reruns the script only for build.rs itself, and edits to a
    // `style! {}` block would never reach the CSS.
    println!("cargo::rerun-if-changed=src");
    std::fs::create_dir_all("../target/stylers").expect("target/stylers can be created");
    stylers::build(Some(String::from("../target/stylers/components.css")));
}
