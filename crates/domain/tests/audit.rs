//! Tests for `keikaku_domain::audit`: the hash chain finds every tampering at the entry where it
//! happened, the canonical encoding is unambiguous and fixed, and timestamps and hashes read back
//! what they write.
#![allow(clippy::unwrap_used)]

use keikaku_domain::MunicipalityCode;
use keikaku_domain::audit::{
    AuditEntry, CANONICAL_PREFIX, CLOCK_SKEW_TOLERANCE_MS, ChainBreak, ChainHash, ChainVerifier,
    NewEntry, Timestamp, canonical_bytes, verify_chain,
};
use keikaku_domain::era::CivilDate;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const MINUTE: i64 = 60_000;

fn code(s: &str) -> MunicipalityCode {
    MunicipalityCode::parse(s).unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// The change recorded as entry `i` (1-based) of the test chain: one minute apart, with every
/// shape of before/after and some non-ASCII text.
fn change(i: u64, at: Timestamp) -> NewEntry {
    let actor = match i % 3 {
        0 => "cli".to_owned(),
        1 => format!("user{i}"),
        _ => "山田".to_owned(),
    };
    let (action, before, after) = match i % 4 {
        0 => ("plan.import", None, Some(format!(r#"{{"plan":"p{i}"}}"#))),
        1 => (
            "element.update",
            Some(format!(r#"{{"title":"旧{i}"}}"#)),
            Some(format!(r#"{{"title":"新{i}"}}"#)),
        ),
        2 => ("element.delete", Some(format!(r#"{{"id":{i}}}"#)), None),
        _ => ("plan.publish", None, None),
    };
    NewEntry {
        municipality: code("03209"),
        at,
        actor,
        action: action.to_owned(),
        target: format!("sogo-keikaku/field-{}-{}", i / 10, i % 10),
        before,
        after,
    }
}

fn chain(n: u64) -> Vec<AuditEntry> {
    let start = ts("2026-11-26T06:15:00.123Z").as_millis();
    let mut out: Vec<AuditEntry> = Vec::new();
    for i in 1..=n {
        let at = Timestamp::from_millis(start + i as i64 * MINUTE).unwrap();
        let entry = AuditEntry::append(out.last(), change(i, at));
        out.push(entry);
    }
    out
}

fn flip(h: ChainHash) -> ChainHash {
    let mut b = *h.as_bytes();
    b[31] ^= 1;
    ChainHash::from_bytes(b)
}

fn shift(t: Timestamp, millis: i64) -> Timestamp {
    Timestamp::from_millis(t.as_millis() + millis).unwrap()
}

/// Chains: building, verifying, and every kind of tampering.
mod audit_chain {
    use super::*;

    #[test]
    fn a_chain_of_1000_entries_verifies() {
        let entries = chain(1000);
        assert_eq!(entries[0].sequence, 1);
        assert_eq!(entries[0].previous_hash, ChainHash::GENESIS);
        for pair in entries.windows(2) {
            assert_eq!(pair[1].sequence, pair[0].sequence + 1);
            assert_eq!(pair[1].previous_hash, pair[0].hash);
        }
        assert_eq!(verify_chain(&entries), Ok(1000));
    }

    #[test]
    fn an_empty_chain_and_a_chain_of_one() {
        assert_eq!(verify_chain(&Vec::<AuditEntry>::new()), Ok(0));
        assert_eq!(verify_chain(&chain(1)), Ok(1));
    }

    type Tamper = fn(&mut AuditEntry);
    type Expect = fn(u64) -> ChainBreak;

    fn wrong_hash(sequence: u64) -> ChainBreak {
        ChainBreak::WrongHash { sequence }
    }

    /// Every single-field change, and the break it must cause at the changed entry `p`.
    const TAMPERS: &[(&str, Tamper, Expect)] = &[
        ("actor", |e| e.actor.push('x'), wrong_hash),
        (
            "actor (same length)",
            |e| e.actor = "x".repeat(e.actor.len()),
            wrong_hash,
        ),
        (
            "action",
            |e| e.action = "plan.delete".to_owned(),
            wrong_hash,
        ),
        ("target", |e| e.target.push_str("-2"), wrong_hash),
        (
            "before (None ↔ Some(\"\"))",
            |e| {
                e.before = if e.before.is_some() {
                    None
                } else {
                    Some(String::new())
                }
            },
            wrong_hash,
        ),
        (
            "before (value)",
            |e| e.before = Some(format!("{} ", e.before.clone().unwrap_or_default())),
            wrong_hash,
        ),
        (
            "after (None ↔ Some(\"\"))",
            |e| {
                e.after = if e.after.is_some() {
                    None
                } else {
                    Some(String::new())
                }
            },
            wrong_hash,
        ),
        (
            "after (value)",
            |e| e.after = Some(format!("{}x", e.after.clone().unwrap_or_default())),
            wrong_hash,
        ),
        ("at (+1 ms)", |e| e.at = shift(e.at, 1), wrong_hash),
        (
            "at (-1 day)",
            |e| e.at = shift(e.at, -24 * 60 * MINUTE),
            wrong_hash,
        ),
        (
            "municipality",
            |e| e.municipality = code("13101"),
            |p| {
                if p == 1 {
                    ChainBreak::WrongHash { sequence: p }
                } else {
                    ChainBreak::WrongMunicipality { sequence: p }
                }
            },
        ),
        (
            "sequence (+1)",
            |e| e.sequence += 1,
            |p| ChainBreak::SequenceGap {
                expected: p,
                found: p + 1,
            },
        ),
        (
            "sequence (-1)",
            |e| e.sequence -= 1,
            |p| ChainBreak::SequenceGap {
                expected: p,
                found: p - 1,
            },
        ),
        (
            "previous_hash",
            |e| e.previous_hash = flip(e.previous_hash),
            |p| ChainBreak::WrongPrevious { sequence: p },
        ),
        ("hash", |e| e.hash = flip(e.hash), wrong_hash),
    ];

    #[test]
    fn tampering_with_any_field_of_any_entry_is_found_at_that_entry() {
        let mut entries = chain(1000);
        let mut cases = 0;
        for p in [1u64, 2, 3, 4, 5, 250, 499, 500, 501, 997, 998, 999, 1000] {
            let index = (p - 1) as usize;
            for (field, tamper, expect) in TAMPERS {
                let original = entries[index].clone();
                tamper(&mut entries[index]);
                assert_ne!(entries[index], original, "{field} at {p}: no change");
                let result = verify_chain(&entries);
                assert_eq!(result, Err(expect(p)), "{field} changed at entry {p}");
                assert_eq!(result.unwrap_err().sequence(), entries[index].sequence);
                entries[index] = original;
                cases += 1;
            }
        }
        assert_eq!(cases, 13 * TAMPERS.len());
        assert_eq!(verify_chain(&entries), Ok(1000));
    }

    #[test]
    fn a_rewritten_entry_with_a_recomputed_hash_is_found_at_the_next_entry() {
        let mut entries = chain(1000);
        entries[499].actor = "intruder".to_owned();
        entries[499].hash = entries[499].compute_hash();
        assert_eq!(
            verify_chain(&entries),
            Err(ChainBreak::WrongPrevious { sequence: 501 })
        );
    }

    #[test]
    fn the_newest_entries_can_only_be_checked_against_a_kept_hash() {
        // The documented limit: rewriting the last entry (or dropping the newest ones) leaves a valid
        // chain; the head hash kept elsewhere is what shows it.
        let entries = chain(10);
        let mut verifier = ChainVerifier::new();
        entries.iter().try_for_each(|e| verifier.check(e)).unwrap();
        let anchor = verifier.last_hash();
        assert_eq!(anchor, entries[9].hash);

        let mut rewritten = entries.clone();
        rewritten[9].actor = "intruder".to_owned();
        rewritten[9].hash = rewritten[9].compute_hash();
        assert_eq!(verify_chain(&rewritten), Ok(10));
        assert_ne!(rewritten[9].hash, anchor);

        assert_eq!(verify_chain(&entries[..9]), Ok(9));
    }

    #[test]
    fn deleting_an_entry_is_a_sequence_gap_where_it_was() {
        let entries = chain(1000);
        for p in [1u64, 2, 500, 999] {
            let mut shorter = entries.clone();
            shorter.remove((p - 1) as usize);
            let result = verify_chain(&shorter);
            assert_eq!(
                result,
                Err(ChainBreak::SequenceGap {
                    expected: p,
                    found: p + 1
                }),
                "entry {p} deleted"
            );
            assert_eq!(result.unwrap_err().sequence(), p + 1);
        }
    }

    #[test]
    fn deleting_an_entry_and_renumbering_is_a_wrong_previous_hash() {
        let mut entries = chain(1000);
        entries.remove(499);
        for e in &mut entries[499..] {
            e.sequence -= 1;
        }
        // Entry 500 (formerly 501) now has the wrong sequence in its hashed content and points to the
        // deleted entry; the previous hash is checked first.
        assert_eq!(
            verify_chain(&entries),
            Err(ChainBreak::WrongPrevious { sequence: 500 })
        );
    }

    #[test]
    fn reordering_is_found() {
        let entries = chain(1000);
        for p in [1usize, 500, 999] {
            // Swapped as stored.
            let mut swapped = entries.clone();
            swapped.swap(p - 1, p);
            assert_eq!(
                verify_chain(&swapped),
                Err(ChainBreak::SequenceGap {
                    expected: p as u64,
                    found: p as u64 + 1
                }),
                "entries {p} and {} swapped",
                p + 1
            );
            // Swapped and renumbered to hide it.
            let (a, b) = (swapped[p - 1].sequence, swapped[p].sequence);
            swapped[p - 1].sequence = b;
            swapped[p].sequence = a;
            assert_eq!(
                verify_chain(&swapped),
                Err(ChainBreak::WrongPrevious { sequence: p as u64 }),
                "entries {p} and {} swapped and renumbered",
                p + 1
            );
        }
        // Reversed.
        let reversed: Vec<&AuditEntry> = entries.iter().rev().collect();
        assert_eq!(
            verify_chain(reversed),
            Err(ChainBreak::SequenceGap {
                expected: 1,
                found: 1000
            })
        );
    }

    #[test]
    fn a_chain_must_start_at_entry_one_with_the_genesis_hash() {
        let entries = chain(5);
        assert_eq!(
            verify_chain(&entries[1..]),
            Err(ChainBreak::SequenceGap {
                expected: 1,
                found: 2
            })
        );
        let mut first = entries[0].clone();
        first.previous_hash = entries[3].hash;
        first.hash = first.compute_hash();
        assert_eq!(
            verify_chain([&first]),
            Err(ChainBreak::WrongPrevious { sequence: 1 })
        );
    }

    #[test]
    fn a_duplicated_entry_is_found() {
        let mut entries = chain(10);
        entries.insert(5, entries[4].clone());
        assert_eq!(
            verify_chain(&entries),
            Err(ChainBreak::SequenceGap {
                expected: 6,
                found: 5
            })
        );
    }

    #[test]
    fn an_entry_of_another_municipality_breaks_the_chain() {
        let mut entries = chain(3);
        let mut other = change(4, shift(entries[2].at, MINUTE));
        other.municipality = code("13101");
        entries.push(AuditEntry::append(entries.last(), other));
        assert_eq!(
            verify_chain(&entries),
            Err(ChainBreak::WrongMunicipality { sequence: 4 })
        );
    }

    /// A chain whose entries have these times, in minutes and milliseconds after a fixed instant.
    fn chain_at(offsets_ms: &[i64]) -> Vec<AuditEntry> {
        let start = ts("2026-11-26T06:15:00Z");
        let mut out: Vec<AuditEntry> = Vec::new();
        for (i, &ms) in offsets_ms.iter().enumerate() {
            let e = AuditEntry::append(out.last(), change(i as u64 + 1, shift(start, ms)));
            out.push(e);
        }
        out
    }

    #[test]
    fn time_may_go_back_within_the_tolerance_only() {
        assert_eq!(CLOCK_SKEW_TOLERANCE_MS, 5 * MINUTE);
        let tol = CLOCK_SKEW_TOLERANCE_MS;
        // Equal times and steps back up to the tolerance are clock skew.
        assert_eq!(
            verify_chain(&chain_at(&[0, 0, 10 * MINUTE, 5 * MINUTE])),
            Ok(4)
        );
        assert_eq!(
            verify_chain(&chain_at(&[0, 10 * MINUTE, 10 * MINUTE - tol, 11 * MINUTE])),
            Ok(4)
        );
        // One millisecond more is a break, at that entry.
        assert_eq!(
            verify_chain(&chain_at(&[
                0,
                10 * MINUTE,
                10 * MINUTE - tol - 1,
                11 * MINUTE
            ])),
            Err(ChainBreak::TimeWentBack { sequence: 3 })
        );
        // Measured from the latest time so far, not only from the entry before: two steps of three
        // minutes back are six minutes back.
        assert_eq!(
            verify_chain(&chain_at(&[0, 10 * MINUTE, 7 * MINUTE, 4 * MINUTE])),
            Err(ChainBreak::TimeWentBack { sequence: 4 })
        );
        // Before 1970 works like any other time.
        let old =
            ts("1969-12-31T23:59:59.999Z").as_millis() - ts("2026-11-26T06:15:00Z").as_millis();
        assert_eq!(verify_chain(&chain_at(&[old, old + 1])), Ok(2));
        assert_eq!(
            verify_chain(&chain_at(&[old + tol + 1, old])),
            Err(ChainBreak::TimeWentBack { sequence: 2 })
        );
    }

    #[test]
    fn the_verifier_streams_entries_it_does_not_keep() {
        // Entries are made one at a time and dropped after the check, as rows from a cursor would be.
        let mut verifier = ChainVerifier::new();
        let mut previous: Option<AuditEntry> = None;
        let start = ts("2026-01-01T00:00:00Z");
        for i in 1..=5000u64 {
            let entry = AuditEntry::append(previous.as_ref(), change(i, shift(start, i as i64)));
            verifier.check(&entry).unwrap();
            previous = Some(entry);
        }
        assert_eq!(verifier.checked(), 5000);
        assert_eq!(verifier.last_hash(), previous.unwrap().hash);
        assert_eq!(ChainVerifier::default().last_hash(), ChainHash::GENESIS);
    }

    #[test]
    fn the_verifier_stays_at_the_last_good_entry_after_a_break() {
        let mut entries = chain(3);
        entries[1].actor.push('x');
        let mut verifier = ChainVerifier::new();
        verifier.check(&entries[0]).unwrap();
        assert_eq!(
            verifier.check(&entries[1]),
            Err(ChainBreak::WrongHash { sequence: 2 })
        );
        assert_eq!(verifier.checked(), 1);
        assert_eq!(verifier.last_hash(), entries[0].hash);
    }

    #[test]
    fn breaks_are_explained_in_japanese() {
        let cases = [
            (
                ChainBreak::SequenceGap {
                    expected: 500,
                    found: 501,
                },
                "監査ログの連番が途切れています: 500番があるべき位置に501番の記録があります",
            ),
            (
                ChainBreak::WrongPrevious { sequence: 7 },
                "監査ログ7番の「直前の記録のハッシュ値」",
            ),
            (
                ChainBreak::WrongHash { sequence: 8 },
                "監査ログ8番の内容がハッシュ値と一致しません",
            ),
            (
                ChainBreak::WrongMunicipality { sequence: 9 },
                "監査ログ9番の市町村コード",
            ),
            (
                ChainBreak::TimeWentBack { sequence: 10 },
                "5分を超えて過去に戻っています",
            ),
        ];
        for (brk, expected) in cases {
            let text = brk.to_string();
            assert!(text.contains(expected), "{text}");
            assert!(text.ends_with('。'), "{text}");
        }
    }
}

/// The canonical encoding and the hash.
mod audit_encoding {
    use super::*;

    /// The fixed entry of the known-answer test.
    fn fixed_entry() -> AuditEntry {
        let mut previous = [0u8; 32];
        for (i, b) in previous.iter_mut().enumerate() {
            *b = i as u8;
        }
        let mut entry = AuditEntry {
            sequence: 42,
            municipality: code("03209"),
            at: ts("2026-11-26T06:15:00.123Z"),
            actor: "yamada".to_owned(),
            action: "element.update".to_owned(),
            target: "sogo-keikaku/field-1-1".to_owned(),
            before: Some(r#"{"title":"旧"}"#.to_owned()),
            after: None,
            previous_hash: ChainHash::from_bytes(previous),
            hash: ChainHash::GENESIS,
        };
        entry.hash = entry.compute_hash();
        entry
    }

    /// SHA-256 of the canonical bytes of [`fixed_entry`], computed once, outside Rust, from the
    /// documented layout (a few lines of Python and `sha256sum`). If this test fails, the encoding
    /// changed and every stored chain would stop verifying: change the format only together with
    /// a new version in the prefix.
    const FIXED_ENTRY_HASH: &str =
        "91df50924e54ee12b00cdaa46b49803245cca156190ac5cc3abb6524dbceabcb";

    #[test]
    fn known_answer_for_a_fixed_entry() {
        let entry = fixed_entry();
        let bytes = canonical_bytes(&entry);

        // The layout, spelled out independently of the implementation.
        let mut expected = Vec::new();
        let field = |out: &mut Vec<u8>, b: &[u8]| {
            out.extend_from_slice(&(b.len() as u64).to_be_bytes());
            out.extend_from_slice(b);
        };
        expected.extend_from_slice(b"keikaku-audit-v1");
        field(&mut expected, &[0, 0, 0, 0, 0, 0, 0, 42]);
        field(&mut expected, b"03209");
        field(&mut expected, &1_795_673_700_123i64.to_be_bytes());
        field(&mut expected, b"yamada");
        field(&mut expected, b"element.update");
        field(&mut expected, b"sogo-keikaku/field-1-1");
        expected.push(1);
        field(&mut expected, "{\"title\":\"旧\"}".as_bytes());
        expected.push(0);
        field(&mut expected, &(0u8..32).collect::<Vec<_>>());
        assert_eq!(bytes, expected);
        assert_eq!(&bytes[..16], CANONICAL_PREFIX);
        assert_eq!(
            bytes.len(),
            16 + 8 * 8 + 2 + (8 + 5 + 8 + 6 + 14 + 22 + 15 + 32)
        );

        // The hash is the SHA-256 of those bytes, and equals the constant.
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        assert_eq!(entry.hash, ChainHash::from_bytes(digest));
        assert_eq!(entry.hash.to_string(), FIXED_ENTRY_HASH);
        assert_eq!(entry.compute_hash(), entry.hash);
    }

    #[test]
    fn the_stored_hash_is_not_part_of_the_canonical_bytes() {
        let entry = fixed_entry();
        let mut other = entry.clone();
        other.hash = flip(other.hash);
        assert_eq!(canonical_bytes(&entry), canonical_bytes(&other));
    }

    #[test]
    fn moving_text_between_fields_changes_the_bytes() {
        let base = fixed_entry();
        let variants: Vec<fn(&mut AuditEntry)> = vec![
            |e| {
                e.actor = "ab".into();
                e.action = "c".into();
            },
            |e| {
                e.actor = "a".into();
                e.action = "bc".into();
            },
            |e| {
                e.before = None;
                e.after = Some("x".into());
            },
            |e| {
                e.before = Some("x".into());
                e.after = None;
            },
            |e| {
                e.before = Some(String::new());
                e.after = None;
            },
            |e| {
                e.before = None;
                e.after = None;
            },
            |e| {
                e.target = "t".into();
                e.before = None;
            },
            |e| {
                e.target = String::new();
                e.before = Some("t".into());
            },
        ];
        let all: Vec<Vec<u8>> = variants
            .iter()
            .map(|v| {
                let mut e = base.clone();
                v(&mut e);
                canonical_bytes(&e)
            })
            .collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    /// Reads canonical bytes back, following the documented layout; `None` if they do not follow it.
    /// That this always gives back the entry is what makes the encoding unambiguous.
    fn decode(bytes: &[u8]) -> Option<AuditEntry> {
        fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
            if b.len() < n {
                return None;
            }
            let (head, tail) = b.split_at(n);
            *b = tail;
            Some(head)
        }
        fn field<'a>(b: &mut &'a [u8]) -> Option<&'a [u8]> {
            let len = u64::from_be_bytes(take(b, 8)?.try_into().ok()?);
            take(b, usize::try_from(len).ok()?)
        }
        fn text(b: &mut &[u8]) -> Option<String> {
            String::from_utf8(field(b)?.to_vec()).ok()
        }
        fn option(b: &mut &[u8]) -> Option<Option<String>> {
            match take(b, 1)? {
                [0] => Some(None),
                [1] => Some(Some(text(b)?)),
                _ => None,
            }
        }
        let mut b = bytes;
        if take(&mut b, 16)? != b"keikaku-audit-v1" {
            return None;
        }
        let entry = AuditEntry {
            sequence: u64::from_be_bytes(field(&mut b)?.try_into().ok()?),
            municipality: MunicipalityCode::parse(&text(&mut b)?).ok()?,
            at: Timestamp::from_millis(i64::from_be_bytes(field(&mut b)?.try_into().ok()?)).ok()?,
            actor: text(&mut b)?,
            action: text(&mut b)?,
            target: text(&mut b)?,
            before: option(&mut b)?,
            after: option(&mut b)?,
            previous_hash: ChainHash::from_bytes(field(&mut b)?.try_into().ok()?),
            hash: ChainHash::GENESIS,
        };
        b.is_empty().then_some(entry)
    }

    /// Entries drawn from a tiny alphabet, so that equal entries and text shifted between
    /// neighbouring fields are both frequent.
    fn small_entry() -> impl Strategy<Value = AuditEntry> {
        let text = || "[ab]{0,3}";
        (
            (
                0u64..3,
                prop::sample::select(vec!["03209", "13101"]),
                -1i64..2,
            ),
            (text(), text(), text()),
            (
                prop::option::of(text()),
                prop::option::of(text()),
                prop::sample::select(vec![ChainHash::GENESIS, ChainHash::from_bytes([1; 32])]),
            ),
        )
            .prop_map(
                |((sequence, m, at), (actor, action, target), (before, after, previous_hash))| {
                    AuditEntry {
                        sequence,
                        municipality: code(m),
                        at: Timestamp::from_millis(at).unwrap(),
                        actor,
                        action,
                        target,
                        before,
                        after,
                        previous_hash,
                        hash: ChainHash::GENESIS,
                    }
                },
            )
    }

    /// Entries with any text, time and hash.
    fn any_entry() -> impl Strategy<Value = AuditEntry> {
        (
            (
                any::<u64>(),
                prop::sample::select(vec!["03209", "13101", "47382"]),
                Timestamp::MIN.as_millis()..=Timestamp::MAX.as_millis(),
            ),
            (any::<String>(), any::<String>(), any::<String>()),
            (
                prop::option::of(any::<String>()),
                prop::option::of(any::<String>()),
                any::<[u8; 32]>(),
            ),
        )
            .prop_map(
                |((sequence, m, at), (actor, action, target), (before, after, previous))| {
                    AuditEntry {
                        sequence,
                        municipality: code(m),
                        at: Timestamp::from_millis(at).unwrap(),
                        actor,
                        action,
                        target,
                        before,
                        after,
                        previous_hash: ChainHash::from_bytes(previous),
                        hash: ChainHash::GENESIS,
                    }
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn different_entries_never_share_canonical_bytes(a in small_entry(), b in small_entry()) {
            prop_assert_eq!(a == b, canonical_bytes(&a) == canonical_bytes(&b));
            prop_assert_eq!(a == b, a.compute_hash() == b.compute_hash());
        }

        #[test]
        fn canonical_bytes_read_back_as_the_entry(entry in any_entry()) {
            prop_assert_eq!(decode(&canonical_bytes(&entry)), Some(entry));
        }
    }
}

/// `ChainHash` as text.
mod audit_chain_hash {
    use super::*;

    #[test]
    fn chain_hash_text() {
        assert_eq!(ChainHash::GENESIS.to_string(), "0".repeat(64));
        assert_eq!(ChainHash::GENESIS.as_bytes(), &[0u8; 32]);
        let h =
            ChainHash::parse("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
                .unwrap();
        assert_eq!(h.as_bytes()[..], (0u8..32).collect::<Vec<_>>()[..]);
        assert_eq!(format!("{h:?}"), format!("ChainHash({h})"));
        assert_eq!(format!(" {h}\n").parse::<ChainHash>(), Ok(h));
    }

    #[test]
    fn chain_hash_refuses_bad_hex() {
        let good = "ab".repeat(32);
        let bad = [
            String::new(),
            "   ".to_owned(),
            good[..63].to_owned(),
            format!("{good}0"),
            "AB".repeat(32),
            format!("{}A", &good[..63]),
            format!("{}g", &good[..63]),
            format!("0x{}", &good[..62]),
            format!("{} {}", &good[..31], &good[32..]),
            format!("{}é", &good[..62]), // 64 bytes, 63 characters
            "０".repeat(64),
        ];
        for input in bad {
            let err = ChainHash::parse(&input).unwrap_err();
            assert_eq!(err.input, input);
            assert!(err.message.contains("ハッシュ値"), "{}", err.message);
            assert!(err.to_string().ends_with('。'), "{err}");
        }
    }

    proptest! {
        #[test]
        fn chain_hash_round_trips(bytes in any::<[u8; 32]>()) {
            let h = ChainHash::from_bytes(bytes);
            let text = h.to_string();
            prop_assert_eq!(text.len(), 64);
            prop_assert!(text.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
            prop_assert_eq!(ChainHash::parse(&text), Ok(h));
        }
    }
}

/// `Timestamp`: ISO 8601 text, range and calendar.
mod audit_timestamp {
    use super::*;

    #[test]
    fn timestamp_known_values() {
        let cases: &[(i64, &str)] = &[
            (0, "1970-01-01T00:00:00.000Z"),
            (1, "1970-01-01T00:00:00.001Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (-86_400_000, "1969-12-31T00:00:00.000Z"),
            (1_795_673_700_123, "2026-11-26T06:15:00.123Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (1_709_251_199_999, "2024-02-29T23:59:59.999Z"),
            (1_709_251_200_000, "2024-03-01T00:00:00.000Z"),
            (-2_203_891_200_000, "1900-03-01T00:00:00.000Z"),
            (-2_203_977_600_000, "1900-02-28T00:00:00.000Z"),
            (-3_029_529_600_000, "1873-12-31T00:00:00.000Z"),
            (-11_670_998_400_000, "1600-02-29T00:00:00.000Z"),
            (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
        ];
        for &(millis, iso) in cases {
            let t = Timestamp::from_millis(millis).unwrap();
            assert_eq!(t.to_string(), iso, "{millis}");
            assert_eq!(Timestamp::parse_iso(iso), Ok(t), "{iso}");
        }
        assert_eq!(Timestamp::MIN.to_iso(), "0001-01-01T00:00:00.000Z");
        assert_eq!(Timestamp::MAX.to_iso(), "9999-12-31T23:59:59.999Z");
        assert_eq!(Timestamp::UNIX_EPOCH.as_millis(), 0);
        assert_eq!(
            format!("{:?}", Timestamp::UNIX_EPOCH),
            "Timestamp(1970-01-01T00:00:00.000Z)"
        );
    }

    #[test]
    fn timestamp_reading_accepts_offsets_and_short_fractions() {
        let utc = ts("2026-11-26T06:15:00.123Z");
        assert_eq!(ts("2026-11-26T15:15:00.123+09:00"), utc);
        assert_eq!(ts("2026-11-26T00:45:00.123-05:30"), utc);
        assert_eq!(ts("2026-11-26T06:15:00.123+00:00"), utc);
        assert_eq!(ts("  2026-11-26T06:15:00.123Z\n"), utc);
        assert_eq!(
            ts("2026-11-26T06:15:00Z").as_millis(),
            utc.as_millis() - 123
        );
        assert_eq!(
            ts("2026-11-26T06:15:00.1Z").as_millis(),
            utc.as_millis() - 23
        );
        assert_eq!(
            ts("2026-11-26T06:15:00.12Z").as_millis(),
            utc.as_millis() - 3
        );
        // An offset may cross midnight, a month end and a year end.
        assert_eq!(
            ts("2027-01-01T08:59:59.999+09:00").to_iso(),
            "2026-12-31T23:59:59.999Z"
        );
        assert_eq!(
            ts("1969-12-31T20:00:00-04:00").to_iso(),
            "1970-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn timestamp_reading_refuses_what_is_not_an_instant() {
        let bad = [
            "",
            "2026-11-26",
            "2026-11-26T06:15:00",
            "2026-11-26T06:15:00.123",
            "2026-11-26 06:15:00Z",
            "2026-11-26t06:15:00z",
            "2026-11-26T06:15Z",
            "2026-11-26T06:15:00.Z",
            "2026-11-26T06:15:00.1234Z",
            "2026-11-26T06:15:00+0900",
            "2026-11-26T06:15:00+09",
            "2026-11-26T06:15:00+24:00",
            "2026-11-26T06:15:00+09:60",
            "2026-11-26T06:15:00ZZ",
            "2026-11-26T24:00:00Z",
            "2026-11-26T23:60:00Z",
            "2026-12-31T23:59:60Z",
            "2026-13-01T00:00:00Z",
            "2026-00-01T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-11-00T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "0000-12-31T23:59:59Z",
            "0001-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59.999-00:01",
            "+2026-11-26T06:15:00Z",
            "-0001-11-26T06:15:00Z",
            "12026-11-26T06:15:00Z",
            "２０２６-11-26T06:15:00Z",
            "2026-11-26T06:15:00.123Z extra",
        ];
        for input in bad {
            let err = Timestamp::parse_iso(input).unwrap_err();
            assert_eq!(err.input, input);
            assert!(err.message.contains("日時"), "{input}: {}", err.message);
        }
        let leap = Timestamp::parse_iso("2023-02-29T00:00:00Z").unwrap_err();
        assert!(
            leap.message.contains("2023年2月の日は1から28まで"),
            "{leap}"
        );
    }

    #[test]
    fn timestamp_range_is_that_of_civil_dates() {
        assert!(Timestamp::from_millis(Timestamp::MIN.as_millis() - 1).is_err());
        assert!(Timestamp::from_millis(Timestamp::MAX.as_millis() + 1).is_err());
        assert!(Timestamp::from_millis(i64::MIN).is_err());
        let err = Timestamp::from_millis(i64::MAX).unwrap_err();
        assert!(err.message.contains("範囲外"), "{err}");
    }

    /// Milliseconds since the epoch of a date and time, counted day by day from the calendar rules
    /// of `CivilDate` (independently of the implementation's closed-form day count).
    fn naive_millis(y: i32, m: u8, d: u8, ms_of_day: i64) -> i64 {
        let year_days = |y: i32| if CivilDate::is_leap_year(y) { 366 } else { 365 };
        let mut days: i64 = if y >= 1970 {
            (1970..y).map(year_days).sum()
        } else {
            -(y..1970).map(year_days).sum::<i64>()
        };
        days += (1..m)
            .map(|m| i64::from(CivilDate::days_in_month(y, m)))
            .sum::<i64>();
        days += i64::from(d) - 1;
        days * 86_400_000 + ms_of_day
    }

    /// Times in the whole range, with extra weight near the epoch, before 1970 and in leap days.
    fn any_timestamp() -> impl Strategy<Value = i64> {
        prop_oneof![
            Timestamp::MIN.as_millis()..=Timestamp::MAX.as_millis(),
            Timestamp::MIN.as_millis()..0,
            -100_000_000i64..100_000_000,
            (1i32..=2499).prop_flat_map(|k| {
                // 29 February of the leap year 4k, whole day.
                let start = naive_millis(4 * k, 2, 29, 0);
                start..start + 86_400_000
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn timestamp_iso_round_trip(millis in any_timestamp()) {
            let t = Timestamp::from_millis(millis).unwrap();
            let text = t.to_iso();
            prop_assert_eq!(text.len(), 24);
            prop_assert_eq!(Timestamp::parse_iso(&text), Ok(t));
            prop_assert_eq!(text.parse::<Timestamp>(), Ok(t));
        }

        #[test]
        fn timestamp_agrees_with_the_calendar(
            y in 1i32..=9999,
            m in 1u8..=12,
            d in 1u8..=31,
            ms_of_day in 0i64..86_400_000,
        ) {
            let d = d.min(CivilDate::days_in_month(y, m));
            let date = CivilDate::new(y, m, d).unwrap();
            let text = format!(
                "{}T{:02}:{:02}:{:02}.{:03}Z",
                date.to_iso(),
                ms_of_day / 3_600_000,
                ms_of_day / 60_000 % 60,
                ms_of_day / 1000 % 60,
                ms_of_day % 1000
            );
            let t = Timestamp::parse_iso(&text).unwrap();
            prop_assert_eq!(t.as_millis(), naive_millis(y, m, d, ms_of_day));
            prop_assert_eq!(t.to_iso(), text);
        }

        #[test]
        fn timestamp_order_is_the_order_of_instants(a in any_timestamp(), b in any_timestamp()) {
            let (ta, tb) = (Timestamp::from_millis(a).unwrap(), Timestamp::from_millis(b).unwrap());
            prop_assert_eq!(ta.cmp(&tb), a.cmp(&b));
            // ISO text of four-digit years sorts like the instants.
            prop_assert_eq!(ta.to_iso().cmp(&tb.to_iso()), a.cmp(&b));
        }
    }
}
