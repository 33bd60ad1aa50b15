//! The revoked-certificates list of a CRL, written directly as DER.
//!
//! rcgen writes every entry through its general ASN.1 writer, which at a
//! million entries costs most of a second. Here rcgen still builds the CRL
//! itself (version, issuer, times, AKI, CRL number) without entries; the
//! entries are encoded by this module, exactly as rcgen encodes them (a test
//! compares whole RSA-signed CRLs byte for byte), inserted into rcgen's
//! TBSCertList, and the result is signed again with the CA key.

use rcgen::SigningKey;
use time::OffsetDateTime;

use super::crl::RevokedEntry;
use crate::error::{Error, Result};

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const ENUMERATED: u8 = 0x0a;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
/// `[0] EXPLICIT`: the crlExtensions of a TBSCertList.
const CRL_EXTENSIONS: u8 = 0xa0;
/// OBJECT IDENTIFIER 2.5.29.21 (id-ce-cRLReasons), tag and length included.
const REASON_CODE_OID: [u8; 5] = [0x06, 0x03, 0x55, 0x1d, 0x15];

/// `crl_without_entries` (a CertificateList made by rcgen with no revoked
/// certificates) with `entries` inserted and signed anew by `key`.
pub fn with_entries(
    crl_without_entries: &[u8],
    entries: &[RevokedEntry],
    key: &impl SigningKey,
) -> Result<Vec<u8>> {
    let malformed = || Error::crypto("CRL from rcgen is not the expected DER");
    let (outer, _) = read_tlv(crl_without_entries, SEQUENCE).ok_or_else(malformed)?;
    let (tbs, rest) = read_tlv(outer, SEQUENCE).ok_or_else(malformed)?;
    let (alg_id, _) = read_raw_tlv(rest).ok_or_else(malformed)?;

    // version, signature, issuer, thisUpdate, nextUpdate; then crlExtensions.
    let mut head_len = 0;
    let mut cursor = tbs;
    for _ in 0..5 {
        let (raw, after) = read_raw_tlv(cursor).ok_or_else(malformed)?;
        head_len += raw.len();
        cursor = after;
    }
    if cursor.first() != Some(&CRL_EXTENSIONS) {
        return Err(malformed());
    }
    let (head, tail) = tbs.split_at(head_len);

    // One buffer, written once: at a million entries the list is ~50 MB,
    // and every extra copy into fresh memory costs more than encoding it.
    // Room is left in front for the outer header, whose length depends on
    // the signature's.
    let list_len = entries.iter().map(entry_len).sum::<usize>();
    let tbs_content = head.len() + tlv_len(list_len) + tail.len();
    let tbs_len = tlv_len(tbs_content);
    const ROOM: usize = 6; // tag + up to 5 length bytes
    let mut der = Vec::with_capacity(ROOM + tbs_len + alg_id.len() + 16 + 520);
    der.resize(ROOM, 0);
    write_header(&mut der, SEQUENCE, tbs_content);
    der.extend_from_slice(head);
    write_header(&mut der, SEQUENCE, list_len);
    let mut times = TimeCache::default();
    for entry in entries {
        write_entry(&mut der, entry, &mut times);
    }
    der.extend_from_slice(tail);
    if der.len() != ROOM + tbs_len {
        // entry_len and write_entry disagree: never sign a broken list.
        return Err(malformed());
    }

    let signature = key.sign(&der[ROOM..]).map_err(Error::crypto)?;
    let bits_len = signature.len() + 1;
    let outer_len = tbs_len + alg_id.len() + tlv_len(bits_len);
    let mut outer_header = Vec::with_capacity(ROOM);
    write_header(&mut outer_header, SEQUENCE, outer_len);
    let start = ROOM - outer_header.len();
    der[start..ROOM].copy_from_slice(&outer_header);
    der.extend_from_slice(alg_id);
    write_header(&mut der, BIT_STRING, bits_len);
    der.push(0); // no unused bits
    der.extend_from_slice(&signature);
    der.drain(..start);
    Ok(der)
}

/// Encoded length of `entry` as `write_entry` writes it.
fn entry_len(entry: &RevokedEntry) -> usize {
    let serial = positive_integer(entry.serial.as_bytes());
    let (year, ..) = civil_from_days(entry.revoked_at.unix_timestamp().div_euclid(86_400));
    let time = if (1950..2050).contains(&year) { 13 } else { 15 };
    let ext = entry
        .reason
        .code()
        .map_or(0, |_| tlv_len(tlv_len(REASON_CODE_OID.len() + 5)));
    tlv_len(tlv_len(serial.len) + tlv_len(time) + ext)
}

