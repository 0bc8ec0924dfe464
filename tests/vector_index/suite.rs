//! The behaviour every vector index engine must show, written once. Each case arranges chunks,
//! acts through the `VectorIndex` trait only, and asserts what a user of retrieval would notice.

use crate::harness::{Chunk, Harness, embed, texts, upsert};
use crm_mind::domain::{Channel, LinkId, PageId};
use crm_mind::rag::index::embedded::EmbeddedIndex;
use crm_mind::rag::index::{ChunkFilter, IndexError, Source, VectorIndex};
use std::io::Write;

const BOOTS: &str = "products[0].name: Winter leather boots, warm lining for snow";
const SANDALS: &str = "products[1].name: Summer beach sandals, light and breathable";
const INVOICE: &str = "invoices[3].number: 2024-00123 invoices[3].total: 863,75 EUR";
const SKU: &str = "products[2].sku: SKU-12-B products[2].name: Garden hose 20 m";
const EMAIL: &str = "customers[0].email: ana.novak@example.si customers[0].city: Maribor";
const SLOVENIAN: &str = "products[4].name: Otroški čevlji, velikost 28";

fn seed(harness: &Harness) -> Vec<Chunk> {
    [BOOTS, SANDALS, INVOICE, SKU, EMAIL, SLOVENIAN]
        .iter()
        .enumerate()
        .map(|(i, text)| Chunk::new(&harness.company_a, &format!("records[{i}]"), text))
        .collect()
}

async fn seeded(harness: &Harness) -> Vec<Chunk> {
    let chunks = seed(harness);
    upsert(harness, &chunks.iter().collect::<Vec<_>>()).await;
    chunks
}

fn company_a(harness: &Harness) -> ChunkFilter {
    ChunkFilter::company(harness.company_a.clone())
}

pub async fn finds_by_meaning_on_the_dense_side(harness: &Harness) {
    seeded(harness).await;
    // No lexical text at all: only the vector can find it, and near words count.
    let hits = harness
        .search_with(
            company_a(harness),
            "",
            embed("warm boot for the winter snows"),
        )
        .await;
    assert_eq!(texts(&hits).first(), Some(&BOOTS), "{:?}", texts(&hits));
    let hits = harness
        .search_with(company_a(harness), "", embed("beach sandal for summer"))
        .await;
    assert_eq!(texts(&hits).first(), Some(&SANDALS), "{:?}", texts(&hits));
}

pub async fn finds_codes_emails_and_folded_words_on_the_lexical_side(harness: &Harness) {
    seeded(harness).await;
    // The query vectors point elsewhere: only exact terms lift the right chunk to the top.
    let unrelated = embed("summer beach sandals light breathable");
    for (query, expected) in [
        ("SKU-12-B", SKU),
        ("racun 2024-00123", INVOICE),
        ("ana.novak@example.si", EMAIL),
        ("otroski cevlji", SLOVENIAN),
        ("ČEVLJI", SLOVENIAN),
        ("863,75", INVOICE),
    ] {
        let hits = harness
            .search_with(company_a(harness), query, unrelated.clone())
            .await;
        assert_eq!(
            texts(&hits).first(),
            Some(&expected),
            "query {query:?}: {:?}",
            texts(&hits)
        );
    }
    // Fused scores are RRF scores: positive and best first.
    let hits = harness.search(company_a(harness), "SKU-12-B").await;
    assert!(hits.windows(2).all(|pair| pair[0].score >= pair[1].score));
    assert!(hits.iter().all(|hit| hit.score > 0.0));
}

pub async fn company_b_never_sees_or_deletes_company_a(harness: &Harness) {
    let a_chunks = seeded(harness).await;
    let b_chunk = Chunk::new(
        &harness.company_b,
        "records[0]",
        "products[0].name: B's own boots",
    );
    upsert(harness, &[&b_chunk]).await;

    let company_b = ChunkFilter::company(harness.company_b.clone());
    for query in ["SKU-12-B", "winter leather boots", "ana.novak@example.si"] {
        let hits = harness.search(company_b.clone(), query).await;
        assert!(
            hits.iter()
                .all(|hit| hit.payload.company_id == harness.company_b),
            "company B saw another company's chunk for {query:?}"
        );
    }
    // B deleting A's ids, or everything of its own, never touches A.
    let a_ids: Vec<_> = a_chunks.iter().map(|c| c.id).collect();
    harness
        .index
        .delete_ids(&harness.company_b, &a_ids)
        .await
        .unwrap();
    assert_eq!(harness.index.delete_matching(&company_b).await.unwrap(), 1);
    assert_eq!(harness.index.count(&company_a(harness)).await.unwrap(), 6);
    assert_eq!(harness.index.count(&company_b).await.unwrap(), 0);
}

