//! A fake Qdrant gRPC server built from the server traits `qdrant-client` ships, implementing
//! just the calls `QdrantIndex` makes, with Qdrant's documented semantics
//! (<https://qdrant.tech/documentation/concepts/>):
//! * points: upsert by id replaces the whole point; cosine vectors are normalised on upsert;
//!   `set_payload` overwrites the given top-level keys; delete by ids or by filter;
//! * filtering: `must` / `should` / `must_not`, `match` keyword (on an array payload it passes
//!   when any element matches), `match` boolean and `match any` (keywords), `has_id`, nested filters;
//! * query: a nearest query on a named dense (cosine) or sparse vector; sparse scores are the
//!   dot product over shared indices with the IDF modifier
//!   `ln((N - n + 0.5) / (n + 0.5) + 1)` applied to the query (N points, n containing the term),
//!   and only points sharing an index are returned; prefetches fused by RRF, a point at 0-based
//!   position `p` of a prefetch earning `1 / (k + p)`, k from the parameterised `Rrf` (default 2,
//!   which plain `Fusion::Rrf` uses too), per Qdrant's `score_fusion.rs`;
//! * scroll in ascending id order with `next_page_offset`; exact counts.
//!
//! Every other call answers `Status::unimplemented`, so a new call in `QdrantIndex` fails the
//! suite until the fake learns it.

mod collections;
mod points;
mod semantics;

use parking_lot::Mutex;
use qdrant_client::qdrant::collections_server::CollectionsServer;
use qdrant_client::qdrant::points_server::PointsServer;
use qdrant_client::qdrant::{CreateCollection, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio_stream::wrappers::TcpListenerStream;

/// One stored point: vectors by name (dense ones already normalised), and the payload.
#[derive(Debug, Clone)]
pub struct StoredPoint {
    pub dense: HashMap<String, Vec<f32>>,
    pub sparse: HashMap<String, HashMap<u32, f32>>,
    pub payload: HashMap<String, Value>,
}

#[derive(Debug)]
pub struct Collection {
    pub config: CreateCollection,
    /// Points by UUID text: Qdrant orders UUID ids like their canonical text.
    pub points: BTreeMap<String, StoredPoint>,
    pub field_indexes: Vec<String>,
}

pub type Collections = Arc<Mutex<HashMap<String, Collection>>>;

#[derive(Clone, Default)]
pub struct FakeQdrant {
    pub collections: Collections,
}

/// Starts the fake on 127.0.0.1 with an ephemeral port; returns its URL and the server task.
pub async fn spawn() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    let fake = FakeQdrant::default();
    let server = tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(CollectionsServer::new(fake.clone()))
            .add_service(PointsServer::new(fake))
            .serve_with_incoming(TcpListenerStream::new(listener))
            .await
            .expect("the fake Qdrant serves");
    });
    (url, server)
}

/// Writes a trait impl whose listed calls answer `Status::unimplemented`.
macro_rules! fake_service {
    (
        impl $service:ident for $fake:ty { $($implemented:tt)* }
        unimplemented { $($call:ident($request:ident) -> $response:ident;)* }
    ) => {
        #[tonic::async_trait]
        impl $service for $fake {
            $($implemented)*
            $(
                async fn $call(
                    &self,
                    _request: tonic::Request<qdrant_client::qdrant::$request>,
                ) -> Result<tonic::Response<qdrant_client::qdrant::$response>, tonic::Status> {
                    Err(tonic::Status::unimplemented(concat!(
                        "the fake Qdrant does not implement ",
                        stringify!($call)
                    )))
                }
            )*
        }
    };
}
pub(crate) use fake_service;
