//! Pages and their CRM links in SQLite: a `pages` row plus one `crm_links` row per link per
//! list. A save replaces the page's link rows inside the writer's transaction, guarded by the
//! page's version.

use super::accounts::conflict_or_unavailable;
use super::{SqliteStore, corrupt, from_millis, millis, unavailable};
use crate::domain::{CompanyId, CrmLink, CrmLinkType, LinkId, Page, PageId, Sealed};
use crate::store::{PageStore, StoreResult};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::HashMap;

const PAGE_COLUMNS: &str =
    "page_id, company_id, page_name, access_token, version, created_at, updated_at, reply_settings";
const LINK_COLUMNS: &str = "page_id, list, link_id, name, url, type, channels, api_key, headers, \
     description, is_active, created_at, updated_at, webhook_secret, refresh_minutes";

#[async_trait]
impl PageStore for SqliteStore {
    async fn insert_page(&self, page: &Page) -> StoreResult<()> {
        let page = page.clone();
        self.writer
            .write(move |conn| {
                conn.execute(
                    "INSERT INTO pages (page_id, company_id, page_name, access_token, version, created_at, updated_at, reply_settings)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        page.page_id.as_str(),
                        page.company_id.as_str(),
                        page.page_name,
                        page.access_token.as_stored(),
                        page.version,
                        millis(page.created_at),
                        millis(page.updated_at),
                        serde_json::to_string(&page.reply).map_err(corrupt)?
                    ],
                )
                .map_err(|e| conflict_or_unavailable(e, "the page is registered already"))?;
                insert_links(conn, &page)
            })
            .await
    }

    async fn get_page(&self, company: &CompanyId, page_id: &PageId) -> StoreResult<Option<Page>> {
        let (company, page_id) = (company.clone(), page_id.clone());
        self.read(move |conn| {
            let sql = format!("SELECT {PAGE_COLUMNS} FROM pages WHERE company_id = ?1 AND page_id = ?2");
            let Some(mut page) = conn
                .query_row(&sql, [company.as_str(), page_id.as_str()], page_row)
                .optional()
                .map_err(unavailable)?
                .transpose()?
            else {
                return Ok(None);
            };
            let sql = format!(
                "SELECT {LINK_COLUMNS} FROM crm_links WHERE company_id = ?1 AND page_id = ?2 ORDER BY list, position"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
            let rows = stmt
                .query_map([company.as_str(), page_id.as_str()], link_row)
                .map_err(unavailable)?;
            for row in rows {
                let (_, list, link) = row.map_err(unavailable)??;
                push_link(&mut page, &list, link)?;
            }
            Ok(Some(page))
        })
        .await
    }

    async fn list_pages(&self, company: &CompanyId) -> StoreResult<Vec<Page>> {
        let company = company.clone();
        self.read(move |conn| load_pages(conn, Some(company.as_str())))
            .await
    }

    async fn save_page(&self, page: &Page) -> StoreResult<bool> {
        let page = page.clone();
        self.writer
            .write(move |conn| {
                let updated = conn
                    .execute(
                        "UPDATE pages SET page_name = ?1, access_token = ?2, updated_at = ?3, version = version + 1,
                                          reply_settings = ?7
                         WHERE company_id = ?4 AND page_id = ?5 AND version = ?6",
                        params![
                            page.page_name,
                            page.access_token.as_stored(),
                            millis(page.updated_at),
                            page.company_id.as_str(),
                            page.page_id.as_str(),
                            page.version,
                            serde_json::to_string(&page.reply).map_err(corrupt)?
                        ],
                    )
                    .map_err(unavailable)?;
                if updated == 0 {
                    return Ok(false);
                }
                conn.execute(
                    "DELETE FROM crm_links WHERE company_id = ?1 AND page_id = ?2",
                    [page.company_id.as_str(), page.page_id.as_str()],
                )
                .map_err(unavailable)?;
                insert_links(conn, &page)?;
                Ok(true)
            })
            .await
    }

    async fn delete_page(&self, company: &CompanyId, page_id: &PageId) -> StoreResult<bool> {
        let (company, page_id) = (company.clone(), page_id.clone());
        self.writer
            .write(move |conn| {
                let deleted = conn
                    .execute(
                        "DELETE FROM pages WHERE company_id = ?1 AND page_id = ?2",
                        [company.as_str(), page_id.as_str()],
                    )
                    .map_err(unavailable)?;
                Ok(deleted > 0)
            })
            .await
    }

    async fn find_page_owner(&self, page_id: &PageId) -> StoreResult<Option<CompanyId>> {
        let page_id = page_id.clone();
        self.read(move |conn| {
            conn.prepare_cached("SELECT company_id FROM pages WHERE page_id = ?1")
                .map_err(unavailable)?
                .query_row([page_id.as_str()], |row| row.get::<_, String>(0))
                .optional()
                .map(|owner| owner.map(CompanyId::from))
                .map_err(unavailable)
        })
        .await
    }

    async fn find_link_owner(&self, link_id: &LinkId) -> StoreResult<Option<(CompanyId, PageId)>> {
        let link_id = link_id.clone();
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT company_id, page_id FROM crm_links WHERE link_id = ?1 LIMIT 1",
            )
            .map_err(unavailable)?
            .query_row([link_id.as_str()], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .optional()
            .map(|owner| owner.map(|(company, page)| (company.into(), page.into())))
            .map_err(unavailable)
        })
        .await
    }

    async fn all_pages(&self) -> StoreResult<Vec<Page>> {
        self.read(|conn| load_pages(conn, None)).await
    }
}

