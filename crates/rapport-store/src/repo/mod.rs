//! Repositories: typed queries over the entities. Tenant repositories take an `OrgScope`;
//! identity lookups that must work before an org is chosen (sign-in by email) are global and
//! say so in their names.

pub mod memberships;
pub mod orgs;
pub mod sessions;
pub mod users;
