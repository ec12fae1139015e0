//! The audit log: who changed what, when, with the values before and after, as a hash chain.
//!
//! Every change is recorded as an [`AuditEntry`]. Entries are append-only and numbered 1, 2, 3 …
//! per municipality; each carries the hash of the entry before it ([`AuditEntry::previous_hash`])
//! and its own hash ([`AuditEntry::hash`]), the SHA-256 of its [`canonical_bytes`]. Changing,
//! deleting or reordering an entry in storage therefore breaks the chain, and [`verify_chain`]
//! (behind `keikaku audit verify`) reports the first entry where it breaks.
//!
//! This module is the pure part: the entry, its encoding, its hash and the verification. Storage
//! adapters keep entries as rows; use cases supply a [`NewEntry`] (with the time, as this crate
//! has no clock) and store the result of [`AuditEntry::append`].
//!
//! What the chain can and cannot show:
//!
//! - A changed field, a deleted or inserted entry and a reordering are found, at the first entry
//!   concerned.
//! - Someone who rewrites an entry *and recomputes its hash* is found at the next entry, whose
//!   [`AuditEntry::previous_hash`] no longer matches.
//! - Someone who deletes the newest entries, or rewrites an entry and every entry after it, leaves
//!   a chain that verifies. Only a copy of a recent hash kept elsewhere (an anchor: printed,
//!   mailed, published) shows that; [`ChainVerifier::last_hash`] gives the hash to keep.
//!
//! ```
//! use keikaku_domain::MunicipalityCode;
//! use keikaku_domain::audit::{AuditEntry, NewEntry, Timestamp, verify_chain};
//!
//! let new = |at: &str, action: &str| NewEntry {
//!     municipality: MunicipalityCode::parse("03209").unwrap(),
//!     at: at.parse::<Timestamp>().unwrap(),
//!     actor: "cli".to_owned(),
//!     action: action.to_owned(),
//!     target: "sogo-keikaku".to_owned(),
//!     before: None,
//!     after: Some(r#"{"status":"published"}"#.to_owned()),
//! };
//! let first = AuditEntry::append(None, new("2026-11-26T06:15:00.123Z", "plan.import"));
//! let second = AuditEntry::append(Some(&first), new("2026-11-26T06:16:00Z", "plan.publish"));
//! assert_eq!(second.sequence, 2);
//! assert_eq!(second.previous_hash, first.hash);
//! assert_eq!(verify_chain([&first, &second]), Ok(2));
//! ```

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::era::CivilDate;
use crate::ids::MunicipalityCode;

/// Why a timestamp or a chain hash was refused. The message is Japanese, for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueError {
    /// The text (or value) that was refused, as given.
    pub input: String,
    /// A Japanese sentence that quotes the input and says why it was refused.
    pub message: String,
}

impl ValueError {
    fn new(input: &str, what: &str, reason: &str) -> Self {
        let shown = input.trim();
        let message = if shown.is_empty() {
            format!("{what}が入力されていません。")
        } else {
            format!("「{shown}」は{what}として解釈できません: {reason}。")
        };
        Self {
            input: input.to_owned(),
            message,
        }
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}

// ---------------------------------------------------------------------------------------------
// Timestamp
// ---------------------------------------------------------------------------------------------

const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// An instant in UTC: milliseconds since 1970-01-01T00:00:00.000Z (negative before), from
/// [`Timestamp::MIN`] (0001-01-01T00:00:00.000Z) to [`Timestamp::MAX`]
/// (9999-12-31T23:59:59.999Z), the years [`CivilDate`] has. Leap seconds are not counted (Unix
/// time). Written and read in ISO 8601, e.g. `2026-11-26T06:15:00.123Z`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// 0001-01-01T00:00:00.000Z, the earliest timestamp.
    pub const MIN: Timestamp = Timestamp(-62_135_596_800_000);
    /// 9999-12-31T23:59:59.999Z, the latest timestamp.
    pub const MAX: Timestamp = Timestamp(253_402_300_799_999);
    /// 1970-01-01T00:00:00.000Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp(0);

