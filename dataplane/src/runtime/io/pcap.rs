//! Packet capture (`privlinkd --pcap DIR`): a [`DeviceQueue`] wrapper, [`Pcap`], that hands
//! every frame its queue reads or sends to a per-queue [`Tap`] writing a classic pcap file,
//! `DIR/<vpc-id or aws>.pcap`, one per device ([`Capture`]), as smoltcp's `PcapWriter` wraps
//! a `phy::Device`. The backends know nothing of it.
//!
//! # Contracts
//! - The file holds what the device received from its VPC (what a queue read) and what
//!   privlinkd sent it (what a queue was asked to send, taken by the kernel or not: refusals
//!   are in the `tx_errors` counter), both directions mixed, in the order each queue saw them.
//!   Frames are IP packets: the virtio header is stripped, so the link type is
//!   [`LINKTYPE_RAW`]. A GSO super-frame (TSO, or a USO frame the worker coalesced, written as
//!   its head followed by the joined payloads) is one record with its real length, as the
//!   device carried it: tshark shows one oversized packet, not the segments.
//! - Records are cut at [`SNAPLEN`] bytes (the record keeps the frame's real length).
//! - The file is created fresh with the device (an old one is removed first, so a symlink in
//!   its place is never followed), owned by privlinkd's user (root), mode 0644 whatever the
//!   umask.
//! - No allocation per packet: each queue has its own buffer, allocated once; one clock read
//!   per batch. Each batch's records are written out at the end of that batch (one `write(2)`
//!   per batch, more only when they overflow the buffer), so a running capture is current up
//!   to the last batch, and nothing waits in memory when privlinkd stops.
//! - Queues of one device share the file (`O_APPEND`); each `write(2)` carries whole records
//!   only (the buffer holds at least one record of the largest size and is written out before
//!   one would not fit), so records of different queues never interleave. Timestamps are
//!   therefore ordered within a queue, not across queues.
//! - A queue's tap is behind its own mutex: the queue's worker takes it once per batch, and the
//!   health checker too when it sends a probe through queue 0.
//! - A write error stops that queue's capture, with one warning naming the file; forwarding
//!   goes on.
//! - Without `--pcap` no [`Pcap`] exists: the workers' queues are the backends' own types
//!   (see [`super::port::Queue`]), so capture costs nothing when it is off.
//!
//! # Why no crate
//! The format is a 24-byte file header and a 16-byte header per record (below); the
//! `pcap-file` crate would add a dependency for forty lines, and its writer takes one slice
//! per packet, where a coalesced super-frame is several.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use super::device::{DeviceQueue, RxCount, Scratch, TxCount, message_parts};
use super::{IoError, Result};
use crate::frame::{FrameBatch, Out, messages};
use crate::wire::virtio::LEN as VNET_HDR_LEN;

/// Longest record: an IP packet of the largest size.
pub const SNAPLEN: u32 = 65535;
/// `LINKTYPE_RAW`: every record is an IPv4 or IPv6 packet, told apart by its version field.
pub const LINKTYPE_RAW: u32 = 101;
/// The file header's magic number for microsecond timestamps (written in little-endian, which
/// tells a reader the byte order).
pub const MAGIC: u32 = 0xa1b2_c3d4;
/// Length of the file header.
pub const FILE_HEADER_LEN: usize = 24;
/// Length of a record's header.
pub const RECORD_HEADER_LEN: usize = 16;
/// Bytes a tap buffers: room for two records of the largest size.
const BUFFER: usize = 2 * (RECORD_HEADER_LEN + SNAPLEN as usize);

/// The file header: magic, format version 2.4, UTC, [`SNAPLEN`], [`LINKTYPE_RAW`].
pub fn file_header() -> [u8; FILE_HEADER_LEN] {
    let mut h = [0u8; FILE_HEADER_LEN];
    h[0..4].copy_from_slice(&MAGIC.to_le_bytes());
    h[4..6].copy_from_slice(&2u16.to_le_bytes());
    h[6..8].copy_from_slice(&4u16.to_le_bytes());
    // thiszone (8..12) and sigfigs (12..16) stay 0.
    h[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
    h[20..24].copy_from_slice(&LINKTYPE_RAW.to_le_bytes());
    h
}

/// A record's header: time `ts` since the Unix epoch (seconds, microseconds), `caplen` bytes
/// in the file of a packet `len` bytes long.
pub fn record_header(ts: Duration, caplen: u32, len: u32) -> [u8; RECORD_HEADER_LEN] {
    let mut h = [0u8; RECORD_HEADER_LEN];
    h[0..4].copy_from_slice(&(ts.as_secs() as u32).to_le_bytes());
    h[4..8].copy_from_slice(&ts.subsec_micros().to_le_bytes());
    h[8..12].copy_from_slice(&caplen.to_le_bytes());
    h[12..16].copy_from_slice(&len.to_le_bytes());
    h
}

/// Writes pcap records to `out` (which already holds the [`file_header`]) through a buffer
/// allocated once, writing only whole records (see the module doc).
pub struct PcapWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
}

