//! Writing a plan file: domain values to the serde shapes of [`crate::dto`].

use keikaku_domain::{
    Approach, ComprehensivePlan, ElementRef, Indicator, Municipality, Plan, PlanHeader, Strategy,
    YearValue,
};

use crate::dto::*;

/// The municipality as written in files and the API.
pub fn municipality(m: &Municipality) -> MunicipalityDto {
    MunicipalityDto {
        code: m.code.as_str().to_owned(),
        name: m.name.clone(),
        prefecture: m.prefecture.clone(),
    }
}

fn period(h: &PlanHeader) -> PeriodDto {
    PeriodDto {
        start: h.period.start.year(),
        end: h.period.end.year(),
        description: h.period.description.clone(),
    }
}

fn item(id: &impl ToString, number: &str, title: &str, description: &str) -> ItemDto {
    ItemDto {
        id: id.to_string(),
        number: number.to_owned(),
        title: title.to_owned(),
        description: description.to_owned(),
    }
}

fn approach(a: &Approach) -> ItemDto {
    item(&a.id, &a.number, &a.title, &a.description)
}

/// A plan as written in files and the API.
pub fn plan(p: &Plan) -> PlanDto {
    match p {
        Plan::Comprehensive(c) => PlanDto::ComprehensivePlan(comprehensive(c)),
        Plan::Strategy(s) => PlanDto::Strategy(strategy(s)),
    }
}

fn comprehensive(c: &ComprehensivePlan) -> ComprehensivePlanDto {
    let h = &c.header;
    let v = &c.vision;
    ComprehensivePlanDto {
        id: h.id.to_string(),
        title: h.title.clone(),
        purpose: h.purpose.clone(),
        scope: h.scope.clone(),
        period: period(h),
        status: h.status.code().to_owned(),
        vision: VisionDto {
            future_image: v.future_image.clone(),
            future_image_note: v.future_image_note.clone(),
            principles: v
                .principles
                .iter()
                .map(|x| item(&x.id, &x.number, &x.title, &x.description))
                .collect(),
            goals: v
                .goals
                .iter()
                .map(|x| item(&x.id, &x.number, &x.title, &x.description))
                .collect(),
            approaches: v.approaches.iter().map(approach).collect(),
        },
        basic_plans: c
            .basic_plans
            .iter()
            .map(|bp| BasicPlanDto {
                id: bp.id.to_string(),
                half: bp.half.code().to_owned(),
                title: bp.title.clone(),
                start: bp.start.year(),
                end: bp.end.year(),
                description: bp.description.clone(),
                priority_projects: bp
                    .priority_projects
                    .iter()
                    .map(|pp| PriorityProjectDto {
                        id: pp.id.to_string(),
                        number: pp.number.clone(),
                        title: pp.title.clone(),
                        description: pp.description.clone(),
                        measures: pp.measures.iter().map(ToString::to_string).collect(),
                        sample: pp.sample,
                    })
                    .collect(),
                fields: bp
                    .fields
                    .iter()
                    .map(|f| FieldDto {
                        id: f.id.to_string(),
                        goal: f.goal.to_string(),
                        number: f.number.clone(),
                        title: f.title.clone(),
                        current_state: f.current_state.clone(),
                        department: f.department.clone(),
                        measures: f
                            .measures
                            .iter()
                            .map(|m| MeasureDto {
                                id: m.id.to_string(),
                                number: m.number.clone(),
                                title: m.title.clone(),
                                course_of_action: m.course_of_action.clone(),
                                citizen_participation: m.citizen_participation.clone(),
                                department: m.department.clone(),
                                indicators: m.indicators.iter().map(indicator).collect(),
                                sample: m.sample,
                            })
                            .collect(),
                        indicators: f.indicators.iter().map(indicator).collect(),
                        sample: f.sample,
                    })
                    .collect(),
                approaches: bp.approaches.iter().map(approach).collect(),
            })
            .collect(),
    }
}

fn year_value(v: &Option<YearValue>) -> Option<YearValueDto> {
    v.map(|v| YearValueDto {
        value: v.value.to_string(),
        year: v.year.year(),
    })
}

/// An indicator definition as written in files and the API.
pub fn indicator(i: &Indicator) -> IndicatorDto {
    IndicatorDto {
        id: i.id.to_string(),
        code: i.code.clone(),
        title: i.title.clone(),
        unit: i.unit.clone(),
        direction: i.direction.code().to_owned(),
        indicator_type: i.indicator_type.code().to_owned(),
        baseline: year_value(&i.baseline),
        target: year_value(&i.target),
        interim_targets: i
            .interim_targets
            .iter()
            .filter_map(|v| year_value(&Some(*v)))
            .collect(),
        tolerance: i.tolerance.map(|t| t.to_string()),
        cumulative_entry: i.cumulative_entry.code().to_owned(),
        decimals: i.decimals,
        calculation_method: i.calculation_method.clone(),
        data_source: i.data_source.clone(),
        acquisition: i.acquisition.clone(),
        lag_years: i.lag_years,
        definition_changes: i
            .definition_changes
            .iter()
            .map(|c| DefinitionChangeDto {
                year: c.year.year(),
                note: c.note.clone(),
            })
            .collect(),
        department: i.department.clone(),
        sample: i.sample,
    }
}

fn element_ref(r: &ElementRef) -> ElementRefDto {
    ElementRefDto {
        plan: r.plan.to_string(),
        element: r.element.to_string(),
    }
}

fn strategy(s: &Strategy) -> StrategyDto {
    let h = &s.header;
    StrategyDto {
        id: h.id.to_string(),
        title: h.title.clone(),
        purpose: h.purpose.clone(),
        scope: h.scope.clone(),
        period: period(h),
        status: h.status.code().to_owned(),
        basic_objectives: s
            .basic_objectives
            .iter()
            .map(|o| BasicObjectiveDto {
                id: o.id.to_string(),
                number: o.number.clone(),
                title: o.title.clone(),
                description: o.description.clone(),
                numerical_targets: o.numerical_targets.iter().map(indicator).collect(),
                measures: o
                    .measures
                    .iter()
                    .map(|m| StrategyMeasureDto {
                        id: m.id.to_string(),
                        number: m.number.clone(),
                        title: m.title.clone(),
                        description: m.description.clone(),
                        department: m.department.clone(),
                        kpis: m.kpis.iter().map(indicator).collect(),
                        linked_measures: m.linked_measures.iter().map(element_ref).collect(),
                        linked_priority_projects: m
                            .linked_priority_projects
                            .iter()
                            .map(element_ref)
                            .collect(),
                        sample: m.sample,
                    })
                    .collect(),
                sample: o.sample,
            })
            .collect(),
    }
}
