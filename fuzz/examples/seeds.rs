//! Writes the committed seed inputs, `seeds/<target>/<name>`, in the layout the targets read:
//! `cargo run --example seeds` in fuzz/ (stable Rust will do). Rerun it when the token format
//! or an input layout changes. Each QR seed must decode, or it would seed nothing.

use std::{fs, path::Path};

use kapok_fuzz::{qr, token};
use qrcode::{Color, QrCode};

fn main() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    write(&seeds.join("token"), token::seeds());
    write(&seeds.join("qr"), qr_seeds());
}

fn qr_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let short = Drawn::new("KP1:TEST", 1);
    let token = Drawn::new(&token::valid_token(token::KEY_ID), 1);
    let seeds = vec![
        ("rgba-blank-4x4", qr::rgba_input(4, 4, |_, _| false)),
        (
            "rgba-code",
            qr::rgba_input(short.side, short.side, |x, y| short.dark(x, y)),
        ),
        (
            "bits-code",
            qr::bits_input(short.side, short.side, |x, y| short.dark(x, y)),
        ),
        (
            "bits-token",
            qr::bits_input(token.side, token.side, |x, y| token.dark(x, y)),
        ),
        ("any-size-2x2", qr::any_size_input(2, 2, &[255; 16])),
    ];
    for (name, input) in &seeds {
        if let Some((width, height, rgba)) = qr::frame(input) {
            let text = kapok_scanner::decode(width, height, &rgba);
            assert_eq!(
                text.is_some(),
                name.contains("code") || name.contains("token"),
                "{name}: {text:?}"
            );
        }
    }
    seeds
}

/// A QR code drawn `scale` pixels a module, inside the four-module quiet zone the standard asks for.
struct Drawn {
    side: usize,
    modules: usize,
    scale: usize,
    colors: Vec<Color>,
}

impl Drawn {
    fn new(text: &str, scale: usize) -> Drawn {
        let code = QrCode::new(text).expect("fits a QR code");
        let modules = code.width();
        Drawn {
            side: (modules + 8) * scale,
            modules,
            scale,
            colors: code.to_colors(),
        }
    }

    fn dark(&self, x: usize, y: usize) -> bool {
        let (x, y) = (x / self.scale, y / self.scale);
        (4..self.modules + 4).contains(&x)
            && (4..self.modules + 4).contains(&y)
            && self.colors[(y - 4) * self.modules + x - 4] == Color::Dark
    }
}

fn write(dir: &Path, seeds: Vec<(&str, Vec<u8>)>) {
    fs::create_dir_all(dir).expect("seed directory");
    for (name, input) in seeds {
        let path = dir.join(name);
        fs::write(&path, &input).expect("seed file");
        println!("{} ({} bytes)", path.display(), input.len());
    }
}
