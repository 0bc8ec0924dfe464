//! The OpenAPI contract at `/api/openapi.json` against the router that serves it: the spec is
//! OpenAPI 3.1 and complete (each operation has a tag and a success answer, each `$ref`
//! resolves), the router serves every operation it names, and no API route is registered
//! outside `routes!` (which is what keeps a route out of the spec).

use crate::helpers::{Engine, spawn_app};
use reqwest::Method;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The HTTP methods an OpenAPI path item may hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every `(method, path)` of the spec, `path` as written there (`/api/products/{id}`).
pub fn operations(spec: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                found.push((method.to_owned(), path.clone()));
            }
        }
    }
    found
}

async fn served_spec() -> (crate::helpers::TestApp, Value) {
    let app = spawn_app(Engine::Sqlite).await;
    let response = app
        .request(Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(response.status(), 200);
    let spec: Value = response.json().await.expect("the spec is JSON");
    (app, spec)
}

#[tokio::test]
async fn the_spec_is_openapi_3_1_and_every_operation_has_a_tag_and_a_success_answer() {
    let (_app, spec) = served_spec().await;
    // For a look at the document without a running server (and for tools that want a file).
    if let Some(out) = std::env::var_os("CRM_MIND_OPENAPI_OUT") {
        std::fs::write(out, serde_json::to_vec_pretty(&spec).unwrap()).unwrap();
    }
    assert!(
        spec["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        spec["openapi"]
    );
    assert_eq!(spec["info"]["title"], "crm-mind");
    assert_eq!(spec["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        spec["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let error = &spec["components"]["schemas"]["ErrorBody"];
    assert_eq!(
        error["properties"]["error"]["$ref"],
        "#/components/schemas/ErrorDetail"
    );

    let operations = operations(&spec);
    assert!(
        operations.len() > 80,
        "only {} operations",
        operations.len()
    );
    let mut ids: Vec<&str> = operations
        .iter()
        .map(|(method, path)| spec["paths"][path][method]["operationId"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), operations.len(), "operation ids are unique");
    for (method, path) in &operations {
        let operation = &spec["paths"][path][method];
        let tags = operation["tags"].as_array().map_or(0, Vec::len);
        assert!(tags > 0, "{method} {path} has no tag");
        let responses = operation["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|status| status.starts_with('2')),
            "{method} {path} has no 2xx answer"
        );
        // An operation that needs a token says so, and says what happens without one.
        if operation.get("security").is_some() {
            assert!(
                responses.contains_key("401"),
                "{method} {path} needs a token but lists no 401"
            );
        }
        let mut names: Vec<(&str, &str)> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| (p["name"].as_str().unwrap(), p["in"].as_str().unwrap()))
            .collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total, "{method} {path} repeats a parameter");
        for segment in path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_matches(|c| c == '{' || c == '}');
            assert!(
                names.contains(&(name, "path")),
                "{method} {path} does not describe its path parameter {name}"
            );
        }
    }
    for reference in references(&spec) {
        let pointer = reference.trim_start_matches('#');
        assert!(
            spec.pointer(pointer).is_some(),
            "{reference} does not resolve"
        );
    }
}

/// Every `$ref` in the document.
fn references(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, value)| match (key.as_str(), value) {
                ("$ref", Value::String(target)) => vec![target.clone()],
                _ => references(value),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(references).collect(),
        _ => Vec::new(),
    }
}

/// The fallback's answer: what the router says when no route matched.
fn is_fallback(status: u16, body: &str) -> bool {
    status == 404 && body.contains("\"no such route\"")
}

