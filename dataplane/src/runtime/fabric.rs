//! The "AWS fabric": makes the machine match the control-plane state.
//!
//! Contract (implements [`privlink_control::Fabric`]):
//! - For every VPC: its network namespace exists (created if missing; then marked
//!   `netns_managed` so that deleting the VPC deletes it), and privlinkd holds a device
//!   `plink0` (see Devices below) inside it, up, without IPv6, carrying the namespace's default route
//!   and no address. Instances are /32 addresses on the namespace's `lo`.
//! - The AWS-service network (`--aws-netns`, default `pl-aws`) is set up the same way when
//!   the fabric starts, with the `.10` host of every managed prefix list's CIDRs on its `lo`
//!   (the stand-in service addresses, e.g. S3 at 198.51.100.10).
//! - Nothing is ever added to the host namespace: every address and route lives inside a
//!   namespace named by the state.
//! - After the world matches, a FIB is compiled and published with the devices; then flows
//!   that must not survive the change are purged (flows of deleted VPCs, flows through ENIs
//!   whose endpoint is no longer `available`: rejecting or deleting an endpoint cuts its
//!   connections, as in AWS). A deleted VPC's slot is handed to a new VPC only once every
//!   worker has moved past the snapshot that freed it, and its flows are purged again then
//!   (see [`VpcSlots::release`]), so a new VPC never inherits a flow.
//! - On error nothing of the failed change stays: devices and namespaces created for it are
//!   removed again, and the previous snapshot stays in force.
//! - Every VPC namespace gets `/etc/netns/<netns>/resolv.conf` naming its VPC resolver (the
//!   VPC's base address plus two), so `ip netns exec` programs resolve endpoint names; a file
//!   privlink did not write is left alone.
//! - Devices: with `--io tun` a multi-queue TUN device; with `--io packet` one end of a veth
//!   pair whose other end is in privlinkd's I/O namespace (`<aws-netns>-io`, created at
//!   start after deleting one a killed privlinkd left, which takes its pairs with it).
//!   With `--pcap DIR` each device is captured to `DIR/<vpc-id or aws>.pcap`, made afresh when
//!   the device is opened ([`io::pcap`]); a `DIR` that cannot be created fails the start.
//! - Dropping the fabric closes every device (the kernel removes them and their routes),
//!   deletes the I/O namespace and removes the resolver files; namespaces and instance
//!   addresses stay, so a restarted daemon finds them again.
//! - Crash consistency: privlink marks every namespace it creates with a file of the same name
//!   in [`FabricConfig::marks`], written before the namespace is created and removed after it
//!   is deleted, so a kill -9 at any step leaves no unmarked namespace of privlink's. The
//!   first apply (the restore at start) removes the marked namespaces the restored state does
//!   not name, and a marked namespace found existing is privlink's own (`netns_managed`), not
//!   adopted as the user's. A `plink0` left by a killed privlinkd (the kernel removes a dead
//!   process's devices asynchronously) is waited for, then replaced: never a failed start.

use super::io::{
    self, Backend, Capture, Offloads, PacketConfig, PacketPort, Port, Tun, TunConfig, link, netns,
};
use super::{DEVICE, Dataplane, Snapshot, VpcDevice, inspect};
use crate::compile::{AWS_SLOT, VpcSlots, compile, health_checks, stand_in_address};
use crate::flow::FlowTable;
use hashbrown::HashMap;
use privlink_control::model::{EndpointState, State};
use privlink_control::{ApiError, Fabric, Inspect};
use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Key of the AWS-service network in the device map.
const AWS_KEY: &str = "aws";

/// How the fabric builds devices.
#[derive(Clone, Debug)]
pub struct FabricConfig {
    /// Queues per device (one per worker).
    pub queues: usize,
    /// The device backend.
    pub io: Backend,
    /// Carry the virtio header (`IFF_VNET_HDR`, `PACKET_VNET_HDR`): TSO/USO/checksum offload.
    pub offload: bool,
    /// Device MTU.
    pub mtu: u32,
    /// Namespace of the AWS-service network.
    pub aws_netns: String,
    /// Directory of the marks of the namespaces privlink created (see the module doc).
    pub marks: PathBuf,
    /// How long opening a device waits for a `plink0` of a killed privlinkd to disappear
    /// before it deletes it.
    pub stale_device_wait: Duration,
    /// Capture every device's frames to `<dir>/<vpc-id or aws>.pcap` (see [`io::pcap`]); the
    /// directory is created if missing.
    pub pcap: Option<PathBuf>,
}

