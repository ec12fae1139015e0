//! The pure part of the 実施計画: amounts in whole yen, the funding identity with its Japanese
//! messages, a program's problems in an edition, the yearly roll, and the difference between
//! two editions.
#![allow(clippy::unwrap_used)]

use keikaku_domain::era::FiscalYear;
use keikaku_domain::program::{
    Account, Activity, Amount, AmountChange, Edition, ExpenseType, Funding, FundingPart,
    FundingProblem, Program, ProgramCategory, ProgramCode, ProgramProblem, ProgramYear,
    RolledProgram, Yen, diff, roll,
};
use keikaku_domain::program::{
    EditionState, EditionStep, Frame, SubmissionState, YearTotals, budget_guide, edition_after,
    group_totals, part_after,
};
use keikaku_domain::{ElementId, ElementRef, PlanId};

fn fy(y: i32) -> FiscalYear {
    FiscalYear::new(y).unwrap()
}

fn yen(y: i64) -> Yen {
    Yen::new(y)
}

#[test]
fn yen_are_whole_checked_and_shown_in_thousands() {
    assert_eq!(yen(1_234_567).to_string(), "1,234,567円");
    assert_eq!(yen(-1_000).to_string(), "-1,000円");
    for (amount, shown) in [
        (0, "0千円"),
        (499, "0千円"),
        (500, "1千円"),
        (1_499, "1千円"),
        (1_500, "2千円"),
        (-1_500, "-2千円"),
        (1_234_567_890, "1,234,568千円"),
    ] {
        assert_eq!(yen(amount).thousands_text(), shown, "{amount}");
    }
    assert_eq!(Yen::from_thousands(1_200), Some(yen(1_200_000)));
    assert_eq!(Yen::from_thousands(i64::MAX / 10), None);
    assert_eq!(Yen::checked_sum([yen(1), yen(2), yen(3)]), Some(yen(6)));
    assert_eq!(Yen::checked_sum([yen(i64::MAX), yen(1)]), None);
    assert_eq!(yen(5).checked_sub(yen(7)), Some(yen(-2)));
}

fn funding(cost: i64, parts: [i64; 5]) -> Funding {
    Funding {
        cost: yen(cost),
        national: yen(parts[0]),
        prefectural: yen(parts[1]),
        bonds: yen(parts[2]),
        other: yen(parts[3]),
        general: yen(parts[4]),
    }
}

#[test]
fn the_funding_identity_is_checked_with_every_problem_named() {
    let cases: &[(Funding, &[&str])] = &[
        (
            funding(1_300_000, [500_000, 200_000, 0, 100_000, 500_000]),
            &[],
        ),
        (Funding::general_only(yen(750_000)), &[]),
        (funding(0, [0; 5]), &[]),
        // The example: the parts come to 1,200千円 against a cost of 1,300千円.
        (
            funding(1_300_000, [500_000, 200_000, 0, 0, 500_000]),
            &["財源の合計 1,200千円 が事業費 1,300千円 と一致しません。"],
        ),
        // A difference of a few yen hidden by the 千円 rounding is shown exactly.
        (
            funding(1_000_000, [0, 0, 0, 0, 999_999]),
            &[
                "財源の合計 1,000千円 が事業費 1,000千円 と一致しません（999,999円 と 1,000,000円）。",
            ],
        ),
        (
            funding(100_000, [-50_000, 0, 0, 0, 150_000]),
            &["国庫支出金 -50千円 が負の値です。"],
        ),
        (
            funding(-1_000, [0, 0, 0, 0, -1_000]),
            &[
                "事業費 -1千円 が負の値です。",
                "一般財源 -1千円 が負の値です。",
            ],
        ),
        (
            funding(1, [i64::MAX, 1, 0, 0, 0]),
            &[
                "国庫支出金 9,223,372,036,854,776千円 が大きすぎます（1事業・1年度あたり10兆円まで）。",
                "財源の合計が大きすぎて計算できません（事業費 0千円）。",
            ],
        ),
        // The limit itself is allowed; one yen more is not.
        (Funding::general_only(Funding::LIMIT), &[]),
        (
            Funding::general_only(yen(Funding::LIMIT.yen() + 1)),
            &[
                "事業費 10,000,000,000千円 が大きすぎます（1事業・1年度あたり10兆円まで）。",
                "一般財源 10,000,000,000千円 が大きすぎます（1事業・1年度あたり10兆円まで）。",
            ],
        ),
    ];
    for (f, expected) in cases {
        let messages: Vec<String> = f.problems().iter().map(FundingProblem::message).collect();
        assert_eq!(&messages, expected, "{f:?}");
    }
    let f = funding(10, [1, 2, 3, 0, 4]);
    assert_eq!(f.parts_sum(), Some(yen(10)));
    assert_eq!(f.part(FundingPart::Bonds), yen(3));
    assert_eq!(f.checked_add(&f).unwrap(), funding(20, [2, 4, 6, 0, 8]));
    for p in FundingPart::ALL {
        assert_eq!(FundingPart::from_code(p.code()), Some(p));
    }
    assert_eq!(
        FundingPart::ALL.map(FundingPart::label),
        ["国庫支出金", "県支出金", "地方債", "その他", "一般財源"]
    );
}

