use super::*;
use serde_json::json;

fn page_url() -> Url {
    Url::parse("https://crm.example/api/customers?page=1").unwrap()
}

fn next_of(headers: &[&str], body: Value) -> Option<String> {
    next_page(headers, &Body::Json(body), &page_url()).map(String::from)
}

#[test]
fn link_headers_follow_rfc_8288() {
    let none = json!({});
    for (header, expected) in [
        // Shopify's shape: previous first, next second.
        (
            r#"<https://shop.example/admin/api/2024-01/customers.json?page_info=abc>; rel="previous", <https://shop.example/admin/api/2024-01/customers.json?page_info=def>; rel="next""#,
            "https://shop.example/admin/api/2024-01/customers.json?page_info=def",
        ),
        // GitHub's shape, unquoted and relative targets, multiple relation types.
        (
            r#"</api/customers?page=2>; rel=next"#,
            "https://crm.example/api/customers?page=2",
        ),
        (
            r#"<?page=3>; rel="next last""#,
            "https://crm.example/api/customers?page=3",
        ),
        (r#"<page2>; REL="Next""#, "https://crm.example/api/page2"),
        // A comma inside a quoted parameter does not end the link-value.
        (
            r#"<https://crm.example/a>; title="a, b"; rel="prev", <https://crm.example/b>; rel="next""#,
            "https://crm.example/b",
        ),
    ] {
        assert_eq!(
            next_of(&[header], none.clone()).as_deref(),
            Some(expected),
            "{header}"
        );
    }
    assert_eq!(
        next_of(&[r#"<https://crm.example/x>; rel="prev""#], none.clone()),
        None
    );
    assert_eq!(next_of(&["garbage"], none), None);
}

#[test]
fn body_fields_name_the_next_page() {
    for (body, expected) in [
        (
            json!({"next": "https://crm.example/api/customers?page=2", "results": []}),
            "https://crm.example/api/customers?page=2",
        ),
        (
            json!({"next_page_url": "/api/customers?page=2"}),
            "https://crm.example/api/customers?page=2",
        ),
        (
            json!({"nextRecordsUrl": "/services/data/v59.0/query/01gD-2000"}),
            "https://crm.example/services/data/v59.0/query/01gD-2000",
        ),
        (
            json!({"results": [], "paging": {"next": {"after": "2", "link": "https://api.hubapi.com/crm/v3/objects/contacts?after=2"}}}),
            "https://api.hubapi.com/crm/v3/objects/contacts?after=2",
        ),
        (
            json!({"data": [], "paging": {"cursors": {"after": "QVFI"}, "next": "https://graph.facebook.com/v19.0/x?after=QVFI"}}),
            "https://graph.facebook.com/v19.0/x?after=QVFI",
        ),
        (
            json!({"links": {"next": "https://crm.example/api/customers?page%5Bnumber%5D=2"}}),
            "https://crm.example/api/customers?page%5Bnumber%5D=2",
        ),
        (
            json!({"links": {"next": {"href": "?page=2"}}}),
            "https://crm.example/api/customers?page=2",
        ),
    ] {
        assert_eq!(
            next_of(&[], body.clone()).as_deref(),
            Some(expected),
            "{body}"
        );
    }
}

#[test]
fn absent_null_and_cursor_like_next_fields_end_pagination() {
    for body in [
        json!({"results": []}),
        json!({"next": null}),
        json!({"next": "eyJwYWdlIjoyfQ"}),
        json!({"next": "ftp://crm.example/x"}),
        json!({"paging": {"cursors": {"after": "x"}}}),
    ] {
        assert_eq!(next_of(&[], body.clone()), None, "{body}");
    }
    let text = Body::Text("next: https://crm.example/2".into());
    assert_eq!(next_page(&[], &text, &page_url()), None);
}

#[test]
fn the_link_header_wins_over_the_body() {
    let next = next_of(
        &[r#"</from-header>; rel="next""#],
        json!({"next": "/from-body"}),
    );
    assert_eq!(next.as_deref(), Some("https://crm.example/from-header"));
}

fn merge(pages: Vec<Value>) -> Value {
    let mut merger = PageMerger::default();
    for page in pages {
        merger.push(Body::Json(page)).unwrap();
    }
    match merger.finish().unwrap() {
        Body::Json(value) => value,
        other => panic!("{other:?}"),
    }
}

#[test]
fn array_pages_are_concatenated() {
    assert_eq!(
        merge(vec![json!([1, 2]), json!([3]), json!([])]),
        json!([1, 2, 3])
    );
}

#[test]
fn object_pages_append_their_records_and_lose_their_page_fields() {
    let laravel_page = |page: u32, names: &[&str], next: Value| {
        json!({
            "current_page": page,
            "data": names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
            "first_page_url": "https://crm.example/api/customers?page=1",
            "from": page * 2 - 1,
            "last_page": 2,
            "links": [{"url": null, "label": "&laquo; Previous", "active": false}],
            "next_page_url": next,
            "path": "https://crm.example/api/customers",
            "per_page": 2,
            "to": page * 2,
            "total": 3,
        })
    };
    let merged = merge(vec![
        laravel_page(
            1,
            &["Ana", "Bor"],
            json!("https://crm.example/api/customers?page=2"),
        ),
        laravel_page(2, &["Cene"], Value::Null),
    ]);
    assert_eq!(
        merged,
        json!({"data": [{"name": "Ana"}, {"name": "Bor"}, {"name": "Cene"}], "total": 3})
    );
}

#[test]
fn arrays_first_seen_on_a_later_page_are_kept() {
    let merged = merge(vec![
        json!({"customers": [{"id": 1}], "meta": {"page": 1}}),
        json!({"customers": [{"id": 2}], "orders": [{"id": 9}], "meta": {"page": 2}}),
    ]);
    assert_eq!(
        merged,
        json!({"customers": [{"id": 1}, {"id": 2}], "orders": [{"id": 9}]})
    );
}

#[test]
fn a_single_page_loses_only_navigation_fields() {
    let page = json!({
        "results": [{"id": "cust-123"}],
        "paging": {"next": {"after": "2", "link": "https://api.hubapi.com/x?after=2"}},
        "meta": {"generated": "2026-11-29"},
        "page": "Spring catalogue",
        "links": ["https://docs.example/returns"],
    });
    assert_eq!(
        merge(vec![page]),
        json!({
            "results": [{"id": "cust-123"}],
            "meta": {"generated": "2026-11-29"},
            "page": "Spring catalogue",
            "links": ["https://docs.example/returns"],
        })
    );
}

#[test]
fn text_pages_are_joined_and_a_changed_shape_is_refused() {
    let mut merger = PageMerger::default();
    merger.push(Body::Text("a".into())).unwrap();
    merger.push(Body::Text("b".into())).unwrap();
    assert_eq!(merger.push(Body::Json(json!([1]))), Err(ShapeMismatch));
    assert_eq!(merger.finish(), Some(Body::Text("a\nb".into())));
}
