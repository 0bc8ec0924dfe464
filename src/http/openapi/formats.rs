//! Schemas of query texts that take more than one format: the service reads an RFC 3339
//! time or a `YYYY-MM-DD` day, and an empty parameter (`?to=`) as left out.

use std::borrow::Cow;
use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr};
use utoipa::{PartialSchema, ToSchema};

fn string(format: Option<KnownFormat>) -> ObjectBuilder {
    let text = ObjectBuilder::new().schema_type(Type::String);
    match format {
        Some(format) => text.format(Some(SchemaFormat::KnownFormat(format))),
        None => text.max_length(Some(0)),
    }
}

/// An RFC 3339 time, a `YYYY-MM-DD` day, or empty (no bound).
pub struct TimeOrDay;

impl PartialSchema for TimeOrDay {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(string(Some(KnownFormat::DateTime)))
            .item(string(Some(KnownFormat::Date)))
            .item(string(None))
            .description(Some("an RFC 3339 time, a YYYY-MM-DD day, or empty"))
            .into()
    }
}

impl ToSchema for TimeOrDay {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("TimeOrDay")
    }
}

/// A `YYYY-MM-DD` day, or empty (no bound).
pub struct DayOrEmpty;

impl PartialSchema for DayOrEmpty {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(string(Some(KnownFormat::Date)))
            .item(string(None))
            .description(Some("a YYYY-MM-DD day, or empty"))
            .into()
    }
}

impl ToSchema for DayOrEmpty {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("DayOrEmpty")
    }
}