#[test]
fn program_codes_and_categories() {
    assert_eq!(
        ProgramCode::parse(" 02-01-003 ").unwrap().as_str(),
        "02-01-003"
    );
    for bad in ["", "０２", "事業1", "a b", &"x".repeat(33)] {
        assert!(ProgramCode::parse(bad).is_err(), "{bad:?}");
    }
    assert_eq!(
        ProgramCategory::ALL
            .iter()
            .map(|c| c.label())
            .collect::<Vec<_>>(),
        ["新規", "継続", "拡充", "縮小", "休止", "廃止", "完了"]
    );
    for c in ProgramCategory::ALL {
        assert_eq!(ProgramCategory::from_code(c.code()), Some(*c));
        assert_eq!(ProgramCategory::from_label(c.label()), Some(*c));
    }
    assert!(ProgramCategory::Abolished.ends() && ProgramCategory::Completed.ends());
    assert!(!ProgramCategory::Suspended.ends());
    assert_eq!(Account::from_label("特別会計"), Some(Account::Special));
    assert_eq!(
        ExpenseType::from_label("投資的経費"),
        Some(ExpenseType::Investment)
    );
}

fn program(
    code: &str,
    category: ProgramCategory,
    end: Option<i32>,
    years: &[(i32, i64)],
) -> Program {
    Program {
        code: ProgramCode::parse(code).unwrap(),
        name: format!("事業{code}"),
        department: "まちづくり推進課".to_owned(),
        links: vec![ElementRef {
            plan: PlanId::parse("sogo-keikaku").unwrap(),
            element: ElementId::parse("measure-1-1-1").unwrap(),
        }],
        purpose: "目的".to_owned(),
        target_group: "市民".to_owned(),
        means: "補助".to_owned(),
        start_year: fy(2020),
        end_year: end.map(fy),
        account: Account::General,
        expense_type: ExpenseType::Other,
        activity: Activity::default(),
        category,
        years: years
            .iter()
            .map(|&(y, cost)| ProgramYear::new(fy(y), Funding::general_only(yen(cost))))
            .collect(),
        sample: true,
    }
}

