//! Named network namespaces, compatible with iproute2 (`ip netns …`).
//!
//! A namespace named `NAME` is an nsfs bind mount at `/run/netns/NAME`, exactly as `ip netns add`
//! makes it, so `ip netns exec NAME …`, `ip -n NAME …` and `ip netns list` work on ours and we work
//! on theirs.
//!
//! # Invariants
//! - **The calling thread never changes namespace.** [`create`] unshares on a dedicated thread that
//!   exits afterwards; [`in_netns`] runs its closure on a dedicated (scoped) thread that has
//!   `setns`'d into the namespace and is joined before it returns.
//! - **The host namespace is never entered.** [`in_netns`] refuses a name bound to the process's own
//!   namespace or to PID 1's ([`IoError::HostNetns`]). [`delete`] only unbinds the name; it never
//!   looks inside.
//! - Names are validated (`^[A-Za-z0-9_.-]{1,64}$`, not `.`/`..`) before any path is built.
//! - A new namespace has `lo` up ([`create`] brings it up on the unsharing thread).
//!
//! # Things to know
//! - Threads spawned *from inside* an [`in_netns`] closure inherit that namespace (Linux copies the
//!   spawning thread's namespaces), and so does anything they open.
//! - Sockets, TUN fds and netlink sockets opened on a namespace thread stay bound to that namespace
//!   when used from other threads; this is how the data plane keeps one fd per VPC.
//! - `/proc/sys/net/…` is resolved against the *opening thread's* namespace, so sysctls written
//!   from an [`in_netns`] thread land in that namespace (tested in `tests/`). `/proc/net` and
//!   `/sys/class/net`, however, follow the process / the sysfs mount and are NOT namespace-correct
//!   from such a thread: use netlink (see [`super::link`]).
//! - A namespace lives as long as its name, an open fd or a socket (TUN fds included) refers to it:
//!   [`delete`] removes the name; the namespace itself goes when the last fd or socket is closed.

use std::fs;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use nix::sched::{CloneFlags, setns, unshare};
use nix::sys::stat::{Mode, fstat};
use nix::unistd::unlink;

use super::{IoError, Result, ns_target};

/// Where iproute2 (and we) keep the namespace bind mounts.
pub const NETNS_RUN_DIR: &str = "/run/netns";

/// Longest accepted namespace name.
pub const MAX_NAME_LEN: usize = 64;

/// Checks a namespace name: `^[A-Za-z0-9_.-]{1,64}$` and not `.` or `..`.
pub fn validate_name(name: &str) -> Result<()> {
    let bad = |reason| Err(IoError::InvalidNetnsName { name: name.to_owned(), reason });
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > MAX_NAME_LEN {
        return bad("longer than 64 bytes");
    }
    if name == "." || name == ".." {
        return bad("'.' and '..' are not names");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')) {
        return bad("only A-Z a-z 0-9 _ . - are allowed");
    }
    Ok(())
}

/// `/run/netns/NAME` (validates the name first).
pub fn path_of(name: &str) -> Result<PathBuf> {
    validate_name(name)?;
    Ok(Path::new(NETNS_RUN_DIR).join(name))
}

/// Identity of a network namespace: the nsfs device and inode (what `stat -L /proc/PID/ns/net`
/// shows). Two handles refer to the same namespace iff their ids are equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NetnsId {
    pub dev: u64,
    pub ino: u64,
}

impl NetnsId {
    /// The namespace the *calling thread* is in.
    pub fn of_current_thread() -> Result<NetnsId> {
        Self::of_path("/proc/thread-self/ns/net", "current thread")
    }

    /// The namespace of this process's main thread (the "host" for privlinkd).
    pub fn of_process() -> Result<NetnsId> {
        Self::of_path("/proc/self/ns/net", "process")
    }

    /// The namespace bound at `/run/netns/NAME`.
    pub fn of_name(name: &str) -> Result<NetnsId> {
        let fd = open_ns_fd(name)?;
        Self::of_fd(&fd, name)
    }

    fn of_fd(fd: &OwnedFd, name: &str) -> Result<NetnsId> {
        let st = fstat(fd).map_err(|e| IoError::sys(ns_target(name), "fstat", e))?;
        Ok(NetnsId { dev: st.st_dev, ino: st.st_ino })
    }

    fn of_path(path: &str, what: &str) -> Result<NetnsId> {
        let md = fs::metadata(path)
            .map_err(|e| IoError::from_io(format!("netns of {what}"), format!("stat {path}"), &e))?;
        Ok(NetnsId { dev: md.dev(), ino: md.ino() })
    }
}

