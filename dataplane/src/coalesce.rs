//! UDP coalescing on the write side: consecutive datagrams of one flow bound for the same
//! device leave as one USO super-frame (`VIRTIO_NET_HDR_GSO_UDP_L4`), which the receiving
//! kernel carries through its stack once and splits only at the socket — the technique of
//! wireguard-go's `tun/offload_linux.go`.
//!
//! Contract (what [`coalesce_udp`] joins, for a run of frames bound for one device, in the
//! order they will be sent):
//! - Only frames with a virtio header that are not GSO already and carry a partial UDP
//!   checksum (`NEEDS_CSUM` at the UDP checksum field): the kernel fills in every segment's
//!   checksum, and no complete checksum (which could be wrong) is ever recomputed, so a
//!   corrupted datagram is never made to look valid.
//! - IPv4 without options, not a fragment; same addresses, ports, ToS, TTL and DF bit as the
//!   head; every segment's payload as long as the head's, except a shorter last one (which
//!   closes the super-frame); at most [`MAX_SEGMENTS`] segments and 65,535 bytes of IP.
//! - Only a frame right behind the super-frame's last member joins it, so nothing is
//!   reordered (interleaved flows are simply not joined).
//! - A joined frame is marked [`Out::join`]; its payload is sent after its head's. The head's
//!   virtio, IPv4 and UDP headers are rewritten for the whole super-frame (lengths, IPv4
//!   header checksum, UDP pseudo-header sum, `gso_size` = the head's payload). A run with
//!   nothing to join is left untouched.

use crate::frame::{FrameBatch, Out};
use crate::wire::checksum::{fold, pseudo_header_v4, sum};
use crate::wire::virtio::{self, VirtioNetHdr};

/// Most datagrams in one super-frame.
pub const MAX_SEGMENTS: usize = 64;
/// IPv4 (no options) + UDP header.
const HEADERS: usize = 28;
/// Where a datagram's payload starts in a frame with a virtio header.
pub const PAYLOAD_OFFSET: usize = virtio::LEN + HEADERS;

/// What must match for two datagrams to share a super-frame.
#[derive(Clone, Copy, PartialEq, Eq)]
struct FlowKey {
    addrs: [u8; 8],
    ports: [u8; 4],
    tos: u8,
    ttl: u8,
    df: bool,
}

/// A frame that may join or head a super-frame: its key and payload length.
fn datagram(frame: &[u8]) -> Option<(FlowKey, usize)> {
    let h = VirtioNetHdr::parse(frame).ok()?;
    if h.is_gso() || !h.needs_csum() || h.csum_start != 20 || h.csum_offset != 6 {
        return None;
    }
    let ip = frame.get(virtio::LEN..)?;
    if ip.len() < HEADERS || ip[0] != 0x45 || ip[9] != 17 {
        return None;
    }
    let frag = u16::from_be_bytes([ip[6], ip[7]]);
    let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
    let udp_len = usize::from(u16::from_be_bytes([ip[24], ip[25]]));
    if frag & 0x3fff != 0 || total != ip.len() || udp_len != total - 20 {
        return None;
    }
    let key = FlowKey {
        addrs: ip[12..20].try_into().ok()?,
        ports: ip[20..24].try_into().ok()?,
        tos: ip[1],
        ttl: ip[8],
        df: frag & 0x4000 != 0,
    };
    Some((key, total - HEADERS))
}