/// privlinkd's [`Fabric`].
pub struct VpcFabric {
    dp: Arc<Dataplane>,
    cfg: FabricConfig,
    slots: VpcSlots,
    devices: HashMap<String, Arc<VpcDevice>>,
    generation: u64,
    offloads: Offloads,
    stand_ins_placed: bool,
    /// Set once the first apply removed the orphaned namespaces.
    reconciled: bool,
    /// Names the fabric ends of packet ports (`pv<n>` in the I/O namespace).
    ports_made: u32,
}

fn internal(what: impl std::fmt::Display) -> ApiError {
    ApiError::internal(what.to_string())
}

impl VpcFabric {
    /// Sets up the AWS-service network and an empty FIB.
    pub fn new(dp: Arc<Dataplane>, cfg: FabricConfig) -> io::Result<VpcFabric> {
        if let Some(dir) = &cfg.pcap {
            std::fs::create_dir_all(dir).map_err(|e| {
                io::IoError::from_io(format!("--pcap {}", dir.display()), "create the capture directory", &e)
            })?;
        }
        netns::ensure(&cfg.aws_netns)?;
        if cfg.io == Backend::Packet {
            // One left by a killed privlinkd takes its veth pairs with it.
            match netns::delete(&io_netns(&cfg)) {
                Ok(()) | Err(io::IoError::NetnsNotFound { .. }) => {}
                Err(e) => return Err(e),
            }
            netns::create(&io_netns(&cfg))?;
        }
        let mut f = VpcFabric {
            dp,
            cfg,
            slots: VpcSlots::new(),
            devices: HashMap::new(),
            generation: 0,
            offloads: Offloads::NONE,
            stand_ins_placed: false,
            reconciled: false,
            ports_made: 0,
        };
        let aws = f.open_device(AWS_KEY, &f.cfg.aws_netns.clone())?;
        f.offloads = aws.port.offloads();
        f.devices.insert(AWS_KEY.to_string(), aws);
        Ok(f)
    }

    /// Offloads the kernel accepted on the devices.
    pub fn offloads(&self) -> Offloads {
        self.offloads
    }

    fn open_device(&mut self, key: &str, ns: &str) -> io::Result<Arc<VpcDevice>> {
        let port = match self.cfg.io {
            Backend::Tun => {
                let offloads = if self.cfg.offload { Offloads::ALL } else { Offloads::NONE };
                let cfg = TunConfig::new(DEVICE)
                    .queues(self.cfg.queues)
                    .vnet_hdr(self.cfg.offload)
                    .offloads(offloads)
                    .mtu(self.cfg.mtu);
                Port::from(replacing_stale(ns, self.cfg.stale_device_wait, || Tun::create(ns, &cfg))?)
            }
            Backend::Packet => {
                let cfg =
                    PacketConfig { queues: self.cfg.queues, vnet_hdr: self.cfg.offload, mtu: self.cfg.mtu };
                let io_ns = io_netns(&self.cfg);
                Port::from(replacing_stale(ns, self.cfg.stale_device_wait, || {
                    self.ports_made += 1;
                    PacketPort::create(&io_ns, &format!("pv{:x}", self.ports_made), ns, DEVICE, &cfg)
                })?)
            }
        };
        link::configure(ns, |l| {
            l.disable_ipv6(DEVICE)?;
            l.set_up(DEVICE)?;
            l.add_default_route(DEVICE, None)
        })?;
        let port = match &self.cfg.pcap {
            Some(dir) => port.captured(Capture::create(&dir.join(format!("{key}.pcap")), self.cfg.queues)?),
            None => port,
        };
        let link = io::LinkReader::open(ns, DEVICE, port.ifindex())?;
        Ok(Arc::new(VpcDevice { vpc_id: key.to_string(), netns: ns.to_string(), port, link }))
    }

    fn mark(&self, ns: &str) -> PathBuf {
        self.cfg.marks.join(ns)
    }

