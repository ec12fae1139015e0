//! Plans: the public catalog of published plans and its search index, editing the working
//! copy, the status workflow (草案 → 審議中 → 決定 → 公開), and plan files in and out.

pub mod catalog;
pub mod edit;
pub mod search;
pub mod status;
pub mod transfer;