/// Joins what may be joined in `outs` (frames of `batch` bound for one device, in order) and
/// rewrites the heads (see the module doc). Frames must carry a virtio header.
pub fn coalesce_udp(batch: &mut FrameBatch, outs: &mut [Out]) {
    let mut i = 0;
    while i < outs.len() {
        let head = outs[i];
        let Some((key, size)) = datagram(batch.head(usize::from(head.idx), head.len as usize)) else {
            i += 1;
            continue;
        };
        let mut total = size;
        let mut j = i + 1;
        while size > 0 && j < outs.len() && j - i < MAX_SEGMENTS {
            let o = outs[j];
            match datagram(batch.head(usize::from(o.idx), o.len as usize)) {
                Some((k, n)) if k == key && n > 0 && n <= size && HEADERS + total + n <= 65535 => {
                    total += n;
                    outs[j].join = true;
                    j += 1;
                    if n < size {
                        break;
                    }
                }
                _ => break,
            }
        }
        if j - i > 1 {
            let mut f = batch.frame(usize::from(head.idx));
            rewrite_head(f.bytes(), size as u16, total);
        }
        i = j;
    }
}

/// Makes the head frame describe a super-frame of `payload` bytes in segments of `seg`.
fn rewrite_head(frame: &mut [u8], seg: u16, payload: usize) {
    VirtioNetHdr {
        flags: virtio::F_NEEDS_CSUM,
        gso_type: virtio::GSO_UDP_L4,
        hdr_len: HEADERS as u16,
        gso_size: seg,
        csum_start: 20,
        csum_offset: 6,
    }
    .emit(frame);
    let ip = &mut frame[virtio::LEN..];
    let total = (HEADERS + payload) as u16;
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    ip[10..12].copy_from_slice(&[0, 0]);
    let hsum = !fold(sum(&ip[..20], 0));
    ip[10..12].copy_from_slice(&hsum.to_be_bytes());
    let udp_len = (8 + payload) as u16;
    ip[24..26].copy_from_slice(&udp_len.to_be_bytes());
    let src = u32::from_be_bytes([ip[12], ip[13], ip[14], ip[15]]);
    let dst = u32::from_be_bytes([ip[16], ip[17], ip[18], ip[19]]);
    let pseudo = fold(pseudo_header_v4(src, dst, 17, u32::from(udp_len)));
    ip[26..28].copy_from_slice(&pseudo.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::HEADROOM;

    /// A UDP frame as a veth or TUN hands it over with offload: partial checksum.
    fn dgram(src_port: u16, payload: &[u8], ttl: u8) -> Vec<u8> {
        let hdr = VirtioNetHdr {
            flags: virtio::F_NEEDS_CSUM,
            csum_start: 20,
            csum_offset: 6,
            ..Default::default()
        };
        let mut f = hdr.to_bytes().to_vec();
        let total = (28 + payload.len()) as u16;
        let mut ip = vec![0x45, 0, 0, 0, 0, 1, 0x40, 0, ttl, 17, 0, 0, 10, 0, 1, 10, 10, 0, 1, 50];
        ip[2..4].copy_from_slice(&total.to_be_bytes());
        f.extend_from_slice(&ip);
        f.extend_from_slice(&src_port.to_be_bytes());
        f.extend_from_slice(&5201u16.to_be_bytes());
        f.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(payload);
        f
    }

    fn batch_of(frames: &[Vec<u8>]) -> (FrameBatch, Vec<Out>) {
        let mut b = FrameBatch::new(frames.len(), 2048);
        let (bufs, lens) = b.slots_mut();
        for (i, f) in frames.iter().enumerate() {
            bufs[i][HEADROOM..HEADROOM + f.len()].copy_from_slice(f);
            lens[i] = f.len();
        }
        b.set_len(frames.len());
        let outs = frames
            .iter()
            .enumerate()
            .map(|(i, f)| Out { idx: i as u16, len: f.len() as u32, join: false })
            .collect();
        (b, outs)
    }

    fn joins(outs: &[Out]) -> Vec<bool> {
        outs.iter().map(|o| o.join).collect()
    }

    #[test]
    fn same_flow_datagrams_become_one_super_frame() {
        let frames = [dgram(4000, &[1; 64], 64), dgram(4000, &[2; 64], 64), dgram(4000, &[3; 30], 64)];
        let (mut b, mut outs) = batch_of(&frames);
        coalesce_udp(&mut b, &mut outs);
        assert_eq!(joins(&outs), [false, true, true]);
        let head = b.head(0, outs[0].len as usize);
        let h = VirtioNetHdr::parse(head).unwrap();
        assert_eq!((h.gso_type, h.gso_size, h.hdr_len), (virtio::GSO_UDP_L4, 64, 28));
        let ip = &head[virtio::LEN..];
        assert_eq!(u16::from_be_bytes([ip[2], ip[3]]), 28 + 158, "IPv4 total length of the whole");
        assert_eq!(u16::from_be_bytes([ip[24], ip[25]]), 8 + 158, "UDP length of the whole");
        assert_eq!(fold(sum(&ip[..20], 0)), 0xffff, "valid IPv4 header checksum");
        let pseudo = fold(pseudo_header_v4(0x0a00_010a, 0x0a00_0132, 17, 166));
        assert_eq!(u16::from_be_bytes([ip[26], ip[27]]), pseudo, "partial sum over the pseudo-header");
        assert_eq!(&ip[28..], &[1; 64][..], "the head's own payload is unchanged");
    }

    #[test]
    fn what_must_not_join_does_not() {
        // Another flow in between, a longer datagram, a TTL change, a shorter one that closes.
        let frames = [
            dgram(4000, &[0; 64], 64),
            dgram(4001, &[0; 64], 64),
            dgram(4000, &[0; 64], 64),
            dgram(4000, &[0; 65], 64),
            dgram(4000, &[0; 65], 63),
            dgram(4000, &[0; 65], 63),
            dgram(4000, &[0; 10], 63),
            dgram(4000, &[0; 65], 63),
        ];
        let (mut b, mut outs) = batch_of(&frames);
        coalesce_udp(&mut b, &mut outs);
        assert_eq!(joins(&outs), [false, false, false, false, false, true, true, false]);
        let untouched = b.head(0, outs[0].len as usize);
        assert_eq!(untouched, &frames[0][..], "a head with nothing to join keeps its bytes");
    }

    #[test]
    fn complete_checksums_gso_frames_and_options_are_left_alone() {
        let mut complete = dgram(4000, &[0; 64], 64);
        complete[0] = 0;
        let mut gso = dgram(4000, &[0; 64], 64);
        gso[1] = virtio::GSO_UDP_L4;
        let mut options = dgram(4000, &[0; 64], 64);
        options[virtio::LEN] = 0x46;
        for odd in [complete, gso, options] {
            let (mut b, mut outs) = batch_of(&[odd.clone(), dgram(4000, &[0; 64], 64)]);
            coalesce_udp(&mut b, &mut outs);
            assert_eq!(joins(&outs), [false, false]);
            let (mut b, mut outs) = batch_of(&[dgram(4000, &[0; 64], 64), odd]);
            coalesce_udp(&mut b, &mut outs);
            assert_eq!(joins(&outs), [false, false]);
        }
    }

    #[test]
    fn a_super_frame_stops_at_the_segment_and_size_limits() {
        let frames: Vec<Vec<u8>> = (0..MAX_SEGMENTS + 3).map(|_| dgram(4000, &[7; 8], 64)).collect();
        let (mut b, mut outs) = batch_of(&frames);
        coalesce_udp(&mut b, &mut outs);
        let heads: Vec<usize> = outs.iter().enumerate().filter(|(_, o)| !o.join).map(|(i, _)| i).collect();
        assert_eq!(heads, [0, MAX_SEGMENTS]);
        let big: Vec<Vec<u8>> = (0..40).map(|_| dgram(4000, &[7; 1600], 64)).collect();
        let (mut b, mut outs) = batch_of(&big);
        coalesce_udp(&mut b, &mut outs);
        let first_run = outs.iter().skip(1).take_while(|o| o.join).count() + 1;
        assert_eq!(first_run, (65535 - 28) / 1600, "no more than 65,535 bytes of IP");
    }
}
