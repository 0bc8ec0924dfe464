//! The scoring kernels of the dense side: the exact `f32` dot product, and the 4-bit copy of a
//! row that the first pass of a search scans instead.
//!
//! Why 4 bits: the exact scan reads every row's 384 `f32` (1.5 KB) per query, 153 MB at 100,000
//! rows, and is bound by memory bandwidth (50–90 ms here). An int8 copy (38 MB) was measured
//! first and still took 14–16 ms per query on this machine, where the scan runs at 2.5–3 GB/s;
//! a 4-bit copy is 19 MB. Each row is quantised symmetrically with its own scale
//! (`max |x| / 7`, values −7..=7) and the query with 8 bits (−127..=127), so a row's score is its
//! cosine up to a rounding error of about 0.01 for a 384-dimension unit vector, against a spread
//! of cosines between unrelated texts five times larger. The best rows of that approximate
//! ranking, many more than a search returns, are rescored exactly in `f32` (see `dense.rs`).
//!
//! Layout: a row is `dims` padded to a multiple of 32 components, 16 bytes per 32 components;
//! byte `i` of a block holds component `i` in its low nibble and component `16 + i` in its high
//! nibble, each stored as value + 8 (1..=15), so the kernel multiplies unsigned nibbles by
//! signed query bytes (`vpmaddubsw`) and takes `8 * sum(query)` off once per row.
//!
//! The 4-bit copy is never persisted: it is rebuilt from the `f32` row whenever a row is added
//! (also while a snapshot and log are replayed), so files written before it existed open as is.

/// Components per 16-byte block.
const BLOCK: usize = 32;
/// The largest magnitude of a row component and of a query component.
const ROW_LEVELS: f32 = 7.0;
const QUERY_LEVELS: f32 = 127.0;
/// The offset that makes a row component unsigned.
const OFFSET: i32 = 8;

/// Bytes of one row's 4-bit copy.
pub(super) fn packed_len(dims: usize) -> usize {
    dims.div_ceil(BLOCK) * BLOCK / 2
}

/// Appends the 4-bit form of `vector` to `out` ([`packed_len`] bytes) and returns its scale:
/// `vector[i] ≈ value[i] * scale`. A zero vector gets scale 0 (every score 0, like its cosine).
pub(super) fn quantize_row(vector: &[f32], out: &mut Vec<u8>) -> f32 {
    let largest = vector.iter().fold(0.0f32, |max, x| max.max(x.abs()));
    let (inverse, scale) = if largest > 0.0 && largest.is_finite() {
        (ROW_LEVELS / largest, largest / ROW_LEVELS)
    } else {
        (0.0, 0.0)
    };
    let level = |index: usize| -> u8 {
        let x = vector.get(index).copied().unwrap_or(0.0);
        ((x * inverse).round().clamp(-ROW_LEVELS, ROW_LEVELS) as i32 + OFFSET) as u8
    };
    for block in 0..vector.len().div_ceil(BLOCK) {
        let first = block * BLOCK;
        out.extend((0..BLOCK / 2).map(|i| level(first + i) | (level(first + BLOCK / 2 + i) << 4)));
    }
    scale
}

/// The query in 8 bits, padded like a row, with the sum of its components (for the offset).
pub(super) struct Query {
    values: Vec<i8>,
    sum: i32,
}

impl Query {
    pub fn new(vector: &[f32]) -> Self {
        let largest = vector.iter().fold(0.0f32, |max, x| max.max(x.abs()));
        let inverse = if largest > 0.0 {
            QUERY_LEVELS / largest
        } else {
            0.0
        };
        let mut values: Vec<i8> = vector
            .iter()
            .map(|x| (x * inverse).round().clamp(-QUERY_LEVELS, QUERY_LEVELS) as i8)
            .collect();
        values.resize(vector.len().div_ceil(BLOCK) * BLOCK, 0);
        let sum = values.iter().map(|&v| i32::from(v)).sum();
        Self { values, sum }
    }
}

/// The kernel for this CPU: AVX2 where the CPU has it, else the portable loop. Chosen once per
/// search. Returns a row's dot product with the query in query units; times the row's scale it
/// ranks rows like their cosine.
pub(super) fn kernel() -> fn(&[u8], &Query) -> i32 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return dot_4bit_avx2_checked;
    }
    dot_4bit
}

/// The portable kernel.
pub(super) fn dot_4bit(row: &[u8], query: &Query) -> i32 {
    let mut sum = 0i32;
    for (bytes, values) in row
        .chunks_exact(BLOCK / 2)
        .zip(query.values.chunks_exact(BLOCK))
    {
        let (low, high) = values.split_at(BLOCK / 2);
        for ((byte, lo), hi) in bytes.iter().zip(low).zip(high) {
            sum += i32::from(byte & 0x0f) * i32::from(*lo) + i32::from(byte >> 4) * i32::from(*hi);
        }
    }
    sum - OFFSET * query.sum
}