    /// The timestamp `millis` milliseconds after the Unix epoch (before it when negative);
    /// refused outside [`Timestamp::MIN`]..=[`Timestamp::MAX`].
    pub fn from_millis(millis: i64) -> Result<Self, ValueError> {
        if (Self::MIN.0..=Self::MAX.0).contains(&millis) {
            Ok(Self(millis))
        } else {
            Err(ValueError::new(
                &millis.to_string(),
                "日時（ミリ秒）",
                "0001-01-01T00:00:00.000Zから9999-12-31T23:59:59.999Zまでの範囲外です",
            ))
        }
    }

    /// Milliseconds since the Unix epoch (negative before it).
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The ISO 8601 form in UTC with milliseconds, e.g. `2026-11-26T06:15:00.123Z`.
    pub fn to_iso(self) -> String {
        let days = self.0.div_euclid(MS_PER_DAY);
        let ms = self.0.rem_euclid(MS_PER_DAY);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
            ms / MS_PER_HOUR,
            ms % MS_PER_HOUR / MS_PER_MINUTE,
            ms % MS_PER_MINUTE / MS_PER_SECOND,
            ms % MS_PER_SECOND
        )
    }

    /// Reads ISO 8601: `YYYY-MM-DDTHH:MM:SS`, optionally `.f`, `.ff` or `.fff`, then `Z` or an
    /// offset `+HH:MM` / `-HH:MM` (so `2026-11-26T15:15:00+09:00` is 06:15 UTC). Surrounding
    /// whitespace is ignored; nothing else is accepted (no leap second, no `24:00`).
    pub fn parse_iso(input: &str) -> Result<Self, ValueError> {
        parse_iso(input.trim()).map_err(|reason| ValueError::new(input, "日時", &reason))
    }
}

impl fmt::Display for Timestamp {
    /// Writes the ISO 8601 form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_iso())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_iso())
    }
}

