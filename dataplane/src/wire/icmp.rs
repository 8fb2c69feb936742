//! ICMPv4 view (RFC 792): type, code and the echo identifier.
//!
//! Invariant after [`IcmpV4Packet::new_checked`]: at least the 8-byte ICMP header is present.

use super::{WireError, be16};

/// Echo reply type.
pub const ECHO_REPLY: u8 = 0;
/// Echo request type.
pub const ECHO_REQUEST: u8 = 8;

/// A checked view over an ICMPv4 message.
#[derive(Debug)]
pub struct IcmpV4Packet<T: AsRef<[u8]>> {
    buf: T,
}

impl<T: AsRef<[u8]>> IcmpV4Packet<T> {
    /// Validates `buf` (the IPv4 payload) as an ICMPv4 message.
    pub fn new_checked(buf: T) -> Result<Self, WireError> {
        if buf.as_ref().len() < 8 {
            return Err(WireError::Truncated);
        }
        Ok(IcmpV4Packet { buf })
    }

    /// Message type.
    pub fn msg_type(&self) -> u8 {
        self.buf.as_ref()[0]
    }

    /// Message code.
    pub fn code(&self) -> u8 {
        self.buf.as_ref()[1]
    }

    /// True for echo request and echo reply.
    pub fn is_echo(&self) -> bool {
        matches!(self.msg_type(), ECHO_REQUEST | ECHO_REPLY)
    }

    /// Echo identifier (meaningful for echo messages only).
    pub fn echo_ident(&self) -> u16 {
        be16(self.buf.as_ref(), 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_fields() {
        let b = [8u8, 0, 0, 0, 0x12, 0x34, 0, 1];
        let p = IcmpV4Packet::new_checked(&b[..]).unwrap();
        assert!(p.is_echo());
        assert_eq!((p.msg_type(), p.code(), p.echo_ident()), (ECHO_REQUEST, 0, 0x1234));
        assert_eq!(IcmpV4Packet::new_checked(&b[..7]).unwrap_err(), WireError::Truncated);
    }
}