#[tokio::test]
async fn the_router_serves_every_operation_the_spec_names() {
    let (app, spec) = served_spec().await;
    // The fallback really is what an unknown path gets, so the check below can fail.
    let unknown = app
        .request(Method::GET, "/api/no-such-thing", None, None)
        .await;
    let status = unknown.status().as_u16();
    assert!(is_fallback(status, &unknown.text().await.unwrap()));

    for (method, path) in operations(&spec) {
        let concrete = path.replace('{', "dummy-").replace('}', "");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let response = app.request(method.clone(), &concrete, None, None).await;
        let status = response.status().as_u16();
        let media_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap().trim().to_owned());
        let body = response.text().await.unwrap_or_default();
        assert_ne!(
            status, 405,
            "{method} {path}: the router has the path, not the method"
        );
        assert!(
            !is_fallback(status, &body),
            "{method} {path}: in the spec but not served"
        );
        let documented = &spec["paths"][&path][method.as_str().to_lowercase()]["responses"];
        assert!(
            documented.get(status.to_string()).is_some(),
            "{method} {path}: answered {status} without a token, which the spec does not list: {body}"
        );
        let mut answer = &documented[status.to_string()];
        if let Some(target) = answer["$ref"].as_str() {
            answer = spec.pointer(target.trim_start_matches('#')).unwrap();
        }
        if let (Some(media_type), Some(content)) = (media_type, answer["content"].as_object()) {
            assert!(
                content.contains_key(&media_type),
                "{method} {path}: {status} came as {media_type}, the spec says {:?}",
                content.keys().collect::<Vec<_>>()
            );
        }
    }
}

#[tokio::test]
async fn the_docs_page_loads_its_embedded_assets_under_a_self_only_policy() {
    let (app, _) = served_spec().await;
    let page = app.request(Method::GET, "/api/docs", None, None).await;
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(!html.contains("<script>"), "no inline script: {html}");
    assert!(
        !html.contains("http"),
        "nothing from another origin: {html}"
    );
    for (asset, content_type) in [
        ("/api/docs/swagger-ui-bundle.js", "text/javascript"),
        ("/api/docs/swagger-ui.css", "text/css"),
        ("/api/docs/init.js", "text/javascript"),
    ] {
        assert!(html.contains(asset), "the page loads {asset}");
        let response = app.request(Method::GET, asset, None, None).await;
        assert_eq!(response.status(), 200, "{asset}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(content_type)
        );
        assert!(response.bytes().await.unwrap().len() > 100, "{asset}");
    }
    let init = app
        .request(Method::GET, "/api/docs/init.js", None, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api/openapi.json"));
}

fn source_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            source_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The code of a file without its comments' lines, so a comment naming `.route(` is no
/// registration.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(n, line)| (n + 1, line.to_owned()))
        .collect()
}

#[test]
fn no_api_route_is_registered_outside_routes_macro() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&root, &mut files);
    let console = root.join("admin");
    let mut plain = Vec::new();
    for file in &files {
        for (n, line) in code_lines(file) {
            let registers = [".route(", ".route_service(", ".nest_service("]
                .iter()
                .any(|call| line.contains(call));
            // The console's own routes are HTML pages under /admin, outside the contract;
            // an API path there is not.
            let allowed = file.starts_with(&console) && !line.contains("\"/api");
            if registers && !allowed {
                plain.push(format!("{}:{n}: {}", file.display(), line.trim()));
            }
        }
    }
    assert!(
        plain.is_empty(),
        "API routes must be registered with routes!(...) so the OpenAPI spec has them:\n{}",
        plain.join("\n")
    );
}

#[tokio::test]
async fn every_annotated_handler_is_in_the_served_spec() {
    let (_app, spec) = served_spec().await;
    let served = operations(&spec);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    source_files(&root, &mut files);
    let mut annotated = Vec::new();
    for file in &files {
        let lines = code_lines(file);
        for (i, (_, line)) in lines.iter().enumerate() {
            if line.trim_start().starts_with("#[utoipa::path(") {
                // The method and the path follow on the next lines (rustfmt keeps them so).
                let method = lines[i + 1].1.trim().trim_end_matches(',').to_owned();
                let path = lines[i + 2].1.trim();
                if let Some(path) = path
                    .strip_prefix("path = \"")
                    .and_then(|p| p.strip_suffix("\","))
                {
                    annotated.push((method, path.to_owned(), file.clone()));
                }
            }
        }
    }
    assert!(annotated.len() > 50, "found only {}", annotated.len());
    for (method, path, file) in annotated {
        assert!(
            served.contains(&(method.clone(), path.clone())),
            "{method} {path} ({}) is annotated but not registered with routes!",
            file.display()
        );
    }
}
