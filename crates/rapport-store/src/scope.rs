//! `OrgScope`: the proof, carried into every tenant query, that the caller was authorized for
//! one organization.

use rapport_domain::OrgId;

/// Authorization to read and write one organization's data.
///
/// Repositories require it and filter by it, so no query path can return another org's rows.
/// It is built only by `rapport_app::authz` after checking the actor's membership: calling
/// [`OrgScope::assume_authorized`] anywhere else fails `cargo clippy` (see `clippy.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgScope {
    org_id: OrgId,
}

impl OrgScope {
    /// Builds a scope without checking anything. Only the authorization layer may call this.
    #[doc(hidden)]
    pub fn assume_authorized(org_id: OrgId) -> Self {
        Self { org_id }
    }

    /// The organization this scope grants.
    pub fn org_id(&self) -> OrgId {
        self.org_id
    }

    /// The org id as a UUID, for query filters.
    pub fn uuid(&self) -> uuid::Uuid {
        self.org_id.as_uuid()
    }
}
