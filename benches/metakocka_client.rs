//! Reading 10,000 products from a Metakocka that takes 20 ms to answer each call: wall time
//! and calls made (aim: under 10 s; it is bound by the number of windows, 1,000 products
//! each). Also 1,000 `product_add` calls fired at once, which the client's limit of two calls
//! in flight per company turns into a queue: the bound is 1,000 × 20 ms / 2 = 10 s.
//!
//! The Metakocka is the tests' fake (`tests/support/fake_metakocka.rs`) on 127.0.0.1.
//!
//!     cargo bench --bench metakocka_client              # PRODUCTS=10000 RUNS=5 DELAY_MS=20 PUSHES=1000
//!     cargo bench --profile dev --bench metakocka_client  # the same without a release build

#[path = "../tests/support/fake_metakocka.rs"]
mod fake_metakocka;

use crm_mind::metakocka::types::{Product, ProductListQuery};
use fake_metakocka::{COMPANY_ID, FakeMetakocka};
use std::time::{Duration, Instant};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let products = setting("PRODUCTS", 10_000) as usize;
    let runs = setting("RUNS", 5);
    let delay = Duration::from_millis(setting("DELAY_MS", 20));
    let pushes = setting("PUSHES", 1_000) as usize;

    let fake = FakeMetakocka::start().await;
    fake.seed_products(COMPANY_ID, products);
    fake.set_delay(delay);
    let (client, credentials) = (fake.client(), fake.credentials());

    let mut times = Vec::new();
    for run in 1..=runs {
        let calls_before = fake.calls("json/product_list");
        let started = Instant::now();
        let mut pages = 0;
        let read = client
            .product_list_pages(&credentials, &ProductListQuery::default(), |_, _| {
                pages += 1
            })
            .await
            .expect("product_list");
        let elapsed = started.elapsed();
        let calls = fake.calls("json/product_list") - calls_before;
        assert_eq!(read as usize, products);
        println!(
            "pull run {run}: {read} products in {:.3} s, {calls} calls ({pages} pages), {:.1} ms per call",
            elapsed.as_secs_f64(),
            elapsed.as_secs_f64() * 1000.0 / calls as f64
        );
        times.push(elapsed);
    }
    times.sort();
    println!(
        "RESULT pull products={products} delay_ms={} median_s={:.3} min_s={:.3} max_s={:.3}",
        delay.as_millis(),
        times[times.len() / 2].as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64()
    );

    if pushes == 0 {
        return;
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..pushes)
        .map(|i| {
            let (client, credentials) = (client.clone(), credentials.clone());
            tokio::spawn(async move {
                let product = Product {
                    code: Some(format!("NEW{i:05}")),
                    name: Some(format!("New product {i}")),
                    ..Product::default()
                };
                client.product_add(&credentials, &product).await
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("product_add");
    }
    let elapsed = started.elapsed();
    let bound = delay.as_secs_f64() * pushes as f64 / 2.0;
    println!(
        "RESULT push products={pushes} delay_ms={} wall_s={:.3} bound_s={bound:.3} over_bound_pct={:.1} max_in_flight={}",
        delay.as_millis(),
        elapsed.as_secs_f64(),
        (elapsed.as_secs_f64() / bound - 1.0) * 100.0,
        fake.max_concurrent_other_calls(COMPANY_ID)
    );
}
