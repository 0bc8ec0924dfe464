//! The run's report: rates, latency quantiles and CPU shares, and the `RESULT` line.

use super::Args;
use super::cpu::{CpuSample, clock_ticks_per_second};
use super::plan::Tally;
use std::collections::BTreeMap;

pub fn report(args: &Args, tally: &Tally, elapsed: f64, before: CpuSample, after: CpuSample) {
    let mut latencies = tally.latencies_us.clone();
    latencies.sort_unstable();
    let acked = latencies.len() as u64;
    let events = acked * u64::from(args.events_per_request);
    let non_200: u64 = tally
        .statuses
        .iter()
        .filter(|(status, _)| **status != 200)
        .map(|(_, count)| count)
        .sum();
    let quantile = |q: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let rank = ((q * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len());
        f64::from(latencies[rank - 1]) / 1000.0
    };
    let (p50, p90, p99, p999, max) = (
        quantile(0.50),
        quantile(0.90),
        quantile(0.99),
        quantile(0.999),
        quantile(1.0),
    );
    println!("target            {}", args.url);
    println!("concurrency       {}", args.concurrency);
    println!("elapsed           {elapsed:.2} s");
    println!("acknowledged      {acked} requests, {events} events");
    println!(
        "rate              {:.0} requests/s, {:.0} events/s",
        acked as f64 / elapsed,
        events as f64 / elapsed
    );
    println!(
        "latency (200s)    p50 {p50:.2} ms  p90 {p90:.2} ms  p99 {p99:.2} ms  p99.9 {p999:.2} ms  max {max:.2} ms"
    );
    println!("non-200 answers   {non_200} {:?}", tally.statuses);
    println!("transport errors  {}", tally.errors);
    if let Some(error) = &tally.first_error {
        println!("first error       {error}");
    }
    let ticks = clock_ticks_per_second();
    let share = |t: u64| t as f64 / ticks / elapsed * 100.0;
    let generator_ticks = after.own.saturating_sub(before.own);
    println!(
        "generator CPU     {:.0}% of one core",
        share(generator_ticks)
    );
    let mut server_total = 0;
    if !after.server.is_empty() {
        let mut by_name: BTreeMap<&str, u64> = BTreeMap::new();
        for (name, t) in &after.server {
            let was = before.server.get(name).copied().unwrap_or(0);
            *by_name.entry(name.as_str()).or_default() += t.saturating_sub(was);
        }
        server_total = after.server_total.saturating_sub(before.server_total);
        println!("server CPU        {:.0}% of one core", share(server_total));
        for (name, t) in by_name.iter().filter(|(_, t)| **t > 0) {
            println!("  {name:<16}{:.0}%", share(*t));
        }
    }
    let machine_busy = after.machine.0.saturating_sub(before.machine.0);
    let machine_all = after.machine.1.saturating_sub(before.machine.1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let machine_pct = if machine_all == 0 {
        0.0
    } else {
        machine_busy as f64 / machine_all as f64 * cores * 100.0
    };
    let db_ticks = after.db_total.saturating_sub(before.db_total);
    if args.db_pid.is_some() {
        println!("database CPU      {:.0}% of one core", share(db_ticks));
    }
    let others_pct =
        (machine_pct - share(server_total) - share(generator_ticks) - share(db_ticks)).max(0.0);
    println!(
        "machine CPU       {machine_pct:.0}% of {:.0}% ({cores} cores), {others_pct:.0}% of it by other processes",
        cores * 100.0
    );
    println!(
        "RESULT acked_requests={acked} acked_events={events} non_200={non_200} errors={} elapsed_s={elapsed:.3} events_per_s={:.0} p50_ms={p50:.3} p90_ms={p90:.3} p99_ms={p99:.3} p999_ms={p999:.3} max_ms={max:.3} generator_cpu_pct={:.0} server_cpu_pct={:.0} db_cpu_pct={:.0} others_cpu_pct={others_pct:.0}",
        tally.errors,
        events as f64 / elapsed,
        share(generator_ticks),
        share(server_total),
        share(db_ticks),
    );
}