// ioctl(NS_GET_NSTYPE) = _IO(0xb7, 0x3): the CLONE_NEW* type of an nsfs fd.
const NS_GET_NSTYPE: libc::Ioctl = nix::request_code_none!(0xb7, 0x3) as libc::Ioctl;

/// Opens `/run/netns/NAME` and checks that it is a network namespace (not a stale file).
fn open_ns_fd(name: &str) -> Result<OwnedFd> {
    let path = path_of(name)?;
    let fd = match open(&path, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) => {
            return Err(IoError::NetnsNotFound { netns: name.to_owned() });
        }
        Err(e) => {
            return Err(IoError::sys(ns_target(name), format!("open {}", path.display()), e));
        }
    };
    // SAFETY: NS_GET_NSTYPE takes no argument and only reads the fd's namespace type.
    let ty = unsafe { libc::ioctl(fd.as_raw_fd(), NS_GET_NSTYPE) };
    if ty == -1 {
        // ENOTTY: a plain file (e.g. left by a failed `ip netns add`), not an nsfs mount.
        return match Errno::last() {
            Errno::ENOTTY | Errno::EINVAL => Err(IoError::NetnsNotFound { netns: name.to_owned() }),
            e => Err(IoError::sys(ns_target(name), "ioctl(NS_GET_NSTYPE)", e)),
        };
    }
    if ty != libc::CLONE_NEWNET {
        return Err(IoError::NetnsNotFound { netns: name.to_owned() });
    }
    Ok(fd)
}

/// Opens the namespace for `setns`, refusing the host namespace.
fn open_for_entry(name: &str) -> Result<OwnedFd> {
    let fd = open_ns_fd(name)?;
    let id = NetnsId::of_fd(&fd, name)?;
    let host = NetnsId::of_process()?;
    // PID 1's namespace may be unreadable in exotic setups; the process's own check still holds.
    let init = NetnsId::of_path("/proc/1/ns/net", "pid 1").ok();
    if id == host || Some(id) == init {
        return Err(IoError::HostNetns { netns: name.to_owned() });
    }
    Ok(fd)
}

/// Whether `/run/netns/NAME` exists and is a network namespace.
pub fn exists(name: &str) -> Result<bool> {
    match open_ns_fd(name) {
        Ok(_) => Ok(true),
        Err(IoError::NetnsNotFound { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Makes `/run/netns` exist and be a shared mount, as iproute2 does: bind-mount it onto itself
/// if it is not a mount point yet, then `--make-rshared`, so that our nsfs bind mounts propagate
/// into mount namespaces created later (e.g. by `ip netns exec`).
fn ensure_run_dir() -> Result<()> {
    let dir = NETNS_RUN_DIR;
    match fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(IoError::from_io(dir, "mkdir", &e)),
    }
    let make_shared =
        || mount(None::<&str>, dir, Some("none"), MsFlags::MS_SHARED | MsFlags::MS_REC, None::<&str>);
    match make_shared() {
        Ok(()) => Ok(()),
        Err(Errno::EINVAL) => {
            // Not a mount point yet.
            mount(Some(dir), dir, Some("none"), MsFlags::MS_BIND | MsFlags::MS_REC, None::<&str>)
                .map_err(|e| IoError::sys(dir, "bind-mount onto itself", e))?;
            make_shared().map_err(|e| IoError::sys(dir, "mount --make-rshared", e))
        }
        Err(e) => Err(IoError::sys(dir, "mount --make-rshared", e)),
    }
}

/// Sets `lo` of the calling thread's namespace up (an ioctl rather than rtnetlink, so that
/// this module does not need the `link` module, which needs this one).
fn loopback_up_here() -> std::result::Result<(), Errno> {
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, socket};
    let sock = socket(AddressFamily::Inet, SockType::Datagram, SockFlag::SOCK_CLOEXEC, None)?;
    // SAFETY: ifreq is plain old data; all-zero is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in ifr.ifr_name.iter_mut().zip(b"lo") {
        *dst = *src as libc::c_char;
    }
    // SAFETY: SIOCGIFFLAGS and SIOCSIFFLAGS read and write one `struct ifreq`, which `ifr` is;
    // reading `ifru_flags` after SIOCGIFFLAGS filled it is reading what the kernel wrote.
    unsafe {
        Errno::result(libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut ifr as *mut libc::ifreq))?;
        ifr.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
        Errno::result(libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &ifr as *const libc::ifreq))?;
    }
    Ok(())
}

