//! Throttling failed sign-ins so that guessing is slow and nobody can lock anyone else out
//! (OWASP Authentication Cheat Sheet, "Protect Against Automated Attacks": throttling with
//! growing delays rather than a hard lockout of the account).
//!
//! The rule, which the README states for operators:
//!
//! - **Per login id and address.** Failures are counted for each pair of a login id and a
//!   client address. The first [`LoginLimiter::FREE_FAILURES`] (5) cost nothing; after the
//!   fifth the next attempt of that pair must wait [`LoginLimiter::FIRST_DELAY`] (1 minute)
//!   after the failure, and the wait doubles with every further failure up to
//!   [`LoginLimiter::MAX_DELAY`] (15 minutes). A sign-in of the pair clears its failures; a pair
//!   without a failure for [`LoginLimiter::PAIR_MEMORY`] (24 hours) is forgotten. Guesses from
//!   one address at one account are therefore slow, and the account's owner signing in from
//!   another address is not affected at all.
//! - **Per address.** An address with [`LoginLimiter::PER_ADDRESS`] (20) failures within
//!   [`LoginLimiter::ADDRESS_WINDOW`] (15 minutes), whatever the login ids, is throttled for
//!   the login ids it has been failing (a remembered pair): those attempts wait until the
//!   address is below the limit again. A login id the address has not been failing is checked
//!   as usual, so a colleague behind the same proxy or NAT signs in with the right password
//!   while someone there sprays guesses; each sprayed login id gets one guess, then waits.
//!
//! A throttled attempt is refused before the password is checked (and is not counted, so
//! trying on does not lengthen the wait). The counts are kept by the login id as typed
//! (trimmed, case folded), whether or not such an account exists, so the answers never tell
//! which accounts exist. IPv6 addresses count per /64 network, since one host usually holds
//! a whole /64.
//!
//! Memory is bounded: an address keeps only its latest [`LoginLimiter::PER_ADDRESS`]
//! failures, forgotten pairs and addresses are swept, and at most [`LoginLimiter::MAX_KEYS`]
//! pairs and as many addresses are kept (the pairs with the fewest failures, then the least
//! recently failing, go first, so a flood of new names does not wipe an attacked pair's
//! count). The time is passed in, so tests need no clock; the counts live in one process
//! and start empty when it restarts.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use keikaku_domain::audit::Timestamp;

/// Counts failed logins in memory and says which attempts must wait (see the module).
#[derive(Debug, Default)]
pub struct LoginLimiter {
    inner: Mutex<Failures>,
}

#[derive(Debug, Default)]
struct Failures {
    by_pair: HashMap<(String, IpAddr), PairFailures>,
    by_addr: HashMap<IpAddr, VecDeque<Timestamp>>,
    last_sweep: Option<Timestamp>,
}

/// The failures of one login id from one address since its last sign-in there.
#[derive(Clone, Copy, Debug)]
struct PairFailures {
    count: u32,
    last: Timestamp,
}

/// The longest login id kept as a key (longer input is cut: valid ids have at most 32).
const KEY_CHARS: usize = 64;

fn login_key(login_id: &str) -> String {
    login_id
        .trim()
        .to_lowercase()
        .chars()
        .take(KEY_CHARS)
        .collect()
}

pub(crate) fn addr_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn plus(at: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_millis(at.as_millis().saturating_add(millis(d))).unwrap_or(at)
}

fn minus(at: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_millis(at.as_millis().saturating_sub(millis(d))).unwrap_or(Timestamp::MIN)
}

/// How long from `at` until `until` (`None` when it has passed).
fn wait(at: Timestamp, until: Timestamp) -> Option<Duration> {
    let ms = until.as_millis().saturating_sub(at.as_millis());
    u64::try_from(ms)
        .ok()
        .filter(|ms| *ms > 0)
        .map(Duration::from_millis)
}

impl PairFailures {
    /// The wait after this pair's latest failure: none for the free failures, then
    /// [`LoginLimiter::FIRST_DELAY`] doubling up to [`LoginLimiter::MAX_DELAY`].
    fn delay(self) -> Duration {
        let Some(beyond) = self.count.checked_sub(LoginLimiter::FREE_FAILURES) else {
            return Duration::ZERO;
        };
        // 2^4 minutes already exceeds the cap; a larger exponent only overflows.
        let doubled = LoginLimiter::FIRST_DELAY.saturating_mul(1 << beyond.min(8));
        doubled.min(LoginLimiter::MAX_DELAY)
    }
}

impl LoginLimiter {
    /// Failures of a login id from an address that cost no wait.
    pub const FREE_FAILURES: u32 = 5;
    /// The wait after the last free failure; it doubles with each further failure.
    pub const FIRST_DELAY: Duration = Duration::from_secs(60);
    /// The longest wait of a login id at an address.
    pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
    /// A login id's failures from an address are forgotten this long after the last one.
    pub const PAIR_MEMORY: Duration = Duration::from_secs(24 * 60 * 60);
    /// Failures from one address within [`LoginLimiter::ADDRESS_WINDOW`] from which the
    /// address is throttled for the login ids it has been failing.
    pub const PER_ADDRESS: usize = 20;
    /// The window an address's failures are counted over: 15 minutes.
    pub const ADDRESS_WINDOW: Duration = Duration::from_secs(15 * 60);
    /// The most pairs, and the most addresses, tracked at once.
    pub const MAX_KEYS: usize = 10_000;

