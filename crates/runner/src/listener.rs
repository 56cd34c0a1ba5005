//! The listener: accepts TCP connections and keeps them within bounds a
//! public server needs, whatever clients do.
//!
//! - **Connection cap** (`--max-connections`): at the cap, the connection
//!   idle longest (no request in progress; a slow or silent client counts as
//!   idle) is closed to make room; if every connection is busy, the runner
//!   stops accepting until one finishes (the kernel's backlog holds the rest).
//! - **Header-read timeout** (`--header-read-timeout`): a request head must
//!   arrive within this time (hyper's HTTP/1 `header_read_timeout`, plus this
//!   module's watchdog for the protocol-detection phase and HTTP/2).
//! - **Idle timeout** (`--idle-timeout`): a keep-alive connection with no
//!   request in progress and nothing received is closed after this.
//! - **Accept errors** (e.g. EMFILE): logged at most once a second with a
//!   count of the rest; on resource exhaustion the loop sheds an idle
//!   connection and backs off (10 ms doubling to 1 s) instead of spinning.
//!
//! `spin up` leaves all of these open; none changes what a component sees.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;

/// The default cap on open connections, lowered to fit the file limit.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long shutdown waits for in-flight requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// Raises the soft open-files limit to the hard one (as Go's runtime does)
/// and returns the resulting soft limit, if it can be read.
pub fn raise_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit only read and write the struct passed.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return None;
            }
            if lim.rlim_cur < lim.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: lim.rlim_max,
                    rlim_max: lim.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    lim.rlim_cur = lim.rlim_max;
                }
            }
        }
        Some(lim.rlim_cur)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The connection cap that leaves file descriptors for everything else a
/// request opens (SQLite keeps three per connection in WAL mode, outbound
/// HTTP one per request): half of what remains after a reserve of 128.
pub fn connections_for_file_limit(file_limit: u64) -> usize {
    let usable = file_limit.saturating_sub(128) / 2;
    usize::try_from(usable).unwrap_or(usize::MAX).max(16)
}

/// Logs a recurring message at most once a second, counting the rest.
pub struct RateLimitedLog {
    every: Duration,
    last: Option<Instant>,
    suppressed: u64,
}

impl RateLimitedLog {
    pub fn new(every: Duration) -> Self {
        Self {
            every,
            last: None,
            suppressed: 0,
        }
    }

    /// The line to print now, or None while within the interval.
    pub fn line(&mut self, now: Instant, message: &str) -> Option<String> {
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < self.every)
        {
            self.suppressed += 1;
            return None;
        }
        self.last = Some(now);
        let line = match std::mem::take(&mut self.suppressed) {
            0 => message.to_string(),
            n => format!("{message} ({n} more since the last report)"),
        };
        Some(line)
    }
}

/// Exponential backoff for accept errors that mean "out of resources".
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(10);
    const MAX: Duration = Duration::from_secs(1);

    pub fn new() -> Self {
        Self { next: Self::FIRST }
    }

    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }

    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        d
    }
}

/// Accept errors that waiting (not retrying at once) can fix.
pub fn is_resource_exhaustion(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// What the watchdog knows about one connection. Times are milliseconds
/// since the registry's epoch.
pub struct ConnState {
    /// Requests in progress: from the head's arrival to the response body's end.
    busy: AtomicUsize,
    /// When the connection last became idle (accepted, or a response ended).
    idle_since: AtomicU64,
    /// When bytes last arrived.
    last_read: AtomicU64,
    evicted: AtomicBool,
    evict: Notify,
    /// Signalled when a request ends, so the watchdog re-arms at once.
    changed: Notify,
    epoch: Instant,
}

impl ConnState {
    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// Marks a request as started; the guard ends it when dropped.
    pub fn start_request(self: &Arc<Self>) -> BusyGuard {
        self.busy.fetch_add(1, Ordering::SeqCst);
        BusyGuard(self.clone())
    }

    /// When the watchdog should close this connection if nothing changes:
    /// None while a request is in progress.
    fn deadline(&self, limits: &Limits) -> Option<u64> {
        if self.busy.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let idle_since = self.idle_since.load(Ordering::SeqCst);
        let receiving = self.last_read.load(Ordering::SeqCst) >= idle_since
            && self.last_read.load(Ordering::SeqCst) > 0;
        let allowed = if receiving {
            limits.header_read_timeout
        } else {
            limits.idle_timeout.min(limits.header_read_timeout)
        };
        Some(idle_since + allowed.as_millis() as u64)
    }
}

/// Held for the life of one request, response body included.
pub struct BusyGuard(Arc<ConnState>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        let now = self.0.now();
        self.0.idle_since.store(now, Ordering::SeqCst);
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_one();
    }
}