#[test]
fn a_programs_problems_in_an_edition() {
    let covers = [fy(2026), fy(2027), fy(2028)];
    let ok = program(
        "A1",
        ProgramCategory::New,
        None,
        &[(2026, 1), (2027, 2), (2028, 3)],
    );
    assert!(ok.problems(&covers).is_empty());
    let mut bad = program(
        "A2",
        ProgramCategory::New,
        Some(2019),
        &[(2025, 1), (2026, 1), (2026, 2)],
    );
    bad.years[2].funding.general = yen(1);
    let messages: Vec<String> = bad
        .problems(&covers)
        .iter()
        .map(ProgramProblem::message)
        .collect();
    assert_eq!(
        messages,
        [
            "終了年度が開始年度より前です。",
            "令和7年度（2025年度）はこの版の計画期間の外です。",
            "令和7年度（2025年度）は事業の期間（開始年度〜終了年度）の外ですが、事業費が入力されています。",
            "令和8年度（2026年度）は事業の期間（開始年度〜終了年度）の外ですが、事業費が入力されています。",
            "令和8年度（2026年度）の事業費が2つあります。",
            "令和8年度（2026年度）は事業の期間（開始年度〜終了年度）の外ですが、事業費が入力されています。",
            "令和8年度（2026年度）: 財源の合計 0千円 が事業費 0千円 と一致しません（1円 と 2円）。",
        ]
    );
    assert_eq!(ok.year(fy(2027)).map(|f| f.cost), Some(yen(2)));
    assert_eq!(ok.year(fy(2029)), None);
}

#[test]
fn the_roll_carries_continuing_programs_and_leaves_the_edition_rolled_as_it_is() {
    let edition = Edition {
        made_in: fy(2025),
        programs: vec![
            program(
                "NEW",
                ProgramCategory::New,
                None,
                &[(2026, 100), (2027, 200), (2028, 300)],
            ),
            program(
                "UNTIL27",
                ProgramCategory::Expanded,
                Some(2027),
                &[(2026, 10), (2027, 20)],
            ),
            program(
                "ENDS26",
                ProgramCategory::Continued,
                Some(2026),
                &[(2026, 5)],
            ),
            program("ABOLISHED", ProgramCategory::Abolished, None, &[(2026, 1)]),
            program("DONE", ProgramCategory::Completed, None, &[(2026, 1)]),
            program("PAUSED", ProgramCategory::Suspended, None, &[]),
        ],
    };
    assert_eq!(edition.covers(), [fy(2026), fy(2027), fy(2028)]);
    let before = edition.clone();
    let (next, outcomes) = roll(&edition);
    assert_eq!(edition, before);
    assert_eq!(next.made_in, fy(2026));
    assert_eq!(next.covers(), [fy(2027), fy(2028), fy(2029)]);
    let codes: Vec<&str> = next.programs.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["NEW", "UNTIL27", "PAUSED"]);
    let carried = next.program(&ProgramCode::parse("NEW").unwrap()).unwrap();
    assert_eq!(carried.category, ProgramCategory::Continued);
    assert_eq!(
        carried
            .years
            .iter()
            .map(|y| (y.fiscal_year.year(), y.funding.cost.yen()))
            .collect::<Vec<_>>(),
        [(2027, 200), (2028, 300)],
        "N+2 and N+3 kept, N+1 gone, N+4 not entered"
    );
    assert_eq!(carried.year(fy(2029)), None);
    assert_eq!(
        (carried.name.as_str(), carried.end_year, carried.sample),
        ("事業NEW", None, true)
    );
    assert_eq!(
        next.program(&ProgramCode::parse("PAUSED").unwrap())
            .unwrap()
            .category,
        ProgramCategory::Suspended
    );
    let messages: Vec<String> = outcomes.iter().map(RolledProgram::message).collect();
    assert_eq!(
        messages,
        [
            "事業「NEW」を引き継ぎました。",
            "事業「UNTIL27」を引き継ぎました。",
            "事業「ENDS26」は令和8年度（2026年度）に終了するため、引き継いでいません。",
            "事業「ABOLISHED」は廃止のため、引き継いでいません。",
            "事業「DONE」は完了のため、引き継いでいません。",
            "事業「PAUSED」を引き継ぎました。",
        ]
    );
    // Rolled twice in a row, the programs keep their codes and nothing is invented.
    let (after, _) = roll(&next);
    assert_eq!(after.made_in, fy(2027));
    assert!(
        after
            .programs
            .iter()
            .all(|p| p.years.iter().all(|y| y.fiscal_year >= fy(2028)))
    );
    assert_eq!(after.programs.len(), 2, "UNTIL27 ends in 2027, before 2028");
}

