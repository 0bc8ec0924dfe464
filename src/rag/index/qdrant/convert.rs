//! Between the index's types and Qdrant's: filters as `must` conditions on keyword payload
//! fields (and a `must_not` on the `private` flag), chunks as points with a named dense and a named sparse vector, payloads back into
//! [`ChunkPayload`].

use super::schema::{DENSE, LEXICAL};
use crate::rag::index::{ChunkFilter, ChunkPayload, IndexError, IndexResult, IndexedChunk};
use crate::rag::lexical;
use qdrant_client::Payload;
use qdrant_client::qdrant::{Condition, Filter, NamedVectors, PointId, PointStruct, Value, Vector};
use std::collections::HashMap;
use uuid::Uuid;

/// Every condition of the filter, all required. The company is always one of them.
///
/// `public_only` is a `must_not` match of `private: true` rather than a `must` match of
/// `false`: points stored before the flag existed have no `private` field, and were public.
pub fn filter(filter: &ChunkFilter) -> Filter {
    let mut must = vec![Condition::matches(
        "company_id",
        filter.company_id.as_str().to_owned(),
    )];
    if let Some(page) = &filter.page_id {
        must.push(Condition::matches("page_id", page.as_str().to_owned()));
    }
    if let Some(channel) = filter.channel {
        // `channels` is an array: a keyword match passes when any element equals it.
        must.push(Condition::matches("channels", channel.as_str().to_owned()));
    }
    if let Some(source) = filter.source {
        must.push(Condition::matches("source", source.as_str().to_owned()));
    }
    if let Some(link) = &filter.link_id {
        must.push(Condition::matches("link_id", link.as_str().to_owned()));
    }
    let mut filter_out = Filter::must(must);
    if filter.public_only {
        filter_out.must_not = vec![Condition::matches("private", true)];
    }
    filter_out
}

/// The company's points among `ids`.
pub fn ids_of_company(company: &str, ids: &[Uuid]) -> Filter {
    Filter::must([
        Condition::matches("company_id", company.to_owned()),
        Condition::has_id(ids.iter().map(|id| PointId::from(id.to_string()))),
    ])
}

pub fn point(chunk: IndexedChunk) -> IndexResult<PointStruct> {
    let (indices, values) = lexical::sparse_vector(&chunk.payload.text);
    let vectors = NamedVectors::default()
        .add_vector(DENSE, Vector::new_dense(chunk.vector))
        .add_vector(LEXICAL, Vector::new_sparse(indices, values));
    Ok(PointStruct::new(
        chunk.id.to_string(),
        vectors,
        payload(&chunk.payload)?,
    ))
}

pub fn payload(payload: &ChunkPayload) -> IndexResult<Payload> {
    let json = serde_json::to_value(payload)
        .map_err(|e| IndexError::Invalid(format!("chunk payload: {e}")))?;
    Payload::try_from(json).map_err(|e| IndexError::Invalid(format!("chunk payload: {e}")))
}

pub fn parse_payload(id: &Uuid, fields: HashMap<String, Value>) -> IndexResult<ChunkPayload> {
    Payload::from(fields)
        .deserialize()
        .map_err(|e| IndexError::Corrupt(format!("payload of point {id}: {e}")))
}

pub fn parse_id(id: Option<PointId>) -> IndexResult<Uuid> {
    use qdrant_client::qdrant::point_id::PointIdOptions;
    match id.and_then(|id| id.point_id_options) {
        Some(PointIdOptions::Uuid(text)) => Uuid::parse_str(&text)
            .map_err(|e| IndexError::Corrupt(format!("point id {text:?}: {e}"))),
        other => Err(IndexError::Corrupt(format!(
            "a point without a UUID id: {other:?}"
        ))),
    }
}
