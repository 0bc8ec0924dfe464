//! `file://` links: static CRM exports on the server's own disk, confined to one directory.
//!
//! The operator names the directory (`CRM_MIND_CRM_FILE_ROOT`); without it every `file://`
//! link is refused. A path is checked twice: lexically first (after resolving `.` and `..`,
//! percent-encoded or not), so a path outside the root is refused without touching the disk
//! and the answer cannot be used to probe which files exist elsewhere; then after
//! canonicalisation, so a symlink inside the root that points outside it is refused too.

use super::FetchError;
use super::body::{Body, Budget, parse_body, read_file_within};
use std::path::{Component, Path, PathBuf};
use url::Url;

pub const FILE_ROOT_VARIABLE: &str = "CRM_MIND_CRM_FILE_ROOT";

/// The static check: a local path, lexically inside the root. Returns that path.
pub fn check(url: &Url, root: Option<&Path>) -> Result<PathBuf, FetchError> {
    let Some(root) = root else {
        return Err(FetchError::refused(format!(
            "file:// links are off; set {FILE_ROOT_VARIABLE} to the directory they may read"
        )));
    };
    if url.host_str().is_some_and(|host| !host.is_empty()) {
        return Err(FetchError::refused(
            "file:// URLs must not name a host (use file:///path)",
        ));
    }
    let path = url
        .to_file_path()
        .map_err(|()| FetchError::refused("the file:// URL is not a local path"))?;
    let root = absolute_root(root)?;
    let path = normalize_lexically(&path);
    if !path.starts_with(&root) {
        return Err(outside_root(&root));
    }
    Ok(path)
}

/// Reads a `file://` link's file after both checks.
pub async fn read(url: &Url, root: Option<&Path>, limit: u64) -> Result<(Body, u64), FetchError> {
    let path = check(url, root)?;
    let root = root.expect("check() refuses a missing root");
    let canonical_root = tokio::fs::canonicalize(root).await.map_err(|e| {
        FetchError::file(format!(
            "the file root {} cannot be opened: {e}",
            root.display()
        ))
    })?;
    let canonical = tokio::fs::canonicalize(&path)
        .await
        .map_err(|e| FetchError::file(format!("cannot open {}: {e}", path.display())))?;
    if !canonical.starts_with(&canonical_root) {
        return Err(outside_root(&canonical_root));
    }
    if !tokio::fs::metadata(&canonical)
        .await
        .is_ok_and(|m| m.is_file())
    {
        return Err(FetchError::file(format!(
            "{} is not a file",
            path.display()
        )));
    }
    let mut budget = Budget::new(limit);
    let bytes = read_file_within(&canonical, &mut budget).await?;
    let body = parse_body(&bytes, content_type_of(&canonical))?;
    Ok((body, bytes.len() as u64))
}

fn absolute_root(root: &Path) -> Result<PathBuf, FetchError> {
    std::path::absolute(root)
        .map(|absolute| normalize_lexically(&absolute))
        .map_err(|e| FetchError::file(format!("the file root {} is unusable: {e}", root.display())))
}

fn outside_root(root: &Path) -> FetchError {
    FetchError::refused(format!(
        "the file is outside {} ({FILE_ROOT_VARIABLE})",
        root.display()
    ))
}

/// Resolves `.` and `..` without the file system; `..` at the root stays at the root.
fn normalize_lexically(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                normalized.pop();
            }
            Component::CurDir => {}
            other => normalized.push(other),
        }
    }
    normalized
}

/// A `.json` export must be JSON; anything else is sniffed like a body without a type.
fn content_type_of(path: &Path) -> Option<&'static str> {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
        .then_some("application/json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn paths_are_checked_lexically_against_the_root() {
        let root = Some(Path::new("/srv/crm-files"));
        assert_eq!(
            check(&url("file:///srv/crm-files/customers.json"), root).unwrap(),
            PathBuf::from("/srv/crm-files/customers.json")
        );
        for escaping in [
            "file:///etc/passwd",
            "file:///srv/crm-files/../secrets.json",
            "file:///srv/crm-files/a/%2e%2e/%2e%2e/secrets.json",
            "file:///srv/crm-files/..%2F..%2Fetc/passwd",
            "file:///srv/crm-files-evil/x.json",
        ] {
            let err = check(&url(escaping), root).unwrap_err();
            assert_eq!(err.kind(), "refused", "{escaping}");
            assert!(
                err.to_string().contains("outside /srv/crm-files"),
                "{escaping}: {err}"
            );
        }
    }

    #[test]
    fn without_a_root_every_file_link_is_refused() {
        let err = check(&url("file:///srv/crm-files/x.json"), None).unwrap_err();
        assert_eq!(err.kind(), "refused");
        assert!(err.to_string().contains("CRM_MIND_CRM_FILE_ROOT"), "{err}");
    }

    #[test]
    fn file_urls_with_a_host_are_refused() {
        let err = check(
            &url("file://fileserver/srv/crm-files/x.json"),
            Some(Path::new("/srv/crm-files")),
        )
        .unwrap_err();
        assert!(err.to_string().contains("must not name a host"), "{err}");
    }
}
