//! Reading a list in windows (`offset`, `limit`): `json/product_list` and
//! `json/warehouse_stock` give at most 1,000 records a call, `search` at most 100; the next
//! window is read while the last one was full (and, where the answer counts all matches,
//! while records remain).

use super::limits::CallKind;
use super::{MetakockaClient, MetakockaCredentials, MetakockaError};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Records per call for the list endpoints (`product_list.md`: "max 1000 records").
pub const LIST_PAGE_SIZE: u64 = 1000;
/// Records per `search` call.
pub const SEARCH_PAGE_SIZE: u64 = 100;

/// Where a paged read is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageProgress {
    /// 1 for the first page.
    pub page: u32,
    /// Records received so far, this page included.
    pub received: u64,
    /// All matching records, when Metakocka says (`search` does; the lists do not).
    pub total: Option<u64>,
}

/// One window's answer: its records, and the count of all matches when given.
pub(super) trait Window: DeserializeOwned {
    type Item;
    fn into_items(self) -> Vec<Self::Item>;
    fn total(&self) -> Option<u64> {
        None
    }
}

/// The request with the window's `offset` and `limit`, written as strings like every
/// documented number.
#[derive(Serialize)]
struct Windowed<'a, Q: Serialize> {
    #[serde(flatten)]
    query: &'a Q,
    offset: String,
    limit: String,
}

impl MetakockaClient {
    /// Reads every window of `endpoint`, handing each page to `on_page` as it arrives;
    /// returns how many records there were.
    pub(super) async fn read_windows<Q, W, F>(
        &self,
        credentials: &MetakockaCredentials,
        endpoint: &'static str,
        kind: CallKind,
        query: &Q,
        page_size: u64,
        mut on_page: F,
    ) -> Result<u64, MetakockaError>
    where
        Q: Serialize,
        W: Window,
        F: FnMut(PageProgress, Vec<W::Item>),
    {
        let mut received = 0u64;
        let mut page = 0u32;
        loop {
            let request = Windowed {
                query,
                offset: received.to_string(),
                limit: page_size.to_string(),
            };
            let window: W = self.call(credentials, endpoint, kind, &request).await?;
            let total = window.total();
            let items = window.into_items();
            let count = items.len() as u64;
            received += count;
            page += 1;
            on_page(
                PageProgress {
                    page,
                    received,
                    total,
                },
                items,
            );
            let more = match total {
                Some(total) => count > 0 && received < total,
                None => count >= page_size,
            };
            if !more {
                return Ok(received);
            }
        }
    }
}

impl Window for crate::metakocka::types::ProductListPage {
    type Item = crate::metakocka::types::Product;
    fn into_items(self) -> Vec<Self::Item> {
        self.product_list
    }
}

impl Window for crate::metakocka::types::StockPage {
    type Item = crate::metakocka::types::StockLine;
    fn into_items(self) -> Vec<Self::Item> {
        self.stock_list
    }
}

impl Window for crate::metakocka::types::WarehouseListPage {
    type Item = crate::metakocka::types::Warehouse;
    fn into_items(self) -> Vec<Self::Item> {
        self.warehouse_list
    }
}

impl Window for crate::metakocka::types::SearchPage {
    type Item = crate::metakocka::types::Document;
    fn into_items(self) -> Vec<Self::Item> {
        self.result
    }
    fn total(&self) -> Option<u64> {
        self.result_all_records
    }
}
