//! Link, address, route and sysctl configuration **inside** a named namespace.
//!
//! Every free function takes the namespace name and runs on a thread inside it
//! ([`super::netns::in_netns`]); nothing here can reach the host namespace. To make several changes
//! with one thread, one runtime and one netlink socket, use [`configure`], which hands a
//! [`LinkCtl`] to a closure running in the namespace.
//!
//! # Why `rtnetlink`
//! The `rtnetlink` crate (tokio) speaks RTM_* messages directly, so no `ip` process is forked, errors
//! come back as the kernel's errno (mapped to [`IoError::Netlink`] with `errno`), and, decisively,
//! the `NETLINK_ROUTE` socket it opens is created on the namespace thread and therefore bound to
//! that namespace for its whole life, whichever thread later polls it. The runtime is a
//! current-thread tokio runtime living on the namespace thread for the duration of one
//! [`configure`] call; this is control-plane code, never the packet path. (`neli` or raw
//! `netlink-packet-route` would also work but mean hand-rolling request/ack/dump handling that
//! `rtnetlink` already has.) Nothing here shells out to `ip`.
//!
//! # Idempotency
//! Adding an address that exists, removing one that is absent, replacing the default route and
//! removing a missing one are all `Ok`.
//!
//! # Sysctls
//! Only `net.*` keys are accepted: they are per-namespace (global `net.core.*` knobs are simply
//! absent in a child namespace, so a write fails with `ENOENT` rather than reaching the host).
//! `/proc/sys/net` is resolved against the writing thread's namespace, which is why the write is
//! done by the namespace thread itself (verified by the integration tests against the host's
//! value and `ip netns exec NAME sysctl`).

use std::fs;
use std::io::Write;
use std::marker::PhantomData;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use futures_util::TryStreamExt;
use nix::errno::Errno;
use rtnetlink::packet_route::address::{AddressAttribute, AddressMessage};
use rtnetlink::packet_route::link::{LinkAttribute, LinkFlags, LinkMessage};
use rtnetlink::packet_route::route::RouteScope;
use rtnetlink::{AddressMessageBuilder, Handle, LinkUnspec, RouteMessageBuilder};

use super::netns::in_netns;
use super::{IoError, Result, dev_target, ns_target};

/// Longest Linux interface name (IFNAMSIZ - 1).
pub const MAX_DEVICE_NAME_LEN: usize = 15;

/// Checks an interface name: 1..=15 bytes, no `/`, `:`, whitespace or NUL, not `.`/`..`.
pub fn validate_device_name(name: &str) -> Result<()> {
    let bad = |reason| Err(IoError::InvalidDeviceName { name: name.to_owned(), reason });
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > MAX_DEVICE_NAME_LEN {
        return bad("longer than 15 bytes");
    }
    if name == "." || name == ".." {
        return bad("'.' and '..' are not names");
    }
    if name.bytes().any(|b| b == b'/' || b == b':' || b == 0 || b.is_ascii_whitespace() || !b.is_ascii()) {
        return bad("contains '/', ':', whitespace, NUL or non-ASCII");
    }
    Ok(())
}

/// One address of an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IfAddr {
    pub addr: IpAddr,
    pub prefix_len: u8,
}

impl std::fmt::Display for IfAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)
    }
}

/// What RTM_GETLINK says about an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkInfo {
    pub name: String,
    pub index: u32,
    pub mtu: Option<u32>,
    /// Administratively up (`IFF_UP`).
    pub up: bool,
    /// Carrier up (`IFF_LOWER_UP`); a TUN has it while at least one queue fd is attached.
    pub lower_up: bool,
    /// Packets the namespace sent into the device (for a TUN: towards privlinkd).
    pub tx_packets: u64,
    /// Packets the device delivered to the namespace (for a TUN: written by privlinkd).
    pub rx_packets: u64,
    /// Packets the kernel dropped on transmit (for a TUN: its queue to privlinkd was full).
    pub tx_dropped: u64,
}

