//! CRM records settings: the org's default country, the region phone numbers without a `+`
//! country prefix are read in (`(415) 555-0132` is a US number only if the org says so).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Adds `orgs.default_country`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000004_crm_records"
    }
}

#[derive(DeriveIden)]
enum Orgs {
    Table,
    DefaultCountry,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Orgs::Table)
                .add_column(string_len_null(Orgs::DefaultCountry, 2))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Orgs::Table)
                .drop_column(Orgs::DefaultCountry)
                .to_owned(),
        )
        .await
    }
}
