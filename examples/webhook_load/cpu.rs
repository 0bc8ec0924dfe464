//! CPU time from Linux `/proc`: this process's, the server's by thread name, the database's
//! and the whole machine's.

use std::collections::BTreeMap;

/// CPU time in clock ticks: this process, and the server's threads by name.
pub struct CpuSample {
    pub own: u64,
    /// The whole server process, threads that ended included.
    pub server_total: u64,
    /// The database server process, if one was named.
    pub db_total: u64,
    /// The server's live threads, by name.
    pub server: BTreeMap<String, u64>,
    /// The whole machine: (busy, all) ticks from `/proc/stat`, to tell a quiet machine from a shared one.
    pub machine: (u64, u64),
}

impl CpuSample {
    pub fn take(server_pid: Option<u32>, db_pid: Option<u32>) -> Self {
        let process = |path: String| {
            std::fs::read_to_string(path)
                .ok()
                .and_then(|s| stat_ticks(&s).map(|(_, t)| t))
                .unwrap_or(0)
        };
        let own = process("/proc/self/stat".to_owned());
        let server_total = server_pid.map_or(0, |pid| process(format!("/proc/{pid}/stat")));
        let db_total = db_pid.map_or(0, |pid| process(format!("/proc/{pid}/stat")));
        let mut server = BTreeMap::new();
        if let Some(pid) = server_pid
            && let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task"))
        {
            for task in tasks.flatten() {
                let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
                    continue;
                };
                if let Some((name, t)) = stat_ticks(&stat) {
                    // tokio numbers nothing, but a thread name can end in digits; group those.
                    let name = name
                        .trim_end_matches(|c: char| c.is_ascii_digit())
                        .to_owned();
                    *server.entry(name).or_default() += t;
                }
            }
        }
        let machine = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|s| {
                let fields: Vec<u64> = s
                    .lines()
                    .next()?
                    .split_whitespace()
                    .skip(1)
                    .filter_map(|f| f.parse().ok())
                    .collect();
                // user nice system idle iowait irq softirq steal ...
                let all: u64 = fields.iter().take(8).sum();
                let idle = fields.get(3)? + fields.get(4)?;
                Some((all - idle, all))
            })
            .unwrap_or((0, 0));
        Self {
            own,
            server_total,
            db_total,
            server,
            machine,
        }
    }
}

/// `(comm, utime + stime)` from a `/proc/.../stat` line.
fn stat_ticks(stat: &str) -> Option<(String, u64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let name = stat[open + 1..close].to_owned();
    let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
    // After the name: state is field 3, utime field 14, stime field 15 (1-based over the whole line).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((name, utime + stime))
}

pub fn clock_ticks_per_second() -> f64 {
    // USER_HZ is 100 on every Linux architecture crm-mind targets.
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
