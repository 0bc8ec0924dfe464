//! Body schemas with a rule across fields, which a derived schema cannot state: the derived
//! schema, and (`allOf`) the rule as an `anyOf` of the allowed combinations.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Schema, Type};

/// A field that is absent or `null`.
fn none() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Null)
}

/// `base`, with exactly one of `fields` given (a value of its schema) and the others absent
/// or `null`.
pub fn exactly_one_of(base: RefOr<Schema>, fields: Vec<(&str, RefOr<Schema>)>) -> RefOr<Schema> {
    let names: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
    let mut choices = AnyOfBuilder::new();
    for (given, schema) in fields {
        let mut choice = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(given, schema)
            .required(given);
        for other in names.iter().filter(|name| **name != given) {
            choice = choice.property(*other, none());
        }
        choices = choices.item(choice);
    }
    AllOfBuilder::new().item(base).item(choices).into()
}

/// `base`, with all of `fields` given (values of their schemas) or none of them (each absent
/// or `null`).
pub fn all_or_none_of(base: RefOr<Schema>, fields: Vec<(&str, RefOr<Schema>)>) -> RefOr<Schema> {
    let mut all = ObjectBuilder::new().schema_type(Type::Object);
    let mut none_given = ObjectBuilder::new().schema_type(Type::Object);
    for (name, schema) in fields {
        all = all.property(name, schema).required(name);
        none_given = none_given.property(name, none());
    }
    AllOfBuilder::new()
        .item(base)
        .item(AnyOfBuilder::new().item(all).item(none_given))
        .into()
}

/// A string with something besides white space (see [`crate::records::schema`]).
pub fn not_blank() -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(r"\S|[\x1c-\x1f\uFEFF]"))
        .into()
}

/// A [`utoipa::ToSchema`] for a body whose rule across fields [`exactly_one_of`] or
/// [`all_or_none_of`] states: `$name` is the derived body type, `$schema` builds the whole.
#[macro_export]
macro_rules! body_with_rule {
    ($(#[$doc:meta])* $wrapper:ident, $body:ty, $schema:expr) => {
        $(#[$doc])*
        pub struct $wrapper;

        impl utoipa::PartialSchema for $wrapper {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $schema
            }
        }

        impl utoipa::ToSchema for $wrapper {
            fn schemas(
                schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
            ) {
                <$body as utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}
