//! End-to-end harness: a real `privlinkd` per test, on its own socket, state directory and
//! namespaces (all named from a tag unique to the test), plus a PrivateLink lab builder and
//! socket helpers that open sockets *inside* a VPC namespace.
//!
//! Cleanup is in `Drop`, so it also runs when a test fails: the daemon is stopped (SIGTERM,
//! then SIGKILL by PID), every namespace whose name starts with `pl-<tag>` is deleted, and the
//! host namespace's IPv4 addresses and routes are compared with what they were at the start.

use privlink_control::{ApiError, Client};
use privlink_dataplane::runtime::io::netns;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// `true` if the test may run; not root: a loud skip, or a failure under `CI=true`.
pub fn require_root(test: &str) -> bool {
    super::netlab::require_root(test)
}

fn host_net_state() -> String {
    let run = |args: &[&str]| {
        let out = Command::new("ip").args(args).output().expect("run ip");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["-4", "addr"]) + &run(&["-4", "route"])
}

/// A running privlinkd owned by one test.
pub struct Daemon {
    child: Option<Child>,
    /// Unique tag: every namespace of the test starts with `pl-<tag>`.
    pub tag: String,
    dir: tempfile::TempDir,
    /// Control socket.
    pub socket: PathBuf,
    extra: Vec<String>,
    host_before: String,
    metrics: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    /// `http://127.0.0.1:PORT` of the AWS API (every test daemon serves it on a free port).
    api: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

impl Daemon {
    /// Starts a daemon with extra command-line flags.
    pub fn start_with(extra: &[&str]) -> Daemon {
        let tag = format!("t{}{}", std::process::id() % 100_000, SEQ.fetch_add(1, Ordering::Relaxed));
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("privlink.sock");
        let mut d = Daemon {
            child: None,
            tag,
            dir,
            socket,
            extra: extra.iter().map(|s| s.to_string()).collect(),
            host_before: host_net_state(),
            metrics: Default::default(),
            api: Default::default(),
        };
        d.spawn();
        d
    }

    /// Starts a daemon with two workers (so every test crosses multi-queue devices).
    pub fn start() -> Daemon {
        Self::start_with(&["--workers", "2"])
    }

    /// Namespace of the AWS-service network of this daemon.
    pub fn aws_netns(&self) -> String {
        format!("pl-{}-aws", self.tag)
    }

    /// privlinkd's I/O namespace (packet backend): the fabric ends of its veth pairs.
    pub fn io_netns(&self) -> String {
        format!("{}-io", self.aws_netns())
    }

    /// Whether the daemons run the packet backend: privlinkd's default, unless `PRIVLINK_IO`
    /// (which privlinkd reads) says `tun`; the suite runs once per backend.
    pub fn packet_backend() -> bool {
        std::env::var("PRIVLINK_IO").map_or(true, |v| v != "tun")
    }

