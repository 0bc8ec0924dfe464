//! The OpenAPI schemas of the records' request fields that their Rust types do not describe:
//! decimals are read from their raw JSON text (a string `"39.90"` or a number), so the
//! schema states the text the rules accept. A number is declared as an integer: JSON
//! Schema's `multipleOf` on a fraction cannot say "at most four places in the text", and a
//! client's float (0.1 + 0.2) is exactly what the rules refuse; a fraction goes as a string.
//!
//! Required texts, which the service trims, carry the pattern `\S|[\x1c-\x1f\uFEFF]`
//! (something besides white space): Python's and ECMAScript's `\s` count U+001C–U+001F and
//! U+FEFF, which Rust's `trim` keeps, so those count as something too.

use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, Type};

/// An amount of at most 12 integer digits and `places` decimals, not negative (prices,
/// quantities): what [`super::check_places`] and the amount bounds accept.
fn amount(places: u32, description: &str) -> Schema {
    let text = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(r"^[0-9]{{1,12}}(\.[0-9]{{0,{places}}}0*)?$")))
        .build();
    let whole = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(999_999_999_999_i64))
        .build();
    AnyOfBuilder::new()
        .item(text)
        .item(whole)
        .description(Some(description))
        .into()
}

/// A percentage from 0 to 100 with at most two decimals (discounts, VAT rates).
fn percent(description: &str) -> Schema {
    let text = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"^(100(\.0*)?|[0-9]{1,2}(\.[0-9]{0,2}0*)?)$"))
        .build();
    let whole = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(100))
        .build();
    AnyOfBuilder::new()
        .item(text)
        .item(whole)
        .description(Some(description))
        .into()
}

/// A product's price or a line's unit price: four decimals at most.
pub fn price() -> Schema {
    amount(
        4,
        "a decimal, not negative, below 10^12, at most 4 decimals: \"39.90\" or 40",
    )
}

/// A line's quantity: more than zero, below 10^12, four decimals at most.
pub fn quantity() -> Schema {
    let text = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(concat!(
            r"^(0*[1-9][0-9]{0,11}(\.[0-9]{0,4}0*)?",
            r"|0?\.(0{0,3}[1-9]|0{0,2}[1-9][0-9]|0?[1-9][0-9]{2}|[1-9][0-9]{3})0*)$"
        )))
        .build();
    let whole = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(999_999_999_999_i64))
        .build();
    AnyOfBuilder::new()
        .item(text)
        .item(whole)
        .description(Some(
            "a decimal above 0, below 10^12, at most 4 decimals: \"2.5\" or 3",
        ))
        .into()
}

/// A VAT rate or a discount, in percent.
pub fn percentage() -> Schema {
    percent("a decimal from 0 to 100, at most 2 decimals: \"22\" or 9.5 as \"9.5\"")
}

/// An optional field's schema: also `null`, which the service reads as left out.
fn or_null(schema: Schema) -> Schema {
    match schema {
        Schema::AnyOf(mut any) => {
            any.items
                .push(ObjectBuilder::new().schema_type(Type::Null).build().into());
            Schema::AnyOf(any)
        }
        other => other,
    }
}

/// [`price`], or `null` for the default.
pub fn optional_price() -> Schema {
    or_null(price())
}

/// [`percentage`], or `null` for the default.
pub fn optional_percentage() -> Schema {
    or_null(percentage())
}
