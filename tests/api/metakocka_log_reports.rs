//! The error log's reports: the CSV export (parsed back and compared with the JSON list) and
//! the statistics.

use crate::helpers::{engines, spawn_app};
use crate::metakocka_logs::{LOGS, list, seed_five};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn the_csv_export_holds_the_same_entries_as_the_list() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        seed_five(&app, &company).await;
        let query = "entity_type=product&status=open";
        let response = app.get(&format!("{LOGS}/export?{query}"), &admin).await;
        assert_eq!(response.status(), 200, "{engine:?}");
        let header = |name: &str| response.headers()[name].to_str().unwrap().to_owned();
        assert!(header("content-type").starts_with("text/csv"));
        assert!(header("content-disposition").starts_with("attachment"));
        let body = response.bytes().await.unwrap();

        let mut reader = csv::Reader::from_reader(body.as_ref());
        let columns: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let listed = list(&app, &admin, query).await;
        let items = listed["items"].as_array().unwrap();
        assert_eq!(rows.len(), items.len(), "{engine:?}");
        assert_eq!(rows.len(), 2);
        for (row, item) in rows.iter().zip(items) {
            for (column, cell) in columns.iter().zip(row.iter()) {
                let expected = match &item[column.as_str()] {
                    Value::Null => String::new(),
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                assert_eq!(cell, expected, "{engine:?}: column {column}");
            }
        }

        // A message with a quote and a newline survives the round trip.
        let all = app
            .get(&format!("{LOGS}/export?entity_type=contact"), &admin)
            .await
            .bytes()
            .await
            .unwrap();
        let mut reader = csv::Reader::from_reader(all.as_ref());
        let message_column = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "message")
            .unwrap();
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(
            &row[message_column],
            "Partner e-mail MISSING, \"quoted\"\nsecond line"
        );
        assert!(!String::from_utf8_lossy(&all).contains("sk-live-123"));
    }
}

#[tokio::test]
async fn stats_count_by_status_category_entity_type_and_day() {
    for engine in engines() {
        let app = spawn_app(engine).await;
        let (company, admin) = app.company_with_admin("Shop").await;
        let e = seed_five(&app, &company).await;
        let resolve = app
            .request(
                Method::POST,
                &format!("{LOGS}/{}/resolve", e[1].id),
                Some(&admin),
                Some(json!({})),
            )
            .await;
        assert_eq!(resolve.status(), 200);

        let response = app.get(&format!("{LOGS}/stats"), &admin).await;
        assert_eq!(response.status(), 200, "{engine:?}");
        let stats: Value = response.json().await.unwrap();
        assert_eq!(stats["total"], 5, "{engine:?}");
        assert_eq!(stats["by_status"], json!({"open": 4, "resolved": 1}));
        assert_eq!(
            stats["by_category"],
            json!({"auth": 1, "validation": 2, "network": 1, "api": 1})
        );
        assert_eq!(
            stats["by_entity_type"],
            json!({"product": 2, "contact": 1, "sales_document": 1, "credentials": 1})
        );
        let mut by_day: Vec<(String, u64)> = Vec::new();
        for entry in &e {
            let day = entry.created_at.format("%Y-%m-%d").to_string();
            match by_day.iter_mut().find(|(d, _)| *d == day) {
                Some((_, count)) => *count += 1,
                None => by_day.push((day, 1)),
            }
        }
        let expected: Vec<Value> = by_day
            .iter()
            .map(|(day, count)| json!({"day": day, "count": count}))
            .collect();
        assert_eq!(
            stats["by_day"],
            json!(expected),
            "{engine:?}: oldest day first"
        );

        let products: Value = app
            .get(&format!("{LOGS}/stats?entity_type=product"), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(products["total"], 2);
        assert_eq!(products["by_status"], json!({"open": 1, "resolved": 1}));
    }
}