    /// Creates namespace `ns` (marked first) unless it exists. Returns whether it is
    /// privlink's: created now, or marked by an earlier privlinkd that died before it saved.
    fn ensure_netns(&self, ns: &str) -> io::Result<bool> {
        if netns::exists(ns)? {
            return Ok(self.mark(ns).exists());
        }
        netns::validate_name(ns)?;
        let mark = self.mark(ns);
        if mark.exists() {
            // A privlinkd killed inside `netns::create` leaves `/run/netns/<ns>` as a plain
            // file (created, never bind-mounted), which would block the name for good. The
            // mark says it is privlink's: clear it.
            match netns::delete(ns) {
                Ok(()) | Err(io::IoError::NetnsNotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        std::fs::create_dir_all(&self.cfg.marks)
            .and_then(|_| std::fs::write(&mark, b""))
            .and_then(|_| std::fs::File::open(&self.cfg.marks)?.sync_all())
            .map_err(|e| io::IoError::from_io(mark.display().to_string(), "write namespace mark", &e))?;
        let made = netns::ensure(ns);
        if !matches!(made, Ok(true)) {
            let _ = std::fs::remove_file(&mark);
        }
        made
    }

    /// Deletes namespace `ns`, then its mark; logs a failure (the mark stays, so the next
    /// start retries).
    fn delete_netns(&self, ns: &str) {
        match netns::delete(ns) {
            Ok(()) | Err(io::IoError::NetnsNotFound { .. }) => {
                let _ = std::fs::remove_file(self.mark(ns));
            }
            Err(e) => tracing::warn!(netns = %ns, error = %e, "cannot delete namespace"),
        }
    }

    /// Removes the marked namespaces that no VPC of `state` names: ones a killed privlinkd
    /// created for a change it never saved.
    fn remove_orphans(&self, state: &State) {
        let Ok(dir) = std::fs::read_dir(&self.cfg.marks) else { return };
        for ns in dir.flatten().filter_map(|e| e.file_name().into_string().ok()) {
            if netns::validate_name(&ns).is_err() || state.vpcs.values().any(|v| v.netns == ns) {
                continue;
            }
            tracing::warn!(netns = %ns, "removing a namespace privlink created but no state names");
            let _ = netns::clear_resolv_conf(&ns);
            self.delete_netns(&ns);
        }
    }

    /// Brings up namespaces and devices of VPCs in `new` that have none yet. Returns the
    /// VPCs it set up, with whether it created their namespace.
    fn add_vpcs(&mut self, new: &mut State) -> Result<Vec<(String, bool)>, ApiError> {
        let mut added = Vec::new();
        for v in new.vpcs.values_mut() {
            if self.devices.contains_key(&v.id) {
                continue;
            }
            let result = self.ensure_netns(&v.netns).map_err(internal).and_then(|made| {
                match self.open_device(&v.id, &v.netns) {
                    Ok(dev) => Ok((made, dev)),
                    Err(e) => {
                        if made {
                            self.delete_netns(&v.netns);
                        }
                        Err(internal(e))
                    }
                }
            });
            match result {
                Ok((made, dev)) => {
                    v.netns_managed |= made;
                    self.devices.insert(v.id.clone(), dev);
                    added.push((v.id.clone(), made));
                    let resolver = Ipv4Addr::from(u32::from(v.cidr.network()) + 2);
                    let about = format!("the VPC resolver of {}", v.id);
                    if let Err(e) = netns::set_resolv_conf(&v.netns, resolver, &about) {
                        tracing::warn!(netns = %v.netns, error = %e, "cannot point the namespace at its VPC resolver");
                    }
                }
                Err(e) => {
                    self.undo(new, &added);
                    return Err(e);
                }
            }
        }
        Ok(added)
    }

    fn undo(&mut self, new: &State, added: &[(String, bool)]) {
        for (id, made) in added {
            if let Some(dev) = self.devices.remove(id) {
                let _ = netns::clear_resolv_conf(&dev.netns);
            }
            if let (true, Some(v)) = (made, new.vpcs.get(id)) {
                self.delete_netns(&v.netns);
            }
        }
    }

    fn sync_instances(old: &State, new: &State) -> Result<(), ApiError> {
        for i in new.instances.values() {
            let fresh = old.instances.get(&i.id).is_none_or(|o| o.ip != i.ip);
            if let (true, Some(v)) = (fresh, new.vpcs.get(&i.vpc_id)) {
                link::add_lo_address(&v.netns, i.ip).map_err(internal)?;
            }
        }
        for i in old.instances.values() {
            let gone = new.instances.get(&i.id).is_none_or(|n| n.ip != i.ip);
            if let (true, Some(v)) = (gone, new.vpcs.get(&i.vpc_id)) {
                link::del_lo_address(&v.netns, i.ip).map_err(internal)?;
            }
        }
        Ok(())
    }

    /// Places the stand-in service addresses once (managed prefix lists never change).
    fn stand_in_addresses(&mut self, state: &State) -> Result<(), ApiError> {
        if self.stand_ins_placed {
            return Ok(());
        }
        for pl in state.prefix_lists.values() {
            for c in &pl.cidrs {
                link::add_lo_address(&self.cfg.aws_netns, stand_in_address(c)).map_err(internal)?;
            }
        }
        self.stand_ins_placed = true;
        Ok(())
    }

    fn remove_vpcs(&mut self, old: &State, new: &State) {
        for v in old.vpcs.values().filter(|v| !new.vpcs.contains_key(&v.id)) {
            self.devices.remove(&v.id);
            let _ = netns::clear_resolv_conf(&v.netns);
            if v.netns_managed {
                self.delete_netns(&v.netns);
            }
        }
    }

    fn publish(&mut self, state: &State) {
        self.generation += 1;
        assign_slots(
            &mut self.slots,
            self.dp.flows(),
            state,
            self.generation,
            self.dp.oldest_generation_in_use(),
            self.dp.now_ms(),
        );
        let fib = compile(state, &self.slots, &self.cfg.aws_netns, self.generation);
        // New flows find their NAT pools built; pools of targets, nodes or listeners that are
        // gone are freed once no flow uses them.
        self.dp.flows().sync_pools(&fib.pool_keys());
        let mut devices = vec![None; fib.vpcs.len()];
        devices[usize::from(AWS_SLOT)] = self.devices.get(AWS_KEY).cloned();
        for (id, dev) in &self.devices {
            if let Some(s) = self.slots.get(id) {
                devices[usize::from(s)] = Some(dev.clone());
            }
        }
        let health_checks = health_checks(state, &self.slots);
        self.dp.publish(Snapshot { fib, devices, health_checks });
    }

    /// Cuts flows through ENIs that were available in `old` and are not in `new`.
    fn purge_unavailable(&self, old: &State, new: &State) {
        let passing = |s: &State| -> Vec<(String, Ipv4Addr)> {
            s.vpc_endpoints
                .values()
                .filter(|e| e.state == EndpointState::Available)
                .flat_map(|e| e.network_interfaces.iter().map(|n| (e.vpc_id.clone(), n.ip)))
                .collect()
        };
        let now = passing(new);
        let cut: Vec<(u16, u32)> = passing(old)
            .into_iter()
            .filter(|x| !now.contains(x))
            .filter_map(|(vpc, ip)| Some((self.slots.get(&vpc)?, u32::from(ip))))
            .collect();
        if !cut.is_empty() {
            self.dp.flows().purge(self.dp.now_ms(), |f, _| cut.contains(&(f.vpc, f.dst)));
        }
    }
}

/// The namespace that holds the fabric ends of packet ports: privlinkd's own, named after
/// the AWS-service network's so that parallel daemons never share one.
fn io_netns(cfg: &FabricConfig) -> String {
    format!("{}-io", cfg.aws_netns)
}

/// Runs `create` (which makes `plink0` in `ns`); a `plink0` left by a killed privlinkd is
/// waited for (up to `wait`: the kernel removes a dead process's TUN devices, and the veth
/// ends of its deleted I/O namespace, asynchronously), then deleted and replaced.
fn replacing_stale<T>(ns: &str, wait: Duration, mut create: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let deadline = Instant::now() + wait;
    loop {
        match create() {
            Err(io::IoError::DeviceExists { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(io::IoError::DeviceExists { .. }) => {
                tracing::warn!(netns = %ns, device = DEVICE, "replacing a device left by a previous privlinkd");
                match link::configure(ns, |l| l.delete(DEVICE)) {
                    Ok(()) | Err(io::IoError::NoSuchDevice { .. }) => return create(),
                    Err(e) => return Err(e),
                }
            }
            r => return r,
        }
    }
}

/// Gives the VPCs of `state` their slots for the snapshot of `generation`, and purges the
/// flows that must not outlive a slot: those of the slots freed now (at once, to return their
/// memory and NAT ports), and those of quarantined slots that become reusable because every
/// worker runs a snapshot no older than `oldest_in_use` — a worker that was still forwarding
/// with the freeing snapshot may have added a flow after the first purge, and no worker can
/// add one any more.
fn assign_slots(
    slots: &mut VpcSlots,
    flows: &FlowTable,
    state: &State,
    generation: u64,
    oldest_in_use: u64,
    now_ms: u64,
) {
    let purge = |gone: &[u16]| {
        if !gone.is_empty() {
            flows.purge(now_ms, |f, r| gone.contains(&f.vpc) || gone.contains(&r.vpc));
        }
    };
    purge(&slots.release(oldest_in_use));
    purge(&slots.sync(state, generation));
}

impl Drop for VpcFabric {
    /// The resolver configuration is rewritten at the next start; the devices close with
    /// their last reference: the fabric's, and the published snapshot's, which is emptied.
    /// The I/O namespace of packet ports goes last.
    fn drop(&mut self) {
        for (id, dev) in &self.devices {
            if id != AWS_KEY {
                let _ = netns::clear_resolv_conf(&dev.netns);
            }
        }
        self.devices.clear();
        self.dp.publish(Snapshot::default());
        if self.cfg.io == Backend::Packet {
            match netns::delete(&io_netns(&self.cfg)) {
                Ok(()) | Err(io::IoError::NetnsNotFound { .. }) => {}
                Err(e) => tracing::warn!(error = %e, "cannot delete the I/O namespace"),
            }
        }
    }
}

impl Fabric for VpcFabric {
    fn apply(&mut self, old: &State, new: &mut State) -> Result<(), ApiError> {
        let added = self.add_vpcs(new)?;
        if let Err(e) = Self::sync_instances(old, new).and_then(|_| self.stand_in_addresses(new)) {
            self.undo(new, &added);
            return Err(e);
        }
        self.remove_vpcs(old, new);
        if !self.reconciled {
            self.remove_orphans(new);
            self.reconciled = true;
        }
        self.publish(new);
        self.purge_unavailable(old, new);
        Ok(())
    }

    fn inspector(&self) -> Arc<dyn Inspect> {
        Arc::new(inspect::Inspector::new(self.dp.clone(), self.offloads, self.cfg.io))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{FlowConfig, FlowKey, FlowPlan};
    use privlink_control::model::Vpc;

    fn state(vpcs: &[&str]) -> State {
        let mut s = State::new();
        for id in vpcs {
            // Through serde: fields the model gains later take their defaults.
            let v: Vpc = serde_json::from_value(serde_json::json!({
                "Id": id, "Owner": "111111111111", "Cidr": "10.0.0.0/16", "Netns": format!("pl-{id}"),
                "NetnsManaged": true, "MainRouteTable": "", "DefaultSecurityGroup": "",
            }))
            .unwrap();
            s.vpcs.insert(id.to_string(), v);
        }
        s
    }

    /// A flow a worker adds on `slot` (as one forwarding with an old snapshot would).
    fn straggler(flows: &FlowTable, slot: u16) {
        let k = FlowKey { vpc: slot, proto: 17, src: 0x0a00_010a, dst: 0x0a00_0132, sport: 5000, dport: 53 };
        flows.insert(&k, FlowPlan::Forward { vpc: AWS_SLOT }, 0, 0, 0).unwrap();
    }

    #[test]
    fn a_freed_slot_waits_for_every_worker_and_comes_back_without_flows() {
        let flows = FlowTable::new(FlowConfig::default());
        let mut slots = VpcSlots::new();
        assign_slots(&mut slots, &flows, &state(&["vpc-a", "vpc-b"]), 1, 0, 0);
        let a = slots.get("vpc-a").unwrap();
        straggler(&flows, a);
        // Generation 2 deletes vpc-a: its flows go at once.
        assign_slots(&mut slots, &flows, &state(&["vpc-b"]), 2, 1, 0);
        assert_eq!(flows.len(), 0);
        // A worker still forwarding with generation 1 adds a flow on the freed slot.
        straggler(&flows, a);
        // While a worker may still use generation 1, a new VPC gets another slot.
        assign_slots(&mut slots, &flows, &state(&["vpc-b", "vpc-c"]), 3, 1, 0);
        assert_ne!(slots.get("vpc-c"), Some(a));
        assert_eq!(flows.len(), 1, "the slot is not purged while it is quarantined");
        // Every worker is past generation 2: the slot is purged and handed out again.
        assign_slots(&mut slots, &flows, &state(&["vpc-b", "vpc-c", "vpc-d"]), 4, 2, 0);
        assert_eq!(slots.get("vpc-d"), Some(a));
        assert_eq!(flows.len(), 0, "vpc-d must not inherit the straggler's flow");
    }
}