    fn spawn(&mut self) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_privlinkd"));
        cmd.arg("--socket")
            .arg(&self.socket)
            .arg("--state-dir")
            .arg(self.state_dir())
            .arg("--aws-netns")
            .arg(self.aws_netns())
            .args(["--api-listen", "127.0.0.1:0"])
            .args(&self.extra)
            .env("PRIVLINK_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("spawn privlinkd");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        let (metrics, api) = (self.metrics.clone(), self.api.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("privlinkd metrics on ") {
                    *metrics.lock().unwrap() = Some(url.to_string());
                }
                if let Some(url) = line.strip_prefix("privlinkd AWS API on ") {
                    *api.lock().unwrap() = Some(url.to_string());
                }
                if line.starts_with("privlinkd ready") {
                    let _ = tx.send(());
                }
            }
        });
        self.child = Some(child);
        if rx.recv_timeout(Duration::from_secs(30)).is_err() {
            panic!("privlinkd did not become ready within 30 s");
        }
    }

    /// Stops the daemon (SIGTERM) and waits for it.
    pub fn stop(&mut self) {
        assert!(self.terminate(), "privlinkd did not stop within 10 s of SIGTERM");
    }

    /// SIGTERM, then SIGKILL after 10 s; true if it stopped on SIGTERM (or was not running).
    fn terminate(&mut self) -> bool {
        let Some(mut c) = self.child.take() else { return true };
        let pid = nix::unistd::Pid::from_raw(c.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = c.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = c.kill();
        let _ = c.wait();
        false
    }

    /// Stops and starts the daemon on the same state directory.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Starts the daemon again on the same state directory after [`Daemon::kill`] or
    /// [`Daemon::stop`]; panics if it does not become ready.
    pub fn respawn(&mut self) {
        assert!(self.child.is_none(), "privlinkd is still running");
        self.spawn();
    }

    /// The daemon's state directory.
    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// Kills the daemon without letting it clean up (crash).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// One API call.
    pub fn call(&self, req: Value) -> Result<Value, ApiError> {
        Client::connect(&self.socket).expect("connect to privlinkd").call(&req)
    }

    /// One API call that must succeed.
    pub fn ok(&self, req: Value) -> Value {
        let action = req["Action"].clone();
        self.call(req).unwrap_or_else(|e| panic!("{action} failed: {e:?}"))
    }

    /// One API call that must fail with `code`; returns the message.
    pub fn err(&self, req: Value, code: &str) -> String {
        match self.call(req.clone()) {
            Ok(v) => panic!("{} succeeded, expected {code}: {v}", req["Action"]),
            Err(e) => {
                assert_eq!(e.code, code, "{}: {}", req["Action"], e.message);
                e.message.to_string()
            }
        }
    }

    /// The body of `GET /metrics` (the daemon must run with `--metrics-listen`).
    pub fn scrape(&self) -> String {
        use std::io::{Read, Write};
        let url = self.metrics.lock().unwrap().clone().expect("privlinkd printed no metrics address");
        let addr = url.trim_start_matches("http://").trim_end_matches("/metrics").to_string();
        let mut s = TcpStream::connect(&addr).expect("connect to the metrics listener");
        s.write_all(b"GET /metrics HTTP/1.0\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.0 200"), "{out}");
        out
    }

    /// `http://127.0.0.1:PORT` of this daemon's AWS API.
    pub fn api_url(&self) -> String {
        self.api.lock().unwrap().clone().expect("privlinkd printed no AWS API address")
    }

    /// Current drop counter for `reason`.
    pub fn drops(&self, reason: &str) -> u64 {
        self.ok(json!({"Action": "GetStats"}))["Stats"]["Drops"][reason].as_u64().unwrap()
    }
}

impl Daemon {
    /// The namespaces of the VPCs in this daemon's state file.
    fn state_netns(&self) -> Vec<String> {
        let path = self.dir.path().join("state").join(privlink_control::store::STATE_FILE);
        let state: Value =
            std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        let vpcs = state["Vpcs"].as_object().into_iter().flat_map(|m| m.values());
        vpcs.filter_map(|v| v["Netns"].as_str().map(str::to_string))
            .filter(|n| n.starts_with("pl-vpc-"))
            .collect()
    }
}

/// Resolver files (`/etc/netns/<name>`) of this test's namespaces.
fn resolver_dirs(prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir("/etc/netns")
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))
                .collect()
        })
        .unwrap_or_default()
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let stopped = self.terminate();
        let prefix = format!("pl-{}", self.tag);
        let resolver_left = resolver_dirs(&prefix);
        for dir in &resolver_left {
            let _ = std::fs::remove_dir_all(dir);
        }
        // VPCs made through the AWS API are named pl-vpc-<hex>: this daemon's state names them.
        let named = self.state_netns();
        for ns in super::netlab::list_netns() {
            if ns.starts_with(&prefix) || named.contains(&ns) {
                let _ = netns::delete(&ns);
                let _ = std::fs::remove_dir_all(format!("/etc/netns/{ns}"));
            }
        }
        let left: Vec<String> =
            super::netlab::list_netns().into_iter().filter(|n| n.starts_with(&prefix)).collect();
        if !std::thread::panicking() {
            assert!(stopped, "privlinkd did not stop within 10 s of SIGTERM");
            assert!(resolver_left.is_empty(), "privlinkd left resolver files behind: {resolver_left:?}");
            assert!(left.is_empty(), "namespaces left behind: {left:?}");
            assert_eq!(
                self.host_before,
                host_net_state(),
                "the host namespace's addresses or routes changed"
            );
        }
    }
}

