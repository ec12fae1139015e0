//! Full-text search for Japanese plan text.
//!
//! Japanese has no spaces between words, so the index is made of character bigrams (and single
//! characters, for one-character queries). A query term matches a document when the document
//! contains the term as a substring after [`normalize`]; bigrams only narrow the candidates.
//! Several terms separated by spaces must all match. The index is built in memory from the plan
//! (a plan has hundreds of elements, not millions), so both storage backends search alike.
//!
//! Katakana is folded to hiragana, so 「コソダテ」 finds 「こそだて」. Readings of kanji are
//! not guessed: a [`Thesaurus`] — the city's theme list, a name with its readings and synonyms,
//! 「子育て: こそだて、育児」 — makes a term match any word of its group. (A morphological
//! analyser with a dictionary would give readings of every word; ARCHITECTURE.md says why the
//! product does not ship one.)

use std::collections::{BTreeSet, HashMap};

/// One searchable element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchDocument<K> {
    /// What the caller needs to link to the element.
    pub key: K,
    /// The element's title; matches here rank first.
    pub title: String,
    /// The element's other text.
    pub body: String,
}

/// A piece of a snippet: text, and whether it matched the query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetPart {
    /// The text (not escaped; the caller escapes it for its medium).
    pub text: String,
    /// Whether this part is a match to highlight.
    pub matched: bool,
}

/// One result of a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchHit<'a, K> {
    /// The matching document.
    pub document: &'a SearchDocument<K>,
    /// Higher is better.
    pub score: u32,
    /// The title split into matched and unmatched parts.
    pub title: Vec<SnippetPart>,
    /// A short passage of the body around the first match, split likewise; empty when only the
    /// title matched.
    pub snippet: Vec<SnippetPart>,
}

/// A character-bigram index over documents.
#[derive(Clone, Debug)]
pub struct SearchIndex<K> {
    documents: Vec<SearchDocument<K>>,
    normalized: Vec<(Vec<char>, Vec<char>)>,
    postings: HashMap<(char, Option<char>), BTreeSet<usize>>,
}

/// Folds text for matching only (stored text is never changed): full-width ASCII to
/// half-width, ASCII letters to lower case, the ideographic space to a space, katakana to
/// hiragana (ァ–ヶ and the iteration marks ヽヾ; ヴ becomes ゔ). One character gives one
/// character, so positions in the folded text are positions in the original.
pub fn normalize(text: &str) -> Vec<char> {
    text.chars().map(fold).collect()
}

fn fold(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => {
            char::from_u32(u32::from(c) - 0xFEE0).map_or(c, |h| h.to_ascii_lowercase())
        }
        // ァ (U+30A1) … ヶ (U+30F6), ヽ ヾ: the hiragana block is 0x60 below.
        '\u{30A1}'..='\u{30F6}' | '\u{30FD}' | '\u{30FE}' => {
            char::from_u32(u32::from(c) - 0x60).unwrap_or(c)
        }
        _ => c.to_ascii_lowercase(),
    }
}

/// Groups of words that search treats as one: a query term equal (after [`normalize`]) to a
/// word of a group matches any word of that group.
#[derive(Clone, Debug, Default)]
pub struct Thesaurus {
    groups: Vec<Vec<Vec<char>>>,
    /// The same groups' words as the city wrote them, to tell a reader what was searched.
    written: Vec<Vec<String>>,
}

impl Thesaurus {
    /// Builds the thesaurus from groups of words (empty words are left out).
    pub fn new<'a, G, W>(groups: G) -> Self
    where
        G: IntoIterator<Item = W>,
        W: IntoIterator<Item = &'a str>,
    {
        let (groups, written) = groups
            .into_iter()
            .map(|g| {
                g.into_iter()
                    .map(|w| (normalize(w.trim()), w.trim().to_owned()))
                    .filter(|(w, _)| !w.is_empty())
                    .unzip::<_, _, Vec<_>, Vec<_>>()
            })
            .filter(|(g, _)| !g.is_empty())
            .unzip();
        Self { groups, written }
    }

