//! The reply worker: takes inbox events under a lease and hands each to a lane.
//!
//! One dispatcher claims due events from the store (`pending`, or `processing` whose lease
//! ran out because its worker died) and routes each to one of N lanes by a hash of its page
//! and conversation. A lane answers its events one at a time, so events of one conversation
//! are answered in order while N conversations are answered at once. The dispatcher claims
//! only as many events as the lanes have room for, so nothing waits in a lane long enough
//! for its lease to run out.
//!
//! The dispatcher sleeps until the intake says new events were stored ([`ReplyService::waker`])
//! or a poll interval passes (events deferred until later, leases that ran out, events stored
//! by another instance).

use super::compose::Composer;
use crate::domain::PageId;
use crate::domain::conversation::conversation_key;
use crate::domain::events::InboxEvent;
use crate::facebook::graph::GraphClient;
use crate::metakocka::error_log::ErrorLog;
use crate::secrets::Cipher;
use crate::store::DynStore;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::task::JoinSet;

/// The worker's tunables (`CRM_MIND_REPLY_*`).
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Lanes answering at once.
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

    /// Starts the dispatcher and its lanes under a lease owner name of its own.
    pub fn spawn(&self) -> WorkerHandle {
        let owner = format!("worker-{}", uuid::Uuid::new_v4().simple());
        let (stop, stopped) = watch::channel(false);
        let service = self.clone();
        let task = tokio::spawn(async move { service.dispatch(owner, stopped).await });
        WorkerHandle { stop, task }
    }

    async fn dispatch(self, owner: String, mut stopped: watch::Receiver<bool>) {
        let settings = &self.inner.settings;
        let room = Arc::new(Semaphore::new(settings.workers * 2));
        let mut lanes = Vec::with_capacity(settings.workers);
        let mut running = JoinSet::new();
        for _ in 0..settings.workers {
            let (sender, mut receiver) =
                mpsc::unbounded_channel::<(InboxEvent, OwnedSemaphorePermit)>();
            lanes.push(sender);
            let (service, owner) = (self.clone(), owner.clone());
            running.spawn(async move {
                while let Some((event, _room)) = receiver.recv().await {
                    service.handle(event, &owner).await;
                }
            });
        }
        tracing::info!(%owner, lanes = settings.workers, "reply worker started");
        while !*stopped.borrow() {
            let first = tokio::select! {
                permit = room.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                _ = stopped.changed() => break,
            };
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
                let permit = permits
                    .next()
                    .expect("claimed no more events than there was room for");
                let lane = lane_of(&event, lanes.len());
                if lanes[lane].send((event, permit)).is_err() {
                    break; // a lane ended: only at shutdown
                }
            }
        }
        drop(lanes);
        while running.join_next().await.is_some() {}
        tracing::info!(%owner, "reply worker stopped");
    }
}

/// Events of one conversation always land in the same lane, so they are answered in order.
fn lane_of(event: &InboxEvent, lanes: usize) -> usize {
    let mut hasher = DefaultHasher::new();
    event.page_id.hash(&mut hasher);
    conversation_key(event).hash(&mut hasher);
    (hasher.finish() % lanes.max(1) as u64) as usize
}
