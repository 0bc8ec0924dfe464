//! The on-disk form of the embedded index's operations: a compact binary encoding (vectors as
//! little-endian f32, payloads as JSON) and the checksummed record framing shared by the log and
//! the snapshot.
//!
//! A record is `[len: u32 LE][crc32 of body: u32 LE][body]`. A record whose length runs past the
//! end of the file or whose checksum does not match is where a crash cut the file: reading
//! stops there.

use crate::domain::{Channel, CompanyId, LinkId, PageId};
use crate::rag::index::{ChunkFilter, ChunkPayload, IndexError, IndexResult, IndexedChunk, Source};
use uuid::Uuid;

/// One durable change. The log holds them in the order they were applied.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Op {
    SetDims(usize),
    Upsert(Vec<IndexedChunk>),
    DeleteIds {
        company_id: CompanyId,
        ids: Vec<Uuid>,
    },
    DeleteMatching(ChunkFilter),
    SetLinkChannels {
        company_id: CompanyId,
        link_id: LinkId,
        channels: Vec<Channel>,
    },
}

const SET_DIMS: u8 = 1;
const UPSERT: u8 = 2;
const DELETE_IDS: u8 = 3;
const DELETE_MATCHING: u8 = 4;
const SET_LINK_CHANNELS: u8 = 5;

/// Frames `body` as one checksummed record appended to `out`.
pub(super) fn frame(body: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
}

/// The next intact record at `bytes[offset..]`: its body and the offset after it, or `None` at
/// the end or at a torn or corrupt record.
pub(super) fn next_record(bytes: &[u8], offset: usize) -> Option<(&[u8], usize)> {
    let header = bytes.get(offset..offset + 8)?;
    let len = u32::from_le_bytes(header[..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[4..].try_into().ok()?);
    let body = bytes.get(offset + 8..offset + 8 + len)?;
    (crc32fast::hash(body) == crc).then_some((body, offset + 8 + len))
}

/// Encodes `(seq, op)`: the sequence number lets a reopened index skip log records that a
/// snapshot already holds.
pub(super) fn encode(seq: u64, op: &Op) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&seq.to_le_bytes());
    match op {
        Op::SetDims(dims) => {
            out.push(SET_DIMS);
            put_u32(&mut out, *dims as u32);
        }
        Op::Upsert(chunks) => {
            out.push(UPSERT);
            put_u32(&mut out, chunks.len() as u32);
            for chunk in chunks {
                put_chunk(&mut out, &chunk.id, &chunk.vector, &chunk.payload);
            }
        }
        Op::DeleteIds { company_id, ids } => {
            out.push(DELETE_IDS);
            put_str(&mut out, company_id.as_str());
            put_u32(&mut out, ids.len() as u32);
            for id in ids {
                out.extend_from_slice(id.as_bytes());
            }
        }
        Op::DeleteMatching(filter) => {
            out.push(DELETE_MATCHING);
            put_str(&mut out, filter.company_id.as_str());
            put_opt_str(&mut out, filter.page_id.as_ref().map(PageId::as_str));
            put_opt_str(&mut out, filter.channel.map(Channel::as_str));
            put_opt_str(&mut out, filter.source.map(Source::as_str));
            put_opt_str(&mut out, filter.link_id.as_ref().map(LinkId::as_str));
            // A trailing byte, written only when set, so records of older versions (which
            // end after the link) still read as "private chunks too".
            if filter.public_only {
                out.push(1);
            }
        }
        Op::SetLinkChannels {
            company_id,
            link_id,
            channels,
        } => {
            out.push(SET_LINK_CHANNELS);
            put_str(&mut out, company_id.as_str());
            put_str(&mut out, link_id.as_str());
            put_u32(&mut out, channels.len() as u32);
            for channel in channels {
                put_str(&mut out, channel.as_str());
            }
        }
    }
    out
}

/// Encodes an upsert of stored rows given as parts (the snapshot), without building
/// `IndexedChunk`s first.
pub(super) fn encode_upsert(seq: u64, rows: &[(Uuid, &[f32], ChunkPayload)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() * 2048);
    out.extend_from_slice(&seq.to_le_bytes());
    out.push(UPSERT);
    put_u32(&mut out, rows.len() as u32);
    for (id, vector, payload) in rows {
        put_chunk(&mut out, id, vector, payload);
    }
    out
}

fn put_chunk(out: &mut Vec<u8>, id: &Uuid, vector: &[f32], payload: &ChunkPayload) {
    out.extend_from_slice(id.as_bytes());
    put_u32(out, vector.len() as u32);
    for value in vector {
        out.extend_from_slice(&value.to_le_bytes());
    }
    let json = serde_json::to_vec(payload).expect("a chunk payload always serialises");
    put_u32(out, json.len() as u32);
    out.extend_from_slice(&json);
}