    /// The other words, as the city wrote them, that a query's terms were searched as too:
    /// for each term that a group holds, `(term, words)` — 「こそだて」 → 「子育て」「育児」.
    pub fn also_searched(&self, query: &str) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for term in query.split(char::is_whitespace).filter(|t| !t.is_empty()) {
            let folded = normalize(term);
            let mut words: Vec<String> = Vec::new();
            for (g, written) in self.groups.iter().zip(&self.written) {
                if !g.contains(&folded) {
                    continue;
                }
                for (w, shown) in g.iter().zip(written) {
                    if *w != folded && !words.contains(shown) {
                        words.push(shown.clone());
                    }
                }
            }
            if !words.is_empty() && !out.iter().any(|(t, _)| t == term) {
                out.push((term.to_owned(), words));
            }
        }
        out
    }

    /// The words a term stands for, folded: the term itself, then the other words of every
    /// group that holds it, each once.
    pub fn alternatives(&self, term: &str) -> Vec<Vec<char>> {
        self.expand(&normalize(term))
    }

    fn expand(&self, term: &[char]) -> Vec<Vec<char>> {
        let mut out = vec![term.to_vec()];
        for g in self.groups.iter().filter(|g| g.iter().any(|w| w == term)) {
            for w in g {
                if !out.contains(w) {
                    out.push(w.clone());
                }
            }
        }
        out
    }
}

impl<K> SearchIndex<K> {
    /// Builds the index.
    pub fn new(documents: Vec<SearchDocument<K>>) -> Self {
        let mut postings: HashMap<(char, Option<char>), BTreeSet<usize>> = HashMap::new();
        let mut normalized = Vec::with_capacity(documents.len());
        for (i, doc) in documents.iter().enumerate() {
            let title = normalize(&doc.title);
            let body = normalize(&doc.body);
            for text in [&title, &body] {
                for (j, &c) in text.iter().enumerate() {
                    if c.is_whitespace() {
                        continue;
                    }
                    postings.entry((c, None)).or_default().insert(i);
                    if let Some(&d) = text.get(j + 1) {
                        postings.entry((c, Some(d))).or_default().insert(i);
                    }
                }
            }
            normalized.push((title, body));
        }
        Self {
            documents,
            normalized,
            postings,
        }
    }

    /// The documents, in the order given.
    pub fn documents(&self) -> &[SearchDocument<K>] {
        &self.documents
    }

    /// Number of documents indexed.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Whether the index holds no document.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// Finds the documents that contain every term of the query, best first, at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit<'_, K>> {
        self.search_with(query, &Thesaurus::default(), limit)
    }

    /// Like [`SearchIndex::search`], a term matching when the document contains it or any
    /// word the thesaurus groups with it.
    pub fn search_with(
        &self,
        query: &str,
        thesaurus: &Thesaurus,
        limit: usize,
    ) -> Vec<SearchHit<'_, K>> {
        let folded = normalize(query);
        let terms: Vec<Vec<Vec<char>>> = folded
            .split(|c| c.is_whitespace())
            .filter(|t| !t.is_empty())
            .map(|t| thesaurus.expand(t))
            .collect();
        if terms.is_empty() {
            return Vec::new();
        }
        let mut candidates: Option<BTreeSet<usize>> = None;
        for alternatives in &terms {
            // A document is a candidate for the term when it has every bigram of one of the
            // term's words.
            let mut docs_of_term: BTreeSet<usize> = BTreeSet::new();
            for term in alternatives {
                let keys: Vec<(char, Option<char>)> = if term.len() == 1 {
                    vec![(term[0], None)]
                } else {
                    term.windows(2).map(|w| (w[0], Some(w[1]))).collect()
                };
                let mut docs: Option<BTreeSet<usize>> = None;
                for key in keys {
                    let found = self.postings.get(&key).cloned().unwrap_or_default();
                    docs = Some(match docs {
                        None => found,
                        Some(c) => c.intersection(&found).copied().collect(),
                    });
                }
                docs_of_term.extend(docs.unwrap_or_default());
            }
            candidates = Some(match candidates {
                None => docs_of_term,
                Some(c) => c.intersection(&docs_of_term).copied().collect(),
            });
        }
        let mut hits: Vec<SearchHit<'_, K>> = candidates
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| self.score(i, &terms))
            .collect();
        hits.sort_by_key(|h| std::cmp::Reverse(h.score));
        hits.truncate(limit);
        hits
    }

    fn score(&self, i: usize, terms: &[Vec<Vec<char>>]) -> Option<SearchHit<'_, K>> {
        let (title, body) = &self.normalized[i];
        let mut score = 0u32;
        for alternatives in terms {
            let in_title: u32 = alternatives.iter().map(|t| count(title, t)).sum();
            let in_body: u32 = alternatives.iter().map(|t| count(body, t)).sum();
            if in_title + in_body == 0 {
                return None;
            }
            score += 10 * in_title + in_body;
        }
        let terms: Vec<Vec<char>> = terms.iter().flatten().cloned().collect();
        let terms = terms.as_slice();
        let doc = &self.documents[i];
        Some(SearchHit {
            document: doc,
            score,
            title: highlight(
                &doc.title.chars().collect::<Vec<_>>(),
                title,
                terms,
                0,
                title.len(),
            ),
            snippet: snippet(&doc.body, body, terms),
        })
    }
}