/// The open connections, for the cap's eviction choice.
pub struct Registry {
    epoch: Instant,
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Arc<ConnState>>>,
}

impl Registry {
    pub fn new() -> Self {
        Self {
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            conns: Mutex::new(HashMap::new()),
        }
    }

    fn register(self: &Arc<Self>) -> Registered {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnState {
            busy: AtomicUsize::new(0),
            idle_since: AtomicU64::new(self.epoch.elapsed().as_millis() as u64),
            last_read: AtomicU64::new(0),
            evicted: AtomicBool::new(false),
            evict: Notify::new(),
            changed: Notify::new(),
            epoch: self.epoch,
        });
        if let Ok(mut conns) = self.conns.lock() {
            conns.insert(id, state.clone());
        }
        Registered {
            registry: self.clone(),
            id,
            state,
        }
    }

    /// Closes the connection that has been idle longest; false if every
    /// connection is busy.
    pub fn evict_oldest_idle(&self) -> bool {
        let Ok(conns) = self.conns.lock() else {
            return false;
        };
        let victim = conns
            .values()
            .filter(|c| c.busy.load(Ordering::SeqCst) == 0 && !c.evicted.load(Ordering::SeqCst))
            .min_by_key(|c| c.idle_since.load(Ordering::SeqCst));
        match victim {
            Some(c) => {
                c.evicted.store(true, Ordering::SeqCst);
                c.evict.notify_one();
                true
            }
            None => false,
        }
    }

    pub fn len(&self) -> usize {
        self.conns.lock().map_or(0, |c| c.len())
    }
}

/// Removes the connection from the registry when its task ends.
struct Registered {
    registry: Arc<Registry>,
    id: u64,
    state: Arc<ConnState>,
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut conns) = self.registry.conns.lock() {
            conns.remove(&self.id);
        }
    }
}

/// The TCP stream with reads recorded for the watchdog.
pub struct TrackedStream {
    inner: TcpStream,
    state: Arc<ConnState>,
}

impl AsyncRead for TrackedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            let now = this.state.now().max(1);
            this.state.last_read.store(now, Ordering::SeqCst);
        }
        polled
    }
}

impl AsyncWrite for TrackedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// One accepted connection handed to the server: the stream to serve, the
/// state its requests report to, and the shutdown signal (true: finish
/// what is in progress and close).
pub struct Accepted {
    pub stream: TrackedStream,
    pub peer: std::net::SocketAddr,
    pub state: Arc<ConnState>,
    pub stop: watch::Receiver<bool>,
}

/// Runs the accept loop until `shutdown` resolves, then waits (up to 10 s)
/// for in-flight requests. `serve` turns an accepted connection into the
/// future that serves it.
pub async fn run<S, F>(
    listener: TcpListener,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
    serve: S,
) where
    S: Fn(Accepted) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let registry = Arc::new(Registry::new());
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut accept_log = RateLimitedLog::new(Duration::from_secs(1));
    let mut cap_log = RateLimitedLog::new(Duration::from_secs(1));
    let mut backoff = Backoff::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(conn) => {
                backoff.reset();
                conn
            }
            Err(e) => {
                let exhausted = is_resource_exhaustion(&e);
                if let Some(line) = accept_log.line(Instant::now(), &format!("accept failed: {e}"))
                {
                    eprintln!("{line}");
                }
                if exhausted {
                    // Free a descriptor if an idle connection holds one, then wait.
                    registry.evict_oldest_idle();
                    let delay = backoff.next_delay();
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        () = &mut shutdown => break,
                    }
                }
                continue;
            }
        };
        let permit = match permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                let shed = registry.evict_oldest_idle();
                if !shed
                    && let Some(line) = cap_log.line(
                        Instant::now(),
                        &format!(
                            "connection limit ({}) reached with every connection busy; waiting for one to finish",
                            limits.max_connections
                        ),
                    )
                {
                    eprintln!("{line}");
                }
                match acquire(&permits, &mut shutdown).await {
                    Some(p) => p,
                    None => break,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let registered = registry.register();
        let accepted = Accepted {
            stream: TrackedStream {
                inner: stream,
                state: registered.state.clone(),
            },
            peer,
            state: registered.state.clone(),
            stop: stop_rx.clone(),
        };
        let conn = serve(accepted);
        tokio::spawn(watch_connection(conn, registered, permit, limits));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    if registry.len() > 0 {
        eprintln!("shutting down: finishing in-flight requests");
    }
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(SHUTDOWN_GRACE, permits.acquire_many(all))
        .await
        .is_err()
    {
        eprintln!("in-flight requests still running after 10 s; stopping them");
    }
}

