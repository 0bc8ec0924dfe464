//! The fake's collections service: exists, create (refusing a duplicate, as Qdrant does) and
//! get (the collection's parameters as created).

use super::{Collection, FakeQdrant, fake_service};
use qdrant_client::qdrant::collections_server::Collections;
use qdrant_client::qdrant::{
    CollectionConfig, CollectionExists, CollectionExistsRequest, CollectionExistsResponse,
    CollectionInfo, CollectionOperationResponse, CollectionParams, CollectionStatus,
    CreateCollection, GetCollectionInfoRequest, GetCollectionInfoResponse,
};
use std::collections::BTreeMap;
use tonic::{Request, Response, Status};

fake_service! {
    impl Collections for FakeQdrant {
        async fn collection_exists(
            &self,
            request: Request<CollectionExistsRequest>,
        ) -> Result<Response<CollectionExistsResponse>, Status> {
            let name = request.into_inner().collection_name;
            let exists = self.collections.lock().contains_key(&name);
            Ok(Response::new(CollectionExistsResponse {
                result: Some(CollectionExists { exists }),
                time: 0.0,
            }))
        }

        async fn create(
            &self,
            request: Request<CreateCollection>,
        ) -> Result<Response<CollectionOperationResponse>, Status> {
            let config = request.into_inner();
            let mut collections = self.collections.lock();
            if collections.contains_key(&config.collection_name) {
                return Err(Status::already_exists(format!(
                    "Collection `{}` already exists!",
                    config.collection_name
                )));
            }
            collections.insert(
                config.collection_name.clone(),
                Collection {
                    config,
                    points: BTreeMap::new(),
                    field_indexes: Vec::new(),
                },
            );
            Ok(Response::new(CollectionOperationResponse {
                result: true,
                time: 0.0,
            }))
        }

        async fn get(
            &self,
            request: Request<GetCollectionInfoRequest>,
        ) -> Result<Response<GetCollectionInfoResponse>, Status> {
            let name = request.into_inner().collection_name;
            let collections = self.collections.lock();
            let collection = collections
                .get(&name)
                .ok_or_else(|| Status::not_found(format!("Collection `{name}` doesn't exist!")))?;
            let params = CollectionParams {
                vectors_config: collection.config.vectors_config.clone(),
                sparse_vectors_config: collection.config.sparse_vectors_config.clone(),
                ..Default::default()
            };
            Ok(Response::new(GetCollectionInfoResponse {
                result: Some(CollectionInfo {
                    status: CollectionStatus::Green as i32,
                    points_count: Some(collection.points.len() as u64),
                    config: Some(CollectionConfig {
                        params: Some(params),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                time: 0.0,
            }))
        }
    }
    unimplemented {
        list(ListCollectionsRequest) -> ListCollectionsResponse;
        update(UpdateCollection) -> CollectionOperationResponse;
        delete(DeleteCollection) -> CollectionOperationResponse;
        update_aliases(ChangeAliases) -> CollectionOperationResponse;
        list_collection_aliases(ListCollectionAliasesRequest) -> ListAliasesResponse;
        list_aliases(ListAliasesRequest) -> ListAliasesResponse;
        collection_cluster_info(CollectionClusterInfoRequest) -> CollectionClusterInfoResponse;
        update_collection_cluster_setup(UpdateCollectionClusterSetupRequest) -> UpdateCollectionClusterSetupResponse;
        create_shard_key(CreateShardKeyRequest) -> CreateShardKeyResponse;
        delete_shard_key(DeleteShardKeyRequest) -> DeleteShardKeyResponse;
        list_shard_keys(ListShardKeysRequest) -> ListShardKeysResponse;
    }
}