fn positions(haystack: &[char], needle: &[char]) -> impl Iterator<Item = usize> {
    let n = needle.len();
    let last = haystack.len().checked_sub(n).map_or(0, |l| l + 1);
    (0..last).filter(move |&i| haystack[i..i + n] == *needle)
}

fn count(haystack: &[char], needle: &[char]) -> u32 {
    u32::try_from(positions(haystack, needle).count()).unwrap_or(u32::MAX)
}

/// Splits `original[from..to]` into matched and unmatched parts. `folded` has the same length
/// as `original` because [`normalize`] maps one character to one character.
fn highlight(
    original: &[char],
    folded: &[char],
    terms: &[Vec<char>],
    from: usize,
    to: usize,
) -> Vec<SnippetPart> {
    let mut marked = vec![false; folded.len()];
    for term in terms {
        for p in positions(folded, term) {
            marked[p..p + term.len()].iter_mut().for_each(|m| *m = true);
        }
    }
    let mut parts: Vec<SnippetPart> = Vec::new();
    for i in from..to {
        match parts.last_mut() {
            Some(last) if last.matched == marked[i] => last.text.push(original[i]),
            _ => parts.push(SnippetPart {
                text: original[i].to_string(),
                matched: marked[i],
            }),
        }
    }
    parts
}

const SNIPPET_BEFORE: usize = 30;
const SNIPPET_LENGTH: usize = 100;