impl LinkInfo {
    /// What an RTM_NEWLINK answer says (`dev`: the name asked for, if the answer has none).
    fn of(dev: &str, msg: &LinkMessage) -> LinkInfo {
        let mut name = dev.to_owned();
        let mut mtu = None;
        let (mut tx_packets, mut rx_packets, mut tx_dropped) = (0, 0, 0);
        for attr in &msg.attributes {
            match attr {
                LinkAttribute::IfName(n) => name.clone_from(n),
                LinkAttribute::Mtu(m) => mtu = Some(*m),
                LinkAttribute::Stats64(st) => {
                    (tx_packets, rx_packets, tx_dropped) = (st.tx_packets, st.rx_packets, st.tx_dropped);
                }
                _ => {}
            }
        }
        LinkInfo {
            name,
            index: msg.header.index,
            mtu,
            up: msg.header.flags.contains(LinkFlags::Up),
            lower_up: msg.header.flags.contains(LinkFlags::LowerUp),
            tx_packets,
            rx_packets,
            tx_dropped,
        }
    }
}

/// Reads one device's [`LinkInfo`] through a netlink socket opened in its namespace once and
/// kept (a socket keeps its namespace): each read is one request and one answer on the
/// calling thread — no namespace thread, no async runtime.
#[derive(Debug)]
pub struct LinkReader {
    netns: String,
    dev: String,
    index: u32,
    sock: parking_lot::Mutex<rtnetlink::sys::Socket>,
}

impl LinkReader {
    /// Opens a reader of device `dev` (interface index `index`) in `netns`.
    pub fn open(netns: &str, dev: &str, index: u32) -> Result<LinkReader> {
        let target = dev_target(netns, dev);
        let sock = in_netns(netns, || {
            let mut sock = rtnetlink::sys::Socket::new(rtnetlink::sys::constants::NETLINK_ROUTE)?;
            sock.bind_auto()?;
            sock.connect(&rtnetlink::sys::SocketAddr::new(0, 0))?;
            Ok::<_, std::io::Error>(sock)
        })?
        .map_err(|e| IoError::from_io(&target, "open NETLINK_ROUTE socket", &e))?;
        Ok(LinkReader {
            netns: netns.to_owned(),
            dev: dev.to_owned(),
            index,
            sock: parking_lot::Mutex::new(sock),
        })
    }

    /// The device's current state and counters.
    pub fn read(&self) -> Result<LinkInfo> {
        use rtnetlink::packet_core::{NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload};
        use rtnetlink::packet_route::RouteNetlinkMessage;
        let target = dev_target(&self.netns, &self.dev);
        let failed = |detail: String| IoError::Netlink {
            target: target.clone(),
            op: "RTM_GETLINK".into(),
            errno: None,
            detail,
        };
        let mut msg = LinkMessage::default();
        msg.header.index = self.index;
        let mut req = NetlinkMessage::new(
            NetlinkHeader::default(),
            NetlinkPayload::from(RouteNetlinkMessage::GetLink(msg)),
        );
        req.header.flags = NLM_F_REQUEST;
        req.finalize();
        let mut buf = vec![0u8; req.buffer_len()];
        req.serialize(&mut buf);
        let sock = self.sock.lock();
        sock.send(&buf, 0).map_err(|e| IoError::from_io(&target, "send RTM_GETLINK", &e))?;
        let (answer, _) =
            sock.recv_from_full().map_err(|e| IoError::from_io(&target, "receive RTM_GETLINK", &e))?;
        drop(sock);
        let answer =
            NetlinkMessage::<RouteNetlinkMessage>::deserialize(&answer).map_err(|e| failed(e.to_string()))?;
        match answer.payload {
            NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewLink(m)) => Ok(LinkInfo::of(&self.dev, &m)),
            NetlinkPayload::Error(e) if e.raw_code() == -libc::ENODEV => {
                Err(IoError::NoSuchDevice { netns: self.netns.clone(), dev: self.dev.clone() })
            }
            NetlinkPayload::Error(e) => Err(IoError::Netlink {
                target,
                op: "RTM_GETLINK".into(),
                errno: Some(Errno::from_raw(e.raw_code().abs())),
                detail: e.to_string(),
            }),
            other => Err(failed(format!("unexpected answer {other:?}"))),
        }
    }
}

