//! What a customer's documents say about them, as of a day: how often they reorder and
//! whether a reorder is due, whether they buy more or less than before, and which of their
//! documents are still open (unpaid bills, orders not shipped, offers not answered).
//!
//! Purchases are counted from orders; a customer billed without orders is counted from
//! their bills instead. Counting both would count one purchase twice (an order and its
//! bill).

use super::history::is_purchase;
use crate::records::sales_document::{DocStatus, DocType, SalesDocument};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// Orders needed before an interval is "usual": two gaps, so that one is not the rule.
pub const MIN_ORDERS_FOR_INTERVAL: usize = 3;
/// The volume trend compares the last this-many days with the same span before them.
pub const TREND_WINDOW_DAYS: i64 = 90;
/// A change in volume smaller than this (percent, either way) is steady.
pub const TREND_THRESHOLD_PERCENT: i64 = 20;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reorder {
    /// Purchases on distinct days the interval was measured from.
    pub orders: usize,
    /// The median gap between them.
    pub usual_interval_days: i64,
    pub last_order: NaiveDate,
    pub days_since_last: i64,
    pub next_expected: NaiveDate,
    /// The usual interval has passed since the last order.
    pub due: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Rising,
    Steady,
    Falling,
    /// Nothing in the earlier window, something in the recent one.
    New,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Volume {
    pub window_days: i64,
    pub currency: String,
    /// Net totals (without VAT) of the purchases in the last window and the one before.
    pub recent_total: Decimal,
    pub previous_total: Decimal,
    pub recent_orders: usize,
    pub previous_orders: usize,
    /// Whole percent; none when the earlier window is empty.
    pub change_percent: Option<i64>,
    pub trend: Trend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpenKind {
    /// A bill not paid (nor cancelled).
    Unpaid,
    /// An order in draft or confirmed, not shipped yet.
    NotShipped,
    /// An offer in draft or confirmed, not turned into an order.
    OpenOffer,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OpenDocument {
    pub kind: OpenKind,
    pub document_id: String,
    pub number: Option<String>,
    pub doc_date: NaiveDate,
    pub age_days: i64,
    /// With VAT: what the customer owes or was offered.
    pub total: Decimal,
    pub currency: String,
}

/// Everything derived from one customer's documents.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Derived {
    pub reorder: Option<Reorder>,
    pub volume: Option<Volume>,
    pub open_documents: Vec<OpenDocument>,
}

/// Derives the facts of one customer's `documents` (any order) as of `today`.
pub fn derive(documents: &[&SalesDocument], today: NaiveDate) -> Derived {
    let purchases = purchases(documents);
    Derived {
        reorder: reorder(&purchases, today),
        volume: volume(&purchases, today),
        open_documents: open_documents(documents, today),
    }
}

/// The orders (or, without any, the bills) that were purchases, oldest first.
fn purchases<'a>(documents: &[&'a SalesDocument]) -> Vec<&'a SalesDocument> {
    let of = |doc_type: DocType| {
        let mut found: Vec<&SalesDocument> = (documents.iter().copied())
            .filter(|d| d.doc_type == doc_type && is_purchase(d))
            .collect();
        found.sort_by(|a, b| (a.doc_date, &a.id).cmp(&(b.doc_date, &b.id)));
        found
    };
    let orders = of(DocType::SalesOrder);
    if orders.is_empty() {
        of(DocType::SalesBillDomestic)
    } else {
        orders
    }
}

fn reorder(purchases: &[&SalesDocument], today: NaiveDate) -> Option<Reorder> {
    let mut days: Vec<NaiveDate> = purchases.iter().map(|d| d.doc_date).collect();
    days.dedup();
    if days.len() < MIN_ORDERS_FOR_INTERVAL {
        return None;
    }
    let mut gaps: Vec<i64> = days.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
    gaps.sort_unstable();
    let middle = gaps.len() / 2;
    let usual = if gaps.len() % 2 == 0 {
        (gaps[middle - 1] + gaps[middle]) / 2
    } else {
        gaps[middle]
    };
    let last = *days.last()?;
    let next_expected = last + chrono::Duration::days(usual);
    Some(Reorder {
        orders: days.len(),
        usual_interval_days: usual,
        last_order: last,
        days_since_last: (today - last).num_days(),
        next_expected,
        due: today >= next_expected,
    })
}