/// A provider: VPC 10.0.0.0/16 with subnets in us-east-1a/b, one target per subnet
/// (10.0.1.10, 10.0.2.10), an NLB, a TCP and a UDP listener on `port` forwarding to the
/// targets' port `target_port`, and an endpoint service.
pub struct Provider {
    pub vpc: String,
    pub netns: String,
    pub targets: Vec<Ipv4Addr>,
    pub nlb_nodes: Vec<Ipv4Addr>,
    pub service_id: String,
    pub service_name: String,
}

pub const PORT: u16 = 80;
pub const TARGET_PORT: u16 = 8080;

impl Daemon {
    /// Creates a VPC named `<tag><suffix>` (DNS hostnames on, as privlink's CLI makes them) and
    /// returns (id, netns).
    pub fn vpc(&self, suffix: &str, cidr: &str, account: &str) -> (String, String) {
        let name = format!("{}{suffix}", self.tag);
        let v = self.ok(json!({"Action": "CreateVpc", "Account": account, "CidrBlock": cidr, "Name": name,
                               "EnableDnsHostnames": true}));
        (v["Vpc"]["VpcId"].as_str().unwrap().to_string(), format!("pl-{name}"))
    }

    /// Creates a subnet and returns its id.
    pub fn subnet(&self, vpc: &str, cidr: &str, az: &str, account: &str) -> String {
        let s = self.ok(json!({"Action": "CreateSubnet", "Account": account, "VpcId": vpc, "CidrBlock": cidr, "AvailabilityZone": az}));
        s["Subnet"]["SubnetId"].as_str().unwrap().to_string()
    }

    /// Places an instance address.
    pub fn instance(&self, subnet: &str, ip: &str, account: &str) {
        self.ok(
            json!({"Action": "RunInstances", "Account": account, "SubnetId": subnet, "PrivateIpAddress": ip}),
        );
    }

    /// Builds the provider described on [`Provider`], owned by account 111111111111.
    pub fn provider(&self, acceptance_required: bool) -> Provider {
        self.provider_with(acceptance_required, None)
    }

    /// [`Daemon::provider`] with an optional private DNS name on the service.
    pub fn provider_with(&self, acceptance_required: bool, private_dns_name: Option<&str>) -> Provider {
        let acct = "111111111111";
        let (vpc, netns) = self.vpc("p", "10.0.0.0/16", acct);
        let sa = self.subnet(&vpc, "10.0.1.0/24", "us-east-1a", acct);
        let sb = self.subnet(&vpc, "10.0.2.0/24", "us-east-1b", acct);
        self.instance(&sa, "10.0.1.10", acct);
        self.instance(&sb, "10.0.2.10", acct);
        let tg = self.ok(json!({"Action": "CreateTargetGroup", "Name": format!("{}-tg", self.tag), "VpcId": vpc, "Protocol": "TCP_UDP", "Port": TARGET_PORT}));
        let tg = tg["TargetGroups"][0]["TargetGroupArn"].as_str().unwrap().to_string();
        self.ok(json!({"Action": "RegisterTargets", "TargetGroupArn": tg, "Targets": [{"Id": "10.0.1.10"}, {"Id": "10.0.2.10"}]}));
        let lb = self.ok(json!({"Action": "CreateLoadBalancer", "Name": format!("{}-nlb", self.tag), "Type": "network", "Scheme": "internal", "Subnets": [sa, sb]}));
        let nlb = &lb["LoadBalancers"][0];
        let arn = nlb["LoadBalancerArn"].as_str().unwrap().to_string();
        for proto in ["TCP", "UDP"] {
            self.ok(
                json!({"Action": "CreateListener", "LoadBalancerArn": arn, "Protocol": proto, "Port": PORT,
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg}]}),
            );
        }
        let mut req = json!({"Action": "CreateVpcEndpointServiceConfiguration", "NetworkLoadBalancerArns": [arn],
            "AcceptanceRequired": acceptance_required});
        if let Some(name) = private_dns_name {
            req["PrivateDnsName"] = name.into();
        }
        let svc = self.ok(req);
        let sc = &svc["ServiceConfiguration"];
        self.ok(json!({"Action": "ModifyVpcEndpointServicePermissions", "ServiceId": sc["ServiceId"], "AddAllowedPrincipals": ["*"]}));
        let lbs = self.ok(json!({"Action": "DescribeLoadBalancers", "LoadBalancerArns": [arn]}));
        let nlb_nodes = lbs["LoadBalancers"][0]["AvailabilityZones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| z["LoadBalancerAddresses"][0]["PrivateIPv4Address"].as_str().unwrap().parse().unwrap())
            .collect();
        Provider {
            vpc,
            netns,
            targets: vec!["10.0.1.10".parse().unwrap(), "10.0.2.10".parse().unwrap()],
            nlb_nodes,
            service_id: sc["ServiceId"].as_str().unwrap().to_string(),
            service_name: sc["ServiceName"].as_str().unwrap().to_string(),
        }
    }

    /// A consumer VPC `<tag><suffix>` 10.0.0.0/16 with subnet 10.0.1.0/24 (us-east-1a) and the
    /// client 10.0.1.10 (the same address as a provider target). Returns (vpc, netns, subnet).
    pub fn consumer(&self, suffix: &str, account: &str) -> (String, String, String) {
        let (vpc, netns) = self.vpc(suffix, "10.0.0.0/16", account);
        let subnet = self.subnet(&vpc, "10.0.1.0/24", "us-east-1a", account);
        self.instance(&subnet, "10.0.1.10", account);
        (vpc, netns, subnet)
    }

    /// An interface endpoint with ENI 10.0.1.50 in `subnet`; returns its id.
    pub fn endpoint(&self, vpc: &str, subnet: &str, service_name: &str, account: &str) -> String {
        let ep = self.ok(json!({"Action": "CreateVpcEndpoint", "Account": account, "VpcId": vpc, "ServiceName": service_name,
            "VpcEndpointType": "Interface", "SubnetIds": [subnet], "IpAddresses": ["10.0.1.50"]}));
        ep["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap().to_string()
    }
}

