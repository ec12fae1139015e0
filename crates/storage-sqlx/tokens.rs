//! API tokens: the port's [`TokenStore`] for this backend — making and revoking tokens
//! (audited through `tx`, never with the secret or its hash), finding and touching them.

use async_trait::async_trait;
use keikaku_domain::MunicipalityCode;
use keikaku_domain::account::LoginId;
use keikaku_domain::audit::Timestamp;
use keikaku_storage::{Author, StoreError, TokenRecord, TokenStore, UserChange};
use sqlx::Row;

use super::{backend, corrupt, tx};
use crate::{DbRow, Store};

#[async_trait]
impl TokenStore for Store {
    async fn create_token(
        &self,
        code: &MunicipalityCode,
        token: &TokenRecord,
        author: &Author,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        sqlx::query(concat!(
            "INSERT INTO api_token (municipality_code, ",
            token_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(code.as_str())
        .bind(&token.id)
        .bind(token.login_id.as_str())
        .bind(&token.name)
        .bind(&token.token_hash)
        .bind(token.created_at.as_millis())
        .bind(token.last_used_at.map(Timestamp::as_millis))
        .bind(token.expires_at.map(Timestamp::as_millis))
        .bind(token.revoked_at.map(Timestamp::as_millis))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let change = UserChange {
            action: "token.create".to_owned(),
            before: None,
            after: Some(token_audit_text(token)),
        };
        tx::append_audit(&mut tx, code, author, &change, &token.id).await?;
        tx::commit(tx).await
    }

    async fn tokens(
        &self,
        code: &MunicipalityCode,
        login_id: &LoginId,
    ) -> Result<Vec<TokenRecord>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_token WHERE municipality_code = $1 AND login_id = $2 \
             ORDER BY created_at_millis DESC, id DESC"
        ))
        .bind(code.as_str())
        .bind(login_id.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter().map(token_row).collect()
    }

    async fn token_by_hash(
        &self,
        code: &MunicipalityCode,
        token_hash: &str,
    ) -> Result<Option<TokenRecord>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_token WHERE municipality_code = $1 AND token_hash = $2"
        ))
        .bind(code.as_str())
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.as_ref().map(token_row).transpose()
    }

    async fn touch_token(
        &self,
        code: &MunicipalityCode,
        id: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE api_token SET last_used_at_millis = $3 WHERE municipality_code = $1 AND id = $2",
        )
        .bind(code.as_str())
        .bind(id)
        .bind(at.as_millis())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn revoke_token(
        &self,
        code: &MunicipalityCode,
        id: &str,
        owner: Option<&LoginId>,
        author: &Author,
    ) -> Result<Option<TokenRecord>, StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        tx::lock_municipality(&mut tx, code).await?;
        let row = sqlx::query(concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_token WHERE municipality_code = $1 AND id = $2 AND revoked_at_millis IS NULL"
        ))
        .bind(code.as_str())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(mut token) = row.as_ref().map(token_row).transpose()? else {
            return Ok(None);
        };
        if owner.is_some_and(|o| *o != token.login_id) {
            return Ok(None);
        }
        sqlx::query(
            "UPDATE api_token SET revoked_at_millis = $3 WHERE municipality_code = $1 AND id = $2",
        )
        .bind(code.as_str())
        .bind(id)
        .bind(author.at.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        let before = token_audit_text(&token);
        token.revoked_at = Some(author.at);
        let change = UserChange {
            action: "token.revoke".to_owned(),
            before: Some(before),
            after: Some(token_audit_text(&token)),
        };
        tx::append_audit(&mut tx, code, author, &change, &token.id).await?;
        tx::commit(tx).await?;
        Ok(Some(token))
    }
}

fn token_row(r: &DbRow) -> Result<TokenRecord, StoreError> {
    let login: String = r.try_get("login_id").map_err(backend)?;
    let at = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        r.try_get::<Option<i64>, _>(column)
            .map_err(backend)?
            .map(Timestamp::from_millis)
            .transpose()
            .map_err(corrupt)
    };
    Ok(TokenRecord {
        id: r.try_get("id").map_err(backend)?,
        login_id: LoginId::parse(&login).map_err(corrupt)?,
        name: r.try_get("name").map_err(backend)?,
        token_hash: r.try_get("token_hash").map_err(backend)?,
        created_at: Timestamp::from_millis(r.try_get("created_at_millis").map_err(backend)?)
            .map_err(corrupt)?,
        last_used_at: at("last_used_at_millis")?,
        expires_at: at("expires_at_millis")?,
        revoked_at: at("revoked_at_millis")?,
    })
}

/// What the audit log keeps of a token: id, name, owner, expiry and revocation — never the
/// secret or its hash.
fn token_audit_text(t: &TokenRecord) -> String {
    let iso = |at: Option<Timestamp>| at.map_or_else(|| "-".to_owned(), Timestamp::to_iso);
    format!(
        "id: {}\nname: {}\nlogin_id: {}\nexpires_at: {}\nrevoked_at: {}",
        t.id,
        t.name,
        t.login_id,
        iso(t.expires_at),
        iso(t.revoked_at)
    )
}
