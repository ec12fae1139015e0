//! Character-level comparison of two texts, for Japanese, which has no word boundaries: the
//! parts of each side that are unchanged and those that were removed or inserted.

use std::collections::HashMap;

/// A piece of a compared text: a run of characters, and whether they differ from the other
/// version (removed from the old text, or inserted into the new one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextPart {
    /// The text (not escaped; the caller escapes it for its medium).
    pub text: String,
    /// Whether this part is a change to highlight.
    pub changed: bool,
}

/// The most cells (old length × new length) of one longest-common-subsequence table: about
/// 2,000 characters on each side, 8 MB.
const CELL_LIMIT: usize = 2_000 * 2_000;

/// How often short equalities between changes are folded into the changes (see [`cleanup`]).
const CLEANUP_PASSES: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Edit {
    Equal,
    Delete,
    Insert,
}

#[derive(Debug)]
struct Op {
    edit: Edit,
    text: Vec<char>,
}

/// Compares two texts character by character (Japanese has no word boundaries) and returns the
/// old text split into unchanged and removed parts, and the new text split into unchanged and
/// inserted parts.
///
/// - Concatenating the parts of each side gives that text back; no part is empty.
/// - Unchanged parts correspond one to one: both sides have the same number of them, and the
///   i-th unchanged part of the old text equals the i-th of the new. So two unchanged parts
///   may follow each other where the other side has an insertion (or removal) between them;
///   changed parts that follow each other are merged.
/// - The common characters are a longest common subsequence, except that a short common run
///   between two larger changes (such as a lone 「の」) is shown as changed, which reads better.
/// - Work is bounded: the common prefix and suffix are set aside first; when what remains is
///   longer than about 2,000 characters on each side, the texts are compared line by line
///   (a line ends with a line break or 「。」), then character by character inside each run of
///   changed lines that is small enough; a larger run, or a text of more than about 2,000
///   lines on each side, is shown as changed as a whole.
pub fn text_diff(old: &str, new: &str) -> (Vec<TextPart>, Vec<TextPart>) {
    let a: Vec<char> = old.chars().collect();
    let b: Vec<char> = new.chars().collect();
    let mut ops = Vec::new();
    diff_chars(&a, &b, true, &mut ops);
    parts(cleanup(tidy(ops)))
}

fn push(ops: &mut Vec<Op>, edit: Edit, text: &[char]) {
    if !text.is_empty() {
        ops.push(Op {
            edit,
            text: text.to_vec(),
        });
    }
}

fn diff_chars(a: &[char], b: &[char], by_lines: bool, ops: &mut Vec<Op>) {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a_rest, b_rest) = (&a[prefix..], &b[prefix..]);
    let suffix = a_rest
        .iter()
        .rev()
        .zip(b_rest.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, a_end) = a_rest.split_at(a_rest.len() - suffix);
    let b_mid = &b_rest[..b_rest.len() - suffix];
    push(ops, Edit::Equal, &a[..prefix]);
    if let Some(script) = lcs(a_mid, b_mid) {
        let (mut i, mut j) = (0, 0);
        for edit in script {
            match edit {
                Edit::Equal => {
                    push(ops, Edit::Equal, &a_mid[i..=i]);
                    i += 1;
                    j += 1;
                }
                Edit::Delete => {
                    push(ops, Edit::Delete, &a_mid[i..=i]);
                    i += 1;
                }
                Edit::Insert => {
                    push(ops, Edit::Insert, &b_mid[j..=j]);
                    j += 1;
                }
            }
        }
    } else if by_lines {
        diff_lines(a_mid, b_mid, ops);
    } else {
        push(ops, Edit::Delete, a_mid);
        push(ops, Edit::Insert, b_mid);
    }
    push(ops, Edit::Equal, a_end);
}