pub async fn page_filter_keeps_other_pages_out(harness: &Harness) {
    let on_page_1 = Chunk::new(
        &harness.company_a,
        "a",
        "orders[0].id: PO-1234 status shipped",
    );
    let on_page_2 = Chunk::new(
        &harness.company_a,
        "a",
        "orders[0].id: PO-1234 status pending",
    )
    .page("page-2");
    upsert(harness, &[&on_page_1, &on_page_2]).await;

    let page_2 = company_a(harness).page(PageId::from("page-2"));
    let hits = harness.search(page_2, "PO-1234").await;
    assert_eq!(texts(&hits), vec![on_page_2.payload.text.as_str()]);
    let both = harness.search(company_a(harness), "PO-1234").await;
    assert_eq!(both.len(), 2);
}

pub async fn channel_filter_keeps_messenger_only_chunks_out_of_facebook(harness: &Harness) {
    let private = Chunk::new(
        &harness.company_a,
        "a",
        "customers[0].phone: 041 555 123 private",
    )
    .channels(&[Channel::Messenger]);
    let public = Chunk::new(
        &harness.company_a,
        "b",
        "opening hours: 8-16, phone 041 555 000",
    )
    .channels(&[Channel::Facebook, Channel::Messenger]);
    upsert(harness, &[&private, &public]).await;

    let facebook = company_a(harness).channel(Channel::Facebook);
    let hits = harness.search(facebook, "phone 041 555 123 private").await;
    assert_eq!(texts(&hits), vec![public.payload.text.as_str()]);
    let messenger = company_a(harness).channel(Channel::Messenger);
    let hits = harness.search(messenger, "phone 041 555 123 private").await;
    assert_eq!(texts(&hits).first(), Some(&private.payload.text.as_str()));
}

pub async fn source_and_link_filters(harness: &Harness) {
    let crm = Chunk::new(&harness.company_a, "a", "stock of SKU-7 is 12 pieces").link("crm-link");
    let erp = Chunk::new(&harness.company_a, "a", "stock of SKU-7 is 3 pieces")
        .link("mk-link")
        .source(Source::Metakocka);
    upsert(harness, &[&crm, &erp]).await;

    let hits = harness
        .search(company_a(harness).source(Source::Metakocka), "stock SKU-7")
        .await;
    assert_eq!(texts(&hits), vec![erp.payload.text.as_str()]);
    assert_eq!(
        hits[0].payload, erp.payload,
        "the payload comes back as stored"
    );
    let hits = harness
        .search(
            company_a(harness).link(LinkId::from("crm-link")),
            "stock SKU-7",
        )
        .await;
    assert_eq!(texts(&hits), vec![crm.payload.text.as_str()]);
}

/// A public comment reply searches with `public_only`: a Metakocka partner's chunk (private)
/// never comes back, even for its own name and email, while the product beside it does; the
/// dashboard and Messenger (no flag) see both.
pub async fn public_only_leaves_private_chunks_out(harness: &Harness) {
    let product = Chunk::new(
        &harness.company_a,
        "products[1600000001]",
        "products[1600000001].name: Trail runner shoes products[1600000001].stock: 12",
    )
    .link("mk-products")
    .source(Source::Metakocka);
    let partner = Chunk::new(
        &harness.company_a,
        "partners[1600000002]",
        "partners[1600000002].customer: Trail Runner Club partners[1600000002].email: club@trail.si",
    )
    .link("mk-partners")
    .source(Source::Metakocka)
    .private();
    upsert(harness, &[&product, &partner]).await;
    let question = "Trail Runner Club club@trail.si shoes";

    let public = company_a(harness).channel(Channel::Facebook).public_only();
    let hits = harness.search(public.clone(), question).await;
    assert_eq!(texts(&hits), vec![product.payload.text.as_str()]);
    assert_eq!(harness.index.count(&public).await.unwrap(), 1);

    let hits = harness
        .search(company_a(harness).channel(Channel::Messenger), question)
        .await;
    assert_eq!(hits.len(), 2, "Messenger may use private chunks");
    let found = hits
        .iter()
        .find(|h| h.id == partner.id)
        .expect("the partner");
    assert_eq!(
        found.payload, partner.payload,
        "the private flag comes back as stored"
    );

    // Deleting public chunks only leaves the private ones.
    let deleted = harness.index.delete_matching(&public).await.unwrap();
    assert_eq!(deleted, 1);
    let left = harness.search(company_a(harness), question).await;
    assert_eq!(texts(&left), vec![partner.payload.text.as_str()]);
}

