//! A frame in a receive buffer with room in front of it, so an encapsulation can grow the
//! packet in place.
//!
//! Contract:
//! - Every receive buffer reserves [`HEADROOM`] bytes before the frame: a device read lands at
//!   `buf[HEADROOM..]`. That is room for a GENEVE encapsulation (outer IPv4 20 + UDP 8 +
//!   GENEVE 8 bytes + up to 28 bytes of options), the one Gateway Load Balancer endpoints need,
//!   so adding it moves no payload: only the virtio header (10 bytes, when the device uses
//!   one) moves forward, and the outer headers are written into the gap behind it.
//! - The frame is always `buf[start..end]` with `start <= HEADROOM`; nothing here reads or
//!   writes outside the buffer, and a request the headroom cannot hold is refused (`None`),
//!   never a panic.
//! - A [`FrameBatch`] is a worker's set of such buffers, filled by one batched device read:
//!   frame `i` of the batch is `len(i)` bytes at `HEADROOM` in buffer `i`. Buffers are
//!   allocated once and reused for every batch.

use crate::wire::virtio::LEN as VNET_HDR_LEN;

/// Bytes reserved in front of every received frame.
pub const HEADROOM: usize = 64;

/// A frame inside a buffer that keeps [`HEADROOM`] bytes in front of it.
pub struct Frame<'a> {
    buf: &'a mut [u8],
    start: usize,
    end: usize,
}

impl<'a> Frame<'a> {
    /// The region a device read should fill: everything after the headroom.
    pub fn receive_area(buf: &mut [u8]) -> &mut [u8] {
        let from = HEADROOM.min(buf.len());
        &mut buf[from..]
    }

    /// The `len` bytes a device read put into [`Frame::receive_area`] of `buf`.
    pub fn received(buf: &'a mut [u8], len: usize) -> Frame<'a> {
        let start = HEADROOM.min(buf.len());
        let end = start + len.min(buf.len() - start);
        Frame { buf, start, end }
    }

    /// The frame's bytes.
    pub fn bytes(&mut self) -> &mut [u8] {
        &mut self.buf[self.start..self.end]
    }

    /// The first `len` bytes of the frame (what a verdict says leaves), or all of it.
    pub fn head(&self, len: usize) -> &[u8] {
        &self.buf[self.start..self.end.min(self.start + len)]
    }

    /// Spare bytes still in front of the frame.
    pub fn headroom(&self) -> usize {
        self.start
    }

    /// Grows the frame by `n` bytes at its front, after its virtio header when `vnet` (which
    /// moves forward), and returns those `n` bytes for the outer headers. `None` (nothing
    /// changed) if the headroom cannot hold `n` or the frame is shorter than its header.
    pub fn push_front(&mut self, n: usize, vnet: bool) -> Option<&mut [u8]> {
        let hdr = if vnet { VNET_HDR_LEN } else { 0 };
        if n > self.start || self.end - self.start < hdr {
            return None;
        }
        let new_start = self.start - n;
        self.buf.copy_within(self.start..self.start + hdr, new_start);
        self.start = new_start;
        Some(&mut self.buf[new_start + hdr..new_start + hdr + n])
    }
}

/// One frame of a batch to send: `len` bytes of frame `idx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Out {
    /// Slot in the [`FrameBatch`].
    pub idx: u16,
    /// Bytes to send from its start.
    pub len: u32,
    /// Its UDP payload goes out appended to the message before it, a USO super-frame whose
    /// head says so (see [`crate::coalesce`]).
    pub join: bool,
}

/// The messages of a send list: each is a frame followed by the frames that join it.
pub fn messages(outs: &[Out]) -> impl Iterator<Item = &[Out]> {
    outs.chunk_by(|_, next| next.join)
}

/// The receive buffers of one batched device read (see the module doc).
pub struct FrameBatch {
    bufs: Vec<Box<[u8]>>,
    lens: Vec<usize>,
    filled: usize,
}

impl FrameBatch {
    /// `slots` buffers, each holding [`HEADROOM`] plus a frame of up to `frame_len` bytes.
    pub fn new(slots: usize, frame_len: usize) -> FrameBatch {
        FrameBatch {
            bufs: (0..slots).map(|_| vec![0u8; HEADROOM + frame_len].into_boxed_slice()).collect(),
            lens: vec![0; slots],
            filled: 0,
        }
    }

    /// How many frames one read may put in.
    pub fn capacity(&self) -> usize {
        self.bufs.len()
    }

    /// Frames in the batch.
    pub fn len(&self) -> usize {
        self.filled
    }

    /// Whether the batch holds no frame.
    pub fn is_empty(&self) -> bool {
        self.filled == 0
    }

