//! The CRM vocabulary: record types, lifecycle stages, phone numbers, company domains, money and
//! custom-field definitions. Everything validates on construction so the layers above store
//! only normalized values (lowercase email, E.164 phone, bare lowercase domain, ISO currency).

pub mod company_domain;
pub mod custom_field;
pub mod deal;
pub mod filter;
pub mod lifecycle;
pub mod money;
pub mod phone;
pub mod record;

pub use company_domain::{CompanyDomain, is_free_mail_domain};
pub use custom_field::{FieldKey, FieldType, FieldValueError, SelectOption};
pub use deal::{DealStatus, StageKind};
pub use filter::{Filter, FilterError};
pub use lifecycle::LifecycleStage;
pub use money::{Currency, Money};
pub use phone::Phone;
pub use record::RecordType;
