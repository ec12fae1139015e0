//! The theme list (テーマの一覧) and the tags that put plan elements under themes: the list read
//! and saved whole against its revision, an element's tags saved against the tags its editor
//! saw; both audited.

use async_trait::async_trait;
use keikaku_domain::theme::Theme;
use keikaku_domain::{ElementId, MunicipalityCode, PlanId};

use crate::{Author, StoreError};

/// One element under one theme.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ThemeTag {
    /// The element's plan.
    pub plan: PlanId,
    /// The element.
    pub element: ElementId,
    /// The theme's code.
    pub theme: String,
}

/// The themes of a municipality with every tag.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThemeList {
    /// The themes in their order.
    pub themes: Vec<Theme>,
    /// Every tag, sorted by plan, element and theme.
    pub tags: Vec<ThemeTag>,
    /// The list's revision (0 while it was never saved).
    pub revision: i64,
}

/// The theme list of a municipality and its tags.
#[async_trait]
pub trait ThemeStore: Send + Sync {
    /// The list, its tags and its revision.
    async fn themes(&self, municipality: &MunicipalityCode) -> Result<ThemeList, StoreError>;

    /// Replaces the list (already checked: codes and names unique) against the revision the
    /// editor read — another is refused with [`StoreError::Stale`]`("themes")` and nothing
    /// written. The tags of a theme no longer in the list go with it. One audit entry `themes`
    /// with the list before and after. Returns the new revision.
    async fn save_themes(
        &self,
        municipality: &MunicipalityCode,
        list: &[Theme],
        expected: i64,
        author: &Author,
    ) -> Result<i64, StoreError>;

    /// Sets the themes of one element. `seen` are the codes its editor read: when the stored
    /// tags differ, the save is refused with [`StoreError::Stale`]`("themes")`; a code not in
    /// the list is refused with [`StoreError::Referenced`]. One audit entry `element.themes`
    /// with the codes before and after, target `plan/element`.
    async fn save_element_themes(
        &self,
        municipality: &MunicipalityCode,
        plan: &PlanId,
        element: &ElementId,
        seen: &[String],
        themes: &[String],
        author: &Author,
    ) -> Result<(), StoreError>;
}