    /// The buffers and frame lengths, for a device read to fill; finish with [`Self::set_len`].
    pub fn slots_mut(&mut self) -> (&mut [Box<[u8]>], &mut [usize]) {
        (&mut self.bufs, &mut self.lens)
    }

    /// Declares the first `n` slots filled.
    pub fn set_len(&mut self, n: usize) {
        self.filled = n.min(self.bufs.len());
    }

    /// Frame `i` (empty past the filled ones).
    pub fn frame(&mut self, i: usize) -> Frame<'_> {
        let len = if i < self.filled { self.lens[i] } else { 0 };
        match self.bufs.get_mut(i) {
            Some(b) => Frame::received(b, len),
            None => Frame { buf: &mut [], start: 0, end: 0 },
        }
    }

    /// The first `len` bytes of frame `i` (what a verdict says leaves).
    pub fn head(&self, i: usize, len: usize) -> &[u8] {
        let n = if i < self.filled { self.lens[i].min(len) } else { 0 };
        self.bufs.get(i).map_or(&[][..], |b| &b[HEADROOM.min(b.len())..(HEADROOM + n).min(b.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_received_frame_sits_behind_the_headroom() {
        let mut buf = vec![0u8; HEADROOM + 100];
        Frame::receive_area(&mut buf)[..5].copy_from_slice(b"hello");
        let mut f = Frame::received(&mut buf, 5);
        assert_eq!(f.bytes(), b"hello");
        assert_eq!(f.headroom(), HEADROOM);
        assert_eq!(f.head(3), b"hel");
        assert_eq!(f.head(99), b"hello");
    }

    #[test]
    fn push_front_moves_only_the_virtio_header() {
        let mut buf = vec![0u8; HEADROOM + 100];
        let frame: Vec<u8> = (1..=VNET_HDR_LEN as u8).chain(*b"inner-ip").collect();
        Frame::receive_area(&mut buf)[..frame.len()].copy_from_slice(&frame);
        let mut f = Frame::received(&mut buf, frame.len());
        f.push_front(36, true).unwrap().copy_from_slice(&[0xee; 36]);
        let out = f.bytes().to_vec();
        assert_eq!(out.len(), frame.len() + 36);
        assert_eq!(&out[..VNET_HDR_LEN], &frame[..VNET_HDR_LEN], "the virtio header stays first");
        assert_eq!(&out[VNET_HDR_LEN..VNET_HDR_LEN + 36], &[0xee; 36][..], "outer headers behind it");
        assert_eq!(&out[VNET_HDR_LEN + 36..], b"inner-ip", "the packet did not move");
        assert_eq!(f.headroom(), HEADROOM - 36);
        let mut g = Frame::received(&mut buf, 4);
        g.push_front(8, false).unwrap().fill(7);
        assert_eq!(g.head(8), &[7; 8]);
    }

    #[test]
    fn a_batch_hands_out_what_was_filled_and_nothing_else() {
        let mut b = FrameBatch::new(3, 16);
        assert_eq!((b.capacity(), b.len()), (3, 0));
        let (bufs, lens) = b.slots_mut();
        bufs[1][HEADROOM..HEADROOM + 4].copy_from_slice(b"abcd");
        lens[1] = 4;
        lens[2] = 999;
        b.set_len(2);
        assert_eq!(b.frame(1).bytes(), b"abcd");
        assert_eq!(b.head(1, 2), b"ab");
        assert_eq!(b.head(1, 100), b"abcd");
        assert_eq!(b.frame(2).bytes().len(), 0, "past the filled frames");
        assert_eq!(b.head(7, 10), b"", "past the buffers");
        b.set_len(99);
        assert_eq!(b.len(), 3);
        assert_eq!(b.head(2, 9999).len(), 16, "a length never reaches past the buffer");
    }

    #[test]
    fn push_front_refuses_what_does_not_fit() {
        let mut buf = vec![0u8; HEADROOM + 20];
        let mut f = Frame::received(&mut buf, 20);
        assert!(f.push_front(HEADROOM + 1, false).is_none());
        assert!(f.push_front(HEADROOM, false).is_some());
        assert!(f.push_front(1, false).is_none(), "the headroom is used up");
        let mut short = vec![0u8; HEADROOM + 4];
        let mut s = Frame::received(&mut short, 4);
        assert!(s.push_front(8, true).is_none(), "shorter than its virtio header");
        let mut tiny = vec![0u8; 3];
        let mut t = Frame::received(&mut tiny, 10);
        assert_eq!(t.bytes().len(), 0, "a buffer without headroom holds no frame");
    }
}