/// An edit script for a longest common subsequence of `a` and `b`, deletions before insertions
/// within a change; `None` when the table would exceed [`CELL_LIMIT`].
fn lcs<T: PartialEq>(a: &[T], b: &[T]) -> Option<Vec<Edit>> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        let mut script = vec![Edit::Delete; n];
        script.extend(std::iter::repeat_n(Edit::Insert, m));
        return Some(script);
    }
    if n.checked_mul(m).is_none_or(|cells| cells > CELL_LIMIT) {
        return None;
    }
    // t[i * w + j] = length of an LCS of a[i..] and b[j..]. It never exceeds min(n, m), which
    // is at most 2,000 under the cell limit, so u16 suffices.
    let w = m + 1;
    let mut t = vec![0u16; (n + 1) * w];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i * w + j] = if a[i] == b[j] {
                t[(i + 1) * w + j + 1].saturating_add(1)
            } else {
                t[(i + 1) * w + j].max(t[i * w + j + 1])
            };
        }
    }
    let mut script = Vec::with_capacity(n + m);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            script.push(Edit::Equal);
            i += 1;
            j += 1;
        } else if t[(i + 1) * w + j] >= t[i * w + j + 1] {
            script.push(Edit::Delete);
            i += 1;
        } else {
            script.push(Edit::Insert);
            j += 1;
        }
    }
    script.extend(std::iter::repeat_n(Edit::Delete, n - i));
    script.extend(std::iter::repeat_n(Edit::Insert, m - j));
    Some(script)
}

/// Lines (or sentences) with their terminator.
fn lines(text: &[char]) -> Vec<&[char]> {
    text.split_inclusive(|c| matches!(c, '\n' | '。')).collect()
}

/// Numbers the distinct lines, so that lines compare as integers.
fn intern<'a>(ids: &mut HashMap<&'a [char], usize>, lines: &[&'a [char]]) -> Vec<usize> {
    lines
        .iter()
        .map(|&line| {
            let next = ids.len();
            *ids.entry(line).or_insert(next)
        })
        .collect()
}

fn diff_lines(a: &[char], b: &[char], ops: &mut Vec<Op>) {
    let (la, lb) = (lines(a), lines(b));
    let mut ids: HashMap<&[char], usize> = HashMap::new();
    let ia = intern(&mut ids, &la);
    let ib = intern(&mut ids, &lb);
    let Some(script) = lcs(&ia, &ib) else {
        push(ops, Edit::Delete, a);
        push(ops, Edit::Insert, b);
        return;
    };
    let (mut i, mut j) = (0, 0);
    let (mut del, mut ins): (Vec<char>, Vec<char>) = (Vec::new(), Vec::new());
    for edit in script {
        match edit {
            Edit::Equal => {
                diff_chars(&del, &ins, false, ops);
                del.clear();
                ins.clear();
                push(ops, Edit::Equal, la[i]);
                i += 1;
                j += 1;
            }
            Edit::Delete => {
                del.extend_from_slice(la[i]);
                i += 1;
            }
            Edit::Insert => {
                ins.extend_from_slice(lb[j]);
                j += 1;
            }
        }
    }
    diff_chars(&del, &ins, false, ops);
}

/// Drops empty operations, merges neighbours of the same kind and puts the removal before the
/// insertion in every change, so that equalities and changes alternate.
fn tidy(ops: Vec<Op>) -> Vec<Op> {
    fn flush(out: &mut Vec<Op>, del: &mut Vec<char>, ins: &mut Vec<char>) {
        push(out, Edit::Delete, del);
        push(out, Edit::Insert, ins);
        del.clear();
        ins.clear();
    }
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    let (mut del, mut ins) = (Vec::new(), Vec::new());
    for op in ops {
        match op.edit {
            Edit::Delete => del.extend(op.text),
            Edit::Insert => ins.extend(op.text),
            Edit::Equal => {
                flush(&mut out, &mut del, &mut ins);
                match out.last_mut() {
                    Some(last) if last.edit == Edit::Equal => last.text.extend(op.text),
                    _ if op.text.is_empty() => {}
                    _ => out.push(op),
                }
            }
        }
    }
    flush(&mut out, &mut del, &mut ins);
    out
}

