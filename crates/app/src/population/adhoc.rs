//! One projection outside any stored scenario: an input given whole as JSON (the command
//! line's `keikaku population project`), projected by `keikaku-projection` and answered as
//! JSON. Nothing is read from or written to the store, so no authority is asked for.

use keikaku_planfile::population_projection::{read_projection_input, write_projection};
use keikaku_projection::project;

use crate::AppError;

/// Projects the input in `text` (the shape of
/// [`keikaku_planfile::population_projection`]) and returns the result as JSON: the base
/// year and every step. Refused with every problem of the input, each with its JSON path.
pub fn project_json(text: &str) -> Result<String, AppError> {
    let input = read_projection_input(text).map_err(AppError::Invalid)?;
    // The reader has already applied the projection's checks; `project` applies them again
    // and would give the same problems, with the input's paths.
    let steps = project(&input).map_err(|problems| {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|p| keikaku_planfile::FileProblem {
                    path: format!("$.{}", p.path),
                    message: p.message,
                })
                .collect(),
        )
    })?;
    write_projection(&steps).map_err(AppError::Invalid)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use keikaku_planfile::population_projection::ProjectedYear;

    use super::*;

    fn input(pop: f64, survival: f64, steps: usize) -> String {
        format!(
            r#"{{"base_year": 2020, "steps": {steps},
                "pop": {{"M": {p}, "F": {p}}},
                "survival": {{"M": {s}, "F": {s}}},
                "migration": {{"M": {z}, "F": {z}}},
                "cwr": 0.2, "sex_ratio": 105}}"#,
            p = serde_json::to_string(&[pop; 19]).unwrap(),
            s = serde_json::to_string(&[survival; 19]).unwrap(),
            z = serde_json::to_string(&[0.0; 19]).unwrap(),
        )
    }

    #[test]
    fn the_answer_is_the_projection_to_the_bit() {
        let text = input(1234.567, 0.987_654_321, 3);
        let answer = project_json(&text).unwrap();
        let years: Vec<ProjectedYear> = serde_json::from_str(&answer).unwrap();
        let steps = project(&read_projection_input(&text).unwrap()).unwrap();
        assert_eq!(years.len(), 4);
        for (y, s) in years.iter().zip(&steps) {
            assert_eq!(y.year, s.year);
            for (a, b) in y.male.iter().zip(&s.population.male) {
                assert_eq!(a.to_bits(), b.to_bits());
            }
            for (a, b) in y.female.iter().zip(&s.population.female) {
                assert_eq!(a.to_bits(), b.to_bits());
            }
            assert_eq!(y.total.to_bits(), s.total().to_bits());
        }
    }

    #[test]
    fn a_result_too_large_for_json_is_refused() {
        let Err(AppError::Invalid(problems)) = project_json(&input(1e300, 1e10, 2)) else {
            panic!("an overflowing projection must be refused");
        };
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].path, "$");
        assert!(
            problems[0]
                .message
                .starts_with("2025年の M[0] が大きすぎて"),
            "{problems:?}"
        );
    }
}
