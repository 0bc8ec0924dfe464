//! `file://` links: read inside the operator's directory, refused anywhere else.

use crate::fake_crm::{fetch_as, test_settings};
use crm_mind::crm::{Body, FetchSettings};
use crm_mind::domain::CrmLinkType;
use serde_json::json;
use std::path::Path;
use tempfile::TempDir;
use url::Url;

/// A file root holding `customers.json`, beside a directory of secrets it must not reach.
struct Disk {
    _dir: TempDir,
    root: std::path::PathBuf,
    outside: std::path::PathBuf,
}

fn disk() -> Disk {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("crm-files");
    let outside = dir.path().join("secrets");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(
        root.join("customers.json"),
        r#"{"customers": [{"id": "cust-123"}]}"#,
    )
    .unwrap();
    std::fs::write(root.join("faq.txt"), "Returns within 30 days").unwrap();
    std::fs::write(outside.join("keys.json"), r#"{"key": "do-not-read"}"#).unwrap();
    Disk {
        _dir: dir,
        root,
        outside,
    }
}

fn file_url(path: &Path) -> String {
    Url::from_file_path(path).unwrap().to_string()
}

fn with_root(root: &Path) -> FetchSettings {
    FetchSettings {
        file_root: Some(root.to_owned()),
        ..test_settings()
    }
}

#[tokio::test]
async fn files_inside_the_root_are_read() {
    let disk = disk();

    let json_file = fetch_as(
        with_root(&disk.root),
        &file_url(&disk.root.join("customers.json")),
        CrmLinkType::File,
    )
    .await
    .unwrap();
    let text_file = fetch_as(
        with_root(&disk.root),
        &file_url(&disk.root.join("faq.txt")),
        CrmLinkType::File,
    )
    .await
    .unwrap();

    assert_eq!(
        json_file.body,
        Body::Json(json!({"customers": [{"id": "cust-123"}]}))
    );
    assert_eq!((json_file.pages, json_file.complete), (1, true));
    assert_eq!(text_file.body, Body::Text("Returns within 30 days".into()));
    assert_eq!(text_file.bytes, 22);
}

#[tokio::test]
async fn dot_dot_and_symlinks_out_of_the_root_are_refused() {
    let disk = disk();
    std::os::unix::fs::symlink(&disk.outside, disk.root.join("shortcut")).unwrap();
    let dot_dot = format!("{}/../secrets/keys.json", file_url(&disk.root));
    let encoded = format!("{}/..%2Fsecrets%2Fkeys.json", file_url(&disk.root));
    let via_symlink = file_url(&disk.root.join("shortcut").join("keys.json"));

    for url in [dot_dot, encoded, via_symlink] {
        let err = fetch_as(with_root(&disk.root), &url, CrmLinkType::File)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "refused", "{url}");
        assert!(err.to_string().contains("is outside"), "{url}: {err}");
        assert!(!err.to_string().contains("do-not-read"));
    }
}

#[tokio::test]
async fn without_a_file_root_file_links_are_refused() {
    let disk = disk();

    let err = fetch_as(
        test_settings(),
        &file_url(&disk.root.join("customers.json")),
        CrmLinkType::File,
    )
    .await
    .unwrap_err();

    assert_eq!(err.kind(), "refused");
    assert_eq!(
        err.to_string(),
        "refused: file:// links are off; set CRM_MIND_CRM_FILE_ROOT to the directory they may read"
    );
}

#[tokio::test]
async fn a_missing_file_and_an_oversized_file_fail_clearly() {
    let disk = disk();

    let missing = fetch_as(
        with_root(&disk.root),
        &file_url(&disk.root.join("nope.json")),
        CrmLinkType::File,
    )
    .await
    .unwrap_err();
    let small_limit = FetchSettings {
        max_body_bytes: 10,
        ..with_root(&disk.root)
    };
    let too_large = fetch_as(
        small_limit,
        &file_url(&disk.root.join("customers.json")),
        CrmLinkType::File,
    )
    .await
    .unwrap_err();

    assert_eq!(missing.kind(), "file");
    assert!(missing.to_string().contains("nope.json"), "{missing}");
    assert_eq!(too_large.kind(), "too_large");
}