#[test]
fn the_difference_between_two_editions() {
    let old = Edition {
        made_in: fy(2025),
        programs: vec![
            program(
                "KEEP",
                ProgramCategory::Continued,
                None,
                &[(2026, 100), (2027, 200), (2028, 300)],
            ),
            program(
                "GROW",
                ProgramCategory::New,
                None,
                &[(2026, 10), (2027, 20), (2028, 30)],
            ),
            program("GONE", ProgramCategory::Completed, None, &[(2026, 5)]),
        ],
    };
    let (mut new, _) = roll(&old);
    // The rolled edition differs only by the categories that became 継続.
    let rolled = diff(&old, &new);
    assert_eq!(rolled.compared_years, [fy(2027), fy(2028)]);
    assert!(rolled.added.is_empty());
    assert_eq!(rolled.ended, [ProgramCode::parse("GONE").unwrap()]);
    assert_eq!(rolled.changed.len(), 1);
    assert_eq!(
        rolled.changed[0].category,
        Some((ProgramCategory::New, ProgramCategory::Continued))
    );
    assert!(rolled.changed[0].amounts.is_empty() && rolled.changed[0].fields.is_empty());

    // Then the department changes GROW: 拡充, a national subsidy in 2028, a new name, and
    // a new program is added.
    let grow = new
        .programs
        .iter_mut()
        .find(|p| p.code.as_str() == "GROW")
        .unwrap();
    grow.category = ProgramCategory::Expanded;
    grow.name = "事業GROW（拡充）".to_owned();
    grow.years[1].funding = Funding {
        cost: yen(50),
        national: yen(25),
        general: yen(25),
        ..Funding::default()
    };
    new.programs
        .push(program("ADDED", ProgramCategory::New, None, &[(2027, 1)]));
    let d = diff(&old, &new);
    assert_eq!(d.added, [ProgramCode::parse("ADDED").unwrap()]);
    let grow = d
        .changed
        .iter()
        .find(|c| c.code.as_str() == "GROW")
        .unwrap();
    assert_eq!(
        grow.category,
        Some((ProgramCategory::New, ProgramCategory::Expanded))
    );
    assert_eq!(
        grow.fields,
        [(
            "事業名",
            "事業GROW".to_owned(),
            "事業GROW（拡充）".to_owned()
        )]
    );
    let change = |amount, old: i64, new: i64| AmountChange {
        fiscal_year: fy(2028),
        amount,
        old: Some(yen(old)),
        new: Some(yen(new)),
    };
    assert_eq!(
        grow.amounts,
        [
            change(Amount::Cost, 30, 50),
            change(Amount::Part(FundingPart::National), 0, 25),
            change(Amount::Part(FundingPart::General), 30, 25),
        ]
    );
    assert_eq!(
        Amount::ALL.map(Amount::label),
        [
            "事業費",
            "国庫支出金",
            "県支出金",
            "地方債",
            "その他",
            "一般財源"
        ]
    );
    // Editions compared with themselves: nothing.
    assert_eq!(diff(&new, &new).changed, []);
}

