//! Whole numbers in request bodies as JSON Schema counts them: `268.0` is an `integer` there
//! (a number with no fraction), and clients that hold numbers as floats send it so. serde
//! reads it into an integer type only through [`optional`].

use serde::{Deserialize, Deserializer, de::Error};

/// An optional whole number (`null` or absent is `None`); `2.5`, a string or a number
/// outside `T`'s range is an error naming what was expected.
pub fn optional<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let whole = number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
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

    #[derive(Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "super::optional")]
        minutes: Option<u32>,
    }

    fn minutes(json: &str) -> Result<Option<u32>, serde_json::Error> {
        serde_json::from_str::<Body>(json).map(|b| b.minutes)
    }

    #[test]
    fn whole_floats_count_and_fractions_do_not() {
        assert_eq!(minutes(r#"{"minutes": 268.0}"#).unwrap(), Some(268));
        assert_eq!(minutes(r#"{"minutes": 5}"#).unwrap(), Some(5));
        assert_eq!(minutes(r#"{"minutes": null}"#).unwrap(), None);
        assert_eq!(minutes("{}").unwrap(), None);
        assert!(minutes(r#"{"minutes": 2.5}"#).is_err());
        assert!(minutes(r#"{"minutes": -1}"#).is_err());
        assert!(minutes(r#"{"minutes": "5"}"#).is_err());
    }
}
