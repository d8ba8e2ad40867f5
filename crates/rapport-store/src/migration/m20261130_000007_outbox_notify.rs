//! On PostgreSQL, every outbox insert notifies `rapport_outbox` with the event itself (as JSON;
//! only its id when that would not fit PostgreSQL's 8,000-byte payload), so each `serve`
//! process sharing the database hands committed events to its agents' live streams at once,
//! without reading them back (see `notify.rs`). A trigger rather than a second statement per
//! event keeps the ingest path at one round trip per row. SQLite has no notifications: nothing
//! to do there.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

/// Adds the outbox notification trigger (PostgreSQL).
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000007_outbox_notify"
    }
}

const CREATE: &str = r#"
CREATE OR REPLACE FUNCTION rapport_outbox_notify() RETURNS trigger AS $$
DECLARE
    message text;
BEGIN
    message := json_build_object(
        'id', NEW.id, 'org_id', NEW.org_id, 'kind', NEW.kind,
        'payload', NEW.payload, 'created_at', NEW.created_at
    )::text;
    IF octet_length(message) > 7900 THEN
        message := NEW.id::text;
    END IF;
    PERFORM pg_notify('rapport_outbox', message);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
    FOR EACH ROW EXECUTE FUNCTION rapport_outbox_notify();
"#;

const DROP: &str = r#"
DROP TRIGGER IF EXISTS outbox_events_notify ON outbox_events;
DROP FUNCTION IF EXISTS rapport_outbox_notify();
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.get_connection().execute_unprepared(CREATE).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        m.get_connection().execute_unprepared(DROP).await?;
        Ok(())
    }
}