/// A netlink session inside one namespace. Only exists on a thread that is in that namespace
/// (it is created by [`configure`] and is `!Send`), so its sysctl writes are namespace-correct.
pub struct LinkCtl {
    netns: String,
    // Field order: the handle goes before the runtime that drives its connection.
    handle: Handle,
    rt: tokio::runtime::Runtime,
    _on_this_thread: PhantomData<*const ()>,
}

impl std::fmt::Debug for LinkCtl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkCtl").field("netns", &self.netns).finish()
    }
}

fn nl_error(target: String, op: impl Into<String>, e: rtnetlink::Error) -> IoError {
    let errno = match &e {
        rtnetlink::Error::NetlinkError(m) if m.raw_code() != 0 => Some(Errno::from_raw(m.raw_code().abs())),
        _ => None,
    };
    let detail = match errno {
        Some(errno) => errno.to_string(),
        None => e.to_string(),
    };
    IoError::Netlink { target, op: op.into(), errno, detail }
}

impl LinkCtl {
    /// Opens a netlink session on the calling thread, which must already be in `netns`
    /// (a thread of [`in_netns`], or the unsharing thread of [`super::netns::create`]).
    pub(crate) fn open_here(netns: &str) -> Result<LinkCtl> {
        let target = ns_target(netns);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .map_err(|e| IoError::from_io(&target, "build tokio runtime", &e))?;
        let handle = rt
            .block_on(async {
                let (conn, handle, _) = rtnetlink::new_connection()?;
                tokio::spawn(conn);
                Ok::<_, std::io::Error>(handle)
            })
            .map_err(|e| IoError::from_io(&target, "open NETLINK_ROUTE socket", &e))?;
        Ok(LinkCtl { netns: netns.to_owned(), handle, rt, _on_this_thread: PhantomData })
    }

    /// The namespace this session configures.
    pub fn netns(&self) -> &str {
        &self.netns
    }

    fn get_link(&self, dev: &str) -> Result<LinkMessage> {
        validate_device_name(dev)?;
        let req = self.handle.link().get().match_name(dev.to_owned()).execute();
        let res = self.rt.block_on(async {
            futures_util::pin_mut!(req);
            req.try_next().await
        });
        match res {
            Ok(Some(msg)) => Ok(msg),
            Ok(None) => Err(self.no_such_device(dev)),
            Err(e) => match nl_error(dev_target(&self.netns, dev), "RTM_GETLINK", e) {
                IoError::Netlink { errno: Some(Errno::ENODEV), .. } => Err(self.no_such_device(dev)),
                other => Err(other),
            },
        }
    }

    fn no_such_device(&self, dev: &str) -> IoError {
        IoError::NoSuchDevice { netns: self.netns.clone(), dev: dev.to_owned() }
    }

    /// The interface index of `dev` ([`IoError::NoSuchDevice`] if absent).
    pub fn index(&self, dev: &str) -> Result<u32> {
        Ok(self.get_link(dev)?.header.index)
    }

    /// Index, MTU, up/carrier state and packet counters of `dev`.
    pub fn link(&self, dev: &str) -> Result<LinkInfo> {
        Ok(LinkInfo::of(dev, &self.get_link(dev)?))
    }

    fn set_link(&self, dev: &str, op: &str, build: impl FnOnce(u32) -> LinkMessage) -> Result<()> {
        let index = self.index(dev)?;
        let req = self.handle.link().set(build(index)).execute();
        self.rt.block_on(req).map_err(|e| nl_error(dev_target(&self.netns, dev), op, e))
    }

    /// `ip link set DEV up`.
    pub fn set_up(&self, dev: &str) -> Result<()> {
        self.set_link(dev, "RTM_NEWLINK up", |i| LinkUnspec::new_with_index(i).up().build())
    }

