//! Products: a CRM product ↔ a Metakocka product (`json/product_list`, `product_add`,
//! `product_update`), matched by product code.
//!
//! Synced fields: code, name, description (`name_desc`), unit and whether it is sold
//! (`sales`). Prices are not: Metakocka keeps them in price lists the company defines
//! (`pricelist` entries naming an existing list), which a product push cannot create.

use super::SyncError;
use super::entity::{Ctx, RunFilter, SyncEntity, key};
use super::hash::Fields;
use super::model::{EntityKind, Mapping, PulledWrite};
use crate::metakocka::error_log::EntityType;
use crate::metakocka::types::{self, ProductListQuery};
use crate::records::product::Product;
use crate::records::{RecordQuery, new_id, now};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// CRM records read per store call while listing.
const PAGE: u32 = 500;

pub struct Products;

#[async_trait]
impl SyncEntity for Products {
    type Crm = Product;
    type Mk = types::Product;
    const KIND: EntityKind = EntityKind::Product;
    const ERROR_ENTITY: EntityType = EntityType::Product;

    fn crm_id(crm: &Product) -> &str {
        &crm.id
    }

    fn crm_updated_at(crm: &Product) -> DateTime<Utc> {
        crm.updated_at
    }

    fn mk_id(mk: &types::Product) -> Option<&str> {
        mk.mk_id.as_deref()
    }

    fn mk_count_code(mk: &types::Product) -> Option<&str> {
        mk.count_code.as_deref()
    }

    fn crm_fields(crm: &Product) -> Fields {
        Fields::new()
            .text("code", Some(&crm.code))
            .text("name", Some(&crm.name))
            .text("description", crm.description.as_deref())
            .text("unit", crm.unit.as_deref())
            .flag("sales", crm.active)
    }

    fn mk_fields(mk: &types::Product) -> Fields {
        Fields::new()
            .text("code", mk_code(mk))
            .text("name", mk.name.as_deref())
            .text("description", mk.name_desc.as_deref())
            .text("unit", mk.unit.as_deref())
            .flag("sales", mk.sales.unwrap_or(true))
    }

    fn crm_keys(crm: &Product) -> Vec<String> {
        key("code", Some(&crm.code)).into_iter().collect()
    }

    fn mk_keys(mk: &types::Product) -> Vec<String> {
        key("code", mk_code(mk)).into_iter().collect()
    }

    async fn crm_list(ctx: &Ctx, filter: &RunFilter) -> Result<Vec<Product>, SyncError> {
        let mut all = Vec::new();
        loop {
            let query = RecordQuery {
                text: None,
                limit: PAGE,
                offset: u32::try_from(all.len()).unwrap_or(u32::MAX),
            };
            let page = ctx.store.list_products(&ctx.company, &query).await?;
            let done = page.items.len() < PAGE as usize;
            all.extend(page.items);
            if done {
                break;
            }
        }
        Ok(all
            .into_iter()
            .filter(|p| {
                filter
                    .changed_since
                    .is_none_or(|since| p.updated_at >= since)
            })
            .collect())
    }

    async fn crm_get(ctx: &Ctx, id: &str) -> Result<Option<Product>, SyncError> {
        Ok(ctx.store.get_product(&ctx.company, id).await?)
    }

    async fn mk_list(ctx: &Ctx, filter: &RunFilter) -> Result<Vec<types::Product>, SyncError> {
        let query = ProductListQuery {
            category: filter.category.clone(),
            ..ProductListQuery::default()
        };
        Ok(ctx
            .client
            .product_list_all(&ctx.credentials, &query)
            .await?)
    }

    async fn mk_get(ctx: &Ctx, mapping: &Mapping) -> Result<Option<types::Product>, SyncError> {
        let Some(count_code) = &mapping.count_code else {
            return Ok(None);
        };
        let query = ProductListQuery {
            count_code: Some(count_code.clone()),
            ..ProductListQuery::default()
        };
        let found = ctx
            .client
            .product_list_all(&ctx.credentials, &query)
            .await?;
        Ok(found
            .into_iter()
            .find(|p| p.mk_id.as_deref() == Some(mapping.mk_id.as_str())))
    }

    async fn mk_by_id(ctx: &Ctx, mk_id: &str) -> Result<Option<types::Product>, SyncError> {
        // `product_list` has no `mk_id` filter: the whole list, read a page at a time.
        let all = Self::mk_list(ctx, &RunFilter::default()).await?;
        Ok(all.into_iter().find(|p| p.mk_id.as_deref() == Some(mk_id)))
    }