/// The size of the change next to an equality: the longer of its removal and insertion.
fn change_size<'a>(neighbours: impl Iterator<Item = &'a Op>) -> usize {
    neighbours
        .take_while(|op| op.edit != Edit::Equal)
        .map(|op| op.text.len())
        .max()
        .unwrap_or(0)
}

/// Folds an equality that is no longer than the change on either side of it into those
/// changes (a few passes, since folding makes changes larger). Takes tidied operations and
/// returns tidied operations.
fn cleanup(mut ops: Vec<Op>) -> Vec<Op> {
    for _ in 0..CLEANUP_PASSES {
        let fold: Vec<bool> = (0..ops.len())
            .map(|k| {
                let len = ops[k].text.len();
                let before = change_size(ops[..k].iter().rev());
                let after = change_size(ops[k + 1..].iter());
                ops[k].edit == Edit::Equal && before > 0 && after > 0 && len <= before.min(after)
            })
            .collect();
        if !fold.contains(&true) {
            break;
        }
        let mut next = Vec::with_capacity(ops.len() + 4);
        for (op, fold) in ops.into_iter().zip(fold) {
            if fold {
                next.push(Op {
                    edit: Edit::Delete,
                    text: op.text.clone(),
                });
                next.push(Op {
                    edit: Edit::Insert,
                    text: op.text,
                });
            } else {
                next.push(op);
            }
        }
        ops = tidy(next);
    }
    ops
}

fn parts(ops: Vec<Op>) -> (Vec<TextPart>, Vec<TextPart>) {
    let (mut old, mut new) = (Vec::new(), Vec::new());
    for op in ops {
        let text: String = op.text.into_iter().collect();
        match op.edit {
            Edit::Equal => {
                old.push(TextPart {
                    text: text.clone(),
                    changed: false,
                });
                new.push(TextPart {
                    text,
                    changed: false,
                });
            }
            Edit::Delete => old.push(TextPart {
                text,
                changed: true,
            }),
            Edit::Insert => new.push(TextPart {
                text,
                changed: true,
            }),
        }
    }
    (old, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_character_table_is_bounded() {
        let long: Vec<char> = "あ".repeat(2_001).chars().collect();
        assert!(lcs(&long, &long).is_none());
        assert!(lcs(&long[..2_000], &long[..2_000]).is_some());
        assert_eq!(lcs(&long, &[]).map(|s| s.len()), Some(2_001));
    }

    #[test]
    fn long_texts_fall_back_to_lines_then_characters() {
        let edits = |a: &[char], b: &[char]| -> Vec<(Edit, String)> {
            let mut ops = Vec::new();
            diff_chars(a, b, true, &mut ops);
            tidy(ops)
                .iter()
                .map(|op| (op.edit, op.text.iter().collect::<String>()))
                .filter(|(e, _)| *e != Edit::Equal)
                .collect()
        };
        // 300 sentences of 20 characters, changed at both ends: 6,000 characters between the
        // changes, more than a character table allows, but 300 × 300 sentences.
        let a: Vec<char> = "地域の活力を高めるための施策を進めます。"
            .repeat(300)
            .chars()
            .collect();
        let mut b = a.clone();
        b[1] = '方';
        b[a.len() - 2] = 'む';
        assert!(lcs(&a, &b).is_none());
        assert_eq!(
            edits(&a, &b),
            [
                (Edit::Delete, "域".to_owned()),
                (Edit::Insert, "方".to_owned()),
                (Edit::Delete, "す".to_owned()),
                (Edit::Insert, "む".to_owned()),
            ]
        );
        // Too many lines for a line table: all but the common final 「。」 is changed.
        let a: Vec<char> = "一。二。".repeat(1_500).chars().collect();
        let mut b = a.clone();
        b[0] = '壱';
        b[a.len() - 2] = '弐';
        assert_eq!(
            edits(&a, &b),
            [
                (Edit::Delete, a[..a.len() - 1].iter().collect::<String>()),
                (Edit::Insert, b[..b.len() - 1].iter().collect::<String>()),
            ]
        );
    }
}