    /// `ip link del DEV`.
    pub fn delete(&self, dev: &str) -> Result<()> {
        let index = self.index(dev)?;
        let req = self.handle.link().del(index).execute();
        self.rt.block_on(req).map_err(|e| nl_error(dev_target(&self.netns, dev), "RTM_DELLINK", e))
    }

    /// `ip link add NAME address MAC mtu MTU type veth peer PEER`, both ends in this namespace,
    /// both down, the peer with the same MTU and `peer_mac`. [`IoError::DeviceExists`] if
    /// either name is taken.
    pub fn add_veth(&self, name: &str, mac: [u8; 6], peer: &str, peer_mac: [u8; 6], mtu: u32) -> Result<()> {
        let msg = rtnetlink::LinkVeth::new(name, peer).address(mac.to_vec()).mtu(mtu).build();
        let r = self.rt.block_on(self.handle.link().add(msg).execute());
        exists_as(
            r.map_err(|e| nl_error(dev_target(&self.netns, name), "RTM_NEWLINK veth", e)),
            &self.netns,
            name,
        )?;
        self.set_link(peer, "RTM_NEWLINK peer address, mtu", |i| {
            LinkUnspec::new_with_index(i).address(peer_mac.to_vec()).mtu(mtu).build()
        })
    }

    /// `ip link set DEV arp off`: the kernel sends every frame to the device's own address
    /// and never asks for a neighbour (a point-to-point link that is Ethernet only in form).
    pub fn set_noarp(&self, dev: &str) -> Result<()> {
        self.set_link(dev, "RTM_NEWLINK arp off", |i| LinkUnspec::new_with_index(i).arp(false).build())
    }

    /// `ip link set DEV netns NETNS name NEW_NAME`: moves `dev` into the namespace of the open
    /// `/run/netns/NETNS` file `target` (named `target_name` in errors), renaming it on the way.
    /// [`IoError::DeviceExists`] if `NEW_NAME` is taken there.
    pub fn move_to_netns(
        &self,
        dev: &str,
        target: &std::os::fd::OwnedFd,
        target_name: &str,
        new_name: &str,
    ) -> Result<()> {
        use std::os::fd::AsRawFd;
        let r = self.set_link(dev, &format!("RTM_NEWLINK netns {target_name} name {new_name}"), |i| {
            LinkUnspec::new_with_index(i).setns_by_fd(target.as_raw_fd()).name(new_name.to_owned()).build()
        });
        exists_as(r, target_name, new_name)
    }

    /// `ethtool -K DEV tx off` (and with it TSO and every offload that needs checksum
    /// offload): the namespace's stack hands the device only complete, checksummed packets.
    /// For devices read without a virtio header, which could not say that a checksum is
    /// still to be filled in.
    pub fn disable_tx_offload(&self, dev: &str) -> Result<()> {
        const ETHTOOL_STXCSUM: u32 = 0x17;
        self.ethtool_set(dev, ETHTOOL_STXCSUM, 0, "ETHTOOL_STXCSUM 0")
    }

    /// One `SIOCETHTOOL` command taking a `struct ethtool_value`.
    fn ethtool_set(&self, dev: &str, cmd: u32, data: u32, what: &str) -> Result<()> {
        let target = dev_target(&self.netns, dev);
        self.index(dev)?;
        // SAFETY: a plain socket call; the fd is owned at once.
        let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
        if fd < 0 {
            return Err(IoError::sys(&target, "socket for SIOCETHTOOL", Errno::last()));
        }
        // SAFETY: fd was just returned by socket(2) and is owned by nothing else.
        let fd = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
        /// `struct ethtool_value` of `<linux/ethtool.h>` (not in `libc`).
        #[repr(C)]
        struct EthtoolValue {
            cmd: u32,
            data: u32,
        }
        let mut value = EthtoolValue { cmd, data };
        // SAFETY: ifreq is plain old data; all-zero is valid.
        let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
        for (d, s) in ifr.ifr_name.iter_mut().zip(dev.bytes()) {
            *d = s as libc::c_char;
        }
        ifr.ifr_ifru.ifru_data = (&mut value as *mut EthtoolValue).cast();
        // SAFETY: SIOCETHTOOL reads the ifreq and the ethtool_value it points to, both live.
        let r = unsafe {
            libc::ioctl(std::os::fd::AsRawFd::as_raw_fd(&fd), libc::SIOCETHTOOL, &mut ifr as *mut libc::ifreq)
        };
        Errno::result(r)
            .map(drop)
            .map_err(|e| IoError::sys(&target, format!("ioctl(SIOCETHTOOL, {what})"), e))
    }