/// Creates the named namespace with `lo` up.
///
/// Fails with [`IoError::NetnsExists`] if the name is taken. On any failure nothing is left
/// behind (the name is unbound and the file removed).
pub fn create(name: &str) -> Result<()> {
    let path = path_of(name)?;
    ensure_run_dir()?;
    match open(&path, OFlag::O_RDONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_CLOEXEC, Mode::empty()) {
        Ok(fd) => drop(fd),
        Err(Errno::EEXIST) => {
            return Err(IoError::NetnsExists { netns: name.to_owned() });
        }
        Err(e) => {
            return Err(IoError::sys(ns_target(name), format!("create {}", path.display()), e));
        }
    }

    let owned_name = name.to_owned();
    let mount_path = path.clone();
    let spawned = std::thread::Builder::new().name("pl-netns-new".into()).spawn(move || -> Result<()> {
        let target = ns_target(&owned_name);
        // Only this thread moves into the new namespace; it exits right after.
        unshare(CloneFlags::CLONE_NEWNET).map_err(|e| IoError::sys(&target, "unshare(CLONE_NEWNET)", e))?;
        mount(Some("/proc/thread-self/ns/net"), &mount_path, Some("none"), MsFlags::MS_BIND, None::<&str>)
            .map_err(|e| IoError::sys(&target, format!("bind-mount onto {}", mount_path.display()), e))?;
        loopback_up_here().map_err(|e| IoError::sys(&target, "bring lo up (SIOCSIFFLAGS)", e))
    });
    let result = match spawned {
        Ok(handle) => handle.join().unwrap_or_else(|p| {
            Err(IoError::ThreadPanicked {
                target: ns_target(name),
                op: "create".into(),
                message: panic_message(&p),
            })
        }),
        Err(e) => Err(IoError::from_io(ns_target(name), "spawn thread", &e)),
    };
    if let Err(e) = result {
        let _ = umount2(&path, MntFlags::MNT_DETACH);
        let _ = unlink(&path);
        return Err(e);
    }
    Ok(())
}

/// Creates the namespace if it does not exist. Returns whether it was created.
pub fn ensure(name: &str) -> Result<bool> {
    if exists(name)? {
        return Ok(false);
    }
    match create(name) {
        Ok(()) => Ok(true),
        Err(IoError::NetnsExists { .. }) if exists(name)? => Ok(false),
        Err(e) => Err(e),
    }
}

/// Unbinds and removes `/run/netns/NAME` (`ip netns delete`). The namespace itself is freed by
/// the kernel once nothing else (a TUN fd, a socket, a process) refers to it.
///
/// Fails with [`IoError::NetnsNotFound`] if there is no such name.
pub fn delete(name: &str) -> Result<()> {
    let path = path_of(name)?;
    match umount2(&path, MntFlags::MNT_DETACH) {
        // EINVAL: not a mount point (stale file); ENOENT: handled by unlink below.
        Ok(()) | Err(Errno::EINVAL) | Err(Errno::ENOENT) => {}
        Err(e) => {
            return Err(IoError::sys(ns_target(name), format!("umount {}", path.display()), e));
        }
    }
    match unlink(&path) {
        Ok(()) => Ok(()),
        Err(Errno::ENOENT) => Err(IoError::NetnsNotFound { netns: name.to_owned() }),
        Err(e) => Err(IoError::sys(ns_target(name), format!("unlink {}", path.display()), e)),
    }
}

/// First line of every resolv.conf privlink writes; files without it are never touched.
const RESOLV_MARKER: &str = "# written by privlinkd";

/// `/etc/netns/NAME/resolv.conf`: what `ip netns exec NAME` shows its processes as
/// `/etc/resolv.conf`.
fn resolv_conf_path(name: &str) -> Result<PathBuf> {
    validate_name(name)?;
    Ok(Path::new("/etc/netns").join(name).join("resolv.conf"))
}

/// Points the namespace's resolver configuration at `nameserver` (`about` goes into a comment),
/// unless a file privlink did not write is already there. Returns whether it wrote.
pub fn set_resolv_conf(name: &str, nameserver: std::net::Ipv4Addr, about: &str) -> Result<bool> {
    let path = resolv_conf_path(name)?;
    if fs::read_to_string(&path).is_ok_and(|c| !c.starts_with(RESOLV_MARKER)) {
        return Ok(false);
    }
    let io = |op: &str, e: std::io::Error| {
        IoError::sys(
            ns_target(name),
            format!("{op} {}", path.display()),
            Errno::from_raw(e.raw_os_error().unwrap_or(0)),
        )
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| io("mkdir", e))?;
    }
    fs::write(&path, format!("{RESOLV_MARKER}: {about}\nnameserver {nameserver}\n"))
        .map_err(|e| io("write", e))?;
    Ok(true)
}

