//! The QR decoder of the verifier's camera scanning, kept out of the app's own wasm: its
//! Galois-field tables alone weigh more than 100 KB, and only browsers without a
//! `BarcodeDetector` need it. The app starts this crate's binary as a web worker on demand,
//! which also keeps decoding off the main thread.

/// Decodes the first QR code found in an RGBA frame (`width × height` pixels, 4 bytes each).
pub fn decode(width: usize, height: usize, rgba: &[u8]) -> Option<String> {
    // Checked: on wasm32 a usize is 32 bits, and a claimed size of 65536 × 16384 would wrap to
    // zero bytes and let the pixel reads below run past the buffer.
    let bytes = width
        .checked_mul(height)
        .and_then(|pixels| pixels.checked_mul(4));
    if width == 0 || height == 0 || bytes.is_none_or(|bytes| rgba.len() < bytes) {
        return None;
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let at = (y * width + x) * 4;
        // ITU-R BT.601 luma, in integers.
        let luma = u32::from(rgba[at]) * 299
            + u32::from(rgba[at + 1]) * 587
            + u32::from(rgba[at + 2]) * 114;
        (luma / 1000) as u8
    });
    image
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

#[cfg(test)]
mod tests {
    use super::decode;
    use qrcode::{Color, QrCode};

    /// Draws `text` as a QR code, `scale` pixels per module, inside a white frame.
    fn frame(text: &str, scale: usize, size: usize, dark: [u8; 3]) -> Vec<u8> {
        let code = QrCode::new(text).unwrap();
        let modules = code.width();
        let colors = code.to_colors();
        let offset = (size - modules * scale) / 2;
        let mut rgba = vec![255; size * size * 4];
        for y in 0..modules * scale {
            for x in 0..modules * scale {
                if colors[(y / scale) * modules + x / scale] == Color::Dark {
                    let at = ((offset + y) * size + offset + x) * 4;
                    rgba[at..at + 3].copy_from_slice(&dark);
                }
            }
        }
        rgba
    }

    #[test]
    fn reads_a_licence_code_from_a_frame() {
        let text = "KP1:NCF6QF+EGM0VQDDMN9KFF5N3%3A5ED+7 6WO9U1-AFR3T$3:LK.-W5";
        assert_eq!(
            decode(480, 480, &frame(text, 5, 480, [0, 0, 0])).as_deref(),
            Some(text)
        );
        // A dim screen filmed in a warm light still reads.
        assert_eq!(
            decode(480, 480, &frame(text, 4, 480, [90, 60, 40])).as_deref(),
            Some(text)
        );
    }

    #[test]
    fn a_frame_without_a_code_or_with_too_few_pixels_reads_nothing() {
        assert_eq!(decode(320, 240, &vec![255; 320 * 240 * 4]), None);
        assert_eq!(decode(320, 240, &[0; 16]), None);
        assert_eq!(decode(0, 0, &[]), None);
    }

    /// A size whose byte count overflows `usize` (easily reached on wasm32, where it is 32 bits)
    /// once wrapped to a small number and passed the length check; the pixel reads then ran
    /// past the buffer. (Found by the `qr` fuzz target's any-size mode on 64 bits.)
    #[test]
    fn a_frame_claiming_more_pixels_than_memory_holds_reads_nothing() {
        assert_eq!(decode(usize::MAX, 2, &[0; 16]), None);
        assert_eq!(decode(1 << 62, 1 << 2, &[0; 16]), None);
        assert_eq!(decode(2, usize::MAX / 4 + 1, &[0; 16]), None);
    }
}