    /// `ip link set DEV mtu MTU`.
    pub fn set_mtu(&self, dev: &str, mtu: u32) -> Result<()> {
        self.set_link(dev, &format!("RTM_NEWLINK mtu {mtu}"), |i| {
            LinkUnspec::new_with_index(i).mtu(mtu).build()
        })
    }

    /// `ip addr add ADDR/PREFIX dev DEV`; `Ok` if it is already there.
    pub fn add_address(&self, dev: &str, addr: IpAddr, prefix_len: u8) -> Result<()> {
        let index = self.index(dev)?;
        let req = self.handle.address().add(index, addr, prefix_len).execute();
        match self.rt.block_on(req) {
            Ok(()) => Ok(()),
            Err(e) => {
                match nl_error(dev_target(&self.netns, dev), format!("RTM_NEWADDR {addr}/{prefix_len}"), e) {
                    IoError::Netlink { errno: Some(Errno::EEXIST), .. } => Ok(()),
                    other => Err(other),
                }
            }
        }
    }

    /// `ip addr del ADDR/PREFIX dev DEV`; `Ok` if it is not there.
    pub fn del_address(&self, dev: &str, addr: IpAddr, prefix_len: u8) -> Result<()> {
        let index = self.index(dev)?;
        let msg: AddressMessage = match addr {
            IpAddr::V4(a) => {
                AddressMessageBuilder::<Ipv4Addr>::new().index(index).address(a, prefix_len).build()
            }
            IpAddr::V6(a) => {
                AddressMessageBuilder::<std::net::Ipv6Addr>::new().index(index).address(a, prefix_len).build()
            }
        };
        let req = self.handle.address().del(msg).execute();
        match self.rt.block_on(req) {
            Ok(()) => Ok(()),
            Err(e) => {
                match nl_error(dev_target(&self.netns, dev), format!("RTM_DELADDR {addr}/{prefix_len}"), e) {
                    IoError::Netlink { errno: Some(Errno::EADDRNOTAVAIL | Errno::ENOENT), .. } => Ok(()),
                    other => Err(other),
                }
            }
        }
    }

    /// Adds `addr/32` to `lo` (an instance address); `Ok` if present.
    pub fn add_lo_address(&self, addr: Ipv4Addr) -> Result<()> {
        self.add_address("lo", IpAddr::V4(addr), 32)
    }

    /// Removes `addr/32` from `lo`; `Ok` if absent.
    pub fn del_lo_address(&self, addr: Ipv4Addr) -> Result<()> {
        self.del_address("lo", IpAddr::V4(addr), 32)
    }

    /// All addresses (IPv4 and IPv6) on `dev`, in kernel order.
    pub fn addresses(&self, dev: &str) -> Result<Vec<IfAddr>> {
        let index = self.index(dev)?;
        let req = self.handle.address().get().set_link_index_filter(index).execute();
        let msgs: Vec<AddressMessage> = self
            .rt
            .block_on(req.try_collect())
            .map_err(|e| nl_error(dev_target(&self.netns, dev), "RTM_GETADDR", e))?;
        let mut out = Vec::new();
        for m in msgs.iter().filter(|m| m.header.index == index) {
            // IFA_LOCAL is the local address for IPv4 (IFA_ADDRESS is the peer on p2p links);
            // IPv6 only has IFA_ADDRESS.
            let local = m.attributes.iter().find_map(|a| match a {
                AddressAttribute::Local(ip) => Some(*ip),
                _ => None,
            });
            let addr = local.or_else(|| {
                m.attributes.iter().find_map(|a| match a {
                    AddressAttribute::Address(ip) => Some(*ip),
                    _ => None,
                })
            });
            if let Some(addr) = addr {
                out.push(IfAddr { addr, prefix_len: m.header.prefix_len });
            }
        }
        Ok(out)
    }

