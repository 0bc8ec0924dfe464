//! The workers: each sends its requests one after the other over its own connection, with
//! the raw HTTP/1.1 client or reqwest, and tallies the answers.

use super::plan::{Plan, Tally};
use super::raw_http::RawConn;
use super::target::Target;
use std::sync::Arc;
use std::time::Instant;

pub async fn raw_worker(plan: Arc<Plan>, target: Arc<Target>) -> Tally {
    let mut tally = Tally::default();
    let mut conn = match RawConn::connect(target.addr).await {
        Ok(conn) => Some(conn),
        Err(e) => {
            tally.errors += 1;
            tally.first_error = Some(format!("{e:#}"));
            None
        }
    };
    plan.ready.wait().await;
    plan.go.wait().await;
    let mut request = Vec::with_capacity(1024);
    while let Some(n) = plan.claim() {
        let body = plan.bodies.body(n);
        let signature = plan.bodies.signature(&body);
        request.clear();
        request.extend_from_slice(
            format!(
                "POST {} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-hub-signature-256: {signature}\r\n\r\n",
                target.path,
                target.host_header,
                body.len()
            )
            .as_bytes(),
        );
        request.extend_from_slice(&body);
        let sent = Instant::now();
        let outcome = tokio::time::timeout(plan.timeout, async {
            let c = match conn.as_mut() {
                Some(c) => c,
                None => conn.insert(RawConn::connect(target.addr).await?),
            };
            c.round_trip(&request).await
        })
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("timed out after {:?}", plan.timeout)));
        match outcome {
            Ok((status, keep_alive)) => {
                record(&mut tally, status, sent);
                if !keep_alive {
                    conn = None;
                }
            }
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| format!("{e:#}"));
                conn = None;
            }
        }
    }
    tally
}

pub async fn reqwest_worker(
    plan: Arc<Plan>,
    target: Arc<Target>,
    client: reqwest::Client,
) -> Tally {
    let mut tally = Tally::default();
    // reqwest connects on the first request; that set-up is measured.
    plan.ready.wait().await;
    plan.go.wait().await;
    while let Some(n) = plan.claim() {
        let body = plan.bodies.body(n);
        let signature = plan.bodies.signature(&body);
        let sent = Instant::now();
        let outcome = client
            .post(&target.url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .timeout(plan.timeout)
            .body(body)
            .send()
            .await;
        match outcome {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(_) => record(&mut tally, status, sent),
                    Err(e) => {
                        tally.errors += 1;
                        tally.first_error.get_or_insert_with(|| e.to_string());
                    }
                }
            }
            Err(e) => {
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    tally
}

fn record(tally: &mut Tally, status: u16, sent: Instant) {
    *tally.statuses.entry(status).or_default() += 1;
    if status == 200 {
        let us = sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        tally.latencies_us.push(us);
    }
}
