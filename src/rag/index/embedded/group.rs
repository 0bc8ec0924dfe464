//! The chunks of one (company, page): their vectors in one contiguous `f32` buffer, their
//! payloads, and a BM25 inverted index over their texts.
//!
//! Memory is the point of this layout: a row's vector is a slice of `vectors`, not its own
//! allocation (and its 4-bit copy, which a search scans first, a slice of `quantized`); what
//! several rows of one CRM link share (link id and name, source, URL, channels) is interned
//! once in `links`; a posting is one `u32` (row << 8 | term frequency).
//! Deleting or replacing a row only marks it dead: postings are append-only, and a group is
//! compacted (rows, vectors and postings rebuilt without the dead) once dead rows pass a quarter.

use super::quantize::{packed_len, quantize_row};
use crate::domain::{Channel, CompanyId, LinkId, PageId};
use crate::rag::index::{ChunkFilter, ChunkPayload, Source};
use crate::rag::lexical;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use uuid::Uuid;

/// What the rows of one CRM link have in common.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LinkMeta {
    pub link_id: LinkId,
    pub link_name: String,
    pub source_url: String,
    pub source: Source,
    pub channels: Vec<Channel>,
    /// Every chunk of one link is private or none is (Metakocka partners and documents).
    pub private: bool,
}

impl LinkMeta {
    fn of(payload: &ChunkPayload) -> Self {
        Self {
            link_id: payload.link_id.clone(),
            link_name: payload.link_name.clone(),
            source_url: payload.source_url.clone(),
            source: payload.source,
            channels: payload.channels.clone(),
            private: payload.private,
        }
    }

    /// Whether rows of this link pass the filter's channel, source, link and privacy
    /// conditions (the company and page are the group's own).
    pub fn passes(&self, filter: &ChunkFilter) -> bool {
        !(filter.public_only && self.private)
            && filter
                .channel
                .is_none_or(|channel| self.channels.contains(&channel))
            && filter.source.is_none_or(|source| self.source == source)
            && filter
                .link_id
                .as_ref()
                .is_none_or(|link| &self.link_id == link)
    }
}

/// What a search returns of a row; what scoring reads lives in the compact per-row vectors.
#[derive(Debug)]
pub(super) struct Row {
    pub id: Uuid,
    pub path: Box<str>,
    pub text: Box<str>,
    pub content_hash: Box<str>,
    pub fetched_at: DateTime<Utc>,
}

/// A term's postings; up to two without an allocation.
pub(super) type Postings = smallvec::SmallVec<[u32; 2]>;

/// The `row_links` entry of a deleted or replaced row.
pub(super) const DEAD: u32 = u32::MAX;

/// A posting packs the row (upper 24 bits) and the term frequency capped at 255 (lower 8).
const TF_BITS: u32 = 8;
/// Rows per group are limited to 2^24 (16.7 million) by the posting layout.
pub(super) const MAX_ROWS: usize = 1 << (32 - TF_BITS);

#[derive(Debug)]
pub(super) struct Group {
    pub company_id: CompanyId,
    pub page_id: PageId,
    pub dims: usize,
    pub links: Vec<LinkMeta>,
    pub vectors: Vec<f32>,
    /// Per row: [`packed_len`] bytes, the row's vector in 4 bits (see `quantize.rs`); rebuilt
    /// from `vectors`, never persisted.
    pub quantized: Vec<u8>,
    /// Per row: the scale of its 4-bit components.
    pub scales: Vec<f32>,
    pub rows: Vec<Row>,
    /// Per row: its interned link, or [`DEAD`]. Kept apart from `rows` so the scoring loops
    /// read 4 bytes per row instead of a cache line.
    pub row_links: Vec<u32>,
    /// Per row: its number of lexical terms, BM25's document length.
    pub row_terms: Vec<u32>,
    /// Per term, its postings. Most terms of CRM data (names, emails, order numbers, codes)
    /// occur in one or two rows: those postings live inline, without a heap block each, which
    /// the memory benchmark measured at about a tenth of the index's size.
    pub postings: HashMap<u32, Postings>,
    pub total_terms: u64,
    pub dead: usize,
}

impl Group {
    pub fn new(company_id: CompanyId, page_id: PageId, dims: usize) -> Self {
        Self {
            company_id,
            page_id,
            dims,
            links: Vec::new(),
            vectors: Vec::new(),
            quantized: Vec::new(),
            scales: Vec::new(),
            rows: Vec::new(),
            row_links: Vec::new(),
            row_terms: Vec::new(),
            postings: HashMap::new(),
            total_terms: 0,
            dead: 0,
        }
    }

    pub fn vector(&self, row: usize) -> &[f32] {
        &self.vectors[row * self.dims..(row + 1) * self.dims]
    }

    /// The row's 4-bit copy.
    pub fn quantized(&self, row: usize) -> &[u8] {
        let packed = packed_len(self.dims);
        &self.quantized[row * packed..(row + 1) * packed]
    }

    pub fn live_rows(&self) -> usize {
        self.rows.len() - self.dead
    }

