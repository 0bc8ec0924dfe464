//! The reply worker: takes inbox events under a lease and answers several at once, one
//! conversation in order.
//!
//! One dispatcher claims due events from the store (`pending`, or `processing` whose lease
//! ran out because its worker died) and starts a task per event. At most N tasks answer at
//! once (`CRM_MIND_REPLY_WORKERS`), and a task first waits for the previous event of its
//! conversation (page and PSID, or comment thread) to finish, so one conversation is answered
//! in order while any free worker takes any other. (Fixed lanes by hash were measured first:
//! an unlucky spread left workers idle behind one busy lane, at about half the throughput.)
//! The dispatcher claims only twice as many events as it answers at once, so nothing waits
//! long enough for its lease to run out.
//!
//! The dispatcher sleeps until the intake says new events were stored ([`ReplyService::waker`])
//! or a poll interval passes (events deferred until later, leases that ran out, events stored
//! by another instance).

use super::compose::Composer;
use crate::domain::PageId;
use crate::domain::conversation::conversation_key;
use crate::facebook::graph::GraphClient;
use crate::metakocka::error_log::ErrorLog;
use crate::secrets::Cipher;
use crate::store::DynStore;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore, oneshot, watch};
use tokio::task::JoinSet;

/// The worker's tunables (`CRM_MIND_REPLY_*`).
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Events answered at once.
    pub workers: usize,
    /// How long a claimed event is this worker's.
    pub lease: Duration,
    /// Earlier turns given to the model.
    pub history_turns: u32,
    /// The bot's silence in a conversation after a person answered by hand.
    pub echo_pause: chrono::Duration,
    /// How often the dispatcher looks for due events when nobody woke it.
    pub idle_poll: Duration,
    /// How long a page rests after the Graph API kept throttling it.
    pub throttle_rest: chrono::Duration,
    /// Messenger's standard messaging window after the customer's last message.
    pub messaging_window: chrono::Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            workers: 4,
            lease: Duration::from_secs(120),
            history_turns: 10,
            echo_pause: chrono::Duration::minutes(30),
            idle_poll: Duration::from_secs(1),
            throttle_rest: chrono::Duration::seconds(60),
            messaging_window: chrono::Duration::hours(24),
        }
    }
}

/// Answers inbox events. Cheap to clone.
#[derive(Clone)]
pub struct ReplyService {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: DynStore,
    pub(super) cipher: Cipher,
    pub(super) composer: Composer,
    pub(super) graph: GraphClient,
    pub(super) settings: WorkerSettings,
    /// Pages the Graph API throttled, and until when they rest. In memory: after a restart
    /// the first send finds out again.
    pub(super) resting: Mutex<HashMap<PageId, DateTime<Utc>>>,
    wake: Arc<Notify>,
    /// Where a failure the admin must act on (an invalid page token) is logged.
    pub(super) errors: Option<ErrorLog>,
}

/// A running worker; [`WorkerHandle::shutdown`] lets the events in hand finish.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

impl ReplyService {
    pub fn new(
        store: DynStore,
        cipher: Cipher,
        composer: Composer,
        graph: GraphClient,
        settings: WorkerSettings,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                cipher,
                composer,
                graph,
                settings,
                resting: Mutex::new(HashMap::new()),
                wake: Arc::new(Notify::new()),
                errors: None,
            }),
        }
    }

    /// Logs failures an admin must act on to `errors`. Call before [`ReplyService::spawn`].
    pub fn logging_errors_to(mut self, errors: ErrorLog) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.errors = Some(errors);
        }
        self
    }

    /// Notified by the intake when it stored new events.
    pub fn waker(&self) -> Arc<Notify> {
        self.inner.wake.clone()
    }

    /// Starts the dispatcher under a lease owner name of its own.
    pub fn spawn(&self) -> WorkerHandle {
        let owner = format!("worker-{}", uuid::Uuid::new_v4().simple());
        let (stop, stopped) = watch::channel(false);
        let service = self.clone();
        let task = tokio::spawn(async move { service.dispatch(owner, stopped).await });
        WorkerHandle { stop, task }
    }

    async fn dispatch(self, owner: String, mut stopped: watch::Receiver<bool>) {
        let settings = &self.inner.settings;
        // Claimed events not yet finished; bounds what waits under a lease.
        let room = Arc::new(Semaphore::new(settings.workers * 2));
        // Events being answered at once.
        let answering = Arc::new(Semaphore::new(settings.workers));
        // Per conversation, the signal that its latest dispatched event is finished: the next
        // event of that conversation waits for it, so one conversation is answered in order
        // while any free worker takes any other conversation's event.
        let mut last_of: HashMap<(PageId, String), oneshot::Receiver<()>> = HashMap::new();
        let mut running = JoinSet::new();
        tracing::info!(%owner, workers = settings.workers, "reply worker started");
        while !*stopped.borrow() {
            let first = tokio::select! {
                permit = room.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                _ = stopped.changed() => break,
            };
            while running.try_join_next().is_some() {}
            // Forget conversations whose last event is finished.
            last_of.retain(|_, done| {
                matches!(done.try_recv(), Err(oneshot::error::TryRecvError::Empty))
            });
            let wanted = 1 + room.available_permits();
            let now = Utc::now();
            let lease_until = now + chrono::Duration::from_std(settings.lease).unwrap_or_default();
            let claimed = match self
                .inner
                .store
                .claim_inbox_events(&owner, now, lease_until, wanted as u32)
                .await
            {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::warn!(error = %e, "claiming inbox events failed; trying again");
                    Vec::new()
                }
            };
            if claimed.is_empty() {
                drop(first);
                tokio::select! {
                    _ = self.inner.wake.notified() => {}
                    _ = tokio::time::sleep(settings.idle_poll) => {}
                    _ = stopped.changed() => break,
                }
                continue;
            }
            let mut permits = std::iter::once(first)
                .chain(std::iter::from_fn(|| room.clone().try_acquire_owned().ok()));
            for event in claimed {
                let in_room = permits
                    .next()
                    .expect("claimed no more events than there was room for");
                let (done, finished) = oneshot::channel();
                let before =
                    last_of.insert((event.page_id.clone(), conversation_key(&event)), finished);
                let (service, owner, answering) = (self.clone(), owner.clone(), answering.clone());
                running.spawn(async move {
                    if let Some(before) = before {
                        let _ = before.await; // finished, or its task ended: either way, go on
                    }
                    let _answering = answering.acquire_owned().await;
                    service.handle(event, &owner).await;
                    let _ = done.send(());
                    drop(in_room);
                });
            }
        }
        while running.join_next().await.is_some() {}
        tracing::info!(%owner, "reply worker stopped");
    }
}
