//! Lists of contacts, companies and deals: filter (typed or from a saved segment), sort,
//! keyset pages, and CSV export of every matching row.

use crate::authz::Actor;
use crate::context::App;
use crate::error::{AppError, AppResult};
use rapport_domain::crm::{Filter, RecordType};
use rapport_domain::{DomainError, Permission, SegmentId};
use rapport_store::query::{
    self, Cursor, DEFAULT_LIMIT, ListRequest, MAX_LIMIT, PageSpec, QueryError, Sort,
};
use rapport_store::repo::segments;

pub use rapport_store::query::fields::{DEAL_STATUSES, LIFECYCLE_STAGES};
pub use rapport_store::query::{CompanyRow, ContactRow, CustomDef, DealRow, Page};

/// What a list request asks for (query parameters of the API and the list pages).
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    /// Filter text.
    pub filter: Option<String>,
    /// A saved segment whose filter (and sort, unless `sort` is given) applies too.
    pub segment: Option<SegmentId>,
    /// `field`, `-field`, `field:asc` or `field:desc`.
    pub sort: Option<String>,
    /// Rows per page (1..=200, default 50).
    pub limit: Option<u64>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
}

/// The permission that reads `object`.
pub fn read_permission(object: RecordType) -> Permission {
    match object {
        RecordType::Deal => Permission::DealsRead,
        _ => Permission::ContactsRead,
    }
}

pub(crate) fn query_error(e: QueryError) -> AppError {
    match e {
        QueryError::Filter(f) => AppError::InvalidFilter(f.message),
        QueryError::Sort(_) => AppError::Invalid(vec![DomainError::Invalid {
            field: "sort",
            reason: "it names a field lists cannot sort by, or an unknown direction",
        }]),
        QueryError::Cursor => AppError::Invalid(vec![DomainError::Invalid {
            field: "cursor",
            reason: "it does not belong to this list; start again from the first page",
        }]),
        QueryError::Store(s) => s.into(),
    }
}

/// Parses filter text (`None` when empty).
pub fn parse_filter(text: &str) -> AppResult<Option<Filter>> {
    Filter::parse(text).map_err(|e| AppError::InvalidFilter(e.message))
}

/// A resolved request: the filter to run and the page to fetch.
pub(crate) struct Resolved {
    pub filter: Option<Filter>,
    pub page: PageSpec,
}

impl App {
    /// Checks the permission and turns the parameters (and segment) into a filter and a page.
    pub(crate) async fn resolve_list(
        &self,
        actor: &Actor,
        object: RecordType,
        params: &ListParams,
    ) -> AppResult<Resolved> {
        actor.require(read_permission(object))?;
        let mut texts: Vec<String> = Vec::new();
        let mut sort_text = params.sort.clone();
        if let Some(id) = params.segment {
            let seg = segments::get(self.db().conn(), actor.scope(), actor.user_id, id).await?;
            if seg.object_type != object.as_str() {
                return Err(AppError::NotFound);
            }
            if !seg.filter.trim().is_empty() {
                texts.push(seg.filter);
            }
            if sort_text.as_deref().is_none_or(|s| s.trim().is_empty()) {
                sort_text = seg.sort;
            }
        }
        if let Some(f) = params.filter.as_deref().filter(|f| !f.trim().is_empty()) {
            texts.push(f.to_owned());
        }
        // A segment's filter and a typed one both apply: each is parsed on its own (errors
        // point into the text the person typed) and the two are joined with AND.
        let mut parts = Vec::new();
        for t in &texts {
            if let Some(f) = parse_filter(t)? {
                parts.push(f);
            }
        }
        let filter = match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(Filter::And(parts)),
        };
        let sort = Sort::parse(object, sort_text.as_deref()).map_err(query_error)?;
        let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::Invalid(vec![DomainError::Invalid {
                field: "limit",
                reason: "it must be between 1 and 200",
            }]));
        }
        let after = match params.cursor.as_deref().filter(|c| !c.trim().is_empty()) {
            Some(c) => Some(Cursor::decode(c, &sort).map_err(query_error)?),
            None => None,
        };
        Ok(Resolved {
            filter,
            page: PageSpec { sort, limit, after },
        })
    }

    /// A page of contacts (needs `contacts.read`).
    pub async fn list_contacts(
        &self,
        actor: &Actor,
        params: &ListParams,
    ) -> AppResult<Page<ContactRow>> {
        let r = self
            .resolve_list(actor, RecordType::Contact, params)
            .await?;
        let req = request(actor, &r);
        query::list_contacts(self.db(), actor.scope(), &req)
            .await
            .map_err(query_error)
    }

    /// A page of companies (needs `contacts.read`).
    pub async fn list_companies(
        &self,
        actor: &Actor,
        params: &ListParams,
    ) -> AppResult<Page<CompanyRow>> {
        let r = self
            .resolve_list(actor, RecordType::Company, params)
            .await?;
        let req = request(actor, &r);
        query::list_companies(self.db(), actor.scope(), &req)
            .await
            .map_err(query_error)
    }

    /// A page of deals (needs `deals.read`).
    pub async fn list_deals(&self, actor: &Actor, params: &ListParams) -> AppResult<Page<DealRow>> {
        let r = self.resolve_list(actor, RecordType::Deal, params).await?;
        let req = request(actor, &r);
        query::list_deals(self.db(), actor.scope(), &req)
            .await
            .map_err(query_error)
    }

    /// The org's custom fields of `object` (list columns and the filter builder show them).
    pub async fn list_custom_fields(
        &self,
        actor: &Actor,
        object: RecordType,
    ) -> AppResult<Vec<CustomDef>> {
        actor.require(read_permission(object))?;
        Ok(query::custom_defs(self.db().conn(), actor.scope(), object).await?)
    }

    /// Checks that `text` is a valid filter for `object` in the actor's org (segments are
    /// validated before they are saved).
    pub async fn validate_filter(
        &self,
        actor: &Actor,
        object: RecordType,
        text: &str,
    ) -> AppResult<()> {
        if let Some(f) = parse_filter(text)? {
            query::compile_for(
                self.db(),
                actor.scope(),
                object,
                &f,
                actor.user_id.as_uuid(),
            )
            .await
            .map_err(query_error)?;
        }
        Ok(())
    }
}

pub(crate) fn request<'a>(actor: &Actor, r: &'a Resolved) -> ListRequest<'a> {
    ListRequest {
        filter: r.filter.as_ref(),
        page: r.page.clone(),
        me: actor.user_id.as_uuid(),
    }
}