    /// Appends a chunk as a new row (the caller has killed any older row of the same id) and
    /// returns its row number. The vector is L2-normalised here so cosine is a dot product.
    pub fn push(&mut self, id: Uuid, vector: &[f32], payload: &ChunkPayload) -> usize {
        let row = self.rows.len();
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
        let start = self.vectors.len();
        self.vectors.extend(vector.iter().map(|x| x * scale));
        let row_scale = quantize_row(&self.vectors[start..], &mut self.quantized);
        self.scales.push(row_scale);
        let link = self.intern(LinkMeta::of(payload));
        let terms = self.index_text(row, &payload.text);
        self.row_links.push(link);
        self.row_terms.push(terms);
        self.rows.push(Row {
            id,
            path: payload.path.as_str().into(),
            text: payload.text.as_str().into(),
            content_hash: payload.content_hash.as_str().into(),
            fetched_at: payload.fetched_at,
        });
        row
    }

    pub fn kill(&mut self, row: usize) {
        if std::mem::replace(&mut self.row_links[row], DEAD) != DEAD {
            self.dead += 1;
        }
    }

    /// The row's interned link, or `None` for a dead row.
    pub fn link_of(&self, row: usize) -> Option<&LinkMeta> {
        match self.row_links[row] {
            DEAD => None,
            link => Some(&self.links[link as usize]),
        }
    }

    pub fn is_alive(&self, row: usize) -> bool {
        self.row_links[row] != DEAD
    }

    pub fn needs_compaction(&self) -> bool {
        self.dead > 0 && (self.dead * 4 > self.rows.len() || self.rows.len() < 1024)
    }

    /// Rebuilds the group without dead rows; returns the new row number of every live id.
    pub fn compact(&mut self) -> Vec<(Uuid, usize)> {
        let old_rows = std::mem::take(&mut self.rows);
        let old_vectors = std::mem::take(&mut self.vectors);
        let old_quantized = std::mem::take(&mut self.quantized);
        let old_scales = std::mem::take(&mut self.scales);
        let old_links = std::mem::take(&mut self.links);
        let old_row_links = std::mem::take(&mut self.row_links);
        self.row_terms.clear();
        self.postings.clear();
        self.total_terms = 0;
        self.dead = 0;
        let live = old_row_links.iter().filter(|&&link| link != DEAD).count();
        self.vectors.reserve_exact(live * self.dims);
        let packed = packed_len(self.dims);
        self.quantized.reserve_exact(live * packed);
        self.scales.reserve_exact(live);
        self.rows.reserve_exact(live);
        self.row_links.reserve_exact(live);
        self.row_terms.reserve_exact(live);
        let mut moved = Vec::with_capacity(live);
        for (old, row) in old_rows.into_iter().enumerate() {
            let old_link = old_row_links[old];
            if old_link == DEAD {
                continue;
            }
            let new = self.rows.len();
            let start = old * self.dims;
            self.vectors
                .extend_from_slice(&old_vectors[start..start + self.dims]);
            self.quantized
                .extend_from_slice(&old_quantized[old * packed..(old + 1) * packed]);
            self.scales.push(old_scales[old]);
            let link = self.intern(old_links[old_link as usize].clone());
            let terms = self.index_text(new, &row.text);
            self.row_links.push(link);
            self.row_terms.push(terms);
            moved.push((row.id, new));
            self.rows.push(row);
        }
        for list in self.postings.values_mut() {
            list.shrink_to_fit();
        }
        moved
    }

    /// Replaces the channels of every row of `link_id` (rows of other links keep theirs).
    pub fn set_link_channels(&mut self, link_id: &LinkId, channels: &[Channel]) {
        for meta in self
            .links
            .iter_mut()
            .filter(|meta| &meta.link_id == link_id)
        {
            meta.channels = channels.to_vec();
        }
    }

    /// The payload of a row, rebuilt from the row and its interned link.
    pub fn payload(&self, row: usize) -> ChunkPayload {
        let stored = &self.rows[row];
        let link = self
            .link_of(row)
            .expect("payloads are read of live rows only");
        ChunkPayload {
            company_id: self.company_id.clone(),
            page_id: self.page_id.clone(),
            channels: link.channels.clone(),
            source: link.source,
            source_url: link.source_url.clone(),
            link_id: link.link_id.clone(),
            link_name: link.link_name.clone(),
            path: stored.path.to_string(),
            text: stored.text.to_string(),
            content_hash: stored.content_hash.to_string(),
            fetched_at: stored.fetched_at,
            private: link.private,
        }
    }

    fn intern(&mut self, meta: LinkMeta) -> u32 {
        let index = match self.links.iter().position(|known| known == &meta) {
            Some(index) => index,
            None => {
                self.links.push(meta);
                self.links.len() - 1
            }
        };
        index as u32
    }

    /// Adds the row's postings; returns its number of terms.
    fn index_text(&mut self, row: usize, text: &str) -> u32 {
        let terms = lexical::terms(text);
        let mut counts: HashMap<u32, u32> = HashMap::with_capacity(terms.len());
        for term in &terms {
            *counts.entry(lexical::term_id(term)).or_default() += 1;
        }
        for (term, tf) in counts {
            let posting = ((row as u32) << TF_BITS) | tf.min(255);
            self.postings.entry(term).or_default().push(posting);
        }
        self.total_terms += terms.len() as u64;
        terms.len() as u32
    }
}

/// Splits a posting into (row, term frequency).
pub(super) fn unpack(posting: u32) -> (usize, f32) {
    ((posting >> TF_BITS) as usize, (posting & 0xff) as f32)
}
