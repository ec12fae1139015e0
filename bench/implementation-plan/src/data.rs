//! The generated 実施計画 of one municipality: 500 programs of edition 2025 (published) with
//! their 事業費 and 財源内訳 for 2026–2028, the elements they serve, the departments' parts
//! (承認) and the fiscal frames. Deterministic: the same index gives the same rows, so each
//! table can be written in its own pass without keeping the nation in memory.

/// The fiscal year the loaded editions are made in; they cover the next three.
pub const MADE_IN: i32 = 2025;
/// The fiscal years the loaded editions cover.
pub const YEARS: [i32; 3] = [MADE_IN + 1, MADE_IN + 2, MADE_IN + 3];
/// The basis plan every edition names.
pub const PLAN: &str = "sogo-keikaku";

/// The 47 prefectures, in code order.
pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

const DEPARTMENTS: [&str; 25] = [
    "総務課",
    "企画調整課",
    "財政課",
    "税務課",
    "市民課",
    "福祉課",
    "子育て支援課",
    "健康づくり課",
    "環境課",
    "農政課",
    "商工労働課",
    "観光課",
    "建設課",
    "都市計画課",
    "上下水道課",
    "教育総務課",
    "学校教育課",
    "生涯学習課",
    "文化課",
    "スポーツ振興課",
    "防災課",
    "消防本部",
    "地域づくり課",
    "情報政策課",
    "会計課",
];

const THEMES: [&str; 32] = [
    "子育て支援",
    "移住定住促進",
    "地域公共交通確保",
    "農業担い手育成",
    "観光振興",
    "商店街活性化",
    "防災力強化",
    "高齢者見守り",
    "健康づくり",
    "学校施設整備",
    "道路維持補修",
    "上水道施設更新",
    "空き家対策",
    "再生可能エネルギー導入",
    "ごみ減量化",
    "図書館サービス充実",
    "スポーツ振興",
    "文化財保存活用",
    "地域医療確保",
    "障がい者就労支援",
    "消防団活動支援",
    "行政手続オンライン化",
    "国際交流",
    "男女共同参画推進",
    "生涯学習推進",
    "森林整備",
    "企業誘致",
    "創業支援",
    "住宅リフォーム支援",
    "公園整備",
    "地域おこし協力隊活用",
    "放課後児童クラブ運営",
];

const WAYS: [&str; 6] = ["推進", "支援", "整備", "強化", "充実", "促進"];

const GROUPS: [&str; 8] = [
    "市民",
    "子育て世帯",
    "高齢者",
    "事業者",
    "農業者",
    "児童生徒",
    "観光客",
    "地域団体",
];

/// A program row of edition [`MADE_IN`].
pub struct Program {
    pub code: String,
    pub name: String,
    pub department: &'static str,
    pub purpose: String,
    pub target_group: &'static str,
    pub means: String,
    pub start_year: i32,
    pub end_year: Option<i32>,
    pub account: &'static str,
    pub expense_type: &'static str,
    pub category: &'static str,
    pub activity_name: String,
    pub activity_unit: &'static str,
    /// Its years.
    pub years: Vec<Year>,
    /// The elements it serves: (plan, element), in order.
    pub links: Vec<(String, String)>,
}

/// A program's year: 事業費 and its funding in yen (they add up), and the activity target.
pub struct Year {
    pub fiscal_year: i32,
    pub cost: i64,
    pub national: i64,
    pub prefectural: i64,
    pub bonds: i64,
    pub other: i64,
    pub general: i64,
    pub activity_target: Option<String>,
}

/// Everything of one municipality's edition.
pub struct Edition {
    pub programs: Vec<Program>,
    /// The departments with programs (each part 承認).
    pub departments: Vec<&'static str>,
    /// (fiscal year, department — empty for the city —, 一般財源 in yen).
    pub frames: Vec<(i32, &'static str, i64)>,
}

/// The elements programs may serve: the basis plan's measures and the strategy's measures.
#[derive(Clone, Debug)]
pub struct Targets {
    pub measures: Vec<(String, String)>,
    pub strategy: Vec<(String, String)>,
}

/// SplitMix64: small and deterministic.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }
}

/// The five-digit code of the municipality with this index: prefecture 01–47 in turn, then
/// 201, 202, … within it (index 378 is 03209, 一関市, the municipality served).
pub fn code(index: usize) -> String {
    format!("{:02}{:03}", 1 + index % 47, 201 + index / 47)
}

