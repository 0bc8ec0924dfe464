//! The catalogue calls: products (`json/product_list`, `json/product_add`,
//! `json/product_update`), warehouses and stock (`json/warehouse_list`,
//! `json/warehouse_stock`).
//! <https://github.com/metakocka/metakocka_api_base/blob/master/docs/product_list.md>,
//! `product_add.md`, `product_update.md`, `warehouse_list.md`, `warehouse_stock.md`.

use super::limits::CallKind;
use super::paging::{LIST_PAGE_SIZE, PageProgress};
use super::{MetakockaClient, MetakockaCredentials, MetakockaError};
use crate::metakocka::types::{
    Product, ProductListPage, ProductListQuery, ProductSaved, StockLine, StockPage, StockQuery,
    Warehouse, WarehouseListPage,
};

impl MetakockaClient {
    /// Every product matching `query`, a window of [`LIST_PAGE_SIZE`] at a time.
    pub async fn product_list_all(
        &self,
        credentials: &MetakockaCredentials,
        query: &ProductListQuery,
    ) -> Result<Vec<Product>, MetakockaError> {
        let mut all = Vec::new();
        self.product_list_pages(credentials, query, |_, page| all.extend(page))
            .await?;
        Ok(all)
    }

    /// Like [`Self::product_list_all`], handing each page to `on_page` as it arrives;
    /// returns how many products there were.
    pub async fn product_list_pages(
        &self,
        credentials: &MetakockaCredentials,
        query: &ProductListQuery,
        on_page: impl FnMut(PageProgress, Vec<Product>),
    ) -> Result<u64, MetakockaError> {
        self.read_windows::<_, ProductListPage, _>(
            credentials,
            "json/product_list",
            CallKind::Other,
            query,
            LIST_PAGE_SIZE,
            on_page,
        )
        .await
    }

    /// Creates a product; Metakocka answers its `mk_id` and `count_code`.
    pub async fn product_add(
        &self,
        credentials: &MetakockaCredentials,
        product: &Product,
    ) -> Result<ProductSaved, MetakockaError> {
        self.call(credentials, "json/product_add", CallKind::Other, product)
            .await
    }

    /// Changes the product named by `product.mk_id` or `product.count_code`; fields left
    /// out stay as they are.
    pub async fn product_update(
        &self,
        credentials: &MetakockaCredentials,
        product: &Product,
    ) -> Result<ProductSaved, MetakockaError> {
        self.call(credentials, "json/product_update", CallKind::Other, product)
            .await
    }

    pub async fn warehouse_list(
        &self,
        credentials: &MetakockaCredentials,
    ) -> Result<Vec<Warehouse>, MetakockaError> {
        let mut all = Vec::new();
        self.read_windows::<_, WarehouseListPage, _>(
            credentials,
            "json/warehouse_list",
            CallKind::Other,
            &serde_json::Map::new(),
            LIST_PAGE_SIZE,
            |_, page| all.extend(page),
        )
        .await?;
        Ok(all)
    }

    /// Every stock line matching `query` (one per product, warehouse and microlocation).
    pub async fn warehouse_stock_all(
        &self,
        credentials: &MetakockaCredentials,
        query: &StockQuery,
    ) -> Result<Vec<StockLine>, MetakockaError> {
        let mut all = Vec::new();
        self.warehouse_stock_pages(credentials, query, |_, page| all.extend(page))
            .await?;
        Ok(all)
    }

    pub async fn warehouse_stock_pages(
        &self,
        credentials: &MetakockaCredentials,
        query: &StockQuery,
        on_page: impl FnMut(PageProgress, Vec<StockLine>),
    ) -> Result<u64, MetakockaError> {
        self.read_windows::<_, StockPage, _>(
            credentials,
            "json/warehouse_stock",
            CallKind::Other,
            query,
            LIST_PAGE_SIZE,
            on_page,
        )
        .await
    }
}