impl<W: Write> PcapWriter<W> {
    /// A writer appending records to `out`.
    pub fn new(out: W) -> PcapWriter<W> {
        PcapWriter { out, buf: Vec::with_capacity(BUFFER) }
    }

    /// Buffers one record at time `ts`: the packet made of `parts` in order, cut at
    /// [`SNAPLEN`]. Writes out what is buffered first if the record would not fit.
    pub fn record<'p>(
        &mut self,
        ts: Duration,
        parts: impl Iterator<Item = &'p [u8]> + Clone,
    ) -> io::Result<()> {
        let len: usize = parts.clone().map(<[u8]>::len).sum();
        let caplen = len.min(SNAPLEN as usize);
        if self.buf.len() + RECORD_HEADER_LEN + caplen > BUFFER {
            self.flush()?;
        }
        let real_len = u32::try_from(len).unwrap_or(u32::MAX);
        self.buf.extend_from_slice(&record_header(ts, caplen as u32, real_len));
        let mut left = caplen;
        for p in parts {
            let take = p.len().min(left);
            self.buf.extend_from_slice(&p[..take]);
            left -= take;
        }
        Ok(())
    }

    /// Writes out the buffered records with one `write_all`.
    pub fn flush(&mut self) -> io::Result<()> {
        let written = self.out.write_all(&self.buf);
        self.buf.clear();
        written
    }
}

/// One queue's writer into its device's capture file.
pub struct Tap {
    path: PathBuf,
    /// The writer; `None` once a write failed.
    writer: Mutex<Option<PcapWriter<File>>>,
}

impl Tap {
    /// Records `frames` (each a frame, its virtio header first when `vnet`, and the payloads
    /// joining it) with one timestamp, and writes them out.
    fn capture<'p, J>(&self, vnet: bool, frames: impl Iterator<Item = (&'p [u8], J)>)
    where
        J: Iterator<Item = &'p [u8]> + Clone,
    {
        let hdr = if vnet { VNET_HDR_LEN } else { 0 };
        let mut guard = self.writer.lock();
        let Some(w) = guard.as_mut() else { return };
        let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let written = frames
            .filter_map(|(frame, joined)| Some((frame.get(hdr..)?, joined)))
            .try_for_each(|(ip, joined)| w.record(ts, std::iter::once(ip).chain(joined)))
            .and_then(|()| w.flush());
        if let Err(e) = written {
            tracing::warn!(path = %self.path.display(), error = %e, "packet capture stopped: cannot write the file");
            *guard = None;
        }
    }
}

/// A device's capture file and the taps of its queues.
pub struct Capture {
    path: PathBuf,
    taps: Vec<Tap>,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture").field("path", &self.path).field("queues", &self.taps.len()).finish()
    }
}

impl Capture {
    /// Creates `path` afresh (see the module doc) with its file header, and a tap for each of
    /// `queues` queues.
    pub fn create(path: &Path, queues: usize) -> Result<Capture> {
        let fail =
            |op: &str, e: &io::Error| IoError::from_io(format!("packet capture {}", path.display()), op, e);
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(fail("remove the old file", &e)),
            _ => {}
        }
        let mut file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .mode(0o644)
            .open(path)
            .map_err(|e| fail("create", &e))?;
        file.set_permissions(Permissions::from_mode(0o644)).map_err(|e| fail("chmod 0644", &e))?;
        file.write_all(&file_header()).map_err(|e| fail("write the file header", &e))?;
        let taps = (0..queues)
            .map(|_| {
                let f = file.try_clone().map_err(|e| fail("dup", &e))?;
                Ok(Tap { path: path.to_owned(), writer: Mutex::new(Some(PcapWriter::new(f))) })
            })
            .collect::<Result<_>>()?;
        Ok(Capture { path: path.to_owned(), taps })
    }

    /// The capture file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queue `i`'s tap, if any.
    pub fn tap(&self, i: usize) -> Option<&Tap> {
        self.taps.get(i)
    }
}

/// Queue `Q` with every frame it reads or sends captured by a [`Tap`].
pub struct Pcap<'a, Q> {
    queue: &'a Q,
    tap: &'a Tap,
}

impl<'a, Q> Pcap<'a, Q> {
    /// `queue`, captured by `tap`.
    pub fn new(queue: &'a Q, tap: &'a Tap) -> Pcap<'a, Q> {
        Pcap { queue, tap }
    }
}

impl<Q: std::fmt::Debug> std::fmt::Debug for Pcap<'_, Q> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pcap").field("queue", self.queue).field("path", &self.tap.path).finish()
    }
}