#[cfg(target_arch = "x86_64")]
fn dot_4bit_avx2_checked(row: &[u8], query: &Query) -> i32 {
    // SAFETY: `kernel` hands this function out only after detecting AVX2.
    unsafe { dot_4bit_avx2(row, query) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dot_4bit_avx2(row: &[u8], query: &Query) -> i32 {
    use std::arch::x86_64::{
        __m128i, __m256i, _mm_add_epi32, _mm_and_si128, _mm_cvtsi128_si32, _mm_loadu_si128,
        _mm_set1_epi8, _mm_shuffle_epi32, _mm_srli_epi16, _mm256_add_epi32, _mm256_castsi256_si128,
        _mm256_extracti128_si256, _mm256_loadu_si256, _mm256_madd_epi16, _mm256_maddubs_epi16,
        _mm256_set_m128i, _mm256_set1_epi16, _mm256_setzero_si256,
    };
    let mask = _mm_set1_epi8(0x0f);
    let ones = _mm256_set1_epi16(1);
    let mut sums = _mm256_setzero_si256();
    for (bytes, values) in row
        .chunks_exact(BLOCK / 2)
        .zip(query.values.chunks_exact(BLOCK))
    {
        // SAFETY: the chunks are exactly 16 and 32 bytes long; unaligned loads are allowed.
        let (packed, query_block) = unsafe {
            (
                _mm_loadu_si128(bytes.as_ptr().cast::<__m128i>()),
                _mm256_loadu_si256(values.as_ptr().cast::<__m256i>()),
            )
        };
        let low = _mm_and_si128(packed, mask);
        let high = _mm_and_si128(_mm_srli_epi16::<4>(packed), mask);
        // Unsigned nibbles (≤ 15) times signed query bytes: pair sums ≤ 3,810, no saturation.
        let pairs = _mm256_maddubs_epi16(_mm256_set_m128i(high, low), query_block);
        sums = _mm256_add_epi32(sums, _mm256_madd_epi16(pairs, ones));
    }
    let half = _mm_add_epi32(
        _mm256_castsi256_si128(sums),
        _mm256_extracti128_si256::<1>(sums),
    );
    let quarter = _mm_add_epi32(half, _mm_shuffle_epi32::<0b01_00_11_10>(half));
    let total = _mm_add_epi32(quarter, _mm_shuffle_epi32::<0b10_11_00_01>(quarter));
    _mm_cvtsi128_si32(total) - OFFSET * query.sum
}

/// A dot product written as eight independent lanes so the compiler vectorises it.
pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (a_chunks, a_rest) = a.split_at(a.len() - a.len() % 8);
    let (b_chunks, b_rest) = b.split_at(a_chunks.len());
    for (x, y) in a_chunks.chunks_exact(8).zip(b_chunks.chunks_exact(8)) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    let tail: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row's values back from the packed form, in component order.
    fn unpack(packed: &[u8], dims: usize) -> Vec<i32> {
        let mut values = Vec::new();
        for block in packed.chunks_exact(BLOCK / 2) {
            values.extend(block.iter().map(|b| i32::from(b & 0x0f) - OFFSET));
            values.extend(block.iter().map(|b| i32::from(b >> 4) - OFFSET));
        }
        values.truncate(dims);
        values
    }

    fn wave(dims: usize, step: f32) -> Vec<f32> {
        (0..dims).map(|i| ((i as f32) * step).sin()).collect()
    }

    #[test]
    fn a_packed_row_keeps_each_value_within_half_a_step() {
        let vector = [0.5, -0.25, 0.0, 0.125, -0.5, 0.3, 0.07];
        let mut packed = Vec::new();
        let scale = quantize_row(&vector, &mut packed);
        assert_eq!(packed.len(), packed_len(vector.len()));
        let values = unpack(&packed, vector.len());
        assert_eq!((values[0], values[4]), (7, -7));
        for (x, q) in vector.iter().zip(&values) {
            assert!(
                (x - *q as f32 * scale).abs() <= scale / 2.0 + 1e-6,
                "{x} vs {q}"
            );
        }
    }

    #[test]
    fn a_zero_vector_scores_zero() {
        let mut packed = vec![0xaa];
        assert_eq!(quantize_row(&[0.0; 40], &mut packed), 0.0);
        assert_eq!(
            packed.len(),
            1 + packed_len(40),
            "appended after what was there"
        );
        let query = Query::new(&wave(40, 0.3));
        assert_eq!(dot_4bit(&packed[1..], &query), 0);
    }

    #[test]
    fn both_kernels_compute_the_exact_integer_dot_product() {
        for dims in [1, 31, 32, 33, 384, 385] {
            let mut packed = Vec::new();
            quantize_row(&wave(dims, 0.7), &mut packed);
            let query = Query::new(&wave(dims, 0.3));
            let plain: i32 = unpack(&packed, dims)
                .iter()
                .zip(&query.values)
                .map(|(r, q)| r * i32::from(*q))
                .sum();
            assert_eq!(dot_4bit(&packed, &query), plain, "{dims} dimensions");
            assert_eq!(
                kernel()(&packed, &query),
                plain,
                "{dims} dimensions, this CPU's kernel"
            );
        }
    }

    #[test]
    fn scaled_scores_approximate_the_cosine() {
        let unit = |v: Vec<f32>| {
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.into_iter().map(|x| x / norm).collect::<Vec<f32>>()
        };
        let (row, query) = (unit(wave(384, 0.7)), unit(wave(384, 0.69)));
        let mut packed = Vec::new();
        let scale = quantize_row(&row, &mut packed);
        let query_scale = query.iter().fold(0.0f32, |m, x| m.max(x.abs())) / QUERY_LEVELS;
        let approximate = kernel()(&packed, &Query::new(&query)) as f32 * scale * query_scale;
        let exact = dot(&row, &query);
        assert!(
            (approximate - exact).abs() < 0.03,
            "{approximate} vs {exact}"
        );
    }
}