#[test]
fn the_activity_indicator_and_its_targets_are_compared() {
    let mut old = Edition {
        made_in: fy(2025),
        programs: vec![program(
            "ACT",
            ProgramCategory::Continued,
            None,
            &[(2026, 100), (2027, 100), (2028, 100)],
        )],
    };
    old.programs[0].activity = Activity {
        name: "相談会の開催回数".to_owned(),
        unit: "回".to_owned(),
    };
    old.programs[0].years[1].activity_target = Some(rust_decimal::Decimal::from(12));
    let mut new = old.clone();
    new.programs[0].activity.unit = "件".to_owned();
    new.programs[0].years[1].activity_target = Some(rust_decimal::Decimal::from(15));
    let d = diff(&old, &new);
    assert_eq!(
        d.changed[0].fields,
        [(
            "活動指標",
            "相談会の開催回数（回）".to_owned(),
            "相談会の開催回数（件）".to_owned()
        )]
    );
    assert_eq!(
        d.changed[0].activity_targets,
        [(
            fy(2027),
            Some(rust_decimal::Decimal::from(12)),
            Some(rust_decimal::Decimal::from(15))
        )]
    );
    let mut negative = old.programs[0].clone();
    negative.years[0].activity_target = Some(rust_decimal::Decimal::from(-1));
    assert_eq!(
        negative
            .problems(&old.covers())
            .iter()
            .map(ProgramProblem::message)
            .collect::<Vec<_>>(),
        ["令和8年度（2026年度）の活動指標の目標値が負の値です。"]
    );
}

#[test]
fn the_cycle_of_an_edition_and_of_each_departments_part() {
    use EditionState::{Draft, Fixed, Published};
    use SubmissionState::{Approved, Returned, Submitted};
    let part = |e, from, step| part_after(e, from, step);
    assert_eq!(
        part(Draft, SubmissionState::Draft, EditionStep::Submit),
        Ok(Submitted)
    );
    assert_eq!(part(Draft, Returned, EditionStep::Submit), Ok(Submitted));
    assert_eq!(part(Draft, Submitted, EditionStep::Approve), Ok(Approved));
    assert_eq!(part(Draft, Submitted, EditionStep::Return), Ok(Returned));
    assert_eq!(part(Draft, Approved, EditionStep::Return), Ok(Returned));
    for (e, from, step, message) in [
        (
            Draft,
            Submitted,
            EditionStep::Submit,
            "この課の事業は「提出済み」のため、提出できません。",
        ),
        (
            Draft,
            SubmissionState::Draft,
            EditionStep::Approve,
            "この課の事業は「未提出」のため、承認はできません。",
        ),
        (
            Fixed,
            Submitted,
            EditionStep::Approve,
            "この版は「確定」のため、提出・承認・差戻しはできません。",
        ),
        (
            Draft,
            Submitted,
            EditionStep::Fix,
            "「確定」は版全体の操作です。課の提出には使えません。",
        ),
    ] {
        assert_eq!(part(e, from, step), Err(message.to_owned()));
    }
    let parts = |states: &[SubmissionState]| -> Vec<(String, SubmissionState)> {
        states
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("課{i}"), *s))
            .collect()
    };
    assert_eq!(
        edition_after(Draft, EditionStep::Fix, &parts(&[Approved, Approved]), 3),
        Ok(Fixed)
    );
    assert_eq!(
        edition_after(
            Draft,
            EditionStep::Fix,
            &parts(&[Approved, Returned, Submitted]),
            3
        ),
        Err("承認されていない課があるため、確定できません（課1、課2）。".to_owned())
    );
    assert_eq!(
        edition_after(Draft, EditionStep::Fix, &[], 0),
        Err("事業が1件もないため、確定できません。".to_owned())
    );
    assert_eq!(edition_after(Fixed, EditionStep::Unfix, &[], 3), Ok(Draft));
    assert_eq!(
        edition_after(Fixed, EditionStep::Publish, &[], 3),
        Ok(Published)
    );
    for (state, step, message) in [
        (
            Draft,
            EditionStep::Publish,
            "この版は「作成中」のため、公表はできません。",
        ),
        (
            Published,
            EditionStep::Unfix,
            "この版は「公表」のため、確定の取消しはできません。",
        ),
        (
            Published,
            EditionStep::Fix,
            "この版は「公表」のため、確定はできません。",
        ),
        (
            Draft,
            EditionStep::Submit,
            "「提出」は課の操作です。版全体には使えません。",
        ),
    ] {
        assert_eq!(
            edition_after(state, step, &[], 1),
            Err(message.to_owned()),
            "{step:?}"
        );
    }
    for s in EditionState::ALL {
        assert_eq!(EditionState::from_code(s.code()), Some(s));
    }
    for s in EditionStep::ALL {
        assert_eq!(EditionStep::from_code(s.code()), Some(s));
    }
    assert!(Draft.editable() && !Fixed.editable() && !Published.editable());
}