impl<Q: DeviceQueue> DeviceQueue for Pcap<'_, Q> {
    fn vnet_hdr(&self) -> bool {
        self.queue.vnet_hdr()
    }

    fn recv_batch(&self, batch: &mut FrameBatch, s: &mut Scratch) -> io::Result<RxCount> {
        let rx = self.queue.recv_batch(batch, s)?;
        let frames = (0..rx.frames).map(|i| (batch.head(i, usize::MAX), std::iter::empty()));
        self.tap.capture(self.queue.vnet_hdr(), frames);
        Ok(rx)
    }

    fn send_batch(&self, batch: &FrameBatch, outs: &[Out], s: &mut Scratch) -> TxCount {
        let tx = self.queue.send_batch(batch, outs, s);
        self.tap.capture(self.queue.vnet_hdr(), messages(outs).map(|m| message_parts(batch, m)));
        tx
    }

    fn send_one(&self, frame: &[u8], s: &mut Scratch) -> TxCount {
        let tx = self.queue.send_one(frame, s);
        self.tap.capture(self.queue.vnet_hdr(), std::iter::once((frame, std::iter::empty())));
        tx
    }
}

impl<Q: AsFd> AsFd for Pcap<'_, Q> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.queue.as_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the records of a pcap byte string back: (seconds, microseconds, real length,
    /// captured bytes).
    fn records(mut b: &[u8]) -> Vec<(u32, u32, u32, Vec<u8>)> {
        let u32_at = |b: &[u8], i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        let mut out = Vec::new();
        while !b.is_empty() {
            let caplen = u32_at(b, 8) as usize;
            out.push((u32_at(b, 0), u32_at(b, 4), u32_at(b, 12), b[16..16 + caplen].to_vec()));
            b = &b[16 + caplen..];
        }
        out
    }

    #[test]
    fn the_file_header_is_pcap_2_4_raw_ip() {
        assert_eq!(
            file_header(),
            [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0]
        );
        assert_eq!(
            record_header(Duration::new(0x0102_0304, 5_006_000), 60, 70),
            [4, 3, 2, 1, 0x8e, 0x13, 0, 0, 60, 0, 0, 0, 70, 0, 0, 0],
            "seconds, microseconds (5006), caplen, len"
        );
    }

    #[test]
    fn records_are_written_whole_and_read_back() {
        let mut w = PcapWriter::new(Vec::new());
        let ts = Duration::new(1_700_000_000, 123_456_789);
        let head = [0x45u8; 48];
        let joined = [[1u8; 20], [2u8; 20]];
        w.record(ts, std::iter::once(&head[..]).chain(joined.iter().map(|j| &j[..]))).unwrap();
        assert!(w.out.is_empty(), "buffered until flushed");
        w.record(ts + Duration::from_secs(1), std::iter::once(&[0x45u8, 0][..])).unwrap();
        w.flush().unwrap();
        let got = records(&w.out);
        let mut want = head.to_vec();
        want.extend_from_slice(&[1; 20]);
        want.extend_from_slice(&[2; 20]);
        assert_eq!(got[0], (1_700_000_000, 123_456, 88, want));
        assert_eq!(got[1], (1_700_000_001, 123_456, 2, vec![0x45, 0]));
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn a_long_packet_is_cut_at_the_snaplen_and_keeps_its_length() {
        let mut w = PcapWriter::new(Vec::new());
        let big = vec![7u8; 70_000];
        let parts = [&big[..40_000], &big[40_000..]];
        for _ in 0..3 {
            w.record(Duration::ZERO, parts.iter().copied()).unwrap();
        }
        assert!(!w.out.is_empty(), "a full buffer is written out before the next record");
        let written = w.out.len();
        assert_eq!(written % (RECORD_HEADER_LEN + SNAPLEN as usize), 0, "only whole records are written");
        w.flush().unwrap();
        let got = records(&w.out);
        assert_eq!(got.len(), 3);
        for (_, _, len, bytes) in got {
            assert_eq!((len, bytes.len()), (70_000, SNAPLEN as usize));
        }
    }

    #[test]
    fn a_capture_file_is_made_afresh_mode_0644() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vpc-1.pcap");
        std::fs::write(&path, b"an old capture").unwrap();
        let c = Capture::create(&path, 2).unwrap();
        assert!(c.tap(1).is_some() && c.tap(2).is_none());
        let frame = [[0u8; VNET_HDR_LEN].as_slice(), &[0x45; 28]].concat();
        c.tap(1).unwrap().capture(true, std::iter::once((&frame[..], std::iter::empty())));
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777, 0o644);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes[..FILE_HEADER_LEN], file_header());
        let got = records(&bytes[FILE_HEADER_LEN..]);
        assert_eq!(got.len(), 1, "written out at the end of the batch");
        assert_eq!(got[0].3, vec![0x45; 28], "the virtio header is stripped");
        let e = Capture::create(&dir.path().join("missing/x.pcap"), 1).unwrap_err().to_string();
        assert!(e.contains("missing/x.pcap") && e.contains("create"), "{e}");
    }
}