    async fn mk_find(ctx: &Ctx, crm: &Product) -> Result<Option<types::Product>, SyncError> {
        let query = ProductListQuery {
            code: Some(crm.code.clone()),
            ..ProductListQuery::default()
        };
        let found = ctx
            .client
            .product_list_all(&ctx.credentials, &query)
            .await?;
        Ok(found.into_iter().next())
    }

    async fn crm_find(ctx: &Ctx, mk: &types::Product) -> Result<Option<Product>, SyncError> {
        let Some(wanted) = key("code", mk_code(mk)) else {
            return Ok(None);
        };
        let code = mk_code(mk).unwrap_or_default().trim().to_lowercase();
        let page = ctx
            .store
            .list_products(
                &ctx.company,
                &RecordQuery::new(Some(&code), Some(200), None),
            )
            .await?;
        Ok(page
            .items
            .into_iter()
            .find(|p| key("code", Some(&p.code)).as_ref() == Some(&wanted)))
    }

    async fn push_create(ctx: &Ctx, crm: &Product) -> Result<(String, Option<String>), SyncError> {
        let saved = ctx
            .client
            .product_add(&ctx.credentials, &to_metakocka(crm))
            .await?;
        Ok((saved.mk_id, saved.count_code))
    }

    async fn push_update(
        ctx: &Ctx,
        crm: &Product,
        _mk: &types::Product,
        mapping: &Mapping,
    ) -> Result<(), SyncError> {
        let mut product = to_metakocka(crm);
        product.mk_id = Some(mapping.mk_id.clone());
        ctx.client
            .product_update(&ctx.credentials, &product)
            .await?;
        Ok(())
    }

    async fn pull_create(ctx: &Ctx, mk: &types::Product) -> Result<Product, SyncError> {
        let product = Self::pulled_new(ctx, mk)?;
        ctx.store.insert_product(&product).await?;
        Ok(product)
    }

    async fn pull_update(
        ctx: &Ctx,
        crm: &Product,
        mk: &types::Product,
    ) -> Result<Product, SyncError> {
        let product = Self::pulled_changed(crm, mk)?;
        if !ctx.store.update_product(&product).await? {
            return Err(SyncError::NotFound(format!("product {}", crm.id)));
        }
        Ok(product)
    }

    const BATCHED_PULLS: bool = true;

    fn pulled_new(ctx: &Ctx, mk: &types::Product) -> Result<Product, SyncError> {
        let at = now();
        let mut product = Product {
            id: new_id(),
            company_id: ctx.company.clone(),
            code: String::new(),
            name: String::new(),
            description: None,
            unit: None,
            price: Decimal::ZERO,
            currency: "EUR".to_owned(),
            vat_rate: Decimal::ZERO,
            active: true,
            created_at: at,
            updated_at: at,
        };
        copy_from_metakocka(&mut product, mk)?;
        Ok(product)
    }

    fn pulled_changed(crm: &Product, mk: &types::Product) -> Result<Product, SyncError> {
        let mut product = crm.clone();
        copy_from_metakocka(&mut product, mk)?;
        product.updated_at = now();
        Ok(product)
    }

    async fn write_pulled(
        ctx: &Ctx,
        writes: &[PulledWrite<Product>],
    ) -> Result<Vec<Result<(), SyncError>>, SyncError> {
        let written = ctx
            .store
            .write_pulled_products(&ctx.company, writes)
            .await?;
        Ok(written
            .into_iter()
            .map(|r| r.map_err(SyncError::from))
            .collect())
    }
}

/// A Metakocka product's code; its `count_code` when it has none (a CRM product needs one).
fn mk_code(mk: &types::Product) -> Option<&str> {
    (mk.code.as_deref().filter(|c| !c.trim().is_empty())).or(mk.count_code.as_deref())
}

fn to_metakocka(crm: &Product) -> types::Product {
    types::Product {
        code: Some(crm.code.clone()),
        name: Some(crm.name.clone()),
        name_desc: crm.description.clone(),
        unit: crm.unit.clone(),
        sales: Some(crm.active),
        ..types::Product::default()
    }
}

fn copy_from_metakocka(product: &mut Product, mk: &types::Product) -> Result<(), SyncError> {
    let code = mk_code(mk).map(str::trim).filter(|c| !c.is_empty());
    let Some(code) = code else {
        return Err(SyncError::Invalid(
            "the Metakocka product has no code or count_code".to_owned(),
        ));
    };
    product.code = code.to_owned();
    product.name = (mk.name.as_deref().map(str::trim))
        .filter(|n| !n.is_empty())
        .unwrap_or(code)
        .to_owned();
    product.description = trimmed(mk.name_desc.as_deref());
    product.unit = trimmed(mk.unit.as_deref());
    product.active = mk.sales.unwrap_or(true);
    Ok(())
}

pub(super) fn trimmed(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}
