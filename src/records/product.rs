//! A product of the company's own catalogue: what a sale names and what the Metakocka sync
//! maps to Metakocka's products. `code` is unique within the company.

use super::sales_document::input::MAX_AMOUNT;
use super::{
    check_places, letter_code, new_id, optional_text, parse_decimal, required_text, schema,
};
use crate::domain::{CompanyId, FieldError};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// Decimal places a price may have (Metakocka keeps four).
pub const PRICE_PLACES: u32 = 4;

/// A stored product. Decimals serialise as strings (`"39.90"`), never as floats.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Product {
    pub id: String,
    pub company_id: CompanyId,
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub unit: Option<String>,
    pub price: Decimal,
    pub currency: String,
    pub vat_rate: Decimal,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The body of `POST /api/products` and `PUT /api/products/{id}` (a whole record).
/// Decimals are kept as raw JSON so a number is never read through `f64`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// Unique within the company; trimmed.
    #[schema(min_length = 1, max_length = 64, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    pub code: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S|[\x1c-\x1f\uFEFF]")]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub unit: Option<String>,
    #[schema(schema_with = schema::price)]
    pub price: Box<RawValue>,
    /// `EUR` unless given.
    #[serde(default)]
    #[schema(pattern = r"^[A-Za-z]{3}$")]
    pub currency: Option<String>,
    /// 0 unless given.
    #[serde(default)]
    #[schema(schema_with = schema::optional_percentage, required = false)]
    pub vat_rate: Option<Box<RawValue>>,
    /// `true` unless given.
    #[serde(default)]
    pub active: Option<bool>,
}

/// The validated fields of a [`ProductInput`].
struct ProductFields {
    code: String,
    name: String,
    description: Option<String>,
    unit: Option<String>,
    price: Decimal,
    currency: String,
    vat_rate: Decimal,
    active: bool,
}

impl ProductInput {
    fn parse(&self) -> Result<ProductFields, FieldError> {
        let code = required_text("code", &self.code, 64)?;
        let price = check_places("price", parse_decimal("price", &self.price)?, PRICE_PLACES)?;
        if price.is_sign_negative() && !price.is_zero() {
            return Err(FieldError::new("price", "must not be negative"));
        }
        // The bound of a document line's unit price, which a product's price becomes.
        if price >= MAX_AMOUNT {
            return Err(FieldError::new("price", "must be less than 1000000000000"));
        }
        let vat_rate = match &self.vat_rate {
            Some(raw) => check_places("vat_rate", parse_decimal("vat_rate", raw)?, 2)?,
            None => Decimal::ZERO,
        };
        if vat_rate < Decimal::ZERO || vat_rate > Decimal::ONE_HUNDRED {
            return Err(FieldError::new("vat_rate", "must be between 0 and 100"));
        }
        Ok(ProductFields {
            code,
            name: required_text("name", &self.name, 200)?,
            description: optional_text("description", self.description.as_deref(), 4000)?,
            unit: optional_text("unit", self.unit.as_deref(), 20)?,
            price,
            currency: match &self.currency {
                Some(currency) => letter_code("currency", currency, 3)?,
                None => "EUR".to_owned(),
            },
            vat_rate,
            active: self.active.unwrap_or(true),
        })
    }
}

impl Product {
    /// A new product of `company` from a request body.
    pub fn create(
        company: &CompanyId,
        input: &ProductInput,
        now: DateTime<Utc>,
    ) -> Result<Self, FieldError> {
        let fields = input.parse()?;
        let mut product = Self {
            id: new_id(),
            company_id: company.clone(),
            code: String::new(),
            name: String::new(),
            description: None,
            unit: None,
            price: Decimal::ZERO,
            currency: String::new(),
            vat_rate: Decimal::ZERO,
            active: true,
            created_at: now,
            updated_at: now,
        };
        product.set(fields, now);
        Ok(product)
    }

    /// Replaces every field a client sets (all but id, company and creation time).
    pub fn replace(&mut self, input: &ProductInput, now: DateTime<Utc>) -> Result<(), FieldError> {
        let fields = input.parse()?;
        self.set(fields, now);
        Ok(())
    }

    fn set(&mut self, f: ProductFields, now: DateTime<Utc>) {
        self.code = f.code;
        self.name = f.name;
        self.description = f.description;
        self.unit = f.unit;
        self.price = f.price;
        self.currency = f.currency;
        self.vat_rate = f.vat_rate;
        self.active = f.active;
        self.updated_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> ProductInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn defaults_and_exact_price() {
        let p = Product::create(
            &"c1".into(),
            &input(r#"{"code":" A-1 ","name":"Oil","price":39.90}"#),
            Utc::now(),
        )
        .unwrap();
        assert_eq!((p.code.as_str(), p.currency.as_str()), ("A-1", "EUR"));
        assert_eq!(serde_json::to_value(&p).unwrap()["price"], "39.90");
        assert!(p.active);
    }

    #[test]
    fn errors_name_the_field() {
        let field = |json: &str| {
            Product::create(&"c1".into(), &input(json), Utc::now())
                .unwrap_err()
                .field
        };
        assert_eq!(field(r#"{"code":"","name":"n","price":1}"#), "code");
        assert_eq!(field(r#"{"code":"a","name":" ","price":1}"#), "name");
        assert_eq!(field(r#"{"code":"a","name":"n","price":"-1"}"#), "price");
        assert_eq!(
            field(r#"{"code":"a","name":"n","price":"1.00001"}"#),
            "price"
        );
        assert_eq!(
            field(r#"{"code":"a","name":"n","price":1,"currency":"EU"}"#),
            "currency"
        );
        assert_eq!(
            field(r#"{"code":"a","name":"n","price":1,"vat_rate":101}"#),
            "vat_rate"
        );
    }
}
