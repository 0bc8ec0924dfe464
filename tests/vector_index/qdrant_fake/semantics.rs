//! Qdrant's rules, as documented, that the fake's calls share: filter matching, nearest
//! scoring on dense (cosine) and sparse (IDF) vectors, and reciprocal rank fusion.

use super::{Collection, StoredPoint};
use qdrant_client::qdrant::condition::ConditionOneOf;
use qdrant_client::qdrant::r#match::MatchValue;
use qdrant_client::qdrant::value::Kind;
use qdrant_client::qdrant::vector_input::Variant;
use qdrant_client::qdrant::{Condition, Filter, Modifier, Value, VectorInput};
use std::collections::HashMap;
use tonic::Status;

/// Whether a point passes a filter: all `must`, at least one `should` (when any), no
/// `must_not`. <https://qdrant.tech/documentation/concepts/filtering/>
pub fn passes(id: &str, point: &StoredPoint, filter: Option<&Filter>) -> Result<bool, Status> {
    let Some(filter) = filter else {
        return Ok(true);
    };
    if filter.min_should.is_some() {
        return Err(Status::unimplemented(
            "the fake does not implement min_should",
        ));
    }
    for condition in &filter.must {
        if !holds(id, point, condition)? {
            return Ok(false);
        }
    }
    for condition in &filter.must_not {
        if holds(id, point, condition)? {
            return Ok(false);
        }
    }
    if filter.should.is_empty() {
        return Ok(true);
    }
    for condition in &filter.should {
        if holds(id, point, condition)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn holds(id: &str, point: &StoredPoint, condition: &Condition) -> Result<bool, Status> {
    match &condition.condition_one_of {
        Some(ConditionOneOf::HasId(has_id)) => Ok(has_id.has_id.iter().any(|wanted| {
            use qdrant_client::qdrant::point_id::PointIdOptions;
            matches!(&wanted.point_id_options, Some(PointIdOptions::Uuid(text)) if text == id)
        })),
        Some(ConditionOneOf::Filter(nested)) => passes(id, point, Some(nested)),
        Some(ConditionOneOf::Field(field)) => {
            let value = point.payload.get(&field.key);
            match field.r#match.as_ref().and_then(|m| m.match_value.as_ref()) {
                Some(MatchValue::Keyword(keyword)) => Ok(any_string(value, |s| s == keyword)),
                Some(MatchValue::Keywords(any)) => {
                    Ok(any_string(value, |s| any.strings.iter().any(|k| k == s)))
                }
                // A boolean match passes on a bool payload value equal to it; a point without
                // the field does not match (so a `must_not` lets it through).
                Some(MatchValue::Boolean(wanted)) => Ok(matches!(
                    value.and_then(|v| v.kind.as_ref()),
                    Some(Kind::BoolValue(b)) if b == wanted
                )),
                _ => Err(Status::unimplemented(
                    "the fake matches keywords and booleans only",
                )),
            }
        }
        _ => Err(Status::unimplemented(
            "the fake does not implement this condition",
        )),
    }
}

/// A keyword match on an array passes when any element matches.
fn any_string(value: Option<&Value>, matches: impl Fn(&str) -> bool) -> bool {
    match value.and_then(|v| v.kind.as_ref()) {
        Some(Kind::StringValue(s)) => matches(s),
        Some(Kind::ListValue(list)) => list
            .values
            .iter()
            .any(|v| matches!(&v.kind, Some(Kind::StringValue(s)) if matches(s))),
        _ => false,
    }
}

/// The nearest ranking of the points passing `filter`, best first, at most `limit`.
pub fn nearest(
    collection: &Collection,
    input: &VectorInput,
    using: Option<&str>,
    filter: Option<&Filter>,
    limit: usize,
) -> Result<Vec<(String, f32)>, Status> {
    let name = using.unwrap_or_default();
    let mut scored = Vec::new();
    match &input.variant {
        Some(Variant::Dense(dense)) => {
            let query = normalised(&dense.data);
            for (id, point) in &collection.points {
                let Some(vector) = point.dense.get(name) else {
                    continue;
                };
                if passes(id, point, filter)? {
                    let score: f32 = vector.iter().zip(&query).map(|(a, b)| a * b).sum();
                    scored.push((id.clone(), score));
                }
            }
        }
        Some(Variant::Sparse(sparse)) => {
            let idf = uses_idf(collection, name);
            let total = collection.points.len() as f32;
            let containing = |index: u32| {
                collection
                    .points
                    .values()
                    .filter(|p| p.sparse.get(name).is_some_and(|v| v.contains_key(&index)))
                    .count() as f32
            };
            let weights: Vec<(u32, f32)> = sparse
                .indices
                .iter()
                .zip(&sparse.values)
                .map(|(&index, &value)| {
                    let n = containing(index);
                    let weight = if idf {
                        ((total - n + 0.5) / (n + 0.5) + 1.0).ln()
                    } else {
                        1.0
                    };
                    (index, value * weight)
                })
                .collect();
            for (id, point) in &collection.points {
                let Some(vector) = point.sparse.get(name) else {
                    continue;
                };
                let shared: Vec<f32> = weights
                    .iter()
                    .filter_map(|(index, weight)| vector.get(index).map(|v| v * weight))
                    .collect();
                if !shared.is_empty() && passes(id, point, filter)? {
                    scored.push((id.clone(), shared.iter().sum()));
                }
            }
        }
        _ => {
            return Err(Status::unimplemented(
                "the fake queries dense and sparse vectors only",
            ));
        }
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    scored.truncate(limit);
    Ok(scored)
}

/// Reciprocal rank fusion as in Qdrant's `score_fusion.rs`: `1 / (k + position)`, positions
/// from 0, summed over the rankings.
pub fn rrf(rankings: &[Vec<(String, f32)>], k: f32) -> Vec<(String, f32)> {
    let mut fused: HashMap<String, f32> = HashMap::new();
    for ranking in rankings {
        for (position, (id, _)) in ranking.iter().enumerate() {
            *fused.entry(id.clone()).or_default() += 1.0 / (k + position as f32);
        }
    }
    let mut fused: Vec<(String, f32)> = fused.into_iter().collect();
    fused.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    fused
}

fn uses_idf(collection: &Collection, name: &str) -> bool {
    collection
        .config
        .sparse_vectors_config
        .as_ref()
        .and_then(|config| config.map.get(name))
        .is_some_and(|params| params.modifier == Some(Modifier::Idf as i32))
}

/// Qdrant normalises vectors of a Cosine collection on upsert and queries.
pub fn normalised(vector: &[f32]) -> Vec<f32> {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 {
        return vector.to_vec();
    }
    vector.iter().map(|x| x / norm).collect()
}