fn volume(purchases: &[&SalesDocument], today: NaiveDate) -> Option<Volume> {
    // Totals in different currencies do not add up: the latest purchase's currency counts.
    let currency = purchases.last()?.currency.clone();
    let age = |d: &SalesDocument| (today - d.doc_date).num_days();
    let window = |from: i64, to: i64| {
        (purchases.iter())
            .filter(|d| d.currency == currency && (from..to).contains(&age(d)))
            .fold((Decimal::ZERO, 0usize), |(sum, n), d| {
                (sum + d.totals.net, n + 1)
            })
    };
    let (recent_total, recent_orders) = window(0, TREND_WINDOW_DAYS);
    let (previous_total, previous_orders) = window(TREND_WINDOW_DAYS, 2 * TREND_WINDOW_DAYS);
    if recent_orders == 0 && previous_orders == 0 {
        return None;
    }
    let change_percent = (!previous_total.is_zero()).then(|| {
        let change = (recent_total - previous_total) * Decimal::ONE_HUNDRED / previous_total;
        change.round().try_into().unwrap_or(0i64)
    });
    let trend = match change_percent {
        None => Trend::New,
        Some(p) if p >= TREND_THRESHOLD_PERCENT => Trend::Rising,
        Some(p) if p <= -TREND_THRESHOLD_PERCENT => Trend::Falling,
        Some(_) => Trend::Steady,
    };
    Some(Volume {
        window_days: TREND_WINDOW_DAYS,
        currency,
        recent_total,
        previous_total,
        recent_orders,
        previous_orders,
        change_percent,
        trend,
    })
}

fn open_documents(documents: &[&SalesDocument], today: NaiveDate) -> Vec<OpenDocument> {
    let mut open: Vec<OpenDocument> = (documents.iter())
        .filter_map(|d| {
            let kind = match (d.doc_type, d.status) {
                (_, DocStatus::Cancelled) => return None,
                (DocType::SalesBillDomestic, DocStatus::Paid) => return None,
                (DocType::SalesBillDomestic, _) => OpenKind::Unpaid,
                (DocType::SalesOrder, DocStatus::Draft | DocStatus::Confirmed) => {
                    OpenKind::NotShipped
                }
                (DocType::SalesOffer, DocStatus::Draft | DocStatus::Confirmed) => {
                    OpenKind::OpenOffer
                }
                _ => return None,
            };
            Some(OpenDocument {
                kind,
                document_id: d.id.clone(),
                number: d.number.clone(),
                doc_date: d.doc_date,
                age_days: (today - d.doc_date).num_days(),
                total: d.totals.gross,
                currency: d.currency.clone(),
            })
        })
        .collect();
    open.sort_by(|a, b| (a.doc_date, &a.document_id).cmp(&(b.doc_date, &b.document_id)));
    open
}

#[cfg(test)]
mod tests {
    use super::super::history::sample::{day, document, order};
    use super::*;

    fn derived(documents: &[SalesDocument], today: &str) -> Derived {
        let refs: Vec<&SalesDocument> = documents.iter().collect();
        derive(&refs, day(today))
    }

    #[test]
    fn a_monthly_customer_is_due_once_a_month_has_passed() {
        let documents = [
            order("ana", "2024-01-05", &["tea"]),
            order("ana", "2024-02-04", &["tea"]),
            order("ana", "2024-03-05", &["tea"]),
            // Two orders on one day are one purchase, not a gap of zero days.
            order("ana", "2024-03-05", &["mug"]),
        ];

        let early = derived(&documents, "2024-03-20").reorder.unwrap();
        assert_eq!(early.usual_interval_days, 30);
        assert_eq!(early.orders, 3);
        assert_eq!(early.next_expected, day("2024-04-04"));
        assert!(!early.due);

        let late = derived(&documents, "2024-04-10").reorder.unwrap();
        assert!(late.due);
        assert_eq!(late.days_since_last, 36);
    }

