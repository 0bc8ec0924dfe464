//! Crash-safe persistence of the embedded index: an append-only log of operations, fsynced
//! before a write returns, and a snapshot of the whole state written now and then so the log
//! stays short.
//!
//! * `index.log`: checksummed records `(seq, op)`. On open every intact record newer than the
//!   snapshot is replayed; a torn or corrupt tail (a crash in the middle of an append) is cut
//!   off, so the next append follows the last good record.
//! * `snapshot.bin`: records `(seq, op)` too — a header holding the dimensions and the last
//!   sequence number it includes, then the live chunks as upserts, then an end marker. It is
//!   written to `snapshot.tmp`, fsynced, renamed over the old one and the directory fsynced:
//!   a half-written snapshot is never read, and the previous one stays until the new one is
//!   whole. Only then is the log emptied; log records it already holds are skipped by `seq`.

use super::codec::{self, Op};
use super::state::State;
use crate::domain::CompanyId;
use crate::rag::index::{IndexError, IndexResult};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const LOG: &str = "index.log";
const SNAPSHOT: &str = "snapshot.bin";
const SNAPSHOT_TMP: &str = "snapshot.tmp";
/// The log is folded into a snapshot once it outgrows both this and the last snapshot, so
/// snapshot writing stays proportional to the data written.
const MIN_LOG_BYTES_BEFORE_SNAPSHOT: u64 = 64 << 20;
/// Chunks per upsert record in the snapshot.
const SNAPSHOT_BATCH: usize = 512;
/// The snapshot's end marker: a `DeleteIds` of no ids, which changes nothing if replayed.
const END_COMPANY: &str = "\u{0}end-of-snapshot";

pub(super) struct Log {
    dir: PathBuf,
    file: File,
    len: u64,
    next_seq: u64,
    snapshot_len: u64,
}

fn io(context: &str, path: &Path, error: std::io::Error) -> IndexError {
    IndexError::Unavailable(format!("{context} {}: {error}", path.display()))
}

/// Opens (or creates) the index under `dir`: loads the snapshot, replays the log after it.
pub(super) fn open(dir: &Path) -> IndexResult<(State, Log)> {
    fs::create_dir_all(dir).map_err(|e| io("cannot create", dir, e))?;
    let mut state = State::default();
    let snapshot_path = dir.join(SNAPSHOT);
    let mut snapshot_seq = 0;
    let mut snapshot_len = 0;
    if snapshot_path.exists() {
        let bytes = read(&snapshot_path)?;
        snapshot_len = bytes.len() as u64;
        snapshot_seq = load_snapshot(&bytes, &mut state)?;
    }
    let tmp = dir.join(SNAPSHOT_TMP);
    if tmp.exists() {
        fs::remove_file(&tmp).map_err(|e| io("cannot remove", &tmp, e))?;
    }

    let log_path = dir.join(LOG);
    let bytes = if log_path.exists() {
        read(&log_path)?
    } else {
        Vec::new()
    };
    let mut offset = 0;
    let mut last_seq = snapshot_seq;
    while let Some((body, next)) = codec::next_record(&bytes, offset) {
        let (seq, op) = codec::decode(body)?;
        if seq > snapshot_seq {
            state.apply(op);
        }
        last_seq = last_seq.max(seq);
        offset = next;
    }
    let file = OpenOptions::new()
        .create(true)
        .read(true)
        .write(true)
        .truncate(false)
        .open(&log_path)
        .map_err(|e| io("cannot open", &log_path, e))?;
    if offset < bytes.len() {
        tracing::warn!(
            dropped_bytes = bytes.len() - offset,
            "the embedded index log ends in a torn record (a crash during a write); ignoring it"
        );
        file.set_len(offset as u64)
            .and_then(|()| file.sync_all())
            .map_err(|e| io("cannot cut the torn tail of", &log_path, e))?;
    }
    let mut log = Log {
        dir: dir.to_owned(),
        file,
        len: offset as u64,
        next_seq: last_seq + 1,
        snapshot_len,
    };
    use std::io::Seek;
    log.file
        .seek(std::io::SeekFrom::End(0))
        .map_err(|e| io("cannot seek", &log_path, e))?;
    sync_dir(&log.dir)?;
    Ok((state, log))
}