pub async fn upsert_by_id_replaces(harness: &Harness) {
    let old = Chunk::new(&harness.company_a, "a", "orders[0].status: pending PO-555");
    upsert(harness, &[&old]).await;
    let new = Chunk::new(
        &harness.company_a,
        "a",
        "orders[0].status: delivered PO-555",
    )
    .with_id(old.id);
    upsert(harness, &[&new]).await;

    assert_eq!(harness.index.count(&company_a(harness)).await.unwrap(), 1);
    let hits = harness.search(company_a(harness), "pending").await;
    assert!(
        hits.iter().all(|hit| !hit.payload.text.contains("pending")),
        "old text still found"
    );
    let hits = harness.search(company_a(harness), "PO-555 delivered").await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, old.id);
    assert_eq!(hits[0].payload.text, new.payload.text);
}

pub async fn delete_ids_removes_only_those_ids(harness: &Harness) {
    let chunks = seeded(harness).await;
    harness
        .index
        .delete_ids(&harness.company_a, &[chunks[3].id, chunks[4].id])
        .await
        .unwrap();
    assert_eq!(harness.index.count(&company_a(harness)).await.unwrap(), 4);
    let hits = harness.search(company_a(harness), "SKU-12-B").await;
    assert!(hits.iter().all(|hit| hit.id != chunks[3].id));
    assert!(hits.iter().any(|hit| hit.id == chunks[0].id));
}

pub async fn delete_matching_counts_what_it_deleted(harness: &Harness) {
    seeded(harness).await;
    let other_link = Chunk::new(&harness.company_a, "z", "kept: other link").link("link-2");
    upsert(harness, &[&other_link]).await;

    let link_1 = company_a(harness).link(LinkId::from("link-1"));
    assert_eq!(harness.index.delete_matching(&link_1).await.unwrap(), 6);
    assert_eq!(harness.index.delete_matching(&link_1).await.unwrap(), 0);
    let left = harness.search(company_a(harness), "kept other link").await;
    assert_eq!(texts(&left), vec!["kept: other link"]);
}

pub async fn set_link_channels_moves_a_link_between_channels(harness: &Harness) {
    let chunk = Chunk::new(&harness.company_a, "a", "delivery takes 2-3 days")
        .channels(&[Channel::Facebook]);
    let other = Chunk::new(&harness.company_a, "b", "delivery by courier GLS").link("link-2");
    upsert(harness, &[&chunk, &other]).await;

    harness
        .index
        .set_link_channels(
            &harness.company_a,
            &LinkId::from("link-1"),
            &[Channel::Messenger],
        )
        .await
        .unwrap();
    let facebook = company_a(harness).channel(Channel::Facebook);
    let hits = harness.search(facebook, "delivery days").await;
    assert_eq!(texts(&hits), vec![other.payload.text.as_str()]);
    let listed = harness
        .index
        .list_link(&harness.company_a, &LinkId::from("link-1"))
        .await
        .unwrap();
    assert_eq!(listed[0].channels, vec![Channel::Messenger]);
    // Another company's call with the same link id changes nothing here.
    harness
        .index
        .set_link_channels(&harness.company_b, &LinkId::from("link-1"), &[])
        .await
        .unwrap();
    let messenger = company_a(harness).channel(Channel::Messenger);
    assert_eq!(harness.index.count(&messenger).await.unwrap(), 2);
}

pub async fn count_follows_the_filter(harness: &Harness) {
    seeded(harness).await;
    let messenger_only = Chunk::new(&harness.company_a, "m", "m").channels(&[Channel::Messenger]);
    upsert(harness, &[&messenger_only]).await;
    let index = &harness.index;
    assert_eq!(index.count(&company_a(harness)).await.unwrap(), 7);
    let facebook = company_a(harness).channel(Channel::Facebook);
    assert_eq!(index.count(&facebook).await.unwrap(), 6);
    let page_2 = company_a(harness).page(PageId::from("page-2"));
    assert_eq!(index.count(&page_2).await.unwrap(), 0);
}

pub async fn list_link_is_ordered_by_path_without_vectors(harness: &Harness) {
    let chunks: Vec<Chunk> = ["customers[2]", "customers[0]", "customers[1]"]
        .iter()
        .map(|path| Chunk::new(&harness.company_a, path, &format!("{path}.name: someone")))
        .collect();
    let elsewhere = Chunk::new(&harness.company_a, "customers[9]", "x").link("link-2");
    upsert(harness, &[&chunks[0], &chunks[1], &chunks[2], &elsewhere]).await;

    let listed = harness
        .index
        .list_link(&harness.company_a, &LinkId::from("link-1"))
        .await
        .unwrap();
    let paths: Vec<&str> = listed.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["customers[0]", "customers[1]", "customers[2]"]);
    assert_eq!(listed[0].id, chunks[1].id);
    assert_eq!(listed[0].content_hash, chunks[1].payload.content_hash);
    assert_eq!(listed[0].text, chunks[1].payload.text);
    let of_b = harness
        .index
        .list_link(&harness.company_b, &LinkId::from("link-1"))
        .await
        .unwrap();
    assert!(of_b.is_empty());
}

