//! A batch of consecutive signed codes for one licence, kept on the device, so the live QR
//! code keeps working for a few minutes without a network.
//!
//! Time is measured on the device from when the batch arrived, never by comparing the
//! device's clock with the server's: a phone whose clock is off still switches codes on time.

use kapok_api::{Presentation, token::CLOCK_SKEW_SECS};
use serde::{Deserialize, Serialize};

/// A code is replaced this many seconds before it expires, so a verifier never scans one in
/// its last moments.
pub const SWITCH_AHEAD_SECS: i64 = 15;
/// How many codes to fetch at once: about three minutes of codes.
pub const BATCH_SIZE: u8 = 5;
/// The next batch is asked for this long before the last code is replaced: time enough for
/// a slow network, and for a few tries offline.
const REFETCH_AHEAD_SECS: i64 = 20;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeBatch {
    /// Consecutive codes, earliest first, as the server issued them.
    pub presentations: Vec<Presentation>,
    /// When the batch arrived, by the device's clock.
    pub received_at: i64,
}

impl CodeBatch {
    /// The server's time now, estimated from the device's clock since the batch arrived.
    fn server_now(&self, device_now: i64) -> Option<i64> {
        let first = self.presentations.first()?;
        Some(first.issued_at + (device_now - self.received_at))
    }

    /// The code to show now, if any is still good.
    pub fn current(&self, device_now: i64) -> Option<&Presentation> {
        let now = self.server_now(device_now)?;
        self.presentations.iter().find(|p| {
            now + CLOCK_SKEW_SECS >= p.issued_at && now < p.expires_at - SWITCH_AHEAD_SECS
        })
    }

    /// Seconds until the code on screen is replaced.
    pub fn seconds_to_switch(&self, device_now: i64) -> i64 {
        match (self.current(device_now), self.server_now(device_now)) {
            (Some(p), Some(now)) => (p.expires_at - SWITCH_AHEAD_SECS - now).max(0),
            _ => 0,
        }
    }

    /// Whether to fetch a new batch: the last code is showing and is to be replaced within
    /// [`REFETCH_AHEAD_SECS`], or none is left. Not as soon as the last code shows: under a
    /// grant the server gives one code at a time, and the next is asked for once that one is
    /// well under way, not again and again while it shows.
    pub fn running_low(&self, device_now: i64) -> bool {
        match self.current(device_now) {
            Some(p) => {
                self.presentations.last().is_some_and(|last| last == p)
                    && self.seconds_to_switch(device_now) <= REFETCH_AHEAD_SECS
            }
            None => true,
        }
    }

    /// Until when (device clock) this batch can show a valid code.
    pub fn good_until(&self, device_now: i64) -> Option<i64> {
        let last = self.presentations.last()?;
        let now = self.server_now(device_now)?;
        Some(device_now + (last.expires_at - SWITCH_AHEAD_SECS - now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five codes as the server issues them: 40 s apart, 60 s each.
    fn batch(server_start: i64, received_at: i64) -> CodeBatch {
        let presentations = (0..5)
            .map(|i| Presentation {
                token: format!("code-{i}"),
                issued_at: server_start + 40 * i,
                expires_at: server_start + 40 * i + 60,
            })
            .collect();
        CodeBatch {
            presentations,
            received_at,
        }
    }

    #[test]
    fn codes_follow_each_other_without_a_gap() {
        let b = batch(1000, 1000);
        assert_eq!(b.current(1000).unwrap().token, "code-0");
        assert_eq!(b.current(1044).unwrap().token, "code-0");
        // At 45 s the first code has 15 s left; the second has been valid for 5 s.
        assert_eq!(b.current(1045).unwrap().token, "code-1");
        for t in 1000..1205 {
            assert!(b.current(t).is_some(), "a code at {t}");
        }
        assert_eq!(
            b.current(1205),
            None,
            "the batch is used up 15 s before its last code expires"
        );
    }

    #[test]
    fn a_new_batch_is_fetched_while_the_last_code_still_shows() {
        let b = batch(1000, 1000);
        assert!(!b.running_low(1000));
        assert!(!b.running_low(1165), "the last code has just come up");
        assert!(!b.running_low(1184));
        assert!(b.running_low(1185), "20 s before the last code is replaced");
        assert!(b.running_low(2000));
    }

    /// Under a grant the server gives one code at a time: the next is asked for once, 20 s
    /// before it is replaced, not on every tick while the one code shows.
    #[test]
    fn a_batch_of_one_code_is_renewed_once_it_is_well_under_way() {
        let mut b = batch(1000, 1000);
        b.presentations.truncate(1);
        assert!(!b.running_low(1000));
        assert!(!b.running_low(1024));
        assert!(b.running_low(1025));
    }

    #[test]
    fn a_device_clock_that_is_off_does_not_matter() {
        // The phone's clock is 90 s ahead of the server's.
        let b = batch(1000, 1090);
        assert_eq!(b.current(1090).unwrap().token, "code-0");
        assert_eq!(b.seconds_to_switch(1090), 45);
        assert_eq!(b.current(1135).unwrap().token, "code-1");
        assert_eq!(b.good_until(1090), Some(1090 + 205));
    }

    #[test]
    fn countdown_and_offline_horizon() {
        let b = batch(1000, 1000);
        assert_eq!(b.seconds_to_switch(1000), 45);
        assert_eq!(b.seconds_to_switch(1045), 40);
        assert_eq!(b.good_until(1000), Some(1205));
        assert_eq!(b.seconds_to_switch(3000), 0);
    }
}