/// Removes the namespace's resolver configuration if privlink wrote it (and its directory if
/// that leaves it empty).
pub fn clear_resolv_conf(name: &str) -> Result<()> {
    let path = resolv_conf_path(name)?;
    if fs::read_to_string(&path).is_ok_and(|c| c.starts_with(RESOLV_MARKER)) {
        let _ = fs::remove_file(&path);
        if let Some(dir) = path.parent() {
            let _ = fs::remove_dir(dir);
        }
    }
    Ok(())
}

/// Runs `f` on a dedicated thread that has `setns`'d into namespace `name`, and returns its
/// result. The calling thread's namespace is never changed. `f` may borrow from the caller (the
/// thread is scoped and joined before this returns).
///
/// Errors: the name is invalid, missing or bound to the host namespace, `setns` failed, or `f`
/// panicked ([`IoError::ThreadPanicked`]). Errors of `f` itself are inside `T`.
pub fn in_netns<F, T>(name: &str, f: F) -> Result<T>
where
    F: FnOnce() -> T + Send,
    T: Send,
{
    let fd = open_for_entry(name)?;
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("pl-netns".into())
            .spawn_scoped(s, move || -> Result<T> {
                setns(fd.as_fd(), CloneFlags::CLONE_NEWNET)
                    .map_err(|e| IoError::sys(ns_target(name), "setns(CLONE_NEWNET)", e))?;
                drop(fd);
                Ok(f())
            })
            .map_err(|e| IoError::from_io(ns_target(name), "spawn thread", &e))?;
        handle.join().unwrap_or_else(|p| {
            Err(IoError::ThreadPanicked {
                target: ns_target(name),
                op: "in_netns closure".into(),
                message: panic_message(&p),
            })
        })
    })
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}

/// An owned namespace: deletes it when dropped (unless [`NetnsGuard::keep`] was called).
///
/// For tests (cleanup on failure); privlinkd tracks its namespaces with marks instead (see the
/// fabric), since a guard does not survive a crash.
#[derive(Debug)]
pub struct NetnsGuard {
    name: String,
    armed: bool,
}

impl NetnsGuard {
    /// Creates the namespace (see [`create`]) and owns it.
    pub fn create(name: &str) -> Result<NetnsGuard> {
        create(name)?;
        Ok(NetnsGuard { name: name.to_owned(), armed: true })
    }

    /// Takes ownership of an existing namespace: it will be deleted on drop.
    pub fn adopt(name: &str) -> Result<NetnsGuard> {
        if !exists(name)? {
            return Err(IoError::NetnsNotFound { netns: name.to_owned() });
        }
        Ok(NetnsGuard { name: name.to_owned(), armed: true })
    }

    /// The namespace's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// [`in_netns`] on this namespace.
    pub fn run<F, T>(&self, f: F) -> Result<T>
    where
        F: FnOnce() -> T + Send,
        T: Send,
    {
        in_netns(&self.name, f)
    }

    /// Deletes the namespace now, reporting errors (a missing name counts as deleted).
    pub fn delete(mut self) -> Result<()> {
        self.armed = false;
        match delete(&self.name) {
            Ok(()) | Err(IoError::NetnsNotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Disarms the guard: the namespace outlives it. Returns the name.
    pub fn keep(mut self) -> String {
        self.armed = false;
        std::mem::take(&mut self.name)
    }
}

impl Drop for NetnsGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        match delete(&self.name) {
            Ok(()) | Err(IoError::NetnsNotFound { .. }) => {}
            Err(e) => tracing::warn!(error = %e, "dropping NetnsGuard"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "pl-vpc-a", "pl_x.y-1", &"x".repeat(64)] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "a b", "ä", &"x".repeat(65), "a\0b", "../x"] {
            assert!(matches!(validate_name(bad), Err(IoError::InvalidNetnsName { .. })), "{bad:?}");
        }
        assert_eq!(path_of("pl-a").unwrap(), Path::new("/run/netns/pl-a"));
        assert!(path_of("../etc").is_err());
    }

    #[test]
    fn error_messages_name_the_namespace() {
        let e = IoError::sys(ns_target("pl-a"), "setns(CLONE_NEWNET)", Errno::EPERM);
        let s = e.to_string();
        assert!(s.contains("netns pl-a") && s.contains("setns") && s.contains("EPERM"), "{s}");
        assert_eq!(e.errno(), Some(Errno::EPERM));
    }
}
