//! An epoll [`Poller`] for the blocking worker loops (no async runtime on the packet path) and an
//! eventfd [`Waker`] to interrupt them (shutdown, new FIB, new queue).
//!
//! Typical worker loop: register every queue fd the worker owns with its index as token, plus a
//! [`Waker`]; `wait` with a timeout (so idle expiry and stats still run); for each ready token
//! read a bounded batch of frames from that queue, process, write out.
//!
//! Registrations are level-triggered by default, so a queue that was not drained completely is
//! reported again on the next `wait` (fair across queues with a bounded batch). Edge-triggered
//! registration is available for loops that always drain to `EAGAIN`.
//! Hang-ups and errors are reported as ready too; the following `recv` surfaces the error.

use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use nix::sys::eventfd::{EfdFlags, EventFd};

use super::{IoError, Result};

/// Waits on many fds at once; each registration carries a caller-chosen `u64` token.
#[derive(Debug)]
pub struct Poller {
    epoll: Epoll,
    events: Vec<EpollEvent>,
}

impl Poller {
    /// A poller returning up to 64 ready fds per `wait`.
    pub fn new() -> Result<Poller> {
        Self::with_capacity(64)
    }

    /// A poller returning up to `capacity` (≥ 1) ready fds per `wait`.
    pub fn with_capacity(capacity: usize) -> Result<Poller> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)
            .map_err(|e| IoError::sys("epoll", "epoll_create1", e))?;
        Ok(Poller { epoll, events: vec![EpollEvent::empty(); capacity.max(1)] })
    }

    /// Watches `fd` for readability (level-triggered), reported as `token`.
    pub fn add<F: AsFd>(&self, fd: &F, token: u64) -> Result<()> {
        self.add_flags(fd.as_fd(), token, EpollFlags::EPOLLIN, "EPOLL_CTL_ADD")
    }

    /// Watches `fd` for readability, edge-triggered: reported once per arrival burst, so the
    /// caller must drain it until `WouldBlock`.
    pub fn add_edge_triggered<F: AsFd>(&self, fd: &F, token: u64) -> Result<()> {
        self.add_flags(
            fd.as_fd(),
            token,
            EpollFlags::EPOLLIN | EpollFlags::EPOLLET,
            "EPOLL_CTL_ADD (edge-triggered)",
        )
    }

    fn add_flags(&self, fd: BorrowedFd<'_>, token: u64, flags: EpollFlags, op: &str) -> Result<()> {
        self.epoll
            .add(fd, EpollEvent::new(flags, token))
            .map_err(|e| IoError::sys("epoll", format!("{op} token {token}"), e))
    }

    /// Stops watching `fd`.
    pub fn delete<F: AsFd>(&self, fd: &F) -> Result<()> {
        self.epoll.delete(fd.as_fd()).map_err(|e| IoError::sys("epoll", "EPOLL_CTL_DEL", e))
    }

    /// Waits until at least one fd is ready or `timeout` passes (`None`: forever) and returns
    /// the tokens of the ready fds. A timeout is rounded *up* to whole milliseconds (so a short
    /// timeout never turns into a busy loop). Interrupted by a signal: returns no tokens.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<impl ExactSizeIterator<Item = u64> + '_> {
        let t = match timeout {
            None => EpollTimeout::NONE,
            Some(d) => {
                let ms = d.as_nanos().div_ceil(1_000_000);
                EpollTimeout::try_from(ms).unwrap_or(EpollTimeout::MAX)
            }
        };
        let n = match self.epoll.wait(&mut self.events, t) {
            Ok(n) => n,
            Err(Errno::EINTR) => 0,
            Err(e) => return Err(IoError::sys("epoll", "epoll_wait", e)),
        };
        Ok(self.events[..n].iter().map(|e| e.data()))
    }
}

/// Wakes a thread blocked in [`Poller::wait`]: register it with [`Poller::add`] under a reserved
/// token; [`Waker::wake`] makes it ready until [`Waker::reset`]. `Send + Sync`; share via `Arc`.
#[derive(Debug)]
pub struct Waker {
    fd: EventFd,
}

impl Waker {
    /// A non-blocking eventfd.
    pub fn new() -> Result<Waker> {
        let fd = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)
            .map_err(|e| IoError::sys("eventfd", "eventfd2", e))?;
        Ok(Waker { fd })
    }

    /// Makes the waker readable (idempotent until reset).
    pub fn wake(&self) -> Result<()> {
        match self.fd.write(1) {
            // EAGAIN: the counter is saturated, i.e. already readable.
            Ok(_) | Err(Errno::EAGAIN) => Ok(()),
            Err(e) => Err(IoError::sys("eventfd", "write", e)),
        }
    }

    /// Clears the readable state (call after being woken).
    pub fn reset(&self) -> Result<()> {
        match self.fd.read() {
            Ok(_) | Err(Errno::EAGAIN) => Ok(()),
            Err(e) => Err(IoError::sys("eventfd", "read", e)),
        }
    }
}

impl AsFd for Waker {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Instant;

    #[test]
    fn timeout_waker_and_delete() {
        let mut p = Poller::new().unwrap();
        let w = Arc::new(Waker::new().unwrap());
        p.add(&*w, 7).unwrap();

        let t0 = Instant::now();
        assert_eq!(p.wait(Some(Duration::from_micros(1500))).unwrap().len(), 0);
        assert!(t0.elapsed() >= Duration::from_millis(1), "rounded up, not busy");

        let w2 = Arc::clone(&w);
        let th = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            w2.wake().unwrap();
        });
        let got: Vec<u64> = p.wait(Some(Duration::from_secs(5))).unwrap().collect();
        assert_eq!(got, vec![7]);
        th.join().unwrap();

        // Level-triggered: still ready until reset.
        assert_eq!(p.wait(Some(Duration::ZERO)).unwrap().len(), 1);
        w.reset().unwrap();
        assert_eq!(p.wait(Some(Duration::ZERO)).unwrap().len(), 0);

        w.wake().unwrap();
        p.delete(&*w).unwrap();
        assert_eq!(p.wait(Some(Duration::ZERO)).unwrap().len(), 0);
        assert!(p.delete(&*w).is_err(), "deleting twice is an error naming epoll");
    }

    #[test]
    fn edge_triggered_reports_once() {
        let mut p = Poller::with_capacity(4).unwrap();
        let w = Waker::new().unwrap();
        p.add_edge_triggered(&w, 1).unwrap();
        w.wake().unwrap();
        assert_eq!(p.wait(Some(Duration::ZERO)).unwrap().collect::<Vec<_>>(), vec![1]);
        assert_eq!(p.wait(Some(Duration::ZERO)).unwrap().len(), 0);
    }
}