impl FromStr for Timestamp {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_iso(s)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (`civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Parses the trimmed text; the error is a Japanese reason.
fn parse_iso(s: &str) -> Result<Timestamp, String> {
    const SHAPE: &str = "ISO 8601の形式（例: 2026-11-26T06:15:00.123Z）ではありません";
    let b = s.as_bytes();
    // Digits at fixed places, then separators, as in "2026-11-26T06:15:00".
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.iter().all(u8::is_ascii_digit) {
            Some(part.iter().fold(0, |n, c| n * 10 + i64::from(c - b'0')))
        } else {
            None
        }
    };
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if !separators.iter().all(|&(i, c)| b.get(i) == Some(&c)) {
        return Err(SHAPE.to_owned());
    }
    let fields = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    );
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = fields
    else {
        return Err(SHAPE.to_owned());
    };

    // Optional fraction of a second: one to three digits.
    let mut rest = &b[19..];
    let mut millis = 0;
    if let Some((b'.', after)) = rest.split_first() {
        let n = after.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return Err(SHAPE.to_owned());
        }
        if n > 3 {
            return Err("秒の小数部はミリ秒（3桁）までです".to_owned());
        }
        millis = after[..n]
            .iter()
            .chain(std::iter::repeat(&b'0'))
            .take(3)
            .fold(0, |v, c| v * 10 + i64::from(c - b'0'));
        rest = &after[n..];
    }

    // Zone: Z or ±HH:MM.
    let offset_minutes = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, c: u8| -> Option<i64> {
                (a.is_ascii_digit() && c.is_ascii_digit())
                    .then(|| i64::from(a - b'0') * 10 + i64::from(c - b'0'))
            };
            let (Some(h), Some(m)) = (two(*h1, *h2), two(*m1, *m2)) else {
                return Err(SHAPE.to_owned());
            };
            if h > 23 || m > 59 {
                return Err("時差は-23:59から+23:59までです".to_owned());
            }
            let total = h * 60 + m;
            if *sign == b'-' { -total } else { total }
        }
        _ => {
            return Err(format!("{SHAPE}（末尾にZか+09:00のような時差が必要です）"));
        }
    };

    if !(1..=12).contains(&month) {
        return Err("月は1から12までです".to_owned());
    }
    // Both are small by now: the year has four digits and the month is 1 to 12.
    let dim = i64::from(CivilDate::days_in_month(
        i32::try_from(year).unwrap_or(0),
        u8::try_from(month).unwrap_or(0),
    ));
    if !(1..=dim).contains(&day) {
        return Err(format!("{year}年{month}月の日は1から{dim}までです"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err("時は0から23まで、分と秒は0から59までです".to_owned());
    }
    let total = days_from_civil(year, month, day) * MS_PER_DAY
        + hour * MS_PER_HOUR
        + minute * MS_PER_MINUTE
        + second * MS_PER_SECOND
        + millis
        - offset_minutes * MS_PER_MINUTE;
    if (Timestamp::MIN.0..=Timestamp::MAX.0).contains(&total) {
        Ok(Timestamp(total))
    } else {
        Err(
            "0001-01-01T00:00:00.000Zから9999-12-31T23:59:59.999Zまでの日時を指定してください"
                .to_owned(),
        )
    }
}

// ---------------------------------------------------------------------------------------------
// ChainHash
// ---------------------------------------------------------------------------------------------

/// A SHA-256 hash in the chain, written as 64 lowercase hexadecimal digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChainHash([u8; 32]);

impl ChainHash {
    /// The "previous hash" of entry 1, which has no previous entry: 32 zero bytes.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);

    /// The hash with these bytes.
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Reads 64 lowercase hexadecimal digits (surrounding whitespace is ignored). Upper case is
    /// refused, so that every hash has exactly one written form.
    pub fn parse(input: &str) -> Result<Self, ValueError> {
        let s = input.trim().as_bytes();
        if s.len() != 64 {
            return Err(ValueError::new(
                input,
                "ハッシュ値",
                &format!(
                    "64桁の16進数が必要ですが{}文字です",
                    input.trim().chars().count()
                ),
            ));
        }
        let nibble = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
            match (nibble(pair[0]), nibble(pair[1])) {
                (Some(hi), Some(lo)) => *byte = hi << 4 | lo,
                _ => {
                    return Err(ValueError::new(
                        input,
                        "ハッシュ値",
                        "使えるのは半角の0〜9とa〜f（小文字）だけです",
                    ));
                }
            }
        }
        Ok(Self(out))
    }

    /// The SHA-256 of `data`.
    fn digest(data: &[u8]) -> Self {
        Self(Sha256::digest(data).into())
    }
}

impl fmt::Display for ChainHash {
    /// Writes 64 lowercase hexadecimal digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({self})")
    }
}

impl FromStr for ChainHash {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------------------------

/// What a use case supplies to record a change; [`AuditEntry::append`] adds the sequence number
/// and the hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEntry {
    /// The municipality whose data changed; each municipality has its own chain.
    pub municipality: MunicipalityCode,
    /// When the change was made (the caller's clock; this crate has none).
    pub at: Timestamp,
    /// Who made it: the login id, or `cli` for the console operator.
    pub actor: String,
    /// What was done, e.g. `plan.import`, `element.update`, `plan.publish`.
    pub action: String,
    /// What it was done to, e.g. `sogo-keikaku/field-1-1`.
    pub target: String,
    /// The old value as JSON text, if there was one (opaque here).
    pub before: Option<String>,
    /// The new value as JSON text, if there is one (opaque here).
    pub after: Option<String>,
}

/// One recorded change, linked to the entry before it by [`AuditEntry::previous_hash`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// 1, 2, 3 … without gaps, per municipality.
    pub sequence: u64,
    /// The municipality whose data changed; each municipality has its own chain.
    pub municipality: MunicipalityCode,
    /// When the change was made, in UTC.
    pub at: Timestamp,
    /// Who made it: the login id, or `cli` for the console operator.
    pub actor: String,
    /// What was done, e.g. `plan.import`, `element.update`, `plan.publish`.
    pub action: String,
    /// What it was done to, e.g. `sogo-keikaku/field-1-1`.
    pub target: String,
    /// The old value as JSON text, if there was one (opaque here).
    pub before: Option<String>,
    /// The new value as JSON text, if there is one (opaque here).
    pub after: Option<String>,
    /// The [`AuditEntry::hash`] of entry `sequence - 1`; [`ChainHash::GENESIS`] for entry 1.
    pub previous_hash: ChainHash,
    /// The SHA-256 of this entry's [`canonical_bytes`], which include `previous_hash`.
    pub hash: ChainHash,
}

impl AuditEntry {
    /// The entry that records `new` after `previous`, the latest entry of the same municipality
    /// (`None` when the municipality has none yet): the next sequence number, the previous
    /// entry's hash, and this entry's own hash.
    ///
    /// The caller must pass the latest entry of `new.municipality` (read in the same transaction
    /// as the insert); an entry of another municipality gives an entry that [`verify_chain`]
    /// refuses. The time is taken as given, even when it is before `previous.at`: clocks differ
    /// slightly between servers, and [`CLOCK_SKEW_TOLERANCE_MS`] allows for that.
    pub fn append(previous: Option<&AuditEntry>, new: NewEntry) -> AuditEntry {
        let (sequence, previous_hash) = match previous {
            // A chain of 2^64 entries cannot be stored; saturating only avoids an overflow panic.
            Some(p) => (p.sequence.saturating_add(1), p.hash),
            None => (1, ChainHash::GENESIS),
        };
        let NewEntry {
            municipality,
            at,
            actor,
            action,
            target,
            before,
            after,
        } = new;
        let mut entry = AuditEntry {
            sequence,
            municipality,
            at,
            actor,
            action,
            target,
            before,
            after,
            previous_hash,
            hash: ChainHash::GENESIS,
        };
        entry.hash = entry.compute_hash();
        entry
    }

    /// The SHA-256 of this entry's [`canonical_bytes`]: what [`AuditEntry::hash`] must be. The
    /// stored `hash` itself is not part of the input.
    pub fn compute_hash(&self) -> ChainHash {
        ChainHash::digest(&canonical_bytes(self))
    }
}

/// The prefix of every [`canonical_bytes`]: names the format and its version, so that these bytes
/// can never be mistaken for (or made to collide with) bytes hashed for another purpose, and so
/// that a later format can be told apart.
pub const CANONICAL_PREFIX: &[u8; 16] = b"keikaku-audit-v1";

/// The bytes that [`AuditEntry::hash`] is the SHA-256 of: every field except `hash` itself.
///
/// The encoding is binary and exact rather than JSON, because JSON has many spellings of one
/// value (key order, whitespace, escapes such as `\u3042` for あ, number forms), and whoever
/// re-encodes an entry to verify it (another version of keikaku, a script of an external
/// auditor) must reproduce the very same bytes. It is also *unambiguous*: two different entries
/// never give the same bytes, because the bytes can be read back field by field. Plain
/// concatenation would not be: actor `ab` + action `c` and actor `a` + action `bc` would both
/// give `abc`.
///
/// Layout, in this fixed order (integers big-endian):
///
/// ```text
/// "keikaku-audit-v1"                     16 bytes, see CANONICAL_PREFIX
/// field(sequence as u64, 8 bytes)
/// field(municipality, 5 ASCII digits)
/// field(at as i64 milliseconds, 8 bytes, two's complement)
/// field(actor, UTF-8)
/// field(action, UTF-8)
/// field(target, UTF-8)
/// option(before, UTF-8)
/// option(after, UTF-8)
/// field(previous_hash, 32 bytes)
///
/// field(b)        = len(b) as u64 (8 bytes) ++ b
/// option(None)    = 0x00
/// option(Some(b)) = 0x01 ++ field(b)
/// ```
///
/// Text is taken byte for byte, without Unicode normalisation: what is hashed is what is stored.
pub fn canonical_bytes(entry: &AuditEntry) -> Vec<u8> {
    fn field(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    fn option(out: &mut Vec<u8>, value: Option<&str>) {
        match value {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                field(out, v.as_bytes());
            }
        }
    }
    let text_len = entry.actor.len()
        + entry.action.len()
        + entry.target.len()
        + entry.before.as_ref().map_or(0, String::len)
        + entry.after.as_ref().map_or(0, String::len);
    // Prefix, nine length prefixes, two option tags and the fixed-size values: under 160 bytes.
    let mut out = Vec::with_capacity(160 + text_len);
    out.extend_from_slice(CANONICAL_PREFIX);
    field(&mut out, &entry.sequence.to_be_bytes());
    field(&mut out, entry.municipality.as_str().as_bytes());
    field(&mut out, &entry.at.as_millis().to_be_bytes());
    field(&mut out, entry.actor.as_bytes());
    field(&mut out, entry.action.as_bytes());
    field(&mut out, entry.target.as_bytes());
    option(&mut out, entry.before.as_deref());
    option(&mut out, entry.after.as_deref());
    field(&mut out, entry.previous_hash.as_bytes());
    out
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

/// How far (in milliseconds) an entry's time may lie before the latest time of the entries
/// before it: 5 minutes. Entries are written by several servers whose clocks differ slightly, so
/// a small step back is normal; a larger one means a clock is wrong or an entry was inserted
/// later with a back-dated time.
pub const CLOCK_SKEW_TOLERANCE_MS: i64 = 5 * MS_PER_MINUTE;

/// Where and how a chain is broken. The message is Japanese, for the administrator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry at the place of number `expected` has number `found`: entries were deleted,
    /// inserted, reordered or renumbered (or the first entry is not number 1).
    SequenceGap {
        /// The number the entry should have.
        expected: u64,
        /// The number it has.
        found: u64,
    },
    /// The entry's `previous_hash` is not the hash of the entry before it (or, for entry 1, not
    /// [`ChainHash::GENESIS`]): an entry before it was replaced, or this one was.
    WrongPrevious {
        /// The entry's number.
        sequence: u64,
    },
    /// The entry's `hash` is not the hash of its content: the entry was changed after it was
    /// written.
    WrongHash {
        /// The entry's number.
        sequence: u64,
    },
    /// The entry belongs to another municipality than the entries before it.
    WrongMunicipality {
        /// The entry's number.
        sequence: u64,
    },
    /// The entry's time is more than [`CLOCK_SKEW_TOLERANCE_MS`] before that of an entry before
    /// it.
    TimeWentBack {
        /// The entry's number.
        sequence: u64,
    },
}

impl ChainBreak {
    /// The `sequence` stored in the first entry that breaks the chain (for
    /// [`ChainBreak::SequenceGap`], `found`), so that an administrator can look the entry up.
    pub fn sequence(&self) -> u64 {
        match *self {
            ChainBreak::SequenceGap { found, .. } => found,
            ChainBreak::WrongPrevious { sequence }
            | ChainBreak::WrongHash { sequence }
            | ChainBreak::WrongMunicipality { sequence }
            | ChainBreak::TimeWentBack { sequence } => sequence,
        }
    }
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ChainBreak::SequenceGap { expected, found } => write!(
                f,
                "監査ログの連番が途切れています: {expected}番があるべき位置に{found}番の記録があります（記録の削除・挿入・並べ替えの可能性があります）。"
            ),
            ChainBreak::WrongPrevious { sequence } => write!(
                f,
                "監査ログ{sequence}番の「直前の記録のハッシュ値」が直前の記録と一致しません（記録の差し替え・削除・並べ替えの可能性があります）。"
            ),
            ChainBreak::WrongHash { sequence } => write!(
                f,
                "監査ログ{sequence}番の内容がハッシュ値と一致しません（記録が書き換えられた可能性があります）。"
            ),
            ChainBreak::WrongMunicipality { sequence } => write!(
                f,
                "監査ログ{sequence}番の市町村コードが、それより前の記録と異なります。"
            ),
            ChainBreak::TimeWentBack { sequence } => write!(
                f,
                "監査ログ{sequence}番の日時が、それより前の記録の日時より{}分を超えて過去に戻っています（時計のずれか、後から挿入された記録の可能性があります）。",
                CLOCK_SKEW_TOLERANCE_MS / MS_PER_MINUTE
            ),
        }
    }
}