/// revokedCertificates entry: SEQUENCE { serial, revocationDate,
/// crlEntryExtensions with the reason code unless `unspecified` }.
fn write_entry(out: &mut Vec<u8>, entry: &RevokedEntry, times: &mut TimeCache) {
    let serial = positive_integer(entry.serial.as_bytes());
    let (time_tag, time) = times.get(entry.revoked_at);
    let reason = entry.reason.code().map(|r| r as u8);
    // SEQUENCE { SEQUENCE { OID, OCTET STRING { ENUMERATED } } }
    let ext_len = reason.map_or(0, |_| tlv_len(tlv_len(REASON_CODE_OID.len() + 5)));
    let content = tlv_len(serial.len) + tlv_len(time.len()) + ext_len;
    write_header(out, SEQUENCE, content);
    write_header(out, INTEGER, serial.len);
    if serial.pad {
        out.push(0);
    }
    out.extend_from_slice(serial.bytes);
    write_header(out, time_tag, time.len());
    out.extend_from_slice(time);
    if let Some(code) = reason {
        write_header(out, SEQUENCE, tlv_len(REASON_CODE_OID.len() + 5));
        write_header(out, SEQUENCE, REASON_CODE_OID.len() + 5);
        out.extend_from_slice(&REASON_CODE_OID);
        out.extend_from_slice(&[OCTET_STRING, 3, ENUMERATED, 1, code]);
    }
}

/// A non-negative INTEGER's content: leading zero bytes dropped (one kept
/// for zero), a 0x00 put in front when the top bit would make it negative.
struct PositiveInteger<'a> {
    bytes: &'a [u8],
    pad: bool,
    len: usize,
}

fn positive_integer(bytes: &[u8]) -> PositiveInteger<'_> {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let bytes = if first == bytes.len() {
        &[0u8][..]
    } else {
        &bytes[first..]
    };
    let pad = bytes[0] & 0x80 != 0;
    PositiveInteger {
        bytes,
        pad,
        len: bytes.len() + usize::from(pad),
    }
}

/// The last time encoded: revocations often share their second (a batch),
/// and calendar arithmetic per entry is most of the cost of a big list.
#[derive(Default)]
struct TimeCache {
    unix: Option<i64>,
    tag: u8,
    buf: [u8; 15],
    len: usize,
}

impl TimeCache {
    fn get(&mut self, t: OffsetDateTime) -> (u8, &[u8]) {
        let unix = t.unix_timestamp();
        if self.unix != Some(unix) {
            self.tag = encode_time(t, &mut self.buf, &mut self.len);
            self.unix = Some(unix);
        }
        (self.tag, &self.buf[..self.len])
    }
}

/// RFC 5280: UTCTime (YYMMDDHHMMSSZ) for 1950–2049, GeneralizedTime
/// (YYYYMMDDHHMMSSZ) otherwise; whole seconds, UTC.
fn encode_time(t: OffsetDateTime, buf: &mut [u8; 15], len: &mut usize) -> u8 {
    let unix = t.unix_timestamp();
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let utc = (1950..2050).contains(&year);
    let mut i = 0;
    let mut put = |v: u32, digits: u32| {
        for k in (0..digits).rev() {
            buf[i] = b'0' + ((v / 10u32.pow(k)) % 10) as u8;
            i += 1;
        }
    };
    let year = year.unsigned_abs() as u32;
    if utc {
        put(year % 100, 2);
    } else {
        put(year, 4);
    }
    let secs = secs as u32;
    for v in [month, day, secs / 3600, secs / 60 % 60, secs % 60] {
        put(v, 2);
    }
    buf[i] = b'Z';
    *len = i + 1;
    if utc { UTC_TIME } else { GENERALIZED_TIME }
}

/// (year, month, day) of a day count since 1970-01-01, proleptic
/// Gregorian (H. Hinnant's days_from_civil, inverted): no calendar library
/// call per entry of a list that may hold a million.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Length of a whole TLV with `content` bytes of content.
fn tlv_len(content: usize) -> usize {
    1 + len_len(content) + content
}

fn len_len(n: usize) -> usize {
    match n {
        0..0x80 => 1,
        0x80..0x100 => 2,
        0x100..0x1_0000 => 3,
        0x1_0000..0x100_0000 => 4,
        _ => 5,
    }
}

fn write_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().position(|b| *b != 0).unwrap_or(7);
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// (content, rest) of the TLV at the start of `input`, which must have `tag`.
fn read_tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (raw, rest) = read_raw_tlv(input)?;
    if raw[0] != tag {
        return None;
    }
    let header = 1 + header_len_len(raw[1]);
    Some((&raw[header..], rest))
}