pub async fn another_dimension_is_invalid(harness: &Harness) {
    let error = harness.index.ensure_ready(768).await.unwrap_err();
    let IndexError::Invalid(message) = &error else {
        panic!("expected Invalid, got {error:?}");
    };
    assert!(
        message.contains("384") && message.contains("768"),
        "{message}"
    );
    harness
        .index
        .ensure_ready(384)
        .await
        .expect("the right size is still fine");
}

pub async fn restart_keeps_everything(harness: Harness) {
    let chunks = seeded(&harness).await;
    // Part of the history in the snapshot, part only in the log after it.
    let dir = harness.dir();
    let embedded = harness.embedded.as_ref().expect("an embedded index");
    embedded.snapshot().await.unwrap();
    harness
        .index
        .delete_ids(&harness.company_a, &[chunks[1].id])
        .await
        .unwrap();
    harness
        .index
        .set_link_channels(
            &harness.company_a,
            &LinkId::from("link-1"),
            &[Channel::Messenger],
        )
        .await
        .unwrap();
    let before = harness.search(company_a(&harness), "SKU-12-B").await;

    let reopened = EmbeddedIndex::open(&dir).expect("reopens");
    let after = reopened_search(&reopened, &harness, "SKU-12-B").await;
    assert_eq!(
        before, after,
        "the same hits, scores and payloads after a restart"
    );
    assert_eq!(reopened.count(&company_a(&harness)).await.unwrap(), 5);
    let error = reopened.ensure_ready(768).await.unwrap_err();
    assert!(
        matches!(error, IndexError::Invalid(_)),
        "the dimensions survive too"
    );
}

async fn reopened_search(
    index: &EmbeddedIndex,
    harness: &Harness,
    text: &str,
) -> Vec<crm_mind::rag::index::Hit> {
    let query = crm_mind::rag::index::SearchQuery {
        filter: company_a(harness),
        text: text.to_owned(),
        vector: embed(text),
        limit: 5,
    };
    index.search(&query).await.unwrap()
}

/// The private flag, and a delete of public chunks only, survive a restart (log and snapshot).
pub async fn restart_keeps_the_private_flag(harness: Harness) {
    let public = Chunk::new(
        &harness.company_a,
        "a",
        "products[0].name: Garden hose SKU-9",
    );
    let private = Chunk::new(&harness.company_a, "b", "partners[0].email: ana@example.si")
        .link("mk-partners")
        .private();
    let gone = Chunk::new(&harness.company_a, "c", "products[1].name: Rake SKU-10");
    upsert(&harness, &[&public, &private]).await;
    let embedded = harness.embedded.as_ref().expect("an embedded index");
    embedded.snapshot().await.unwrap();
    upsert(&harness, &[&gone]).await;
    let only_rake = company_a(&harness)
        .public_only()
        .link(LinkId::from("link-1"));
    harness
        .index
        .delete_ids(&harness.company_a, &[public.id])
        .await
        .unwrap();
    assert_eq!(harness.index.delete_matching(&only_rake).await.unwrap(), 1);

    let reopened = EmbeddedIndex::open(&harness.dir()).expect("reopens");
    let everything = company_a(&harness);
    assert_eq!(reopened.count(&everything).await.unwrap(), 1);
    assert_eq!(reopened.count(&everything.public_only()).await.unwrap(), 0);
    let hits = reopened_search(&reopened, &harness, "ana@example.si").await;
    assert_eq!(hits.len(), 1);
    assert!(hits[0].payload.private, "still private after a restart");
}

pub async fn torn_log_tail_is_ignored(harness: Harness) {
    seeded(&harness).await;
    let dir = harness.dir();
    // A crash in the middle of an append: a length and checksum, then half the body.
    let mut log = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("index.log"))
        .unwrap();
    log.write_all(&[200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]).unwrap();
    drop(log);

    let reopened = EmbeddedIndex::open(&dir).expect("a torn tail does not stop the index");
    assert_eq!(reopened.count(&company_a(&harness)).await.unwrap(), 6);
    // New writes after the cut are kept on the next open.
    let extra = Chunk::new(&harness.company_a, "n", "after the crash");
    reopened.upsert(vec![extra.indexed()]).await.unwrap();
    drop(reopened);
    let again = EmbeddedIndex::open(&dir).unwrap();
    assert_eq!(again.count(&company_a(&harness)).await.unwrap(), 7);
}

pub async fn leftover_snapshot_tmp_is_ignored(harness: Harness) {
    seeded(&harness).await;
    let dir = harness.dir();
    std::fs::write(dir.join("snapshot.tmp"), b"half a snapshot").unwrap();
    let reopened = EmbeddedIndex::open(&dir).expect("opens");
    assert_eq!(reopened.count(&company_a(&harness)).await.unwrap(), 6);
    assert!(!dir.join("snapshot.tmp").exists());
}