/// The ENI address every test endpoint uses.
pub const ENI: &str = "10.0.1.50";

/// A TCP listener bound inside `ns`.
pub fn listen_tcp(ns: &str, addr: &str) -> TcpListener {
    let a: SocketAddr = addr.parse().unwrap();
    netns::in_netns(ns, || TcpListener::bind(a)).unwrap().expect("bind in namespace")
}

/// A UDP socket bound inside `ns`.
pub fn bind_udp(ns: &str, addr: &str) -> UdpSocket {
    let a: SocketAddr = addr.parse().unwrap();
    netns::in_netns(ns, || UdpSocket::bind(a)).unwrap().expect("bind udp in namespace")
}

/// Connects from inside `ns`; `Err` if nothing answers within `timeout`.
pub fn connect(ns: &str, addr: &str, timeout: Duration) -> std::io::Result<TcpStream> {
    let a: SocketAddr = addr.parse().unwrap();
    netns::in_netns(ns, || TcpStream::connect_timeout(&a, timeout)).unwrap()
}

/// Connects from inside `ns` with source address `src`; `Err` if nothing answers in `timeout`.
pub fn connect_from(ns: &str, src: &str, addr: &str, timeout: Duration) -> std::io::Result<TcpStream> {
    let src: SocketAddr = format!("{src}:0").parse().unwrap();
    let dst: SocketAddr = addr.parse().unwrap();
    netns::in_netns(ns, || {
        let s = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
        s.bind(&src.into())?;
        s.connect_timeout(&dst.into(), timeout)?;
        Ok(TcpStream::from(s))
    })
    .unwrap()
}

/// Serves `listener` forever on background threads: reads a line "NAME\n" and answers
/// "<served-by> <peer-ip>\n", then echoes everything else until EOF.
pub fn echo_server(listener: TcpListener, served_by: &'static str) {
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { return };
            std::thread::spawn(move || {
                let peer = s.peer_addr().map(|p| p.ip().to_string()).unwrap_or_default();
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut line = String::new();
                if r.read_line(&mut line).is_err() {
                    return;
                }
                use std::io::Write;
                if s.write_all(format!("{served_by} {peer}\n").as_bytes()).is_err() {
                    return;
                }
                let _ = std::io::copy(&mut r, &mut s);
            });
        }
    });
}

/// Asks an [`echo_server`] who it is: returns (served-by, the source address it saw).
pub fn whoami(s: &mut TcpStream) -> (String, String) {
    use std::io::Write;
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"hello\n").unwrap();
    let mut line = String::new();
    BufReader::new(s.try_clone().unwrap()).read_line(&mut line).unwrap();
    let mut it = line.split_whitespace();
    (it.next().unwrap_or("").to_string(), it.next().unwrap_or("").to_string())
}
