//! The `vector_documents` collection as `migrations/qdrant/vector_documents.json` describes it,
//! turned into the create-collection and create-field-index requests of Qdrant's gRPC API.
//!
//! The file is the single description of the collection (an operator can read or apply it by
//! hand); only the dense size is filled in here, from the embedding model.

use crate::rag::index::{IndexError, IndexResult};
use qdrant_client::qdrant::{
    CreateCollection, CreateCollectionBuilder, CreateFieldIndexCollection,
    CreateFieldIndexCollectionBuilder, Distance, FieldType, Modifier, SparseVectorParamsBuilder,
    SparseVectorsConfigBuilder, VectorParamsBuilder, VectorsConfigBuilder,
};
use serde::Deserialize;
use std::collections::BTreeMap;

const MIGRATION: &str = include_str!("../../../../migrations/qdrant/vector_documents.json");

/// The dense vector's name in every point and query.
pub const DENSE: &str = "dense";
/// The sparse (lexical) vector's name.
pub const LEXICAL: &str = "lexical";

#[derive(Debug, Deserialize)]
pub struct CollectionSpec {
    pub collection_name: String,
    vectors: BTreeMap<String, DenseSpec>,
    sparse_vectors: BTreeMap<String, SparseSpec>,
    payload_indexes: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct DenseSpec {
    distance: String,
}

#[derive(Debug, Deserialize)]
struct SparseSpec {
    modifier: Option<String>,
}

impl CollectionSpec {
    /// The collection the service uses, read from the migration file compiled in.
    pub fn vector_documents() -> Self {
        serde_json::from_str(MIGRATION).expect("migrations/qdrant/vector_documents.json parses")
    }

    /// The create-collection request, with every dense vector sized `dims`.
    pub fn create_request(&self, dims: usize) -> IndexResult<CreateCollection> {
        let mut dense = VectorsConfigBuilder::default();
        for (name, spec) in &self.vectors {
            let distance = match spec.distance.as_str() {
                "Cosine" => Distance::Cosine,
                "Dot" => Distance::Dot,
                "Euclid" => Distance::Euclid,
                other => return Err(invalid(format!("unknown distance {other:?}"))),
            };
            dense.add_named_vector_params(name, VectorParamsBuilder::new(dims as u64, distance));
        }
        let mut sparse = SparseVectorsConfigBuilder::default();
        for (name, spec) in &self.sparse_vectors {
            let mut params = SparseVectorParamsBuilder::default();
            if spec.modifier.as_deref() == Some("idf") {
                params = params.modifier(Modifier::Idf);
            }
            sparse.add_named_vector_params(name, params);
        }
        Ok(CreateCollectionBuilder::new(&self.collection_name)
            .vectors_config(dense)
            .sparse_vectors_config(sparse)
            .build())
    }

    /// One create-field-index request per payload index (Qdrant treats a repeat as a no-op).
    pub fn field_index_requests(&self) -> IndexResult<Vec<CreateFieldIndexCollection>> {
        self.payload_indexes
            .iter()
            .map(|(field, kind)| {
                let field_type = match kind.as_str() {
                    "keyword" => FieldType::Keyword,
                    "datetime" => FieldType::Datetime,
                    other => return Err(invalid(format!("unknown payload index type {other:?}"))),
                };
                Ok(
                    CreateFieldIndexCollectionBuilder::new(
                        &self.collection_name,
                        field,
                        field_type,
                    )
                    .wait(true)
                    .build(),
                )
            })
            .collect()
    }
}

fn invalid(message: String) -> IndexError {
    IndexError::Invalid(format!(
        "migrations/qdrant/vector_documents.json: {message}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use qdrant_client::qdrant::vectors_config::Config;

    #[test]
    fn the_migration_describes_a_cosine_dense_and_an_idf_sparse_vector() {
        let spec = CollectionSpec::vector_documents();
        assert_eq!(spec.collection_name, "vector_documents");
        let request = spec.create_request(384).unwrap();
        let Some(Config::ParamsMap(map)) = request.vectors_config.and_then(|c| c.config) else {
            panic!("named vectors expected");
        };
        assert_eq!(map.map[DENSE].size, 384);
        assert_eq!(map.map[DENSE].distance, Distance::Cosine as i32);
        let sparse = request.sparse_vectors_config.unwrap();
        assert_eq!(sparse.map[LEXICAL].modifier, Some(Modifier::Idf as i32));
        let fields: Vec<String> = spec
            .field_index_requests()
            .unwrap()
            .into_iter()
            .map(|r| r.field_name)
            .collect();
        assert_eq!(
            fields,
            ["channels", "company_id", "link_id", "page_id", "source"]
        );
    }
}
