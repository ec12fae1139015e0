//! The frozen verification report: what publication keeps of each indicator (id, the
//! year's actual and expectation as exact decimals, 速報値, the rate, the grade, behind or
//! not, every group), read back as written; a report frozen before these keys existed reads
//! with them absent; and the grade counts per group a dashboard shows.
#![allow(clippy::unwrap_used)]

use keikaku_app::access::Operator;
use keikaku_app::kpi::report::report_text;
use keikaku_app::kpi::{Report, ReportGroup, ReportLine, published_report, read_report};
use keikaku_app::{Context, transfer};
use keikaku_domain::audit::Timestamp;
use keikaku_domain::era::FiscalYear;
use keikaku_domain::{MunicipalityCode, PlanId};
use keikaku_storage::Store;
use keikaku_storage_sqlite::SqliteStore;

fn at() -> Timestamp {
    Timestamp::from_millis(1_764_000_000_000).unwrap()
}

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

#[tokio::test]
async fn a_published_report_keeps_its_numbers_and_reads_back_as_written() {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    transfer::load_example(&Operator::at_console(), &store, "ichinoseki", at())
        .await
        .unwrap();
    let code = MunicipalityCode::parse("03209").unwrap();
    let cx = Context::new(&store, &code);
    let plan = PlanId::parse("sogo-senryaku").unwrap();
    // The example publishes its 2017 round.
    let report = published_report(&cx, &plan, fy(2017))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.grades, ["A", "B", "C", "D"]);
    assert_eq!(report.missing_label, "未把握");
    assert!(!report.lines.is_empty());
    for l in &report.lines {
        assert!(!l.indicator.is_empty(), "{l:?}");
        assert!(!l.groups.is_empty() && l.groups.iter().all(|g| !g.id.is_empty()));
        assert_eq!(l.groups.last().unwrap().label, l.group);
        // Exact decimals, never floats; present exactly when the text has an actual.
        assert_eq!(l.actual_value.is_some(), !l.actual.is_empty(), "{l:?}");
        for d in [&l.actual_value, &l.expected, &l.percent]
            .into_iter()
            .flatten()
        {
            assert!(d.parse::<rust_decimal::Decimal>().is_ok(), "{d}");
        }
        assert_eq!(l.provisional, l.actual.contains("（速報値）"));
        assert_eq!(l.behind.is_some(), !l.grade.is_empty(), "{l:?}");
    }
    assert!(report.lines.iter().any(|l| l.percent.is_some()));
    let text = report_text(&report);
    let again = read_report(
        &text,
        report.fiscal_year,
        report.number,
        report.published_at,
    )
    .unwrap();
    assert_eq!(again, report);
    // The plan total counts every indicator once, 評価不能 included.
    let tallies = report.tallies();
    let total = tallies.last().unwrap();
    assert_eq!(total.label, "計画全体");
    assert_eq!(total.tally.total(), report.lines.len());
    assert_eq!(
        total.tally.unevaluable,
        report.lines.iter().filter(|l| l.grade.is_empty()).count()
    );
}

