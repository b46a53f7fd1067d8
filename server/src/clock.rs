//! Calendar dates for licence validity, in China Standard Time (UTC+8, no daylight saving):
//! a licence "valid until 2026-12-31" is valid until that day ends in Guangdong.

use time::{
    Date, Duration, OffsetDateTime, UtcOffset, format_description::BorrowedFormatItem,
    macros::format_description,
};

const ISO_DATE: &[BorrowedFormatItem<'_>] = format_description!("[year]-[month]-[day]");
const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+08:00 is a valid offset"),
};

/// Today's date in China Standard Time, as `YYYY-MM-DD`.
pub fn today(now_unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(now_unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(CST)
        .date()
        .format(ISO_DATE)
        .expect("dates format")
}

/// `date` (`YYYY-MM-DD`) plus `days`; an unparsable date is returned unchanged.
pub fn date_in_days(date: &str, days: i64) -> String {
    Date::parse(date, ISO_DATE)
        .ok()
        .and_then(|d| d.checked_add(Duration::days(days)))
        .and_then(|d| d.format(ISO_DATE).ok())
        .unwrap_or_else(|| date.to_owned())
}

/// `date` (`YYYY-MM-DD`) plus whole `years`, on the same day of the month, except that
/// 29 February becomes 28 February in a year without it; an unparsable date is returned
/// unchanged.
pub fn date_in_years(date: &str, years: i32) -> String {
    let Some(d) = parse_date(date) else {
        return date.to_owned();
    };
    let year = d.year() + years;
    d.replace_year(year)
        .or_else(|_| d.replace_day(28).and_then(|d| d.replace_year(year)))
        .map(format_date)
        .unwrap_or_else(|_| date.to_owned())
}

/// A strict `YYYY-MM-DD` date: four-digit year, two-digit month and day, nothing around it
/// (so `2026-1-5`, `+2026-01-05` or `2026-01-05T00:00` are refused, not guessed at).
pub fn parse_date(text: &str) -> Option<Date> {
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shape_ok.then(|| Date::parse(text, ISO_DATE).ok()).flatten()
}

/// `date` as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    date.format(ISO_DATE).expect("dates format")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_turns_at_midnight_in_guangdong_not_in_london() {
        // 2026-11-21 16:00 UTC is 2026-11-22 00:00 in Guangzhou.
        assert_eq!(today(1_795_276_800 - 1), "2026-11-21");
        assert_eq!(today(1_795_276_800), "2026-11-22");
    }

    #[test]
    fn adds_days_across_months_and_years() {
        assert_eq!(date_in_days("2026-12-15", 30), "2027-01-14");
        assert_eq!(date_in_days("2028-02-28", 1), "2028-02-29");
        assert_eq!(date_in_days("not a date", 1), "not a date");
    }

    #[test]
    fn adds_years_keeping_the_day_except_a_missing_leap_day() {
        assert_eq!(date_in_years("2026-11-21", 6), "2032-11-21");
        assert_eq!(date_in_years("2028-02-29", 6), "2034-02-28");
        assert_eq!(date_in_years("2028-02-29", 4), "2032-02-29");
    }

    #[test]
    fn only_plain_iso_dates_parse() {
        let date = parse_date("2028-02-29").unwrap();
        assert_eq!(format_date(date), "2028-02-29");
        for bad in [
            "2027-02-29",
            "2026-1-05",
            "+2026-01-05",
            "2026/01/05",
            "2026-01-05T00:00",
            " 2026-01-05",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad:?}");
        }
    }
}
