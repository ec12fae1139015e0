//! The rows of the 実施計画 read back into the domain and written from it: an edition with its
//! programs (three queries ordered alike, merged in one pass), a program's row, years and
//! links written in bulk, and each table's row mapping. Used by `programs`.

use std::collections::HashMap;

use keikaku_domain::era::FiscalYear;
use keikaku_domain::format::Rounding;
use keikaku_domain::program::{
    Account, Activity, EditionState, ExpenseType, Frame, Funding, Program, ProgramCategory,
    ProgramCode, ProgramYear, Yen,
};
use keikaku_domain::{ElementId, ElementRef, PlanId};
use keikaku_storage::{EditionData, EditionRecord, ProgramRecord, StoreError};
use rust_decimal::Decimal;
use sqlx::{QueryBuilder, Row, Transaction};

use super::import::DbQuery;
use super::programs::{
    DELETE_LINKS, DELETE_YEARS, EDITION, FRAMES, Key, LINKS, PARTS, PROGRAMS, UPSERT_PROGRAM, YEARS,
};
use super::rounds::{all, execute, optional, required_code, submission_row, text_of, time_of};
use super::{backend, corrupt};
use crate::{Db, DbRow};

/// The edition with its programs, parts and frames, read inside `tx`.
pub(super) async fn read_edition(
    tx: &mut Transaction<'_, Db>,
    key: Key<'_>,
) -> Result<Option<EditionData>, StoreError> {
    let Some(edition) = optional(tx, key.query(EDITION), edition_row).await? else {
        return Ok(None);
    };
    let programs = read_programs(tx, key.query(PROGRAMS), key.query(YEARS), key.query(LINKS))
        .await?
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let parts = all(tx, key.query(PARTS), submission_row).await?;
    let frames = all(tx, key.query(FRAMES), frame_row).await?;
    Ok(Some(EditionData {
        edition,
        programs,
        parts,
        frames,
    }))
}

/// Programs with their years and links, from three queries ordered alike (by edition and
/// code), each program with the edition it is in.
pub(super) async fn read_programs(
    tx: &mut Transaction<'_, Db>,
    programs: DbQuery<'_>,
    years: DbQuery<'_>,
    links: DbQuery<'_>,
) -> Result<Vec<(FiscalYear, ProgramRecord)>, StoreError> {
    let mut out: Vec<(FiscalYear, ProgramRecord)> = all(tx, programs, program_row).await?;
    let index: HashMap<(FiscalYear, ProgramCode), usize> = out
        .iter()
        .enumerate()
        .map(|(i, (m, p))| ((*m, p.program.code.clone()), i))
        .collect();
    let find = |r: &DbRow| -> Result<usize, StoreError> {
        let made_in = made_in_of(r)?;
        let code = ProgramCode::parse(&text_of(r, "code")?).map_err(corrupt)?;
        index
            .get(&(made_in, code))
            .copied()
            .ok_or_else(|| corrupt("program_year without its program"))
    };
    for r in years.fetch_all(&mut **tx).await.map_err(backend)? {
        let i = find(&r)?;
        out[i].1.program.years.push(year_row(&r)?);
    }
    for r in links.fetch_all(&mut **tx).await.map_err(backend)? {
        let i = find(&r)?;
        out[i].1.program.links.push(ElementRef {
            plan: PlanId::parse(&text_of(&r, "plan_id")?).map_err(corrupt)?,
            element: ElementId::parse(&text_of(&r, "element_id")?).map_err(corrupt)?,
        });
    }
    Ok(out)
}

/// Writes a program's row, years and links (replacing those stored).
pub(super) async fn write_program(
    tx: &mut Transaction<'_, Db>,
    key: Key<'_>,
    record: &ProgramRecord,
) -> Result<(), StoreError> {
    let p = &record.program;
    let query = key
        .query(UPSERT_PROGRAM)
        .bind(p.code.as_str().to_owned())
        .bind(p.name.clone())
        .bind(p.department.clone())
        .bind(p.purpose.clone())
        .bind(p.target_group.clone())
        .bind(p.means.clone())
        .bind(p.start_year.year())
        .bind(p.end_year.map(FiscalYear::year))
        .bind(p.account.code())
        .bind(p.expense_type.code())
        .bind(p.category.code())
        .bind(p.activity.name.clone())
        .bind(p.activity.unit.clone())
        .bind(p.sample)
        .bind(record.updated_by.clone())
        .bind(record.updated_at.as_millis())
        .bind(record.revision);
    execute(tx, query).await?;
    execute(tx, key.query(DELETE_YEARS).bind(p.code.as_str().to_owned())).await?;
    execute(tx, key.query(DELETE_LINKS).bind(p.code.as_str().to_owned())).await?;
    if !p.years.is_empty() {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO program_year (municipality_code, made_in, code, fiscal_year, cost, \
             national, prefectural, bonds, other, general, activity_target) ",
        );
        q.push_values(&p.years, |mut row, y| {
            let f = &y.funding;
            row.push_bind(key.code.as_str())
                .push_bind(key.made_in.year())
                .push_bind(p.code.as_str())
                .push_bind(y.fiscal_year.year())
                .push_bind(f.cost.yen())
                .push_bind(f.national.yen())
                .push_bind(f.prefectural.yen())
                .push_bind(f.bonds.yen())
                .push_bind(f.other.yen())
                .push_bind(f.general.yen())
                .push_bind(y.activity_target.map(|t| t.to_string()));
        });
        q.build().execute(&mut **tx).await.map_err(backend)?;
    }
    if !p.links.is_empty() {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO program_link (municipality_code, made_in, code, position, plan_id, \
             element_id) ",
        );
        let positions = 0_i32..;
        q.push_values(p.links.iter().zip(positions), |mut row, (l, i)| {
            row.push_bind(key.code.as_str())
                .push_bind(key.made_in.year())
                .push_bind(p.code.as_str())
                .push_bind(i)
                .push_bind(l.plan.as_str())
                .push_bind(l.element.as_str());
        });
        q.build().execute(&mut **tx).await.map_err(backend)?;
    }
    Ok(())
}