impl std::error::Error for ChainBreak {}

/// Checks a chain one entry at a time, in O(1) memory, for callers that receive entries from a
/// stream (such as rows of a database cursor) rather than an iterator; [`verify_chain`] is
/// built on it.
///
/// Each entry is checked, in this order, for: its sequence number (1 for the first, then one more
/// than the entry before), its municipality (that of the first entry), its `previous_hash` (the
/// `hash` of the entry before, [`ChainHash::GENESIS`] for entry 1), its `hash` (recomputed from
/// its content), and its time (at most [`CLOCK_SKEW_TOLERANCE_MS`] before the latest time seen
/// so far). The time is checked last, so that a changed time is reported as
/// [`ChainBreak::WrongHash`]; a step back is only reported for an entry whose hash is right.
///
/// After a break the verifier stays at the last good entry; callers stop at the first break.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    checked: u64,
    last_sequence: u64,
    last_hash: ChainHash,
    latest_at: Option<Timestamp>,
    municipality: Option<MunicipalityCode>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// A verifier that expects entry 1 first.
    pub fn new() -> Self {
        Self {
            checked: 0,
            last_sequence: 0,
            last_hash: ChainHash::GENESIS,
            latest_at: None,
            municipality: None,
        }
    }

    /// Checks the next entry of the chain.
    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        let sequence = entry.sequence;
        let expected = self.last_sequence.saturating_add(1);
        if sequence != expected {
            return Err(ChainBreak::SequenceGap {
                expected,
                found: sequence,
            });
        }
        if self
            .municipality
            .as_ref()
            .is_some_and(|m| *m != entry.municipality)
        {
            return Err(ChainBreak::WrongMunicipality { sequence });
        }
        if entry.previous_hash != self.last_hash {
            return Err(ChainBreak::WrongPrevious { sequence });
        }
        if entry.compute_hash() != entry.hash {
            return Err(ChainBreak::WrongHash { sequence });
        }
        if let Some(latest) = self.latest_at
            && latest.as_millis() - entry.at.as_millis() > CLOCK_SKEW_TOLERANCE_MS
        {
            return Err(ChainBreak::TimeWentBack { sequence });
        }
        if self.municipality.is_none() {
            self.municipality = Some(entry.municipality.clone());
        }
        self.checked += 1;
        self.last_sequence = sequence;
        self.last_hash = entry.hash;
        self.latest_at = Some(self.latest_at.map_or(entry.at, |t| t.max(entry.at)));
        Ok(())
    }

    /// How many entries have been checked and found good.
    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The hash of the last good entry ([`ChainHash::GENESIS`] before any): the hash to keep
    /// elsewhere as an anchor, since deleting or rewriting the newest entries is only visible
    /// against such a copy.
    pub fn last_hash(&self) -> ChainHash {
        self.last_hash
    }
}

/// Checks a whole chain, entries in sequence order starting at 1, and returns how many entries
/// it checked, or the first break. An empty chain is valid. Uses O(1) memory, so millions of
/// entries can be streamed through it; see [`ChainVerifier`] for the checks and their order.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<u64, ChainBreak> {
    let mut verifier = ChainVerifier::new();
    for entry in entries {
        verifier.check(entry)?;
    }
    Ok(verifier.checked())
}
