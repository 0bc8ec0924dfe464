//! How settings values are read from text: secrets whatever they look like.

use super::*;

/// Environment values are read as TOML-like values, so a token of digits arrives as a
/// number; a secret is text whatever it looks like. An empty value means "not set".
pub fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Scalar {
        Text(String),
        Int(i64),
        Float(f64),
        Bool(bool),
    }
    let value = Option::<Scalar>::deserialize(d)?.map(|scalar| match scalar {
        Scalar::Text(s) => s,
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Bool(b) => b.to_string(),
    });
    Ok(value.filter(|s| !s.is_empty()).map(SecretString::from))
}
