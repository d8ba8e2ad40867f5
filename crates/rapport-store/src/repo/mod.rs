//! Repositories: typed queries over the entities. Tenant repositories take an `OrgScope`;
//! identity lookups that must work before an org is chosen (sign-in by email, tokens in links,
//! bearer tokens) are global and say so in their docs.

pub mod activities;
pub mod api_tokens;
pub mod audit;
pub mod challenges;
pub mod companies;
pub mod contact_lookup;
mod contact_rows;
pub mod contacts;
pub mod crm_dupes;
pub mod crm_import;
pub mod crm_merge;
pub mod crm_records;
pub mod custom_fields;
pub mod data_keys;
pub mod deals;
pub mod deals_board;
pub mod invitations;
pub mod memberships;
pub mod mfa;
pub mod notes;
pub mod notifications;
pub mod oidc_identities;
pub mod orgs;
pub mod password_resets;
pub mod pipelines;
pub mod record_deals;
pub mod resolve;
pub mod roles;
pub mod segments;
pub mod sessions;
pub mod tasks;
pub mod teams;
pub mod throttle;
pub mod users;
