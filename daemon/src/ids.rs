//! The two identifiers of a certificate: the six-digit issue number shown in
//! file names and the random 128-bit serial inside the certificate.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, InvalidArgument, Result};

/// Issue number shared by every kind of certificate; the CA is 000001.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IssueNumber(u32);

impl IssueNumber {
    pub const CA: IssueNumber = IssueNumber(1);
    /// Six digits in file names; past that the number just grows wider.
    pub const MAX: u32 = 999_999_999;

    pub fn new(n: u32) -> Option<Self> {
        (1..=Self::MAX).contains(&n).then_some(IssueNumber(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for IssueNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

/// A positive certificate serial of 128 random bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Serial([u8; 16]);

impl Serial {
    /// From the OS CSPRNG; all-zero (not a positive integer) is drawn again.
    pub fn random() -> Result<Self> {
        loop {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes).map_err(Error::crypto)?;
            if bytes.iter().any(|b| *b != 0) {
                return Ok(Serial(bytes));
            }
        }
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Serial(bytes)
    }

    /// From a big-endian integer as found in a certificate (leading zeros stripped).
    pub fn from_be_slice(bytes: &[u8]) -> Option<Self> {
        let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        if trimmed.len() > 16 || trimmed.is_empty() {
            return None;
        }
        let mut out = [0u8; 16];
        out[16 - trimmed.len()..].copy_from_slice(&trimmed);
        Some(Serial(out))
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The hex form, 32 upper-case digits, as `openssl x509 -serial` prints it
    /// (openssl drops leading zeros; parsing accepts both).
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02X}")).collect()
    }

    fn parse_hex(s: &str) -> Option<Self> {
        let digits: String = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .unwrap_or(s)
            .chars()
            .filter(|c| *c != ':')
            .collect();
        if digits.is_empty() || digits.len() > 32 || !digits.chars().all(|c| c.is_ascii_hexdigit())
        {
            return None;
        }
        let padded = format!("{digits:0>32}");
        let mut out = [0u8; 16];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&padded[2 * i..2 * i + 2], 16).ok()?;
        }
        (out != [0u8; 16]).then_some(Serial(out))
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

/// What a user may type to name a certificate: `3`, `000003`, or a hex serial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertId {
    Number(IssueNumber),
    Serial(Serial),
}

impl FromStr for CertId {
    type Err = Error;

    /// Up to nine decimal digits are an issue number; anything longer, or
    /// with hex letters or colons, is a serial. Serials are 32 hex digits, so
    /// the two forms cannot be confused in practice.
    fn from_str(s: &str) -> Result<Self> {
        let invalid = || {
            Error::from(InvalidArgument::IdInvalid {
                id: crate::validate::printable(s, 80),
            })
        };
        let t = s.trim();
        if !t.is_empty() && t.len() <= 9 && t.chars().all(|c| c.is_ascii_digit()) {
            let n: u32 = t.parse().map_err(|_| invalid())?;
            return IssueNumber::new(n).map(CertId::Number).ok_or_else(invalid);
        }
        Serial::parse_hex(t).map(CertId::Serial).ok_or_else(invalid)
    }
}

impl fmt::Display for CertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertId::Number(n) => n.fmt(f),
            CertId::Serial(s) => s.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_numbers_and_serials_parse() {
        assert_eq!(
            "3".parse::<CertId>().ok(),
            Some(CertId::Number(IssueNumber(3)))
        );
        assert_eq!(
            "000003".parse::<CertId>().ok(),
            Some(CertId::Number(IssueNumber(3)))
        );
        let s = Serial::random().expect("random");
        assert_eq!(s.hex().parse::<CertId>().ok(), Some(CertId::Serial(s)));
        assert_eq!(
            s.hex().to_lowercase().parse::<CertId>().ok(),
            Some(CertId::Serial(s))
        );
        let colons: Vec<String> = s.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            colons.join(":").parse::<CertId>().ok(),
            Some(CertId::Serial(s))
        );
    }

    #[test]
    fn bad_ids_are_refused() {
        for bad in ["", "0", "x", "../1", "1 2", &"F".repeat(33)] {
            assert!(bad.parse::<CertId>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn serial_from_certificate_bytes_keeps_value() {
        let s = Serial::from_be_slice(&[0, 0, 1, 2]).expect("serial");
        assert_eq!(s.hex(), format!("{:0>32}", "0102"));
        assert_eq!(
            "102".parse::<CertId>().ok(),
            Some(CertId::Number(IssueNumber(102)))
        );
    }
}
