//! Whole numbers in request bodies, read the way the OpenAPI document's JSON Schema counts them:
//! `2` and `2.0` are the same `integer` (JSON Schema 2020-12: an integer is any number with a
//! zero fractional part). serde alone takes only `2`, so a client whose JSON writer spells
//! numbers as floats (Python's, for one) was refused a value the document admits
//! (schemathesis: "schema-valid request rejected", `count: 1.0`).

use serde::{Deserialize, Deserializer, de::Error};

/// For `#[serde(default, deserialize_with = "crate::whole_number::optional")]` on an
/// `Option<u8>`, `Option<u32>`, …: `null` or absent is `None`; `2` and `2.0` are `Some(2)`;
/// fractions, negatives and values out of the type's range are refused.
pub fn optional<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let whole = number.as_u64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(f))
            .map(|f| f as u64)
    });
    whole
        .and_then(|n| T::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| {
            D::Error::custom(format!(
                "invalid value: {number}, expected a whole number in range"
            ))
        })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Body {
        #[serde(default, deserialize_with = "super::optional")]
        count: Option<u8>,
    }

    fn read(json: &str) -> Result<Option<u8>, String> {
        serde_json::from_str::<Body>(json)
            .map(|b| b.count)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_whole_number_may_be_spelled_as_a_float() {
        assert_eq!(read(r#"{"count": 3}"#), Ok(Some(3)));
        assert_eq!(read(r#"{"count": 3.0}"#), Ok(Some(3)));
        assert_eq!(read(r#"{"count": 3e0}"#), Ok(Some(3)));
        assert_eq!(read(r#"{"count": null}"#), Ok(None));
        assert_eq!(read(r#"{}"#), Ok(None));
    }

    #[test]
    fn fractions_negatives_and_out_of_range_values_are_refused() {
        for json in [
            r#"{"count": 1.5}"#,
            r#"{"count": -1}"#,
            r#"{"count": -1.0}"#,
            r#"{"count": 256}"#,
            r#"{"count": 1e300}"#,
            r#"{"count": "1"}"#,
        ] {
            assert!(read(json).is_err(), "{json}");
        }
    }
}