fn funded(code: &str, department: &str, years: &[(i32, Funding)]) -> Program {
    let mut p = program(code, ProgramCategory::Continued, None, &[]);
    p.department = department.to_owned();
    p.years = years
        .iter()
        .map(|&(y, f)| ProgramYear::new(fy(y), f))
        .collect();
    p
}

#[test]
fn totals_per_year_group_and_the_budget_guide() {
    let edition = Edition {
        made_in: fy(2025),
        programs: vec![
            funded(
                "A",
                "農政課",
                &[
                    (2026, funding(1_000_000, [500_000, 0, 0, 0, 500_000])),
                    (2027, Funding::general_only(yen(800_000))),
                ],
            ),
            funded(
                "B",
                "商工課",
                &[(2026, funding(2_000_000, [0, 0, 1_500_000, 0, 500_000]))],
            ),
            funded(
                "C",
                "農政課",
                &[(2028, Funding::general_only(yen(300_000)))],
            ),
        ],
    };
    let all = YearTotals::of(&edition.covers(), &edition.programs);
    assert_eq!(all.programs, 3);
    assert_eq!(
        all.year(fy(2026)),
        funding(3_000_000, [500_000, 0, 1_500_000, 0, 1_000_000])
    );
    assert_eq!(all.year(fy(2027)), Funding::general_only(yen(800_000)));
    assert_eq!(all.year(fy(2030)), Funding::default());
    assert_eq!(all.all_years().cost, yen(4_100_000));
    let by_department = group_totals(&edition, |p| vec![p.department.clone()]);
    let names: Vec<&str> = by_department.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(
        names,
        ["農政課", "商工課"],
        "in the order they first appear"
    );
    assert_eq!(by_department[0].1.programs, 2);
    assert_eq!(by_department[0].1.all_years().general, yen(1_600_000));

    let frames = [
        Frame {
            fiscal_year: fy(2026),
            department: String::new(),
            general: yen(900_000),
        },
        Frame {
            fiscal_year: fy(2027),
            department: String::new(),
            general: yen(1_000_000),
        },
        Frame {
            fiscal_year: fy(2026),
            department: "農政課".to_owned(),
            general: yen(400_000),
        },
        Frame {
            fiscal_year: fy(2026),
            department: "総務課".to_owned(),
            general: yen(50_000),
        },
    ];
    let guide = budget_guide(&edition, &frames);
    type Line = (i32, i64, Option<i64>, Option<i64>, bool);
    let city: Vec<Line> = guide
        .city
        .iter()
        .map(|l| {
            (
                l.fiscal_year.year(),
                l.needed.yen(),
                l.frame.map(Yen::yen),
                l.overrun().map(Yen::yen),
                l.over(),
            )
        })
        .collect();
    assert_eq!(
        city,
        [
            (2026, 1_000_000, Some(900_000), Some(100_000), true),
            (2027, 800_000, Some(1_000_000), Some(-200_000), false),
            (2028, 300_000, None, None, false),
        ]
    );
    let departments: Vec<&str> = guide.departments.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(departments, ["農政課", "商工課", "総務課"]);
    let agri = &guide.departments[0].1[0];
    assert_eq!(
        (agri.needed, agri.frame, agri.overrun()),
        (yen(500_000), Some(yen(400_000)), Some(yen(100_000)))
    );
    let general_affairs = &guide.departments[2].1[0];
    assert_eq!(general_affairs.needed, Yen::ZERO);
    assert_eq!(general_affairs.overrun(), Some(yen(-50_000)));
}