    /// `ip route replace default dev DEV [src SRC]` (main table, scope link, proto static).
    /// The device must be up (`ENETDOWN` otherwise) and `SRC` a local address (`EINVAL`).
    pub fn add_default_route(&self, dev: &str, src: Option<Ipv4Addr>) -> Result<()> {
        let index = self.index(dev)?;
        let mut b = RouteMessageBuilder::<Ipv4Addr>::new().output_interface(index).scope(RouteScope::Link);
        if let Some(src) = src {
            b = b.pref_source(src);
        }
        let req = self.handle.route().add(b.build()).replace().execute();
        let op = match src {
            Some(s) => format!("RTM_NEWROUTE default dev {dev} src {s}"),
            None => format!("RTM_NEWROUTE default dev {dev}"),
        };
        self.rt.block_on(req).map_err(|e| nl_error(dev_target(&self.netns, dev), op, e))
    }

    /// `net.ipv6.conf.DEV.disable_ipv6 = 1`. Do it before the device goes up, or the kernel
    /// may already have queued router solicitations / MLD reports into it. `Ok` if the kernel
    /// has no IPv6 at all.
    pub fn disable_ipv6(&self, dev: &str) -> Result<()> {
        self.index(dev)?; // NoSuchDevice rather than a bare ENOENT
        let path = PathBuf::from(format!("/proc/sys/net/ipv6/conf/{dev}/disable_ipv6"));
        match write_proc(&path, "1") {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(IoError::from_io(
                dev_target(&self.netns, dev),
                format!("write 1 to {}", path.display()),
                &e,
            )),
        }
    }

    /// Writes a `net.*` sysctl of this namespace. `key` is dotted (`net.ipv4.tcp_tw_reuse`) or,
    /// when a component contains a dot (e.g. a VLAN device), slash-separated
    /// (`net/ipv6/conf/eth0.5/disable_ipv6`).
    pub fn set_sysctl(&self, key: &str, value: &str) -> Result<()> {
        let path = sysctl_path(key)?;
        write_proc(&path, value).map_err(|e| {
            IoError::from_io(
                ns_target(&self.netns),
                format!("sysctl {key}={value:?} ({})", path.display()),
                &e,
            )
        })
    }

    /// Reads a `net.*` sysctl of this namespace (trailing newline removed).
    pub fn get_sysctl(&self, key: &str) -> Result<String> {
        let path = sysctl_path(key)?;
        let s = fs::read_to_string(&path).map_err(|e| {
            IoError::from_io(ns_target(&self.netns), format!("read sysctl {key} ({})", path.display()), &e)
        })?;
        Ok(s.trim_end_matches('\n').to_owned())
    }
}

/// A netlink `EEXIST` as [`IoError::DeviceExists`] for device `dev` in `netns`.
fn exists_as(r: Result<()>, netns: &str, dev: &str) -> Result<()> {
    match r {
        Err(IoError::Netlink { errno: Some(Errno::EEXIST), .. }) => {
            Err(IoError::DeviceExists { netns: netns.to_owned(), dev: dev.to_owned() })
        }
        r => r,
    }
}

fn write_proc(path: &std::path::Path, value: &str) -> std::io::Result<()> {
    let mut f = fs::OpenOptions::new().write(true).open(path)?;
    f.write_all(value.as_bytes())
}

/// `/proc/sys/net/…` for a `net.*` key; rejects anything that could escape `/proc/sys/net`.
pub fn sysctl_path(key: &str) -> Result<PathBuf> {
    let bad = |reason| Err(IoError::InvalidSysctlKey { key: key.to_owned(), reason });
    let parts: Vec<&str> =
        if key.contains('/') { key.split('/').collect() } else { key.split('.').collect() };
    if parts.first() != Some(&"net") {
        return bad("only net.* sysctls (per network namespace) may be set");
    }
    if parts.len() < 2 {
        return bad("too short");
    }
    for p in &parts {
        if p.is_empty() || *p == "." || *p == ".." || p.bytes().any(|b| b == 0 || b.is_ascii_whitespace()) {
            return bad("empty, '.', '..', NUL or whitespace component");
        }
    }
    Ok(PathBuf::from("/proc/sys").join(parts.join("/")))
}

