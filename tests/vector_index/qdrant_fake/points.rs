//! The fake's points service: upsert, delete, set_payload, create_field_index, query (nearest
//! or RRF over prefetches), count and scroll.

use super::semantics::{nearest, normalised, passes, rrf};
use super::{Collection, FakeQdrant, StoredPoint, fake_service};
use qdrant_client::qdrant::point_id::PointIdOptions;
use qdrant_client::qdrant::points_selector::PointsSelectorOneOf;
use qdrant_client::qdrant::points_server::Points;
use qdrant_client::qdrant::query::Variant as QueryVariant;
use qdrant_client::qdrant::vectors::VectorsOptions;
use qdrant_client::qdrant::with_payload_selector::SelectorOptions;
use qdrant_client::qdrant::{
    CountPoints, CountResponse, CountResult, CreateFieldIndexCollection, DeletePoints, Fusion,
    PointId, PointsOperationResponse, PointsSelector, QueryPoints, QueryResponse, RetrievedPoint,
    ScoredPoint, ScrollPoints, ScrollResponse, SetPayloadPoints, UpdateResult, UpdateStatus,
    UpsertPoints, WithPayloadSelector, vector,
};
use std::collections::HashMap;
use tonic::{Request, Response, Status};

/// Qdrant's default page size of scroll and default limit of query.
const DEFAULT_SCROLL_LIMIT: usize = 10;
const DEFAULT_QUERY_LIMIT: usize = 10;
/// Qdrant's k when an RRF query names none.
const DEFAULT_RRF_K: f32 = 2.0;

fn id_text(id: Option<&PointId>) -> Result<String, Status> {
    match id.and_then(|id| id.point_id_options.as_ref()) {
        Some(PointIdOptions::Uuid(text)) => uuid::Uuid::parse_str(text)
            .map(|uuid| uuid.to_string())
            .map_err(|_| Status::invalid_argument(format!("Unable to parse UUID: {text}"))),
        _ => Err(Status::unimplemented("the fake stores UUID ids only")),
    }
}

fn uuid_id(text: &str) -> PointId {
    PointId::from(text.to_owned())
}

fn done() -> Response<PointsOperationResponse> {
    Response::new(PointsOperationResponse {
        result: Some(UpdateResult {
            operation_id: Some(0),
            status: UpdateStatus::Completed as i32,
        }),
        ..Default::default()
    })
}

fn with_payload(selector: Option<&WithPayloadSelector>) -> bool {
    matches!(
        selector.and_then(|s| s.selector_options.as_ref()),
        Some(SelectorOptions::Enable(true))
    )
}

impl FakeQdrant {
    fn with_collection<T>(
        &self,
        name: &str,
        work: impl FnOnce(&mut Collection) -> Result<T, Status>,
    ) -> Result<T, Status> {
        let mut collections = self.collections.lock();
        let collection = collections
            .get_mut(name)
            .ok_or_else(|| Status::not_found(format!("Collection `{name}` doesn't exist!")))?;
        work(collection)
    }
}

/// Ids of the points a selector picks.
fn selected(
    collection: &Collection,
    selector: Option<&PointsSelector>,
) -> Result<Vec<String>, Status> {
    match selector.and_then(|s| s.points_selector_one_of.as_ref()) {
        Some(PointsSelectorOneOf::Points(list)) => {
            list.ids.iter().map(|id| id_text(Some(id))).collect()
        }
        Some(PointsSelectorOneOf::Filter(filter)) => {
            let mut ids = Vec::new();
            for (id, point) in &collection.points {
                if passes(id, point, Some(filter))? {
                    ids.push(id.clone());
                }
            }
            Ok(ids)
        }
        None => Err(Status::invalid_argument("a points selector is required")),
    }
}