/// Waits for a connection slot; None if shutdown came first.
async fn acquire(
    permits: &Arc<Semaphore>,
    shutdown: &mut Pin<&mut impl Future<Output = ()>>,
) -> Option<OwnedSemaphorePermit> {
    tokio::select! {
        p = permits.clone().acquire_owned() => p.ok(),
        () = shutdown.as_mut() => None,
    }
}

/// Serves one connection, closing it when it idles or stalls past its
/// limits or when the cap evicts it (shutdown is the server's, see
/// [`Accepted::stop`]).
async fn watch_connection<F: Future<Output = ()>>(
    conn: F,
    registered: Registered,
    permit: OwnedSemaphorePermit,
    limits: Limits,
) {
    let state = registered.state.clone();
    tokio::pin!(conn);
    loop {
        let wake = match state.deadline(&limits) {
            Some(at) => registered_instant(&state, at),
            // Busy: look again later (the request may finish any time).
            None => Instant::now() + limits.idle_timeout.min(limits.header_read_timeout),
        };
        tokio::select! {
            () = conn.as_mut() => break,
            () = tokio::time::sleep_until(wake) => {
                if state.deadline(&limits).is_some_and(|at| state.now() >= at) {
                    break;
                }
            }
            () = state.evict.notified() => break,
            () = state.changed.notified() => {}
        }
    }
    drop(registered);
    drop(permit);
}

fn registered_instant(state: &ConnState, at_ms: u64) -> Instant {
    state.epoch + Duration::from_millis(at_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_log_lines_are_limited_and_counted() {
        let mut log = RateLimitedLog::new(Duration::from_secs(1));
        let t0 = Instant::now();
        assert_eq!(
            log.line(t0, "accept failed").as_deref(),
            Some("accept failed")
        );
        for i in 1..1000 {
            assert_eq!(
                log.line(t0 + Duration::from_micros(i), "accept failed"),
                None
            );
        }
        assert_eq!(
            log.line(t0 + Duration::from_secs(1), "accept failed")
                .as_deref(),
            Some("accept failed (999 more since the last report)")
        );
    }

    #[test]
    fn backoff_doubles_to_a_ceiling_and_resets() {
        let mut b = Backoff::new();
        let delays: Vec<u128> = (0..9).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(delays, [10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(10));
    }

    #[test]
    fn emfile_means_back_off() {
        assert!(is_resource_exhaustion(&io::Error::from_raw_os_error(
            libc::EMFILE
        )));
        assert!(!is_resource_exhaustion(&io::Error::from_raw_os_error(
            libc::ECONNABORTED
        )));
    }

    #[test]
    fn the_cap_fits_the_file_limit() {
        assert_eq!(connections_for_file_limit(1024), 448);
        assert_eq!(connections_for_file_limit(100), 16);
        assert!(connections_for_file_limit(1 << 20) > DEFAULT_MAX_CONNECTIONS);
    }

    fn limits() -> Limits {
        Limits {
            max_connections: 4,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
        }
    }

    #[tokio::test]
    async fn idle_connections_get_the_idle_timeout_and_partial_requests_the_header_timeout() {
        let registry = Arc::new(Registry::new());
        let conn = registry.register();
        let s = &conn.state;
        let since = s.idle_since.load(Ordering::SeqCst);
        assert_eq!(s.deadline(&limits()), Some(since + 5_000));
        s.last_read.store(since.max(1), Ordering::SeqCst);
        assert_eq!(s.deadline(&limits()), Some(since + 10_000));
        let guard = s.start_request();
        assert_eq!(
            s.deadline(&limits()),
            None,
            "a request in progress never times out here"
        );
        drop(guard);
        assert!(s.deadline(&limits()).is_some());
    }

    #[tokio::test]
    async fn eviction_picks_the_longest_idle_and_never_a_busy_one() {
        let registry = Arc::new(Registry::new());
        let a = registry.register();
        let b = registry.register();
        a.state.idle_since.store(5, Ordering::SeqCst);
        b.state.idle_since.store(1, Ordering::SeqCst);
        let busy = b.state.start_request();
        b.state.idle_since.store(1, Ordering::SeqCst);
        assert!(registry.evict_oldest_idle());
        assert!(a.state.evicted.load(Ordering::SeqCst));
        assert!(!b.state.evicted.load(Ordering::SeqCst));
        assert!(!registry.evict_oldest_idle(), "the only other one is busy");
        drop(busy);
        assert!(registry.evict_oldest_idle());
        assert_eq!(registry.len(), 2);
        drop(a);
        assert_eq!(registry.len(), 1);
    }
}
