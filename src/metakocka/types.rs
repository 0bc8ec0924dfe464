//! Metakocka's records as typed values: products, warehouses and stock, partners, sales
//! documents and search results, each as the API documents them
//! (<https://github.com/metakocka/metakocka_api_base/tree/master/docs>).
//!
//! The wire quirks are absorbed here, once, by the helpers in [`wire`]: numbers arrive as
//! strings (`"12.23"`, and with a decimal comma, `"0,8"`), flags as `"true"`/`"false"`, and a
//! list holding one record as that record alone. Fields this crate does not name yet are kept
//! in each record's `other` map, so a record read and written back loses nothing.

pub mod document;
pub mod partner;
pub mod product;
pub mod search;
pub mod warehouse;
pub mod wire;

pub use document::{Document, DocumentKey, DocumentLine, DocumentSaved};
pub use partner::{
    DeliveryAddress, Partner, PartnerAdded, PartnerAddressId, PartnerContact, PartnerList,
    PartnerQuery,
};
pub use product::{
    AmountDetail, PriceDefinition, Pricelist, Product, ProductListPage, ProductListQuery,
    ProductSaved,
};
pub use search::{SearchCondition, SearchPage, SearchQuery};
pub use warehouse::{StockLine, StockPage, StockQuery, Warehouse, WarehouseListPage};

/// Extra fields of a record that have no typed field (kept for round trips).
pub type OtherFields = serde_json::Map<String, serde_json::Value>;
