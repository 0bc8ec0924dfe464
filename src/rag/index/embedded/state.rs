//! The embedded index in memory: groups per (company, page), where each id lives, and how each
//! logged operation changes them. Replaying the log through [`State::apply`] rebuilds exactly
//! the state the operations built the first time.

use super::codec::Op;
use super::group::{DEAD, Group, MAX_ROWS};
use crate::domain::{CompanyId, PageId};
use crate::rag::index::{ChunkFilter, IndexError, IndexResult, IndexedChunk, StoredChunk};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Default)]
pub(super) struct State {
    pub dims: Option<usize>,
    pub groups: Vec<Group>,
    group_of: HashMap<(CompanyId, PageId), usize>,
    /// Where each live id is: (group, row).
    located: HashMap<Uuid, (u32, u32)>,
}

impl State {
    /// Rejects an operation the index cannot take, before it is logged.
    pub fn check(&self, op: &Op) -> IndexResult<()> {
        match op {
            Op::SetDims(dims) => match self.dims {
                Some(known) if known != *dims => Err(IndexError::Invalid(format!(
                    "the embedded index holds {known}-dimensional vectors, the embedder makes {dims}"
                ))),
                _ => Ok(()),
            },
            Op::Upsert(chunks) => {
                let dims = self.dims.or_else(|| chunks.first().map(|c| c.vector.len()));
                for chunk in chunks {
                    if Some(chunk.vector.len()) != dims || chunk.vector.is_empty() {
                        return Err(IndexError::Invalid(format!(
                            "chunk {} has a {}-dimensional vector, the index holds {}",
                            chunk.id,
                            chunk.vector.len(),
                            dims.unwrap_or_default()
                        )));
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Applies a checked operation; returns how many chunks it deleted.
    pub fn apply(&mut self, op: Op) -> u64 {
        match op {
            Op::SetDims(dims) => {
                self.dims = Some(dims);
                0
            }
            Op::Upsert(chunks) => {
                for chunk in chunks {
                    self.upsert(chunk);
                }
                0
            }
            Op::DeleteIds { company_id, ids } => {
                let mut touched = Vec::new();
                let mut deleted = 0;
                for id in ids {
                    if let Some(&(group, row)) = self.located.get(&id)
                        && self.groups[group as usize].company_id == company_id
                    {
                        self.located.remove(&id);
                        self.groups[group as usize].kill(row as usize);
                        touched.push(group as usize);
                        deleted += 1;
                    }
                }
                self.compact_where_needed(touched);
                deleted
            }
            Op::DeleteMatching(filter) => {
                let mut touched = Vec::new();
                let mut deleted = 0;
                for index in self.matching_groups(&filter) {
                    let group = &mut self.groups[index];
                    for row in 0..group.rows.len() {
                        if group.link_of(row).is_some_and(|link| link.passes(&filter)) {
                            self.located.remove(&group.rows[row].id);
                            group.kill(row);
                            deleted += 1;
                        }
                    }
                    touched.push(index);
                }
                self.compact_where_needed(touched);
                deleted
            }
            Op::SetLinkChannels {
                company_id,
                link_id,
                channels,
            } => {
                for group in self
                    .groups
                    .iter_mut()
                    .filter(|g| g.company_id == company_id)
                {
                    group.set_link_channels(&link_id, &channels);
                }
                0
            }
        }
    }

    fn upsert(&mut self, chunk: IndexedChunk) {
        let dims = *self.dims.get_or_insert(chunk.vector.len());
        if let Some((group, row)) = self.located.remove(&chunk.id) {
            self.groups[group as usize].kill(row as usize);
            self.compact_where_needed(vec![group as usize]);
        }
        let key = (
            chunk.payload.company_id.clone(),
            chunk.payload.page_id.clone(),
        );
        let groups = &mut self.groups;
        let index = *self.group_of.entry(key).or_insert_with(|| {
            groups.push(Group::new(
                chunk.payload.company_id.clone(),
                chunk.payload.page_id.clone(),
                dims,
            ));
            groups.len() - 1
        });
        let group = &mut self.groups[index];
        if group.rows.len() + 1 >= MAX_ROWS {
            // Reclaim dead rows before the posting layout runs out of row numbers.
            let moved = group.compact();
            for (id, row) in moved {
                self.located.insert(id, (index as u32, row as u32));
            }
        }
        let row = self.groups[index].push(chunk.id, &chunk.vector, &chunk.payload);
        self.located.insert(chunk.id, (index as u32, row as u32));
    }

    fn compact_where_needed(&mut self, mut touched: Vec<usize>) {
        touched.sort_unstable();
        touched.dedup();
        for index in touched {
            if self.groups[index].needs_compaction() {
                for (id, row) in self.groups[index].compact() {
                    self.located.insert(id, (index as u32, row as u32));
                }
            }
        }
    }

    /// Groups of the filter's company (and page, when it names one).
    pub fn matching_groups(&self, filter: &ChunkFilter) -> Vec<usize> {
        match &filter.page_id {
            Some(page) => self
                .group_of
                .get(&(filter.company_id.clone(), page.clone()))
                .copied()
                .into_iter()
                .collect(),
            None => (0..self.groups.len())
                .filter(|&index| self.groups[index].company_id == filter.company_id)
                .collect(),
        }
    }

    pub fn count(&self, filter: &ChunkFilter) -> u64 {
        let mut count = 0;
        for index in self.matching_groups(filter) {
            let group = &self.groups[index];
            let passing: Vec<bool> = group.links.iter().map(|l| l.passes(filter)).collect();
            count += group
                .row_links
                .iter()
                .filter(|&&link| link != DEAD && passing[link as usize])
                .count() as u64;
        }
        count
    }

    pub fn list_link(&self, filter: &ChunkFilter) -> Vec<StoredChunk> {
        let mut chunks = Vec::new();
        for index in self.matching_groups(filter) {
            let group = &self.groups[index];
            for (index, row) in group.rows.iter().enumerate() {
                if let Some(link) = group.link_of(index).filter(|link| link.passes(filter)) {
                    chunks.push(StoredChunk {
                        id: row.id,
                        path: row.path.to_string(),
                        content_hash: row.content_hash.to_string(),
                        channels: link.channels.clone(),
                        text: row.text.to_string(),
                    });
                }
            }
        }
        chunks.sort_by(|a, b| a.path.cmp(&b.path).then(a.id.cmp(&b.id)));
        chunks
    }

    /// Every live chunk, group by group, for the snapshot.
    pub fn live_rows(&self) -> impl Iterator<Item = (&Group, usize)> {
        self.groups.iter().flat_map(|group| {
            (0..group.rows.len())
                .filter(|&row| group.is_alive(row))
                .map(move |row| (group, row))
        })
    }
}
