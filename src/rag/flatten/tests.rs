//! The guide's flattening format, checked on the guide's own example and on what CRMs send.

use super::{Record, flatten, records};
use serde_json::{Value, json};

fn parse(body: &str) -> Value {
    serde_json::from_str(body).expect("test JSON")
}

/// The guide's example ("Data Processing" → "Data Format Handling"), byte for byte.
#[test]
fn guide_example_is_reproduced_byte_for_byte() {
    let body = r#"{
  "customers": [
    {
      "id": "cust-123",
      "name": "John Doe",
      "email": "john@example.com",
      "subscription": "Premium",
      "support_level": "Gold"
    }
  ]
}"#;
    let expected = "customers[0].id: cust-123
customers[0].name: John Doe
customers[0].email: john@example.com
customers[0].subscription: Premium
customers[0].support_level: Gold";

    assert_eq!(flatten(&parse(body)), expected);
}

#[test]
fn keys_keep_the_order_the_crm_sent() {
    let body = r#"{"zeta": 1, "alpha": 2, "mid": {"z": "last?", "a": "no, first"}}"#;

    assert_eq!(
        flatten(&parse(body)),
        "zeta: 1\nalpha: 2\nmid.z: last?\nmid.a: no, first"
    );
}

#[test]
fn null_and_empty_values_are_skipped_and_indices_stay_put() {
    let body = json!({
        "customers": [
            {"id": "c1", "phone": null, "note": "", "blank": "   ", "tags": [], "extra": {}},
            null,
            {"id": "c3"}
        ],
        "empty_list": [],
        "nothing": null
    });

    assert_eq!(flatten(&body), "customers[0].id: c1\ncustomers[2].id: c3");
}

#[test]
fn numbers_and_booleans_are_written_as_json_writes_them() {
    let body = parse(
        r#"{"qty": 3, "price": 19.90, "neg": -0.5, "big": 12345678901234, "vip": true, "lapsed": false, "exp": 1e3}"#,
    );

    assert_eq!(
        flatten(&body),
        "qty: 3\nprice: 19.9\nneg: -0.5\nbig: 12345678901234\nvip: true\nlapsed: false\nexp: 1000.0"
    );
}

#[test]
fn unicode_is_kept_as_sent() {
    let body = json!({"kupci": [{"ime": "Žiga Čeh", "mesto": "Škofja Loka", "opomba": "naročil je čevlje 👟"}]});

    assert_eq!(
        flatten(&body),
        "kupci[0].ime: Žiga Čeh\nkupci[0].mesto: Škofja Loka\nkupci[0].opomba: naročil je čevlje 👟"
    );
}

#[test]
fn nested_arrays_and_objects_get_full_paths() {
    let body = json!({"orders": [{"id": "o-1", "lines": [{"sku": "SKU-12-B", "qty": 2}, {"sku": "SKU-7"}], "ship": {"city": "Maribor"}}]});

    assert_eq!(
        flatten(&body),
        "orders[0].id: o-1\norders[0].lines[0].sku: SKU-12-B\norders[0].lines[0].qty: 2\n\
         orders[0].lines[1].sku: SKU-7\norders[0].ship.city: Maribor"
    );
}

#[test]
fn line_breaks_inside_values_do_not_break_the_one_line_per_scalar_rule() {
    let body = json!({"note": "first line\nsecond line\r\nthird", "multi\nkey": "x"});

    let text = flatten(&body);

    assert_eq!(
        text,
        "note: first line\\nsecond line\\r\\nthird\nmulti\\nkey: x"
    );
    assert_eq!(text.lines().count(), 2);
}

#[test]
fn top_level_array_and_scalar_bodies_are_flattened_too() {
    assert_eq!(
        flatten(&json!([{"id": 1}, {"id": 2}])),
        "[0].id: 1\n[1].id: 2"
    );
    assert_eq!(flatten(&json!("just text")), "just text");
    assert_eq!(flatten(&json!(null)), "");
}

#[test]
fn records_group_lines_by_top_level_record() {
    let body = json!({
        "company": {"name": "Trgovina d.o.o.", "vat": "SI123"},
        "customers": [{"id": "c1", "name": "Ana"}, null, {"id": "c3"}],
        "total": 3
    });

    let grouped = records(&body);

    assert_eq!(
        grouped,
        vec![
            Record {
                prefix: "company".into(),
                lines: vec![
                    "company.name: Trgovina d.o.o.".into(),
                    "company.vat: SI123".into()
                ],
            },
            Record {
                prefix: "customers[0]".into(),
                lines: vec![
                    "customers[0].id: c1".into(),
                    "customers[0].name: Ana".into()
                ],
            },
            Record {
                prefix: "customers[2]".into(),
                lines: vec!["customers[2].id: c3".into()]
            },
            Record {
                prefix: "total".into(),
                lines: vec!["total: 3".into()]
            },
        ]
    );
}

#[test]
fn records_of_a_top_level_array_are_its_elements() {
    let grouped = records(&json!([{"id": "a"}, "plain", []]));

    let prefixes: Vec<&str> = grouped.iter().map(|r| r.prefix.as_str()).collect();
    assert_eq!(prefixes, ["[0]", "[1]"]);
    assert_eq!(grouped[1].lines, ["[1]: plain"]);
}

#[test]
fn records_hold_exactly_the_lines_of_flatten() {
    let body = json!({
        "meta": {"page": 1},
        "customers": [{"id": "c1", "orders": [{"id": "o1", "total": 12.5}]}],
        "tags": ["a", "", "b"],
        "ok": true
    });

    let joined: Vec<String> = records(&body).into_iter().flat_map(|r| r.lines).collect();

    assert_eq!(joined.join("\n"), flatten(&body));
}