fn snippet(original: &str, folded: &[char], terms: &[Vec<char>]) -> Vec<SnippetPart> {
    let Some(first) = terms
        .iter()
        .filter_map(|t| positions(folded, t).next())
        .min()
    else {
        return Vec::new();
    };
    let chars: Vec<char> = original.chars().collect();
    let from = first.saturating_sub(SNIPPET_BEFORE);
    let to = (from + SNIPPET_LENGTH).min(chars.len());
    let mut parts = highlight(&chars, folded, terms, from, to);
    if from > 0
        && let Some(p) = parts.first_mut()
    {
        p.text.insert(0, '…');
    }
    if to < chars.len()
        && let Some(p) = parts.last_mut()
    {
        p.text.push('…');
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SearchIndex<u32> {
        let docs = [
            (1, "子育て", "子育て世代への支援を充実します。"),
            (2, "観光", "地域資源を生かした観光の振興。"),
            (3, "生涯学習", "市民が学び続けられる環境。子どもの学び。"),
            (4, "ＩＬＣの推進", "国際リニアコライダーの誘致。"),
        ];
        SearchIndex::new(
            docs.into_iter()
                .map(|(key, t, b)| SearchDocument {
                    key,
                    title: t.into(),
                    body: b.into(),
                })
                .collect(),
        )
    }

    fn keys(q: &str) -> Vec<u32> {
        index()
            .search(q, 10)
            .iter()
            .map(|h| h.document.key)
            .collect()
    }

    #[test]
    fn finds_japanese_without_word_boundaries() {
        assert_eq!(keys("子育て"), vec![1]);
        assert_eq!(keys("支援"), vec![1]);
        assert_eq!(keys("資源"), vec![2]);
        assert_eq!(keys("学び"), vec![3]);
    }

    #[test]
    fn single_character_and_several_terms() {
        assert_eq!(keys("光"), vec![2]);
        assert_eq!(keys("子 学"), vec![3]);
        assert_eq!(keys("子育て 観光"), Vec::<u32>::new());
    }

    #[test]
    fn bigrams_are_only_candidates_the_substring_decides() {
        // 「育て世」 and 「て世代」 share bigrams with doc 1; 「代育」 is not in any text.
        assert_eq!(keys("て世代"), vec![1]);
        assert_eq!(keys("代育"), Vec::<u32>::new());
    }

    #[test]
    fn width_and_case_are_folded_for_matching_only() {
        assert_eq!(keys("ilc"), vec![4]);
        assert_eq!(keys("ＩＬＣ"), vec![4]);
        let idx = index();
        let hit = &idx.search("ilc", 1)[0];
        assert_eq!(hit.title[0].text, "ＩＬＣ");
        assert!(hit.title[0].matched);
    }

    #[test]
    fn katakana_is_folded_to_hiragana() {
        let folding = [
            ("コソダテ", "こそだて"),
            ("ヴァイオリン", "ゔぁいおりん"),
            ("ヽヾ", "ゝゞ"),
            ("ー", "ー"),
            ("子育て", "子育て"),
        ];
        for (from, to) in folding {
            assert_eq!(
                normalize(from).into_iter().collect::<String>(),
                to,
                "{from}"
            );
        }
        let idx = SearchIndex::new(vec![SearchDocument {
            key: 1,
            title: "こそだてサロン".to_owned(),
            body: String::new(),
        }]);
        assert_eq!(idx.search("コソダテ", 10).len(), 1);
        assert_eq!(idx.search("さろん", 10).len(), 1);
    }

    #[test]
    fn a_thesaurus_says_what_else_a_term_was_searched_as() {
        let thesaurus =
            Thesaurus::new([vec!["子育て", "こそだて", "育児"], vec!["防災", "ぼうさい"]]);
        assert_eq!(
            thesaurus.also_searched("コソダテ　まち"),
            vec![(
                "コソダテ".to_owned(),
                vec!["子育て".to_owned(), "育児".to_owned()]
            )]
        );
        assert_eq!(
            thesaurus.also_searched("防災"),
            vec![("防災".to_owned(), vec!["ぼうさい".to_owned()])]
        );
        assert!(thesaurus.also_searched("子").is_empty());
        assert!(thesaurus.also_searched("").is_empty());
    }

    #[test]
    fn a_thesaurus_makes_a_reading_find_the_kanji() {
        let thesaurus = Thesaurus::new([vec!["子育て", "こそだて", "育児"]]);
        let idx = index();
        let keys = |q: &str| -> Vec<u32> {
            idx.search_with(q, &thesaurus, 10)
                .iter()
                .map(|h| h.document.key)
                .collect()
        };
        assert_eq!(keys("こそだて"), vec![1]);
        assert_eq!(keys("コソダテ"), vec![1]);
        assert_eq!(keys("育児"), vec![1]);
        // Without the thesaurus the reading finds nothing.
        assert!(idx.search("こそだて", 10).is_empty());
        // A term that is only part of a group's word is not expanded.
        assert!(keys("こそ").is_empty());
        // The kanji found through the reading is marked.
        let hits = idx.search_with("こそだて", &thesaurus, 10);
        assert_eq!(hits[0].title[0].text, "子育て");
        assert!(hits[0].title[0].matched);
    }

    #[test]
    fn empty_query_finds_nothing() {
        assert!(keys("").is_empty());
        assert!(keys("　 ").is_empty());
    }

    #[test]
    fn title_matches_rank_first_and_snippets_mark_the_match() {
        let idx = SearchIndex::new(vec![
            SearchDocument {
                key: 1,
                title: "道路".to_owned(),
                body: "公共交通と観光".to_owned(),
            },
            SearchDocument {
                key: 2,
                title: "観光".to_owned(),
                body: String::new(),
            },
        ]);
        let hits = idx.search("観光", 10);
        assert_eq!(hits[0].document.key, 2);
        let parts: Vec<(&str, bool)> = hits[1]
            .snippet
            .iter()
            .map(|p| (p.text.as_str(), p.matched))
            .collect();
        assert_eq!(parts, vec![("公共交通と", false), ("観光", true)]);
    }
}