pub(super) fn decode(body: &[u8]) -> IndexResult<(u64, Op)> {
    let mut reader = Reader {
        bytes: body,
        pos: 0,
    };
    let seq = u64::from_le_bytes(reader.take(8)?.try_into().expect("8 bytes"));
    let op = match reader.take(1)?[0] {
        SET_DIMS => Op::SetDims(reader.u32()? as usize),
        UPSERT => {
            let count = reader.u32()? as usize;
            let mut chunks = Vec::with_capacity(count.min(1 << 16));
            for _ in 0..count {
                chunks.push(reader.chunk()?);
            }
            Op::Upsert(chunks)
        }
        DELETE_IDS => {
            let company_id = CompanyId::from(reader.str()?);
            let count = reader.u32()? as usize;
            let mut ids = Vec::with_capacity(count.min(1 << 16));
            for _ in 0..count {
                ids.push(reader.uuid()?);
            }
            Op::DeleteIds { company_id, ids }
        }
        DELETE_MATCHING => Op::DeleteMatching(ChunkFilter {
            company_id: CompanyId::from(reader.str()?),
            page_id: reader.opt_str()?.map(PageId::from),
            channel: reader.opt_str()?.map(parse_channel).transpose()?,
            source: reader.opt_str()?.map(parse_source).transpose()?,
            link_id: reader.opt_str()?.map(LinkId::from),
            public_only: reader.remaining() > 0 && reader.take(1)?[0] == 1,
        }),
        SET_LINK_CHANNELS => {
            let company_id = CompanyId::from(reader.str()?);
            let link_id = LinkId::from(reader.str()?);
            let count = reader.u32()? as usize;
            let mut channels = Vec::with_capacity(count.min(8));
            for _ in 0..count {
                channels.push(parse_channel(reader.str()?)?);
            }
            Op::SetLinkChannels {
                company_id,
                link_id,
                channels,
            }
        }
        other => return Err(corrupt(format!("unknown operation tag {other}"))),
    };
    Ok((seq, op))
}

fn parse_channel(value: &str) -> IndexResult<Channel> {
    Channel::parse("channel", value).map_err(|error| corrupt(error.to_string()))
}

fn parse_source(value: &str) -> IndexResult<Source> {
    match value {
        "crm" => Ok(Source::Crm),
        "metakocka" => Ok(Source::Metakocka),
        other => Err(corrupt(format!("unknown source {other:?}"))),
    }
}

fn corrupt(message: String) -> IndexError {
    IndexError::Corrupt(message)
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, value: &str) {
    put_u32(out, value.len() as u32);
    out.extend_from_slice(value.as_bytes());
}

fn put_opt_str(out: &mut Vec<u8>, value: Option<&str>) {
    match value {
        Some(value) => {
            out.push(1);
            put_str(out, value);
        }
        None => out.push(0),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn take(&mut self, len: usize) -> IndexResult<&'a [u8]> {
        let slice = self
            .bytes
            .get(self.pos..self.pos + len)
            .ok_or_else(|| corrupt("a record ends early".into()))?;
        self.pos += len;
        Ok(slice)
    }

    fn u32(&mut self) -> IndexResult<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn str(&mut self) -> IndexResult<&'a str> {
        let len = self.u32()? as usize;
        std::str::from_utf8(self.take(len)?).map_err(|_| corrupt("text is not UTF-8".into()))
    }

    fn opt_str(&mut self) -> IndexResult<Option<&'a str>> {
        match self.take(1)?[0] {
            0 => Ok(None),
            _ => self.str().map(Some),
        }
    }

    fn uuid(&mut self) -> IndexResult<Uuid> {
        Ok(Uuid::from_bytes(
            self.take(16)?.try_into().expect("16 bytes"),
        ))
    }

    fn chunk(&mut self) -> IndexResult<IndexedChunk> {
        let id = self.uuid()?;
        let dims = self.u32()? as usize;
        let raw = self.take(dims * 4)?;
        let vector = raw
            .chunks_exact(4)
            .map(|bytes| f32::from_le_bytes(bytes.try_into().expect("4 bytes")))
            .collect();
        let len = self.u32()? as usize;
        let payload = serde_json::from_slice(self.take(len)?)
            .map_err(|error| corrupt(format!("chunk {id}: {error}")))?;
        Ok(IndexedChunk {
            id,
            vector,
            payload,
        })
    }
}
