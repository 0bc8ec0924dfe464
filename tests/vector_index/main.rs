//! One behaviour suite for every vector index engine ([`suite`]): the embedded index in a
//! temporary directory, the Qdrant engine against a fake Qdrant gRPC server ([`qdrant_fake`]),
//! and, when `QDRANT_URL` is set, the Qdrant engine against that real server.
//!
//! Every test works in fresh, random companies, so tests share a real Qdrant safely.

mod harness;
mod qdrant_fake;
mod recall;
mod suite;

/// Runs each named case of [`suite`] once per engine.
macro_rules! behaviour_suite {
    ($($case:ident),* $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let harness = crate::harness::Harness::embedded().await;
                    crate::suite::$case(&harness).await;
                }
            )*
        }
        mod qdrant_against_fake {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let harness = crate::harness::Harness::fake_qdrant().await;
                    crate::suite::$case(&harness).await;
                }
            )*
        }
        mod qdrant_against_real_server {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let Some(harness) = crate::harness::Harness::real_qdrant().await else {
                        eprintln!("QDRANT_URL is not set: skipped against a real Qdrant");
                        return;
                    };
                    crate::suite::$case(&harness).await;
                }
            )*
        }
    };
}

behaviour_suite!(
    finds_by_meaning_on_the_dense_side,
    finds_codes_emails_and_folded_words_on_the_lexical_side,
    company_b_never_sees_or_deletes_company_a,
    page_filter_keeps_other_pages_out,
    channel_filter_keeps_messenger_only_chunks_out_of_facebook,
    source_and_link_filters,
    public_only_leaves_private_chunks_out,
    upsert_by_id_replaces,
    delete_ids_removes_only_those_ids,
    delete_matching_counts_what_it_deleted,
    set_link_channels_moves_a_link_between_channels,
    count_follows_the_filter,
    list_link_is_ordered_by_path_without_vectors,
    another_dimension_is_invalid,
);

mod embedded_persistence {
    use crate::harness::Harness;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_restart_keeps_every_chunk_without_reembedding() {
        crate::suite::restart_keeps_everything(Harness::embedded().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_private_flag_survives_a_restart() {
        crate::suite::restart_keeps_the_private_flag(Harness::embedded().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_torn_last_log_record_is_ignored() {
        crate::suite::torn_log_tail_is_ignored(Harness::embedded().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_half_written_snapshot_never_replaces_the_state() {
        crate::suite::leftover_snapshot_tmp_is_ignored(Harness::embedded().await).await;
    }
}