/// The prefecture of the municipality with this index.
pub fn prefecture(index: usize) -> &'static str {
    PREFECTURES[index % 47]
}

/// Rounds yen down to whole thousands (amounts as budgets state them).
fn thousands(yen: i64) -> i64 {
    yen / 1000 * 1000
}

/// The edition of the municipality with this index: `programs` programs.
pub fn edition(index: usize, programs: usize, targets: &Targets) -> Edition {
    let mut out = Vec::with_capacity(programs);
    for i in 0..programs {
        let mut r = Rng::new((index as u64) << 20 | i as u64);
        let theme = r.pick(&THEMES);
        let department = DEPARTMENTS[i % DEPARTMENTS.len()];
        let roll = r.below(100);
        let category = match roll {
            0..8 => "new",
            8..66 => "continued",
            66..76 => "expanded",
            76..84 => "reduced",
            84..88 => "suspended",
            88..94 => "abolished",
            _ => "completed",
        };
        let (start_year, end_year) = match category {
            "new" => (YEARS[0], None),
            "abolished" | "completed" => (2005 + r.below(20) as i32, Some(YEARS[0])),
            _ => {
                let start = 2005 + r.below(21) as i32;
                let end = match r.below(100) {
                    // Ends in the first year: not carried by the roll.
                    0..12 => Some(YEARS[0]),
                    12..32 => Some(YEARS[2] + r.below(5) as i32),
                    _ => None,
                };
                (start, end)
            }
        };
        let investment = r.below(4) == 0;
        let base = 1_000_000 + i64::try_from(r.below(299_000_000)).unwrap_or(0);
        let mut years = Vec::with_capacity(3);
        for &fy in &YEARS {
            if end_year.is_some_and(|e| fy > e) {
                continue;
            }
            let cost = thousands(base * (90 + r.below(21) as i64) / 100);
            let mut left = cost;
            let mut part = |share: u64| {
                let amount = thousands(cost * share as i64 / 100).min(left);
                left -= amount;
                amount
            };
            let national = part(r.below(50));
            let prefectural = part(r.below(25));
            let bonds = if investment { part(r.below(40)) } else { 0 };
            let other = part(r.below(10));
            years.push(Year {
                fiscal_year: fy,
                cost,
                national,
                prefectural,
                bonds,
                other,
                general: left,
                activity_target: Some((1 + r.below(50)).to_string()),
            });
        }
        let mut links = vec![targets.measures[i % targets.measures.len()].clone()];
        if !targets.strategy.is_empty() && r.below(10) < 3 {
            links.push(targets.strategy[i % targets.strategy.len()].clone());
        }
        out.push(Program {
            code: format!("{:02}-{:02}-{:03}", 1 + i % 7, 1 + (i / 7) % 9, i + 1),
            name: format!("{theme}{}事業", r.pick(&WAYS)),
            department,
            purpose: format!("{theme}に取り組み、市民が安心して暮らし続けられる地域をつくる。"),
            target_group: r.pick(&GROUPS),
            means: format!("{theme}に要する経費の補助、相談窓口の運営、関係機関との連携"),
            start_year,
            end_year,
            account: if r.below(10) == 0 {
                "special"
            } else {
                "general"
            },
            expense_type: if investment { "investment" } else { "other" },
            category,
            activity_name: format!("{theme}の実施件数"),
            activity_unit: "件",
            years,
            links,
        });
    }
    let mut departments: Vec<&'static str> = out.iter().map(|p| p.department).collect();
    departments.sort_unstable();
    departments.dedup();
    let mut frames = Vec::new();
    for &fy in &YEARS {
        let general: i64 = out
            .iter()
            .flat_map(|p| &p.years)
            .filter(|y| y.fiscal_year == fy)
            .map(|y| y.general)
            .sum();
        frames.push((fy, "", thousands(general / 100 * 102)));
        for d in DEPARTMENTS.iter().take(5) {
            let own: i64 = out
                .iter()
                .filter(|p| p.department == *d)
                .flat_map(|p| &p.years)
                .filter(|y| y.fiscal_year == fy)
                .map(|y| y.general)
                .sum();
            frames.push((fy, *d, thousands(own)));
        }
    }
    Edition {
        programs: out,
        departments,
        frames,
    }
}