    /// An empty limiter.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Failures> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// How long an attempt for this login id from this address must wait at `at`; `None`
    /// when it may be checked now.
    pub fn retry_after(&self, login_id: &str, addr: IpAddr, at: Timestamp) -> Option<Duration> {
        let addr = addr_key(addr);
        let f = self.lock();
        let pair = f
            .by_pair
            .get(&(login_key(login_id), addr))
            .filter(|p| p.last > minus(at, Self::PAIR_MEMORY))?;
        let own = wait(at, plus(pair.last, pair.delay()));
        // The address's limit holds back only the login ids it has been failing.
        let window = minus(at, Self::ADDRESS_WINDOW);
        let from_addr = f.by_addr.get(&addr).and_then(|list| {
            let recent: Vec<&Timestamp> = list.iter().filter(|t| **t > window).collect();
            let oldest = **recent.first()?;
            (recent.len() >= Self::PER_ADDRESS)
                .then(|| wait(at, plus(oldest, Self::ADDRESS_WINDOW)))
                .flatten()
        });
        own.max(from_addr)
    }

    /// Whether an attempt for this login id from this address is refused at `at`.
    pub fn is_locked(&self, login_id: &str, addr: IpAddr, at: Timestamp) -> bool {
        self.retry_after(login_id, addr, at).is_some()
    }

    /// Counts a failed login (a wrong password or an unknown login id).
    pub fn record_failure(&self, login_id: &str, addr: IpAddr, at: Timestamp) {
        let addr = addr_key(addr);
        let forgotten = minus(at, Self::PAIR_MEMORY);
        let window = minus(at, Self::ADDRESS_WINDOW);
        let mut f = self.lock();
        let pair = f
            .by_pair
            .entry((login_key(login_id), addr))
            .or_insert(PairFailures { count: 0, last: at });
        if pair.last <= forgotten {
            pair.count = 0;
        }
        pair.count = pair.count.saturating_add(1);
        pair.last = at;
        let list = f.by_addr.entry(addr).or_default();
        list.retain(|t| *t > window);
        list.push_back(at);
        while list.len() > Self::PER_ADDRESS {
            list.pop_front();
        }
        let due = f.last_sweep.is_none_or(|last| last <= window);
        if due || f.by_pair.len() > Self::MAX_KEYS || f.by_addr.len() > Self::MAX_KEYS {
            sweep(&mut f, forgotten, window);
            f.last_sweep = Some(at);
        }
    }

    /// Forgets the failures of a login id from an address (after it signed in from there).
    /// Its failures from other addresses, and the address's count, stay.
    pub fn clear(&self, login_id: &str, addr: IpAddr) {
        self.lock()
            .by_pair
            .remove(&(login_key(login_id), addr_key(addr)));
    }

    /// How many pairs of login id and address, and how many addresses, are tracked (to check
    /// that memory stays bounded).
    pub fn tracked(&self) -> (usize, usize) {
        let f = self.lock();
        (f.by_pair.len(), f.by_addr.len())
    }
}

/// Drops forgotten pairs and addresses without failures in the window; then, above
/// [`LoginLimiter::MAX_KEYS`], the pairs with the fewest failures (the least recently failing
/// first) and the least recently failing addresses, down to nine tenths of the limit (so that
/// the sort is rarely repeated).
fn sweep(f: &mut Failures, forgotten: Timestamp, window: Timestamp) {
    let max = LoginLimiter::MAX_KEYS;
    f.by_pair.retain(|_, p| p.last > forgotten);
    if f.by_pair.len() > max {
        let mut order: Vec<((u32, Timestamp), (String, IpAddr))> = f
            .by_pair
            .iter()
            .map(|(k, p)| ((p.count, p.last), k.clone()))
            .collect();
        order.sort_by_key(|(rank, _)| *rank);
        let excess = f.by_pair.len() - max / 10 * 9;
        for (_, k) in order.into_iter().take(excess) {
            f.by_pair.remove(&k);
        }
    }
    f.by_addr.retain(|_, list| {
        list.retain(|t| *t > window);
        !list.is_empty()
    });
    if f.by_addr.len() > max {
        let mut order: Vec<(Timestamp, IpAddr)> = f
            .by_addr
            .iter()
            .map(|(k, l)| (l.back().copied().unwrap_or(Timestamp::MIN), *k))
            .collect();
        order.sort_by_key(|(t, _)| *t);
        let excess = f.by_addr.len() - max / 10 * 9;
        for (_, k) in order.into_iter().take(excess) {
            f.by_addr.remove(&k);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_counts_per_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(addr_key(a), addr_key(b));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(addr_key(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn the_delay_doubles_from_the_sixth_failure_up_to_fifteen_minutes() {
        let at = Timestamp::from_millis(0).unwrap();
        let minutes: Vec<u64> = (0..=12)
            .map(|count| PairFailures { count, last: at }.delay().as_secs() / 60)
            .collect();
        assert_eq!(minutes, [0, 0, 0, 0, 0, 1, 2, 4, 8, 15, 15, 15, 15]);
        let huge = PairFailures {
            count: u32::MAX,
            last: at,
        };
        assert_eq!(huge.delay(), LoginLimiter::MAX_DELAY);
    }
}
