//! The OpenAPI 3 document of the API, generated from the handlers and their types
//! (`GET /api/v1/openapi.json`).

use axum::http::HeaderMap;
use axum::response::Response;
use utoipa::OpenApi;

use crate::api::{ApiError, ApiQuery, JSON, only_params};
use crate::cache::Entry;
use crate::routes::{Route, route};

pub(crate) const ROUTES: &[Route] = &[route!(
    GET "/api/v1/openapi.json" => openapi_json,
    ReadPublished,
    "/api/v1/openapi.json"
)];

/// The OpenAPI document of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "keikaku API",
        version = "1",
        description = "自治体の総合計画・総合戦略・実施計画を取得するAPIです。公開中の計画、公表された効果検証の結果、公表された実施計画（implementation-plan）、公開中の人口ビジョン（population）は誰でも読めます。下書きの読み取りと編集（editing）、KPIの評価の読み取りと実績値の入力、効果検証の各段階（kpi）、作成中の実施計画の読み取りと事業の入力・提出・承認・確定・公表（implementation-plan の /staff/）、人口ビジョンの読み取り・入力・推計（population の /staff/）には、職員用ページで作るアクセストークンが要ります（Authorization: Bearer）。/ API of a municipality's comprehensive plan, strategy, implementation plan and population vision: published plans, published verification reports, published editions of the implementation plan and the public population vision are public; reading drafts, editing, the KPI evaluation, entering KPI values, the steps of the yearly verification round, the implementation plan's editions being made and the population vision's records and projections (under /staff/) need a personal access token."
    ),
    paths(
        crate::api::read::municipality,
        crate::api::read::list_plans,
        crate::api::read::get_plan,
        crate::api::read::search,
        crate::api::themes::list_themes,
        crate::api::themes::put_element_themes,
        openapi_json,
        crate::api::read::audit,
        crate::api::edit::get_element,
        crate::api::edit::put_element,
        crate::api::edit::delete_element,
        crate::api::edit::create_element,
        crate::api::edit::move_element,
        crate::api::edit::get_header,
        crate::api::edit::put_header,
        crate::api::edit::change_status,
        crate::api::successor::preview,
        crate::api::successor::start,
        crate::api::kpi::get_evaluation,
        crate::api::kpi::put_values,
        crate::api::rounds::get_round,
        crate::api::rounds::put_analyses,
        crate::api::rounds::submit,
        crate::api::rounds::approve,
        crate::api::rounds::send_back,
        crate::api::rounds::put_panel,
        crate::api::rounds::put_responses,
        crate::api::reports::publish_round,
        crate::api::reports::reopen_round,
        crate::api::reports::list_reports,
        crate::api::reports::get_report,
        crate::api::programs::list_published_editions,
        crate::api::programs::get_published_edition,
        crate::api::programs::get_published_program,
        crate::api::programs::get_edition_aggregates,
        crate::api::programs::get_edition_diff,
        crate::api::program_editions::list_staff_editions,
        crate::api::program_editions::open_edition,
        crate::api::program_editions::get_staff_edition,
        crate::api::program_editions::roll_edition,
        crate::api::program_editions::fix_edition,
        crate::api::program_editions::unfix_edition,
        crate::api::program_editions::publish_edition,
        crate::api::program_editions::put_frames,
        crate::api::program_editions::put_settings,
        crate::api::program_edits::put_program,
        crate::api::program_edits::remove_program,
        crate::api::program_edits::submit_part,
        crate::api::program_edits::approve_part,
        crate::api::program_edits::return_part,
        crate::api::population::get_published_population,
        crate::api::population::get_staff_population,
        crate::api::population_edits::put_vision,
        crate::api::population_edits::put_census,
        crate::api::population_edits::remove_census,
        crate::api::population_edits::put_scenario,
        crate::api::population_edits::remove_scenario,
        crate::api::population_runs::run_one,
        crate::api::population_runs::run_everything,
        crate::api::population_runs::derive
    ),
    components(schemas(
        crate::api::themes::ThemeListDto,
        crate::api::themes::ThemeDto,
        crate::api::themes::TaggedDto,
        crate::api::themes::ElementThemes,
        crate::error::ErrorEnvelope,
        crate::error::ErrorBody,
        crate::api::read::PlanList,
        crate::api::read::PlanSummaryDto,
        crate::api::read::SearchResults,
        crate::api::read::SearchHitDto,
        crate::api::read::AuditPage,
        crate::api::read::AuditEntryDto,
        crate::api::edit::ElementDto,
        crate::api::edit::WarningDto,
        crate::api::edit::ElementChange,
        crate::api::edit::NewElement,
        crate::api::edit::Move,
        crate::api::edit::Direction,
        crate::api::edit::Status,
        crate::api::edit::StatusChange,
        crate::api::edit::HeaderDto,
        crate::api::edit::HeaderChange,
        crate::api::successor::KindCount,
        crate::api::successor::SuccessorPreviewDto,
        crate::api::successor::StartRequest,
        crate::api::successor::CopiedDto,
        crate::api::successor::StartedDto,
        crate::error::FieldProblem,
        crate::error::Current,
        crate::api::kpi::KpiEvaluation,
        crate::api::kpi::KpiSettings,
        crate::api::kpi::KpiGrade,
        crate::api::kpi::KpiGroup,
        crate::api::kpi::KpiYearValue,
        crate::api::kpi::KpiIndicator,
        crate::api::kpi::KpiYear,
        crate::api::kpi::KpiOutcome,
        crate::api::kpi::KpiReference,
        crate::api::kpi::KpiTally,
        crate::api::kpi::KpiGroupTally,
        crate::api::kpi::KpiCounts,
        crate::api::kpi::KpiGradeCount,
        crate::api::kpi::KpiValuesChange,
        crate::api::kpi::KpiCellChange,
        crate::api::kpi::KpiValueState,
        crate::api::kpi::KpiCell,
        crate::api::kpi::KpiSavedValues,
        crate::api::rounds::KpiRound,
        crate::api::rounds::KpiRoundDepartment,
        crate::api::rounds::KpiAssessment,
        crate::api::rounds::KpiAnalysesChange,
        crate::api::rounds::KpiAnalysisChange,
        crate::api::rounds::KpiSubmission,
        crate::api::rounds::KpiReview,
        crate::api::rounds::KpiPanelChange,
        crate::api::rounds::KpiPanelAssessmentChange,
        crate::api::rounds::KpiOpinionChange,
        crate::api::rounds::KpiResponsesChange,
        crate::api::rounds::KpiResponseChange,
        crate::api::reports::KpiRoundRevision,
        crate::api::reports::KpiReportList,
        crate::api::reports::KpiReportSummary,
        crate::api::reports::KpiReport,
        crate::api::reports::KpiReportLine,
        crate::api::reports::KpiReportGroup,
        keikaku_planfile::programs::EditionFile,
        keikaku_planfile::programs::ProgramEntry,
        keikaku_planfile::programs::LinkEntry,
        keikaku_planfile::programs::ActivityEntry,
        keikaku_planfile::programs::YearEntry,
        crate::api::programs::FundingYear,
        crate::api::programs::EditionList,
        crate::api::programs::EditionListing,
        crate::api::programs::ProgramWithHistory,
        crate::api::programs::ProgramInEdition,
        crate::api::programs::EditionAggregates,
        crate::api::programs::FundingGroup,
        crate::api::programs::EditionComparison,
        crate::api::programs::ProgramDiff,
        crate::api::programs::CategoryDiff,
        crate::api::programs::FieldDiff,
        crate::api::programs::AmountDiff,
        crate::api::programs::ActivityTargetDiff,
        crate::api::program_editions::StaffEditionList,
        crate::api::program_editions::StaffEditionListing,
        crate::api::program_editions::StaffEdition,
        crate::api::program_editions::FiscalFrame,
        crate::api::program_editions::EditionBudget,
        crate::api::program_editions::DepartmentBudget,
        crate::api::program_editions::BudgetYear,
        crate::api::program_editions::NewEdition,
        crate::api::program_editions::RollOutcome,
        crate::api::program_editions::RolledProgramOutcome,
        crate::api::program_editions::EditionRevision,
        crate::api::program_editions::FramesChange,
        crate::api::program_editions::SettingsChange,
        crate::api::program_edits::StaffProgram,
        crate::api::program_edits::ProgramSave,
        crate::api::program_edits::ProgramPart,
        crate::api::program_edits::PartSubmission,
        crate::api::program_edits::PartReview,
        keikaku_planfile::population_vision::PopulationDoc,
        keikaku_planfile::population_vision::PopulationVisionDoc,
        keikaku_planfile::population_vision::TargetDoc,
        keikaku_planfile::population_vision::ActualDoc,
        keikaku_planfile::population_vision::ReferenceDoc,
        keikaku_planfile::population_vision::LinkDoc,
        keikaku_planfile::population_vision::SexCount,
        keikaku_planfile::population_vision::CensusDoc,
        keikaku_planfile::population_vision::SexRates,
        keikaku_planfile::population_vision::AssumptionsDoc,
        keikaku_planfile::population_vision::TfrPoint,
        keikaku_planfile::population_vision::DerivedDoc,
        keikaku_planfile::population_vision::ResultYear,
        keikaku_planfile::population_vision::ResultDoc,
        keikaku_planfile::population_vision::ScenarioDoc,
        crate::api::population::SummaryYear,
        crate::api::population::PopulationComparison,
        crate::api::population::ComparisonColumnDoc,
        crate::api::population::PublicScenario,
        crate::api::population::PublicPopulation,
        crate::api::population::StaffVision,
        crate::api::population::StaffCensus,
        crate::api::population::StaffScenario,
        crate::api::population::StaffPopulation,
        crate::api::population_runs::ScenarioRevision,
        crate::api::population_runs::RunOutcome,
        crate::api::population_runs::FertilityPoint,
        crate::api::population_runs::DeriveScenario
    )),
    modifiers(&BearerToken)
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json"),
        (status = 400, body = crate::error::ErrorEnvelope)))]
pub(crate) async fn openapi_json(
    ApiQuery(params): ApiQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    only_params(&params, &[])?;
    static DOC: std::sync::LazyLock<Entry> = std::sync::LazyLock::new(|| {
        let body = ApiDoc::openapi()
            .to_pretty_json()
            .unwrap_or_else(|_| "{}".to_owned());
        Entry::new(0, JSON, body)
    });
    Ok(DOC.respond(&headers))
}

/// Declares the security scheme `token`: a personal access token (made on `/staff/tokens`)
/// sent as `Authorization: Bearer kk_…`. Endpoints that need one say
/// `security(("token" = []))`.
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("kk_…")
            .description(Some(
                "個人用アクセストークン（職員用ページの「APIアクセストークン」で作成）。\
                 トークンの利用者の役割で認可されます。セッションのクッキーはAPIでは使えません。 / \
                 Personal access token; requests act with the roles of the token's user. \
                 Session cookies are not accepted by the API.",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("token", SecurityScheme::Http(scheme));
    }
}