pub(super) fn made_in_of(r: &DbRow) -> Result<FiscalYear, StoreError> {
    FiscalYear::new(r.try_get::<i32, _>("made_in").map_err(backend)?).map_err(corrupt)
}

pub(super) fn edition_row(r: &DbRow) -> Result<EditionRecord, StoreError> {
    Ok(EditionRecord {
        made_in: made_in_of(r)?,
        plan: PlanId::parse(&text_of(r, "plan_id")?).map_err(corrupt)?,
        state: required_code(r, "state", EditionState::from_code)?,
        rounding: required_code(r, "rounding", Rounding::from_code)?,
        updated_by: text_of(r, "updated_by")?,
        updated_at: time_of(r, "updated_at_millis")?,
        revision: r.try_get("revision").map_err(backend)?,
    })
}

fn program_row(r: &DbRow) -> Result<(FiscalYear, ProgramRecord), StoreError> {
    let year = |column: &str| -> Result<Option<FiscalYear>, StoreError> {
        let y: Option<i32> = r.try_get(column).map_err(backend)?;
        y.map(FiscalYear::new).transpose().map_err(corrupt)
    };
    let program = Program {
        code: ProgramCode::parse(&text_of(r, "code")?).map_err(corrupt)?,
        name: text_of(r, "name")?,
        department: text_of(r, "department")?,
        links: Vec::new(),
        purpose: text_of(r, "purpose")?,
        target_group: text_of(r, "target_group")?,
        means: text_of(r, "means")?,
        start_year: year("start_year")?.ok_or_else(|| corrupt("start_year NULL"))?,
        end_year: year("end_year")?,
        account: required_code(r, "account", Account::from_code)?,
        expense_type: required_code(r, "expense_type", ExpenseType::from_code)?,
        activity: Activity {
            name: text_of(r, "activity_name")?,
            unit: text_of(r, "activity_unit")?,
        },
        category: required_code(r, "category", ProgramCategory::from_code)?,
        years: Vec::new(),
        sample: r.try_get("sample").map_err(backend)?,
    };
    Ok((
        made_in_of(r)?,
        ProgramRecord {
            program,
            updated_by: text_of(r, "updated_by")?,
            updated_at: time_of(r, "updated_at_millis")?,
            revision: r.try_get("revision").map_err(backend)?,
        },
    ))
}

fn year_row(r: &DbRow) -> Result<ProgramYear, StoreError> {
    let yen = |column: &str| -> Result<Yen, StoreError> {
        Ok(Yen::new(r.try_get(column).map_err(backend)?))
    };
    let target: Option<String> = r.try_get("activity_target").map_err(backend)?;
    Ok(ProgramYear {
        fiscal_year: FiscalYear::new(r.try_get::<i32, _>("fiscal_year").map_err(backend)?)
            .map_err(corrupt)?,
        funding: Funding {
            cost: yen("cost")?,
            national: yen("national")?,
            prefectural: yen("prefectural")?,
            bonds: yen("bonds")?,
            other: yen("other")?,
            general: yen("general")?,
        },
        activity_target: target
            .map(|t| t.parse::<Decimal>().map_err(corrupt))
            .transpose()?,
    })
}

pub(super) fn frame_row(r: &DbRow) -> Result<Frame, StoreError> {
    Ok(Frame {
        fiscal_year: FiscalYear::new(r.try_get::<i32, _>("fiscal_year").map_err(backend)?)
            .map_err(corrupt)?,
        department: text_of(r, "department")?,
        general: Yen::new(r.try_get("general").map_err(backend)?),
    })
}