    #[test]
    fn two_orders_are_too_few_for_a_usual_interval() {
        let documents = [
            order("ana", "2024-01-05", &["tea"]),
            order("ana", "2024-02-04", &["tea"]),
        ];

        assert_eq!(derived(&documents, "2024-06-01").reorder, None);
    }

    #[test]
    fn the_median_gap_ignores_one_long_pause() {
        let documents = [
            order("ana", "2024-01-01", &["tea"]),
            order("ana", "2024-01-15", &["tea"]),
            order("ana", "2024-01-29", &["tea"]),
            order("ana", "2024-06-01", &["tea"]),
        ];

        let reorder = derived(&documents, "2024-06-05").reorder.unwrap();
        assert_eq!(reorder.usual_interval_days, 14);
    }

    #[test]
    fn volume_compares_the_last_ninety_days_with_the_ninety_before() {
        // Today 2024-07-01: recent = after 2024-04-02; previous = the 90 days before.
        let documents = [
            order("ana", "2024-03-01", &["tea"]),
            order("ana", "2024-05-01", &["tea", "mug", "bag"]),
            order("ana", "2024-06-01", &["tea"]),
        ];

        let volume = derived(&documents, "2024-07-01").volume.unwrap();
        assert_eq!((volume.recent_orders, volume.previous_orders), (2, 1));
        assert_eq!(volume.recent_total, Decimal::from(40));
        assert_eq!(volume.previous_total, Decimal::from(10));
        assert_eq!(volume.change_percent, Some(300));
        assert_eq!(volume.trend, Trend::Rising);
    }

    #[test]
    fn a_customer_who_stopped_buying_is_falling_and_a_new_one_is_new() {
        let stopped = [order("ana", "2024-03-01", &["tea"])];
        let volume = derived(&stopped, "2024-07-01").volume.unwrap();
        assert_eq!(volume.trend, Trend::Falling);
        assert_eq!(volume.change_percent, Some(-100));

        let new = [order("ana", "2024-06-20", &["tea"])];
        let volume = derived(&new, "2024-07-01").volume.unwrap();
        assert_eq!((volume.trend, volume.change_percent), (Trend::New, None));

        let long_ago = [order("ana", "2020-01-01", &["tea"])];
        assert_eq!(derived(&long_ago, "2024-07-01").volume, None);
    }

    #[test]
    fn bills_count_only_for_a_customer_without_orders() {
        let bill = |date: &str| {
            document(
                "ana",
                DocType::SalesBillDomestic,
                DocStatus::Paid,
                date,
                &["tea"],
            )
        };
        let billed_only = [bill("2024-01-01"), bill("2024-02-01"), bill("2024-03-01")];
        assert!(derived(&billed_only, "2024-03-10").reorder.is_some());

        let mut with_orders = billed_only.to_vec();
        with_orders.push(order("ana", "2024-03-01", &["tea"]));
        assert_eq!(derived(&with_orders, "2024-03-10").reorder, None);
    }

    #[test]
    fn unpaid_bills_unshipped_orders_and_open_offers_are_open() {
        let documents = [
            document(
                "ana",
                DocType::SalesBillDomestic,
                DocStatus::Shipped,
                "2024-05-01",
                &["tea", "mug"],
            ),
            document(
                "ana",
                DocType::SalesBillDomestic,
                DocStatus::Paid,
                "2024-04-01",
                &["tea"],
            ),
            document(
                "ana",
                DocType::SalesOrder,
                DocStatus::Confirmed,
                "2024-05-20",
                &["tea"],
            ),
            document(
                "ana",
                DocType::SalesOffer,
                DocStatus::Draft,
                "2024-05-25",
                &["bag"],
            ),
            document(
                "ana",
                DocType::SalesOrder,
                DocStatus::Cancelled,
                "2024-05-26",
                &["bag"],
            ),
            order("ana", "2024-05-27", &["bag"]),
        ];

        let open = derived(&documents, "2024-06-01").open_documents;

        let kinds: Vec<OpenKind> = open.iter().map(|o| o.kind).collect();
        assert_eq!(
            kinds,
            [OpenKind::Unpaid, OpenKind::NotShipped, OpenKind::OpenOffer]
        );
        assert_eq!(open[0].age_days, 31);
        assert_eq!(open[0].total, Decimal::from(20));
    }
}