/// The pages of one company, or of all (`None`, for the scheduler), with their links.
fn load_pages(conn: &Connection, company: Option<&str>) -> StoreResult<Vec<Page>> {
    let sql = format!(
        "SELECT {PAGE_COLUMNS} FROM pages WHERE ?1 IS NULL OR company_id = ?1 ORDER BY created_at, page_id"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
    let mut pages = stmt
        .query_map([company], page_row)
        .map_err(unavailable)?
        .map(|row| row.map_err(unavailable)?)
        .collect::<StoreResult<Vec<Page>>>()?;
    let index: HashMap<String, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.page_id.as_str().to_owned(), i))
        .collect();
    let sql = format!(
        "SELECT {LINK_COLUMNS} FROM crm_links WHERE ?1 IS NULL OR company_id = ?1 ORDER BY page_id, list, position"
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(unavailable)?;
    for row in stmt.query_map([company], link_row).map_err(unavailable)? {
        let (page_id, list, link) = row.map_err(unavailable)??;
        if let Some(&i) = index.get(&page_id) {
            push_link(&mut pages[i], &list, link)?;
        }
    }
    Ok(pages)
}

fn insert_links(conn: &Connection, page: &Page) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO crm_links (company_id, page_id, list, position, link_id, name, url, type, channels,
                                    api_key, headers, description, is_active, created_at, updated_at, webhook_secret,
                                    refresh_minutes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        )
        .map_err(unavailable)?;
    let lists = [
        ("facebook", &page.facebook_crm_links),
        ("messenger", &page.messenger_crm_links),
        ("legacy", &page.legacy_crm_links),
    ];
    for (list, links) in lists {
        for (position, link) in links.iter().enumerate() {
            stmt.execute(params![
                page.company_id.as_str(),
                page.page_id.as_str(),
                list,
                position as i64,
                link.id.as_str(),
                link.name,
                link.url,
                enum_text(&link.link_type)?,
                serde_json::to_string(&link.channels).map_err(corrupt)?,
                link.api_key.as_ref().map(Sealed::as_stored),
                serde_json::to_string(&link.headers).map_err(corrupt)?,
                link.description,
                link.is_active,
                millis(link.created_at),
                millis(link.updated_at),
                link.webhook_secret.as_ref().map(Sealed::as_stored),
                link.refresh_minutes
            ])
            .map_err(unavailable)?;
        }
    }
    Ok(())
}

fn push_link(page: &mut Page, list: &str, link: CrmLink) -> StoreResult<()> {
    match list {
        "facebook" => page.facebook_crm_links.push(link),
        "messenger" => page.messenger_crm_links.push(link),
        "legacy" => page.legacy_crm_links.push(link),
        other => return Err(corrupt(format!("unknown CRM link list {other:?}"))),
    }
    Ok(())
}

fn page_row(row: &Row<'_>) -> rusqlite::Result<StoreResult<Page>> {
    let page_id: String = row.get(0)?;
    let company_id: String = row.get(1)?;
    let page_name: String = row.get(2)?;
    let access_token: String = row.get(3)?;
    let version: i64 = row.get(4)?;
    let created_at: i64 = row.get(5)?;
    let updated_at: i64 = row.get(6)?;
    let reply: String = row.get(7)?;
    Ok((|| {
        Ok(Page {
            company_id: company_id.into(),
            page_id: page_id.into(),
            page_name,
            access_token: Sealed::from_stored(access_token),
            facebook_crm_links: Vec::new(),
            messenger_crm_links: Vec::new(),
            legacy_crm_links: Vec::new(),
            reply: serde_json::from_str(&reply).map_err(corrupt)?,
            created_at: from_millis(created_at)?,
            updated_at: from_millis(updated_at)?,
            version,
        })
    })())
}

/// A link row: `(page_id, list, link)`.
fn link_row(row: &Row<'_>) -> rusqlite::Result<StoreResult<(String, String, CrmLink)>> {
    let page_id: String = row.get(0)?;
    let list: String = row.get(1)?;
    let id: String = row.get(2)?;
    let name: String = row.get(3)?;
    let url: String = row.get(4)?;
    let link_type: String = row.get(5)?;
    let channels: String = row.get(6)?;
    let api_key: Option<String> = row.get(7)?;
    let headers: String = row.get(8)?;
    let description: Option<String> = row.get(9)?;
    let is_active: bool = row.get(10)?;
    let created_at: i64 = row.get(11)?;
    let updated_at: i64 = row.get(12)?;
    let webhook_secret: Option<String> = row.get(13)?;
    let refresh_minutes: Option<u32> = row.get(14)?;
    Ok((|| {
        let link = CrmLink {
            id: id.into(),
            name,
            url,
            link_type: CrmLinkType::parse(&link_type).map_err(corrupt)?,
            channels: serde_json::from_str(&channels).map_err(corrupt)?,
            api_key: api_key.map(Sealed::from_stored),
            headers: serde_json::from_str(&headers).map_err(corrupt)?,
            description,
            is_active,
            created_at: from_millis(created_at)?,
            updated_at: from_millis(updated_at)?,
            webhook_secret: webhook_secret.map(Sealed::from_stored),
            refresh_minutes,
        };
        Ok((page_id, list, link))
    })())
}

/// The lower-case word serde gives a unit enum variant.
fn enum_text<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    match serde_json::to_value(value).map_err(corrupt)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(corrupt(format!("expected a word, found {other}"))),
    }
}
