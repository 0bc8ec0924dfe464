//! Counting tokens the way the embedding model will see them.
//!
//! The model's own `tokenizer.json` often ships with truncation and fixed padding switched on
//! (all-MiniLM-L6-v2's pads and truncates to 128), which would make every count 128. Both are
//! switched off here so a count is the real length of the text. Special tokens (`[CLS]`,
//! `[SEP]`) are not counted: the embedder adds them to every chunk and its own limit (512 for
//! MiniLM) leaves room for them.

use anyhow::{Context, anyhow};
use std::path::Path;
use text_splitter::ChunkSizer;
use tokenizers::Tokenizer;

pub(super) struct TokenCounter {
    tokenizer: Tokenizer,
    /// Tokens that joining two texts with `\n` adds beyond the tokens of each text.
    join_cost: usize,
    /// Tokens kept free in every chunk, for tokenizers where the count of a joined text is not
    /// the sum of the counts of its parts (subword merges across the join); 0 when the probe
    /// found the sums exact, as for BERT's WordPiece, which splits on whitespace first.
    slack: usize,
}

impl TokenCounter {
    pub(super) fn from_file(path: &Path) -> anyhow::Result<Self> {
        let mut tokenizer = Tokenizer::from_file(path)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("reading the tokenizer {}", path.display()))?;
        tokenizer
            .with_truncation(None)
            .map_err(|e| anyhow!("{e}"))
            .context("switching off the tokenizer's truncation")?;
        tokenizer.with_padding(None);
        let mut counter = Self {
            tokenizer,
            join_cost: 0,
            slack: 0,
        };
        counter.calibrate();
        Ok(counter)
    }

    /// Measures how the tokenizer treats a line break between two flattened lines.
    fn calibrate(&mut self) {
        let (first, second) = (
            "customers[0].name: Ana Novak",
            "customers[0].city: Škofja Loka",
        );
        let apart = self.count(first) + self.count(second);
        let joined = self.count(&format!("{first}\n{second}"));
        self.join_cost = joined.saturating_sub(apart);
        // Exact sums (WordPiece) need no margin; any other behaviour at the join gets one.
        self.slack = if joined == apart { 0 } else { 2 };
    }

    pub(super) fn join_cost(&self) -> usize {
        self.join_cost
    }

    pub(super) fn slack(&self) -> usize {
        self.slack
    }

    /// The number of tokens of `text`, without special tokens.
    ///
    /// A tokenizer error (none is known for WordPiece, which maps unknown text to `[UNK]`) counts
    /// the text's bytes instead: never fewer than its tokens, so a chunk stays within its limit.
    pub(super) fn count(&self, text: &str) -> usize {
        match self.tokenizer.encode_fast(text, false) {
            Ok(encoding) => encoding.len(),
            Err(error) => {
                tracing::warn!(%error, "tokenizer failed; counting bytes instead");
                text.len()
            }
        }
    }

    /// [`Self::count`] for many texts, spread over the CPU cores by the tokenizer.
    pub(super) fn count_all(&self, texts: &[String]) -> Vec<usize> {
        let inputs: Vec<&str> = texts.iter().map(String::as_str).collect();
        match self.tokenizer.encode_batch_fast(inputs, false) {
            Ok(encodings) => encodings.iter().map(|e| e.len()).collect(),
            Err(_) => texts.iter().map(|text| self.count(text)).collect(),
        }
    }

    /// A [`ChunkSizer`] for text-splitter that counts with this tokenizer.
    pub(super) fn sizer(&self) -> Sizer<'_> {
        Sizer(self)
    }
}

/// Borrows the counter, so a splitter sized for one record costs no tokenizer copy.
pub(super) struct Sizer<'a>(&'a TokenCounter);

impl ChunkSizer for Sizer<'_> {
    fn size(&self, chunk: &str) -> usize {
        self.0.count(chunk)
    }
}
