//! Metakocka's answers as the client reads them: any status and body into each typed answer
//! (product list, partner list, document, stock, search page). Refusals, HTML pages and odd
//! numbers are errors, never panics, and the secret key never shows in an error's text.
#![no_main]

use crm_mind::metakocka::client::{MetakockaCredentials, decode_answer};
use crm_mind::metakocka::types::{
    Document, PartnerList, ProductListPage, SearchPage, StockPage, WarehouseListPage,
};
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;

const KEY: &str = "fuzz-secret-key-0000";

fuzz_target!(|data: &[u8]| {
    let Some((&status_byte, body)) = data.split_first() else {
        return;
    };
    // Mostly 200, sometimes an error status, as a server would answer.
    let status = match status_byte {
        0..=199 => 200,
        200..=219 => 500,
        220..=229 => 429,
        230..=239 => 404,
        _ => 502,
    };
    let credentials = MetakockaCredentials {
        company_id: "16".to_owned(),
        secret_key: SecretString::from(KEY),
    };
    let errors = [
        decode_answer::<ProductListPage>("json/product_list", status, body, &credentials).err(),
        decode_answer::<PartnerList>("get_partner", status, body, &credentials).err(),
        decode_answer::<Document>("get_document", status, body, &credentials).err(),
        decode_answer::<StockPage>("json/warehouse_stock", status, body, &credentials).err(),
        decode_answer::<WarehouseListPage>("json/warehouse_list", status, body, &credentials).err(),
        decode_answer::<SearchPage>("search", status, body, &credentials).err(),
    ];
    for error in errors.into_iter().flatten() {
        assert!(!error.to_string().contains(KEY), "the key leaked: {error}");
    }
});
