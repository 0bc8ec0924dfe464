//! Bar charts as inline SVG, drawn on the server: no chart library, no script, and the
//! numbers are also in the SVG's text for screen readers.

use std::fmt::Write;

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 160.0;
const LABEL_SPACE: f64 = 28.0;
const MAX_BAR_WIDTH: f64 = 48.0;

/// A bar chart of `(label, value)` pairs, titled for assistive technology.
pub fn bars(title: &str, points: &[(String, f64)], unit: &str) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {total}" role="img" aria-label="{title}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>"#,
        total = HEIGHT + LABEL_SPACE,
        title = escape(title),
    );
    if points.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="10" y="{}" class="chart-empty">No data yet</text></svg>"#,
            HEIGHT / 2.0
        );
        return svg;
    }
    let max = points
        .iter()
        .map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let slot = WIDTH / points.len() as f64;
    // Capped: with only a day or two of data, a bar as wide as its slot reads as a block.
    let bar = (slot * 0.7).clamp(1.0, MAX_BAR_WIDTH);
    for (i, (label, value)) in points.iter().enumerate() {
        let h = (value / max) * (HEIGHT - 16.0);
        let x = i as f64 * slot + (slot - bar) / 2.0;
        let y = HEIGHT - h;
        let _ = write!(
            svg,
            r#"<g><rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" class="chart-bar"><title>{label}: {value}{unit}</title></rect><text x="{cx:.1}" y="{ty:.1}" class="chart-value" text-anchor="middle">{value}</text><text x="{cx:.1}" y="{ly:.1}" class="chart-label" text-anchor="middle">{label}</text></g>"#,
            cx = x + bar / 2.0,
            ty = (y - 3.0).max(10.0),
            ly = HEIGHT + 18.0,
            label = escape(label),
            value = round(*value),
            unit = escape(unit),
        );
    }
    svg.push_str("</svg>");
    svg
}

fn round(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The p-th percentile (0..=100) of `values` by the nearest-rank method; `None` when empty.
pub fn percentile(values: &mut [u64], p: f64) -> Option<u64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p95_by_nearest_rank() {
        let mut values: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&mut values, 95.0), Some(95));
        assert_eq!(percentile(&mut [7], 95.0), Some(7));
        assert_eq!(percentile(&mut [], 95.0), None);
    }

    #[test]
    fn a_single_day_is_a_bar_not_a_block() {
        let svg = bars("Errors per day", &[("11-29".into(), 2.0)], "");
        assert!(svg.contains(r#"width="48.0""#), "{svg}");
    }

    #[test]
    fn labels_are_escaped_and_values_shown() {
        let svg = bars("Replies <per day>", &[("<b>".into(), 3.0)], "");
        assert!(svg.contains("Replies &lt;per day&gt;"));
        assert!(svg.contains("&lt;b&gt;"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains(">3</text>"));
    }
}
