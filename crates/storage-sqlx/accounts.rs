//! Accounts: the port's [`AccountStore`] for this backend — users (each change audited
//! through `tx`) and their sessions.

use async_trait::async_trait;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::{LoginId, Role, User};
use keikaku_domain::audit::Timestamp;
use keikaku_storage::{AccountStore, Author, SessionRecord, StoreError, UserChange};
use sqlx::Row;

use super::{backend, corrupt, tx};
use crate::{DbRow, Store};

#[async_trait]
impl AccountStore for Store {
    async fn create_user(
        &self,
        code: &MunicipalityCode,
        user: &User,
        password_hash: &str,
        author: &Author,
        change: &UserChange,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let exists =
            sqlx::query("SELECT 1 FROM app_user WHERE municipality_code = $1 AND login_id = $2")
                .bind(code.as_str())
                .bind(user.login_id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?
                .is_some();
        if exists {
            return Err(StoreError::UserExists(user.login_id.clone()));
        }
        sqlx::query(
            "INSERT INTO app_user (municipality_code, login_id, display_name, department, roles, \
             password_hash, disabled, created_at_millis) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(code.as_str())
        .bind(user.login_id.as_str())
        .bind(&user.display_name)
        .bind(&user.department)
        .bind(role_codes(&user.roles))
        .bind(password_hash)
        .bind(user.disabled)
        .bind(author.at.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx::append_audit(&mut tx, code, author, change, user.login_id.as_str()).await?;
        tx::commit(tx).await
    }

    async fn update_user(
        &self,
        code: &MunicipalityCode,
        user: &User,
        expected: Option<&User>,
        password_hash: Option<&str>,
        author: &Author,
        change: &UserChange,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        if let Some(expected) = expected {
            let row = sqlx::query(
                "SELECT login_id, display_name, department, roles, disabled FROM app_user \
                 WHERE municipality_code = $1 AND login_id = $2",
            )
            .bind(code.as_str())
            .bind(user.login_id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
            match row.as_ref().map(user_row).transpose()? {
                None => return Ok(false),
                Some(stored) if stored != *expected => {
                    return Err(StoreError::Stale(user.login_id.to_string()));
                }
                Some(_) => {}
            }
        }
        let done = sqlx::query(
            "UPDATE app_user SET display_name = $3, department = $4, roles = $5, disabled = $6, \
             password_hash = COALESCE($7, password_hash) WHERE municipality_code = $1 AND login_id = $2",
        )
        .bind(code.as_str())
        .bind(user.login_id.as_str())
        .bind(&user.display_name)
        .bind(&user.department)
        .bind(role_codes(&user.roles))
        .bind(user.disabled)
        .bind(password_hash)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if user.disabled || password_hash.is_some() {
            sqlx::query("DELETE FROM app_session WHERE municipality_code = $1 AND login_id = $2")
                .bind(code.as_str())
                .bind(user.login_id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx::append_audit(&mut tx, code, author, change, user.login_id.as_str()).await?;
        tx::commit(tx).await?;
        Ok(true)
    }

    async fn user(
        &self,
        code: &MunicipalityCode,
        login_id: &LoginId,
    ) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(
            "SELECT login_id, display_name, department, roles, password_hash, disabled FROM app_user \
             WHERE municipality_code = $1 AND login_id = $2",
        )
        .bind(code.as_str())
        .bind(login_id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((
                user_row(&r)?,
                r.try_get("password_hash").map_err(backend)?,
            ))),
        }
    }

    async fn users(&self, code: &MunicipalityCode) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(
            "SELECT login_id, display_name, department, roles, disabled FROM app_user \
             WHERE municipality_code = $1 ORDER BY login_id",
        )
        .bind(code.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(user_row).collect()
    }

    async fn create_session(
        &self,
        code: &MunicipalityCode,
        session: &SessionRecord,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO app_session (token_hash, municipality_code, login_id, csrf_token, \
             created_at_millis, last_seen_millis) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.token_hash)
        .bind(code.as_str())
        .bind(session.login_id.as_str())
        .bind(&session.csrf_token)
        .bind(session.created_at.as_millis())
        .bind(session.last_seen_at.as_millis())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn session(
        &self,
        code: &MunicipalityCode,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT token_hash, login_id, csrf_token, created_at_millis, last_seen_millis \
             FROM app_session WHERE municipality_code = $1 AND token_hash = $2",
        )
        .bind(code.as_str())
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some(r) = row else { return Ok(None) };
        let login: String = r.try_get("login_id").map_err(backend)?;
        Ok(Some(SessionRecord {
            token_hash: r.try_get("token_hash").map_err(backend)?,
            login_id: LoginId::parse(&login).map_err(corrupt)?,
            csrf_token: r.try_get("csrf_token").map_err(backend)?,
            created_at: Timestamp::from_millis(r.try_get("created_at_millis").map_err(backend)?)
                .map_err(corrupt)?,
            last_seen_at: Timestamp::from_millis(r.try_get("last_seen_millis").map_err(backend)?)
                .map_err(corrupt)?,
        }))
    }

    async fn touch_session(
        &self,
        code: &MunicipalityCode,
        token_hash: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE app_session SET last_seen_millis = $3 WHERE municipality_code = $1 AND token_hash = $2",
        )
        .bind(code.as_str())
        .bind(token_hash)
        .bind(at.as_millis())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn delete_session(
        &self,
        code: &MunicipalityCode,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM app_session WHERE municipality_code = $1 AND token_hash = $2")
            .bind(code.as_str())
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_expired_sessions(
        &self,
        code: &MunicipalityCode,
        idle_before: Timestamp,
        created_before: Timestamp,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM app_session WHERE municipality_code = $1 \
             AND (last_seen_millis < $2 OR created_at_millis < $3)",
        )
        .bind(code.as_str())
        .bind(idle_before.as_millis())
        .bind(created_before.as_millis())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected())
    }
}

fn role_codes(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}

fn user_row(r: &DbRow) -> Result<User, StoreError> {
    let login: String = r.try_get("login_id").map_err(backend)?;
    let roles: String = r.try_get("roles").map_err(backend)?;
    Ok(User {
        login_id: LoginId::parse(&login).map_err(corrupt)?,
        display_name: r.try_get("display_name").map_err(backend)?,
        department: r.try_get("department").map_err(backend)?,
        roles: roles
            .split(',')
            .filter(|c| !c.is_empty())
            .map(|c| Role::from_code(c).ok_or_else(|| corrupt(format!("役割「{c}」"))))
            .collect::<Result<_, _>>()?,
        disabled: r.try_get("disabled").map_err(backend)?,
    })
}
