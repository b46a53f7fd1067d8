//! The `qr` target: whatever frame the camera hands the scanner, decoding answers, never
//! panics. (In the browser the scanner is built with panic=abort: a panic would kill the
//! worker, and the verifier's camera with it.)

/// How the rest of an input is read, chosen by its first byte modulo 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Width and height in 1..=256 (a byte each, plus one), then RGBA pixels, as a canvas
    /// hands them over; too few pixels is the scanner's to refuse.
    Rgba = 0,
    /// The same frame at one bit a pixel (1 dark, most significant bit first, white past the
    /// end of the input), so that finder patterns and whole codes are within a mutation's reach.
    Bits = 1,
    /// Width and height as any two little-endian u64, then RGBA pixels: the frame-size guard.
    AnySize = 2,
}

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match (mode % 3, rest) {
        (0, [w, h, rgba @ ..]) => {
            kapok_scanner::decode(side(*w), side(*h), rgba);
        }
        (1, [w, h, bits @ ..]) => {
            let (width, height) = (side(*w), side(*h));
            kapok_scanner::decode(width, height, &unpack(width, height, bits));
        }
        (2, _) => {
            if let Some((size, rgba)) = rest.split_first_chunk::<16>() {
                let (w, h) = size.split_at(8);
                let width = u64::from_le_bytes(w.try_into().expect("8 bytes")) as usize;
                let height = u64::from_le_bytes(h.try_into().expect("8 bytes")) as usize;
                kapok_scanner::decode(width, height, rgba);
            }
        }
        _ => {}
    }
}

fn side(byte: u8) -> usize {
    usize::from(byte) + 1
}

fn unpack(width: usize, height: usize, bits: &[u8]) -> Vec<u8> {
    (0..width * height)
        .flat_map(|i| {
            let dark = bits.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0);
            if dark { [0, 0, 0, 255] } else { [255; 4] }
        })
        .collect()
}

/// A [`Mode::Rgba`] input: `width × height` (each 1..=256) pixels, `dark(x, y)` black.
pub fn rgba_input(width: usize, height: usize, dark: impl Fn(usize, usize) -> bool) -> Vec<u8> {
    let mut input = vec![Mode::Rgba as u8, side_byte(width), side_byte(height)];
    for y in 0..height {
        for x in 0..width {
            input.extend(if dark(x, y) { [0, 0, 0, 255] } else { [255; 4] });
        }
    }
    input
}

/// A [`Mode::Bits`] input of the same frame.
pub fn bits_input(width: usize, height: usize, dark: impl Fn(usize, usize) -> bool) -> Vec<u8> {
    let mut bits = vec![0; (width * height).div_ceil(8)];
    for y in 0..height {
        for x in 0..width {
            if dark(x, y) {
                let i = y * width + x;
                bits[i / 8] |= 0x80 >> (i % 8);
            }
        }
    }
    [
        &[Mode::Bits as u8, side_byte(width), side_byte(height)],
        &bits[..],
    ]
    .concat()
}

/// A [`Mode::AnySize`] input.
pub fn any_size_input(width: u64, height: u64, rgba: &[u8]) -> Vec<u8> {
    [
        &[Mode::AnySize as u8],
        &width.to_le_bytes()[..],
        &height.to_le_bytes()[..],
        rgba,
    ]
    .concat()
}

fn side_byte(side: usize) -> u8 {
    u8::try_from(side - 1).expect("a side of 1 to 256 pixels")
}

/// The frames an input in any mode decodes, for checking the seeds.
pub fn frame(data: &[u8]) -> Option<(usize, usize, Vec<u8>)> {
    match data {
        [0, w, h, rgba @ ..] => Some((side(*w), side(*h), rgba.to_vec())),
        [1, w, h, bits @ ..] => {
            let (width, height) = (side(*w), side(*h));
            Some((width, height, unpack(width, height, bits)))
        }
        _ => None,
    }
}
