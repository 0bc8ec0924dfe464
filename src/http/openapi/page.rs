//! The answer of every paged list: `{items, total, limit, offset}`, one generic type so each
//! list's schema names its item type (`Page<Product>`) and the JSON cannot differ by list.

use serde::Serialize;
use utoipa::ToSchema;

/// One page of a list: the items, how many match in all, and the paging it was read with
/// (the limit after clamping to the list's maximum).
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many match in all, on every page.
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
}
