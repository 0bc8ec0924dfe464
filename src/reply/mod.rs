//! Answering a customer (issue 4): the worker that takes inbox events and replies through
//! the Graph API, and the pieces an answer is made of.
//!
//! * [`worker`] — leases events, answers N at once, each conversation in order;
//! * [`handle`] — one event from the customer's turn to the recorded outcome (the "never
//!   two replies for one event" steps are documented there);
//! * [`context`] — the reasons not to answer, the history and the parent comment;
//! * [`deliver`] — the Graph API calls per channel and comment policy, and what each
//!   documented error code means for the reply;
//! * [`compose`] — retrieval, prompt and chat model (also behind `crm-mind ask`);
//! * [`prompt`] loads `prompts/*.md` at start-up and fills their placeholders;
//! * [`privacy`] keeps personal data out of public comment replies.

pub mod compose;
mod context;
mod deliver;
mod handle;
pub mod privacy;
pub mod prompt;
pub mod worker;

pub use worker::{ReplyService, WorkerHandle, WorkerSettings};
