//! The element vocabulary: codes round-trip, every kind has its label and fields once, and the
//! structure rules say what may be added where.

use keikaku_domain::plan::kinds::{DIRECTIONS, INDICATOR_TYPES};
use keikaku_domain::{
    Direction, ElementField, ElementKind, HeaderField, IndicatorType, LinkKind, PlanKind, ValueType,
};

#[test]
fn codes_round_trip_and_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for kind in ElementKind::ALL {
        assert_eq!(ElementKind::from_code(kind.code()), Some(kind));
        assert!(seen.insert(kind.code()), "{kind:?}");
        assert!(!kind.label().is_empty());
        assert!(!kind.fields().is_empty(), "{kind:?}");
    }
    assert_eq!(ElementKind::from_code("approach"), None);
    for link in LinkKind::ALL {
        assert_eq!(LinkKind::from_code(link.code()), Some(link));
    }
    for field in ElementField::ALL {
        assert_eq!(ElementField::from_name(field.name()), Some(field));
    }
    assert_eq!(ElementField::from_name("version"), None);
}

#[test]
fn every_kind_lists_each_field_once_and_a_required_title() {
    for kind in ElementKind::ALL {
        let fields = kind.fields();
        let mut names: Vec<_> = fields.iter().map(|f| f.field.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), fields.len(), "{kind:?}");
        assert!(
            fields
                .iter()
                .any(|f| f.field == ElementField::Title && f.required),
            "{kind:?}"
        );
    }
    for plan in [PlanKind::Comprehensive, PlanKind::Strategy] {
        assert!(
            plan.header_fields()
                .iter()
                .any(|f| f.field == HeaderField::Title && f.required)
        );
    }
}

#[test]
fn structure_rules() {
    use ElementKind::*;
    let cases: &[(PlanKind, Option<ElementKind>, &[ElementKind])] = &[
        (
            PlanKind::Comprehensive,
            None,
            &[Principle, Goal, VisionApproach],
        ),
        (
            PlanKind::Comprehensive,
            Some(BasicPlan),
            &[PriorityProject, Field, PlanApproach],
        ),
        (
            PlanKind::Comprehensive,
            Some(Field),
            &[Measure, OutcomeIndicator],
        ),
        (PlanKind::Comprehensive, Some(Measure), &[OutcomeIndicator]),
        (PlanKind::Comprehensive, Some(BasicObjective), &[]),
        (PlanKind::Strategy, None, &[BasicObjective]),
        (
            PlanKind::Strategy,
            Some(BasicObjective),
            &[NumericalTarget, StrategyMeasure],
        ),
        (PlanKind::Strategy, Some(StrategyMeasure), &[Kpi]),
        (PlanKind::Strategy, Some(Field), &[]),
    ];
    for (plan, parent, expected) in cases {
        assert_eq!(
            ElementKind::addable_under(*plan, *parent),
            *expected,
            "{plan:?} {parent:?}"
        );
    }
    for kind in ElementKind::ALL {
        for child in kind.children() {
            assert_eq!(child.plan_kind(), kind.plan_kind());
        }
    }
}

#[test]
fn departments_links_and_indicators() {
    let assigned: Vec<_> = ElementKind::ALL
        .into_iter()
        .filter(|k| k.has_department())
        .collect();
    assert_eq!(
        assigned,
        [
            ElementKind::Field,
            ElementKind::Measure,
            ElementKind::NumericalTarget,
            ElementKind::StrategyMeasure,
            ElementKind::Kpi,
            ElementKind::OutcomeIndicator
        ]
    );
    assert_eq!(
        ElementKind::StrategyMeasure.links(),
        [LinkKind::StrategyMeasure, LinkKind::StrategyProject]
    );
    assert_eq!(
        LinkKind::StrategyProject.target(),
        ElementKind::PriorityProject
    );
    assert!(ElementKind::Kpi.is_indicator() && !ElementKind::Measure.is_indicator());
    assert!(ElementKind::OutcomeIndicator.is_indicator());
    assert_eq!(ElementKind::OutcomeIndicator.label(), "成果指標");
    assert_eq!(
        ElementKind::OutcomeIndicator.fields(),
        ElementKind::Kpi.fields()
    );
    assert!(ElementField::Department.decided_by_planning_office());
    assert!(ElementField::Code.decided_by_planning_office());
    assert!(!ElementField::Title.decided_by_planning_office());
}

#[test]
fn choices_come_from_the_domain_labels() {
    assert_eq!(
        ElementField::Direction.value_type(),
        ValueType::Choice(DIRECTIONS)
    );
    assert_eq!(
        DIRECTIONS[1],
        (Direction::Lower.code(), Direction::Lower.label())
    );
    assert_eq!(
        INDICATOR_TYPES[2],
        (IndicatorType::Rate.code(), IndicatorType::Rate.label())
    );
    for e in keikaku_domain::kpi::Entered::ALL {
        assert_eq!(keikaku_domain::kpi::Entered::from_code(e.code()), Some(e));
    }
}

#[test]
fn list_fields_have_their_own_value_types_and_hints() {
    assert_eq!(
        ElementField::InterimTargets.value_type(),
        ValueType::YearValues
    );
    assert_eq!(
        ElementField::DefinitionChanges.value_type(),
        ValueType::YearNotes
    );
    assert_eq!(ElementField::Decimals.value_type(), ValueType::Count);
    for field in [
        ElementField::InterimTargets,
        ElementField::DefinitionChanges,
        ElementField::Code,
    ] {
        assert!(field.hint().is_some_and(|h| h.contains("例")), "{field:?}");
    }
    assert_eq!(ElementField::Title.hint(), None);
}
