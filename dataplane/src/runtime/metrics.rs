//! Prometheus metrics (`privlinkd --metrics-listen ADDR`, `GET /metrics`).
//!
//! Contract: every scrape reads the same numbers as `privlink stats` at that moment — the
//! merged worker counters, drops by reason, the flow table, and each VPC device's kernel
//! counters — through a `prometheus-client` collector; nothing is counted twice and the
//! packet path does no extra work for metrics.
//!
//! HTTP (hyper, through the AWS API's [`serve_http1`]): `GET` or `HEAD` of `/metrics` (or `/`)
//! answers text format 0.0.4, another path 404, another method 405. At most
//! [`MAX_CONNECTIONS`] connections at once, headers within [`HEADER_TIMEOUT`], and a pause
//! after a failed accept: a scraper that misbehaves cannot take the daemon's threads or
//! descriptors.

use super::Dataplane;
use crate::flow::EndReason;
use crate::verdict::DropReason;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use privlink_control::aws::http::{Limits, serve_http1};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// Scrapes served at once.
pub const MAX_CONNECTIONS: usize = 64;
/// Longest time to receive a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads the data plane's counters on each scrape.
pub struct DataplaneCollector {
    dp: Arc<Dataplane>,
}

impl std::fmt::Debug for DataplaneCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataplaneCollector")
    }
}

fn counter(enc: &mut DescriptorEncoder, name: &str, help: &str, v: u64) -> Result<(), std::fmt::Error> {
    let c = ConstCounter::new(v);
    c.encode(enc.encode_descriptor(name, help, None, c.metric_type())?)
}

impl Collector for DataplaneCollector {
    fn encode(&self, mut enc: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let t = self.dp.totals();
        counter(&mut enc, "privlink_forwarded_packets", "Packets forwarded between VPCs", t.forwarded)?;
        counter(&mut enc, "privlink_forwarded_bytes", "Bytes forwarded between VPCs", t.forwarded_bytes)?;
        counter(&mut enc, "privlink_dns_queries", "Queries answered by the VPC resolvers", t.dns_queries)?;
        counter(
            &mut enc,
            "privlink_health_check_replies",
            "Replies to NLB health-check probes",
            t.health_replies,
        )?;
        counter(&mut enc, "privlink_rx_errors", "Frames that could not be read from a device", t.rx_errors)?;
        counter(&mut enc, "privlink_tx_errors", "Forwarded frames a device refused", t.tx_errors)?;
        counter(&mut enc, "privlink_flows_created", "Flows created", self.dp.flows().created())?;
        let mut ended = enc.encode_descriptor(
            "privlink_flows_ended",
            "Flows that left the table, by reason",
            None,
            MetricType::Counter,
        )?;
        for r in EndReason::ALL {
            ConstCounter::new(self.dp.ended().count(r))
                .encode(ended.encode_family(&[("reason", r.as_str())])?)?;
        }
        let active = ConstGauge::new(self.dp.flows().len() as i64);
        active.encode(enc.encode_descriptor(
            "privlink_active_flows",
            "Live flows",
            None,
            active.metric_type(),
        )?)?;
        let mut drops = enc.encode_descriptor(
            "privlink_dropped_packets",
            "Packets dropped, by reason",
            None,
            MetricType::Counter,
        )?;
        for r in DropReason::ALL {
            ConstCounter::new(t.dropped(*r)).encode(drops.encode_family(&[("reason", r.name())])?)?;
        }
        let mut queue = enc.encode_descriptor(
            "privlink_device_queue_drops",
            "Packets a VPC's kernel dropped because privlinkd's queue was full",
            None,
            MetricType::Counter,
        )?;
        for d in self.dp.snapshot().devices.iter().flatten() {
            if let Ok(l) = d.link.read() {
                let labels = [("vpc", d.vpc_id.as_str()), ("netns", d.netns.as_str())];
                ConstCounter::new(l.tx_dropped).encode(queue.encode_family(&labels)?)?;
            }
        }
        Ok(())
    }
}

/// A registry holding the data plane's collector.
pub fn registry(dp: Arc<Dataplane>) -> Registry {
    let mut r = Registry::default();
    r.register_collector(Box::new(DataplaneCollector { dp }));
    r
}

/// Serves `GET /metrics` on `listener` until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, registry: Arc<Registry>) {
    let limits = Limits { max_connections: MAX_CONNECTIONS, header_timeout: HEADER_TIMEOUT };
    serve_http1(listener, "metrics", limits, move |req| answer(registry.clone(), req)).await
}

async fn answer(
    registry: Arc<Registry>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, body) = match (req.method(), req.uri().path()) {
        (&Method::GET | &Method::HEAD, "/metrics" | "/") => {
            let text = tokio::task::spawn_blocking(move || {
                let mut out = String::new();
                prometheus_client::encoding::text::encode(&mut out, &registry).map(|_| out)
            })
            .await;
            match text {
                Ok(Ok(text)) => (StatusCode::OK, text),
                _ => (StatusCode::INTERNAL_SERVER_ERROR, "cannot encode metrics\n".to_string()),
            }
        }
        (&Method::GET | &Method::HEAD, _) => (StatusCode::NOT_FOUND, "try GET /metrics\n".to_string()),
        _ => (StatusCode::METHOD_NOT_ALLOWED, "try GET /metrics\n".to_string()),
    };
    Ok(Response::builder()
        .status(status)
        .header("content-type", "text/plain; version=0.0.4")
        .header("allow", "GET, HEAD")
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new()))))
}