#[test]
fn a_report_frozen_before_the_numbers_were_kept_reads_with_them_absent() {
    let old = r#"{"plan_title":"総合戦略","fiscal_year":2016,"opinion":"おおむね順調",
        "lines":[
          {"code":"K1","kind":"KPI","group":"施策1-1　雇用","title":"雇用者数","department":"商工課",
           "baseline":"100人（平成26年度）","target":"110人（令和元年度）","actual":"105人（速報値）",
           "rate":"50.0%","grade":"C","analysis":"","course":"継続","rating":"","remark":"","response":""},
          {"code":"K2","kind":"KPI","group":"施策1-1　雇用","title":"求人数","department":"商工課",
           "baseline":"","target":"","actual":"","rate":"評価不能（実績値がありません。）","grade":"",
           "analysis":"","course":"","rating":"","remark":"","response":""},
          {"code":"K3","kind":"KPI","group":"施策1-2　起業","title":"起業数","department":"商工課",
           "baseline":"","target":"","actual":"3件","rate":"120.0%","grade":"A",
           "analysis":"","course":"","rating":"","remark":"","response":""}]}"#;
    let r = read_report(old, fy(2016), 1, at()).unwrap();
    let l = &r.lines[0];
    assert_eq!(l.title, "雇用者数");
    assert_eq!(l.indicator, "");
    assert_eq!(l.actual_value, None);
    assert_eq!(l.expected, None);
    assert_eq!(l.percent, None);
    assert_eq!(l.behind, None);
    assert!(!l.provisional);
    assert_eq!(l.decimals, None);
    assert_eq!(
        l.groups,
        [ReportGroup {
            id: String::new(),
            kind: String::new(),
            label: "施策1-1　雇用".to_owned(),
        }]
    );
    // Matched by its 指標ID when it has no id.
    assert!(l.is_of("kpi-1", "K1") && !l.is_of("kpi-1", "K2"));
    // The grades its lines carry, in the order they appear; the default word for 未把握.
    assert_eq!(r.grades, ["C", "A"]);
    assert_eq!(r.missing_label, "未把握");
    let t = r.tallies();
    assert_eq!(t.len(), 3);
    assert_eq!(t[0].label, "施策1-1　雇用");
    assert_eq!(
        t[0].tally.counts,
        [("C".to_owned(), 1), ("A".to_owned(), 0)]
    );
    assert_eq!(t[0].tally.unevaluable, 1);
    assert_eq!(t[2].tally.total(), 3);
    assert_eq!(r.missing().count(), 1);
    assert_eq!(r.behind().count(), 0);
    // Not JSON, or no lines: corrupt.
    assert!(read_report("{}", fy(2016), 1, at()).is_err());
    assert!(read_report("not json", fy(2016), 1, at()).is_err());
}

#[test]
fn grades_are_counted_per_group_in_plan_order_and_for_the_plan() {
    let group = |id: &str, label: &str| ReportGroup {
        id: id.to_owned(),
        kind: String::new(),
        label: label.to_owned(),
    };
    let line = |groups: Vec<ReportGroup>, grade: &str| ReportLine {
        groups,
        grade: grade.to_owned(),
        ..ReportLine::default()
    };
    let report = Report {
        plan_title: String::new(),
        fiscal_year: fy(2017),
        number: 1,
        published_at: at(),
        opinion: String::new(),
        lines: vec![
            line(vec![group("o1", "基本目標1")], "A"),
            line(vec![group("o1", "基本目標1"), group("m1", "施策1-1")], "B"),
            line(vec![group("o1", "基本目標1"), group("m1", "施策1-1")], ""),
            line(vec![group("o2", "基本目標2"), group("m2", "施策2-1")], "×"),
        ],
        grades: vec!["A".into(), "B".into(), "C".into(), "D".into()],
        missing_label: "未把握".to_owned(),
    };
    let t = report.tallies();
    let rows: Vec<(&str, usize, Vec<usize>, usize)> = t
        .iter()
        .map(|g| {
            (
                g.label.as_str(),
                g.depth,
                g.tally.counts.iter().map(|(_, n)| *n).collect(),
                g.tally.unevaluable,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("基本目標1", 0, vec![1, 1, 0, 0], 1),
            ("施策1-1", 1, vec![0, 1, 0, 0], 1),
            ("基本目標2", 0, vec![0, 0, 0, 0, 1], 0),
            ("施策2-1", 1, vec![0, 0, 0, 0, 1], 0),
            ("計画全体", 0, vec![1, 1, 0, 0, 1], 1),
        ]
    );
    // A grade the scale lacks (changed since) is counted after the scale's.
    assert_eq!(t[4].tally.counts[4], ("×".to_owned(), 1));
}