fn stored(point: qdrant_client::qdrant::PointStruct) -> Result<(String, StoredPoint), Status> {
    let id = id_text(point.id.as_ref())?;
    let mut stored = StoredPoint {
        dense: HashMap::new(),
        sparse: HashMap::new(),
        payload: point.payload,
    };
    let Some(VectorsOptions::Vectors(named)) = point.vectors.and_then(|v| v.vectors_options) else {
        return Err(Status::invalid_argument(
            "the fake stores named vectors only",
        ));
    };
    for (name, vector) in named.vectors {
        match vector.vector {
            Some(vector::Vector::Dense(dense)) => {
                stored.dense.insert(name, normalised(&dense.data));
            }
            Some(vector::Vector::Sparse(sparse)) => {
                let map = sparse.indices.into_iter().zip(sparse.values).collect();
                stored.sparse.insert(name, map);
            }
            _ => {
                return Err(Status::unimplemented(
                    "the fake stores dense and sparse vectors",
                ));
            }
        }
    }
    Ok((id, stored))
}

fake_service! {
    impl Points for FakeQdrant {
        async fn upsert(
            &self,
            request: Request<UpsertPoints>,
        ) -> Result<Response<PointsOperationResponse>, Status> {
            let request = request.into_inner();
            self.with_collection(&request.collection_name, |collection| {
                for point in request.points {
                    let (id, point) = stored(point)?;
                    // Upsert by id replaces the whole point: vectors and payload.
                    collection.points.insert(id, point);
                }
                Ok(done())
            })
        }

        async fn delete(
            &self,
            request: Request<DeletePoints>,
        ) -> Result<Response<PointsOperationResponse>, Status> {
            let request = request.into_inner();
            self.with_collection(&request.collection_name, |collection| {
                for id in selected(collection, request.points.as_ref())? {
                    collection.points.remove(&id);
                }
                Ok(done())
            })
        }

        async fn set_payload(
            &self,
            request: Request<SetPayloadPoints>,
        ) -> Result<Response<PointsOperationResponse>, Status> {
            let request = request.into_inner();
            if request.key.is_some() {
                return Err(Status::unimplemented("the fake sets top-level keys only"));
            }
            self.with_collection(&request.collection_name, |collection| {
                for id in selected(collection, request.points_selector.as_ref())? {
                    if let Some(point) = collection.points.get_mut(&id) {
                        point.payload.extend(request.payload.clone());
                    }
                }
                Ok(done())
            })
        }

        async fn create_field_index(
            &self,
            request: Request<CreateFieldIndexCollection>,
        ) -> Result<Response<PointsOperationResponse>, Status> {
            let request = request.into_inner();
            self.with_collection(&request.collection_name, |collection| {
                if !collection.field_indexes.contains(&request.field_name) {
                    collection.field_indexes.push(request.field_name);
                }
                Ok(done())
            })
        }

        async fn query(
            &self,
            request: Request<QueryPoints>,
        ) -> Result<Response<QueryResponse>, Status> {
            let request = request.into_inner();
            let limit = request.limit.map_or(DEFAULT_QUERY_LIMIT, |l| l as usize);
            let payload = with_payload(request.with_payload.as_ref());
            self.with_collection(&request.collection_name, |collection| {
                let ranked = match request.query.and_then(|q| q.variant) {
                    Some(QueryVariant::Nearest(input)) if request.prefetch.is_empty() => nearest(
                        collection,
                        &input,
                        request.using.as_deref(),
                        request.filter.as_ref(),
                        limit,
                    )?,
                    Some(fusion @ (QueryVariant::Rrf(_) | QueryVariant::Fusion(_))) => {
                        let k = match fusion {
                            QueryVariant::Rrf(rrf) => rrf.k.map_or(DEFAULT_RRF_K, |k| k as f32),
                            QueryVariant::Fusion(f) if f == Fusion::Rrf as i32 => DEFAULT_RRF_K,
                            _ => return Err(Status::unimplemented("the fake fuses by RRF only")),
                        };
                        if request.filter.is_some() {
                            return Err(Status::unimplemented("the fake filters in prefetches"));
                        }
                        let mut rankings = Vec::new();
                        for prefetch in &request.prefetch {
                            let Some(QueryVariant::Nearest(input)) =
                                prefetch.query.as_ref().and_then(|q| q.variant.as_ref())
                            else {
                                return Err(Status::unimplemented("the fake prefetches nearest"));
                            };
                            let limit = prefetch.limit.map_or(DEFAULT_QUERY_LIMIT, |l| l as usize);
                            rankings.push(nearest(
                                collection,
                                input,
                                prefetch.using.as_deref(),
                                prefetch.filter.as_ref(),
                                limit,
                            )?);
                        }
                        let mut fused = rrf(&rankings, k);
                        fused.truncate(limit);
                        fused
                    }
                    _ => return Err(Status::unimplemented("the fake does not run this query")),
                };
                let result = ranked
                    .into_iter()
                    .map(|(id, score)| ScoredPoint {
                        payload: if payload {
                            collection.points[&id].payload.clone()
                        } else {
                            HashMap::new()
                        },
                        id: Some(uuid_id(&id)),
                        score,
                        ..Default::default()
                    })
                    .collect();
                Ok(Response::new(QueryResponse {
                    result,
                    ..Default::default()
                }))
            })
        }

        async fn count(
            &self,
            request: Request<CountPoints>,
        ) -> Result<Response<CountResponse>, Status> {
            let request = request.into_inner();
            self.with_collection(&request.collection_name, |collection| {
                let mut count = 0;
                for (id, point) in &collection.points {
                    if passes(id, point, request.filter.as_ref())? {
                        count += 1;
                    }
                }
                Ok(Response::new(CountResponse {
                    result: Some(CountResult { count }),
                    ..Default::default()
                }))
            })
        }

        async fn scroll(
            &self,
            request: Request<ScrollPoints>,
        ) -> Result<Response<ScrollResponse>, Status> {
            let request = request.into_inner();
            let limit = request.limit.map_or(DEFAULT_SCROLL_LIMIT, |l| l as usize);
            let start = request.offset.as_ref().map(|id| id_text(Some(id))).transpose()?;
            let payload = with_payload(request.with_payload.as_ref());
            self.with_collection(&request.collection_name, |collection| {
                // Ascending id order, starting at the offset id (inclusive), one extra point
                // to know the next page's offset.
                let mut page = Vec::new();
                for (id, point) in collection.points.range(start.unwrap_or_default()..) {
                    if passes(id, point, request.filter.as_ref())? {
                        page.push((id.clone(), point));
                        if page.len() > limit {
                            break;
                        }
                    }
                }
                let next_page_offset = (page.len() > limit).then(|| uuid_id(&page[limit].0));
                page.truncate(limit);
                let result = page
                    .into_iter()
                    .map(|(id, point)| RetrievedPoint {
                        id: Some(uuid_id(&id)),
                        payload: if payload { point.payload.clone() } else { HashMap::new() },
                        ..Default::default()
                    })
                    .collect();
                Ok(Response::new(ScrollResponse {
                    next_page_offset,
                    result,
                    ..Default::default()
                }))
            })
        }
    }
    unimplemented {
        get(GetPoints) -> GetResponse;
        update_vectors(UpdatePointVectors) -> PointsOperationResponse;
        delete_vectors(DeletePointVectors) -> PointsOperationResponse;
        overwrite_payload(SetPayloadPoints) -> PointsOperationResponse;
        delete_payload(DeletePayloadPoints) -> PointsOperationResponse;
        clear_payload(ClearPayloadPoints) -> PointsOperationResponse;
        delete_field_index(DeleteFieldIndexCollection) -> PointsOperationResponse;
        create_vector_name(CreateVectorNameRequest) -> PointsOperationResponse;
        delete_vector_name(DeleteVectorNameRequest) -> PointsOperationResponse;
        search(SearchPoints) -> SearchResponse;
        search_batch(SearchBatchPoints) -> SearchBatchResponse;
        search_groups(SearchPointGroups) -> SearchGroupsResponse;
        recommend(RecommendPoints) -> RecommendResponse;
        recommend_batch(RecommendBatchPoints) -> RecommendBatchResponse;
        recommend_groups(RecommendPointGroups) -> RecommendGroupsResponse;
        discover(DiscoverPoints) -> DiscoverResponse;
        discover_batch(DiscoverBatchPoints) -> DiscoverBatchResponse;
        update_batch(UpdateBatchPoints) -> UpdateBatchResponse;
        query_batch(QueryBatchPoints) -> QueryBatchResponse;
        query_groups(QueryPointGroups) -> QueryGroupsResponse;
        facet(FacetCounts) -> FacetResponse;
        search_matrix_pairs(SearchMatrixPoints) -> SearchMatrixPairsResponse;
        search_matrix_offsets(SearchMatrixPoints) -> SearchMatrixOffsetsResponse;
    }
}