/// Runs `f` with a [`LinkCtl`] on a thread inside `netns` (one thread, one runtime, one netlink
/// socket for all of `f`'s changes).
pub fn configure<F, T>(netns: &str, f: F) -> Result<T>
where
    F: FnOnce(&LinkCtl) -> Result<T> + Send,
    T: Send,
{
    in_netns(netns, || {
        let ctl = LinkCtl::open_here(netns)?;
        f(&ctl)
    })?
}

/// `ip -n NETNS link set DEV mtu MTU`.
pub fn set_mtu(netns: &str, dev: &str, mtu: u32) -> Result<()> {
    configure(netns, |c| c.set_mtu(dev, mtu))
}

/// Index, MTU and state of `dev` in `netns`.
pub fn link_info(netns: &str, dev: &str) -> Result<LinkInfo> {
    configure(netns, |c| c.link(dev))
}

/// `ip -n NETNS addr add ADDR/32 dev lo`; `Ok` if present.
pub fn add_lo_address(netns: &str, addr: Ipv4Addr) -> Result<()> {
    configure(netns, |c| c.add_lo_address(addr))
}

/// `ip -n NETNS addr del ADDR/32 dev lo`; `Ok` if absent.
pub fn del_lo_address(netns: &str, addr: Ipv4Addr) -> Result<()> {
    configure(netns, |c| c.del_lo_address(addr))
}

/// Addresses on `dev` in `netns`.
pub fn addresses(netns: &str, dev: &str) -> Result<Vec<IfAddr>> {
    configure(netns, |c| c.addresses(dev))
}

/// `ip -n NETNS route replace default dev DEV [src SRC]`.
pub fn add_default_route(netns: &str, dev: &str, src: Option<Ipv4Addr>) -> Result<()> {
    configure(netns, |c| c.add_default_route(dev, src))
}

/// `net.ipv6.conf.DEV.disable_ipv6=1` in `netns`.
pub fn disable_ipv6(netns: &str, dev: &str) -> Result<()> {
    configure(netns, |c| c.disable_ipv6(dev))
}

/// Sets a `net.*` sysctl in `netns` (see [`LinkCtl::set_sysctl`]).
pub fn set_sysctl(netns: &str, key: &str, value: &str) -> Result<()> {
    sysctl_path(key)?;
    configure(netns, |c| c.set_sysctl(key, value))
}

/// Reads a `net.*` sysctl in `netns`.
pub fn get_sysctl(netns: &str, key: &str) -> Result<String> {
    sysctl_path(key)?;
    configure(netns, |c| c.get_sysctl(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names() {
        for ok in ["lo", "plink0", "eth0.100", "a-b_c", "x23456789012345"] {
            assert!(validate_device_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "a:b", "a b", "x234567890123456", "é"] {
            assert!(validate_device_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn sysctl_keys() {
        assert_eq!(
            sysctl_path("net.ipv4.tcp_tw_reuse").unwrap(),
            PathBuf::from("/proc/sys/net/ipv4/tcp_tw_reuse")
        );
        assert_eq!(
            sysctl_path("net/ipv6/conf/eth0.5/disable_ipv6").unwrap(),
            PathBuf::from("/proc/sys/net/ipv6/conf/eth0.5/disable_ipv6")
        );
        for bad in [
            "kernel.panic",
            "vm.swappiness",
            "net",
            "net..ipv4",
            "net/../kernel/panic",
            "net/ipv4/../../kernel/x",
            "/net/ipv4/x",
            "net.ipv4.a b",
        ] {
            assert!(matches!(sysctl_path(bad), Err(IoError::InvalidSysctlKey { .. })), "{bad}");
        }
    }
}