impl Log {
    /// Appends one operation and fsyncs: when this returns, the operation survives a crash.
    pub fn append(&mut self, op: &Op) -> IndexResult<()> {
        let mut record = Vec::new();
        codec::frame(&codec::encode(self.next_seq, op), &mut record);
        let path = self.dir.join(LOG);
        self.file
            .write_all(&record)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| io("cannot append to", &path, e))?;
        self.next_seq += 1;
        self.len += record.len() as u64;
        Ok(())
    }

    pub fn wants_snapshot(&self) -> bool {
        self.len > MIN_LOG_BYTES_BEFORE_SNAPSHOT.max(self.snapshot_len)
    }

    /// Writes the whole state as the new snapshot, then empties the log.
    pub fn snapshot(&mut self, state: &State) -> IndexResult<()> {
        let last_seq = self.next_seq - 1;
        let tmp = self.dir.join(SNAPSHOT_TMP);
        let mut out = Vec::new();
        codec::frame(
            &codec::encode(last_seq, &Op::SetDims(state.dims.unwrap_or(0))),
            &mut out,
        );
        let mut file = File::create(&tmp).map_err(|e| io("cannot create", &tmp, e))?;
        let mut written = 0u64;
        let mut rows = state.live_rows().peekable();
        while rows.peek().is_some() {
            let batch: Vec<_> = rows
                .by_ref()
                .take(SNAPSHOT_BATCH)
                .map(|(group, row)| (group.rows[row].id, group.vector(row), group.payload(row)))
                .collect();
            codec::frame(&codec::encode_upsert(last_seq, &batch), &mut out);
            if out.len() > 8 << 20 {
                file.write_all(&out)
                    .map_err(|e| io("cannot write", &tmp, e))?;
                written += out.len() as u64;
                out.clear();
            }
        }
        let end = Op::DeleteIds {
            company_id: CompanyId::from(END_COMPANY),
            ids: Vec::new(),
        };
        codec::frame(&codec::encode(last_seq, &end), &mut out);
        file.write_all(&out)
            .and_then(|()| file.sync_all())
            .map_err(|e| io("cannot write", &tmp, e))?;
        written += out.len() as u64;
        let target = self.dir.join(SNAPSHOT);
        fs::rename(&tmp, &target).map_err(|e| io("cannot replace", &target, e))?;
        sync_dir(&self.dir)?;
        // The snapshot holds everything logged so far; an empty log replays nothing twice.
        let log = self.dir.join(LOG);
        self.file
            .set_len(0)
            .and_then(|()| self.file.sync_all())
            .map_err(|e| io("cannot empty", &log, e))?;
        use std::io::Seek;
        self.file
            .seek(std::io::SeekFrom::Start(0))
            .map_err(|e| io("cannot seek", &log, e))?;
        self.len = 0;
        self.snapshot_len = written;
        Ok(())
    }
}

/// Applies a snapshot's records; returns the last sequence number it includes.
fn load_snapshot(bytes: &[u8], state: &mut State) -> IndexResult<u64> {
    let mut offset = 0;
    let mut header_seq = None;
    while let Some((body, next)) = codec::next_record(bytes, offset) {
        offset = next;
        match codec::decode(body)? {
            (seq, Op::SetDims(dims)) if header_seq.is_none() => {
                header_seq = Some(seq);
                if dims > 0 {
                    state.apply(Op::SetDims(dims));
                }
            }
            (_, Op::DeleteIds { company_id, ids })
                if ids.is_empty() && company_id.as_str() == END_COMPANY =>
            {
                return header_seq.ok_or_else(|| corrupt("a snapshot without its header"));
            }
            (_, op @ Op::Upsert(_)) if header_seq.is_some() => {
                state.apply(op);
            }
            _ => return Err(corrupt("a snapshot holds an unexpected record")),
        }
    }
    Err(corrupt("the snapshot ends before its end marker"))
}

fn corrupt(message: &str) -> IndexError {
    IndexError::Corrupt(message.to_owned())
}

fn read(path: &Path) -> IndexResult<Vec<u8>> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .map_err(|e| io("cannot read", path, e))?;
    Ok(bytes)
}

/// Makes a rename or a new file in `dir` durable.
fn sync_dir(dir: &Path) -> IndexResult<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io("cannot sync", dir, e))
}
