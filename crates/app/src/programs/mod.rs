//! The 実施計画 (implementation plan), the guide for the budget: editions made every fiscal
//! year for the next three, their programs (事業) with 事業費 and 財源内訳, and the yearly
//! cycle around them.
//!
//! - [`editions`]: the list, one edition as a page or the API shows it ([`EditionView`]),
//!   opening one — empty, or by rolling the last ([`roll`]) —, its settings (basis plan, the
//!   千円 rounding rule), the fiscal frames, and the edition's steps 確定 / 確定の取消し / 公表.
//! - [`entry`]: a program saved, added or deleted by a department (only its own) or the
//!   planning office, checked whole (the funding identity, links that exist, who may write
//!   what) with every problem by field.
//! - [`review`]: each department's part — 提出, 承認, 差戻し — and what it still misses.
//! - [`listing`]: the 一覧 grouped goal → field → measure, the aggregates by goal, field,
//!   priority project, strategy objective, department, funding source and year, and the budget
//!   guide against the fiscal frames.
//! - [`kept`]: an edition and its aggregates kept for the staff pages until the next write
//!   ([`EditionCache`], which [`crate::Catalog::staff_edition`] holds), per viewer's reach.
//! - [`compare`]: two editions side by side ([`keikaku_domain::program::diff`]) and a
//!   program's history across editions.
//! - [`sheets`]: the 一覧 as XLSX, CSV and JSON, and a department's sheet (or a JSON file)
//!   previewed then applied, all or nothing.
//!
//! Departments edit only while the edition is 作成中 and their part is 未提出 or 差戻し; the
//! planning office while it is 作成中. A fixed edition is read-only; a published one is on the
//! public site and never changes.

pub mod compare;
pub mod editions;
pub mod entry;
pub(crate) mod example;
pub mod kept;
pub mod listing;
pub mod review;
pub mod sheets;

/// The stored edition and program as the port records them; pages read their fields.
pub use keikaku_storage::{EditionRecord, EditionSummary, ProgramRecord};

pub use compare::{Comparison, Viewer, compare, program_history};
pub use editions::{
    EditionView, FrameAmount, FrameInput, change_state, create_edition, delete_edition, edition,
    editions, published_edition, published_editions, roll, save_frame_amounts, save_frames,
    save_settings,
};
pub use entry::{ProgramForm, YearForm, delete_program, form_problems, parse_form, save_program};
pub use kept::{EditionCache, KeptEdition};
pub use listing::{Aggregates, GoalGroup, Listing, MeasureGroup, aggregates, listing};
pub use review::{PartView, move_part};
pub use sheets::{
    ImportPreview, ProgramFormat, apply_import, edition_file, export, json_path, preview_import,
    program_entry,
};
