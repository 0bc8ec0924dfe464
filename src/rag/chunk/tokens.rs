//! Counting tokens the way the embedding model will see them.
//!
//! The model's own `tokenizer.json` often ships with truncation and fixed padding switched on
//! (all-MiniLM-L6-v2's pads and truncates to 128), which would make every count 128. Both are
//! switched off here so a count is the real length of the text. Special tokens (`[CLS]`,
//! `[SEP]`) are not counted: the embedder adds them to every chunk and its own limit (512 for
//! MiniLM) leaves room for them.
//!
//! # BERT-style tokenizers: bounded by bytes, additive over lines
//! Counting is what makes chunking slow, so for the tokenizer family whose structure proves two
//! shortcuts — a WordPiece model after a `BertNormalizer` (or none) and the `BertPreTokenizer`,
//! as all-MiniLM-L6-v2's — the chunker may use them ([`TokenCounter::is_bert_family`]):
//! * **tokens ≤ bytes.** Every WordPiece token (or `[UNK]`, one per word at most) covers at
//!   least one character of the normalised text, whitespace covers none, and normalising never
//!   gives a character more characters than its UTF-8 bytes: cleaning drops or replaces
//!   characters one for one, CJK padding adds only spaces, accent stripping keeps at most the
//!   non-mark characters of a canonical decomposition (at most three Hangul jamo, from three
//!   bytes), and lower-casing maps one character to at most its own byte count (`İ`, two bytes,
//!   to `i` and a combining dot). So a text of `n` bytes has at most `n` tokens.
//! * **counts add up over lines.** The pre-tokenizer splits at whitespace before the model sees
//!   anything, so the tokens of `a\nb` are the tokens of `a` then those of `b`: a record's count
//!   is the sum of its lines' counts plus the measured cost of each line break (zero here).
//!
//! Any other tokenizer (BPE, Unigram, byte-level or metaspace pre-tokenizers, where merges can
//! cross a join and a space can be its own token) gets exact counts of every text, as before.

use anyhow::{Context, anyhow};
use std::path::Path;
use text_splitter::ChunkSizer;
use tokenizers::Tokenizer;
use tokenizers::models::ModelWrapper;
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;

pub(super) struct TokenCounter {
    tokenizer: Tokenizer,
    /// Tokens that joining two texts with `\n` adds beyond the tokens of each text.
    join_cost: usize,
    /// Tokens kept free in every chunk, for tokenizers where the count of a joined text is not
    /// the sum of the counts of its parts (subword merges across the join); 0 when the probe
    /// found the sums exact, as for BERT's WordPiece, which splits on whitespace first.
    slack: usize,
    /// Whether the shortcuts of the module docs hold for this tokenizer.
    bert_family: bool,
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
        let bert_family = matches!(tokenizer.get_model(), ModelWrapper::WordPiece(_))
            && matches!(
                tokenizer.get_normalizer(),
                None | Some(NormalizerWrapper::BertNormalizer(_))
            )
            && matches!(
                tokenizer.get_pre_tokenizer(),
                Some(PreTokenizerWrapper::BertPreTokenizer(_))
            );
        let mut counter = Self {
            tokenizer,
            join_cost: 0,
            slack: 0,
            bert_family,
        };
        counter.calibrate();
        Ok(counter)
    }

    /// Whether texts of this tokenizer have at most as many tokens as bytes and records count as
    /// the sum of their lines (module docs). Also requires the calibration to have found the
    /// line break costing nothing extra beyond its measured join cost.
    pub(super) fn is_bert_family(&self) -> bool {
        self.bert_family && self.slack == 0
    }

    /// A test's way to switch the shortcuts off and compare with exact counting.
    #[cfg(test)]
    pub(super) fn without_shortcuts(mut self) -> Self {
        self.bert_family = false;
        self
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
    pub(super) fn count_all<T: AsRef<str>>(&self, texts: &[T]) -> Vec<usize> {
        let inputs: Vec<&str> = texts.iter().map(AsRef::as_ref).collect();
        match self.tokenizer.encode_batch_fast(inputs, false) {
            Ok(encodings) => encodings.iter().map(|e| e.len()).collect(),
            Err(_) => texts.iter().map(|text| self.count(text.as_ref())).collect(),
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