/// (whole TLV, rest) at the start of `input`; definite lengths only, as DER.
fn read_raw_tlv(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let first_len = *input.get(1)?;
    let (len, header) = if first_len < 0x80 {
        (usize::from(first_len), 2)
    } else {
        let n = usize::from(first_len & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let len = input
            .get(2..2 + n)?
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    (end <= input.len()).then(|| input.split_at(end))
}

fn header_len_len(first_len: u8) -> usize {
    if first_len < 0x80 {
        1
    } else {
        1 + usize::from(first_len & 0x7f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ca::Authority;
    use crate::ca::crl::RevocationReason;
    use crate::config::KeyType;
    use crate::ids::Serial;
    use time::Duration;

    /// Serials with leading zeros and with the top bit set, every reason
    /// (unspecified has no extension), times on both sides of 2050.
    fn entries() -> Vec<RevokedEntry> {
        let base = OffsetDateTime::from_unix_timestamp(1_790_000_000).expect("time");
        let serials: [[u8; 16]; 4] = [
            [0x80; 16],
            [0, 0, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
            [0, 0x90, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
            [0x12; 16],
        ];
        let mut out = Vec::new();
        for (i, reason) in RevocationReason::ALL.into_iter().enumerate() {
            for (j, serial) in serials.iter().enumerate() {
                let mut bytes = *serial;
                bytes[15] = (i * 4 + j) as u8;
                let at = if j == 3 {
                    base + Duration::days(365 * 30)
                } else {
                    base + Duration::seconds((i * 7 + j) as i64)
                };
                out.push(RevokedEntry {
                    serial: Serial::from_bytes(bytes),
                    revoked_at: at,
                    reason,
                });
            }
        }
        out
    }

    fn authority(key_type: KeyType) -> Authority {
        let now = OffsetDateTime::now_utc();
        Authority::create(
            "crl der test",
            key_type,
            Serial::random().expect("serial"),
            now,
            now + Duration::days(3650),
        )
        .expect("CA")
    }

    /// RSA PKCS#1 v1.5 signatures are deterministic, so the fast path must
    /// give rcgen's CRL byte for byte.
    #[test]
    fn fast_path_equals_rcgen_byte_for_byte() {
        let ca = authority(KeyType::Rsa2048);
        let now = OffsetDateTime::from_unix_timestamp(1_790_000_000).expect("time");
        let list = entries();
        for n in [1usize, 3, list.len()] {
            let ours = ca
                .sign_crl(7, now, now + Duration::days(30), &list[..n])
                .expect("fast");
            let reference = ca
                .sign_crl_with_rcgen(7, now, now + Duration::days(30), &list[..n])
                .expect("rcgen");
            assert_eq!(ours, reference, "{n} entries");
        }
    }

    /// ECDSA signatures differ every time: the list must parse, name every
    /// entry with its reason, and verify under the CA's key.
    #[test]
    fn ecdsa_crl_parses_and_verifies() {
        let ca = authority(KeyType::EcdsaP256);
        let now = OffsetDateTime::now_utc();
        let list = entries();
        let der = ca
            .sign_crl(2, now, now + Duration::days(30), &list)
            .expect("crl");
        let crl = openssl::x509::X509Crl::from_der(&der).expect("parses");
        assert!(
            crl.verify(&ca.cert().public_key().expect("key"))
                .expect("verify")
        );
        let revoked = crl.get_revoked().expect("entries");
        assert_eq!(revoked.len(), list.len());
        use x509_parser::prelude::FromDer;
        let (_, parsed) =
            x509_parser::revocation_list::CertificateRevocationList::from_der(&der).expect("x509");
        let reasons: Vec<Option<u8>> = parsed
            .iter_revoked_certificates()
            .map(|r| r.reason_code().map(|(_, code)| code.0))
            .collect();
        let wanted: Vec<Option<u8>> = list
            .iter()
            .map(|e| e.reason.code().map(|c| c as u8))
            .collect();
        assert_eq!(reasons, wanted);
    }

    #[test]
    fn integers_are_minimal_and_positive() {
        let enc = |b: &[u8]| {
            let p = positive_integer(b);
            let mut v = Vec::new();
            if p.pad {
                v.push(0);
            }
            v.extend_from_slice(p.bytes);
            assert_eq!(v.len(), p.len);
            v
        };
        assert_eq!(enc(&[0, 0, 0x12]), vec![0x12]);
        assert_eq!(enc(&[0x80, 1]), vec![0, 0x80, 1]);
        assert_eq!(enc(&[0, 0x80]), vec![0, 0x80]);
        assert_eq!(enc(&[0, 0]), vec![0]);
    }

    /// Against the time crate, every day over four centuries.
    #[test]
    fn civil_dates_match_the_calendar() {
        for days in (-200 * 366)..(230 * 366) {
            let t = OffsetDateTime::UNIX_EPOCH + time::Duration::days(days);
            assert_eq!(
                civil_from_days(days),
                (
                    i64::from(t.year()),
                    u32::from(u8::from(t.month())),
                    u32::from(t.day())
                ),
                "{days}"
            );
        }
    }

    #[test]
    fn lengths_round_trip() {
        for n in [
            0usize, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 43_000_000,
        ] {
            let mut v = Vec::new();
            write_header(&mut v, SEQUENCE, n);
            assert_eq!(v.len(), 1 + len_len(n), "{n}");
            v.resize(v.len() + n, 0);
            let (content, rest) = read_tlv(&v, SEQUENCE).expect("tlv");
            assert_eq!(content.len(), n);
            assert!(rest.is_empty());
        }
    }
}
