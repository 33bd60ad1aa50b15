//! Who may do what: polkit's CheckAuthorization about the caller's unique
//! bus name (never our own pid), on our one long-lived bus connection.

use std::collections::HashMap;

use enumflags2::BitFlags;
use orca_ca_proto::errors as names;
use tokio::sync::OnceCell;
use zbus::Connection;
use zbus::message::{Flags, Header};
use zbus::proxy::CacheProperties;
use zbus_polkit::policykit1::{AuthorityProxy, CheckAuthorizationFlags, Subject};

use super::errors::BusError;

/// The caller of a method, as the bus vouches for it.
#[derive(Debug, Clone)]
pub struct Caller {
    pub uid: u32,
}

#[derive(Debug)]
pub struct Authorizer {
    connection: Connection,
    authority: OnceCell<AuthorityProxy<'static>>,
}

impl Authorizer {
    pub fn new(connection: Connection) -> Self {
        Authorizer {
            connection,
            authority: OnceCell::new(),
        }
    }

    /// The caller's identity without any decision (for read-only logging).
    pub async fn caller(&self, header: &Header<'_>) -> Result<Caller, BusError> {
        let sender = header
            .sender()
            .ok_or_else(|| BusError::new(names::ACCESS_DENIED, orca_cad::messages::no_sender()))?;
        let dbus = zbus::fdo::DBusProxy::new(&self.connection).await?;
        let uid = dbus
            .get_connection_unix_user(sender.clone().into())
            .await
            .map_err(|e| BusError::new(names::ACCESS_DENIED, e.to_string()))?;
        Ok(Caller { uid })
    }

    /// Decides `action` for the sender of `header`. Root is let through
    /// without asking (polkit would say yes anyway, and root must be able
    /// to repair things when polkitd itself is broken). polkitd missing or
    /// failing means no.
    pub async fn check(&self, header: &Header<'_>, action: &str) -> Result<Caller, BusError> {
        let caller = self.caller(header).await?;
        if caller.uid == 0 {
            return Ok(caller);
        }
        let interactive = header
            .primary()
            .flags()
            .contains(Flags::AllowInteractiveAuth);
        let subject = Subject::new_for_message_header(header)
            .map_err(|e| BusError::new(names::ACCESS_DENIED, e.to_string()))?;
        let flags: BitFlags<CheckAuthorizationFlags> = if interactive {
            CheckAuthorizationFlags::AllowUserInteraction.into()
        } else {
            BitFlags::empty()
        };
        let unavailable = |e: zbus::Error| {
            tracing::warn!(action, uid = caller.uid, error = %e, "polkit unavailable: denying");
            BusError::new(
                names::ACCESS_DENIED,
                orca_cad::messages::polkit_unavailable(action),
            )
        };
        let authority = self
            .authority
            .get_or_try_init(|| async {
                AuthorityProxy::builder(&self.connection)
                    .cache_properties(CacheProperties::No)
                    .build()
                    .await
            })
            .await
            .map_err(unavailable)?;
        let result = authority
            .check_authorization(&subject, action, &HashMap::new(), flags, "")
            .await
            .map_err(unavailable)?;
        if result.is_authorized {
            Ok(caller)
        } else if result.is_challenge && !interactive {
            Err(BusError::new(
                names::INTERACTIVE_AUTHORIZATION_REQUIRED,
                orca_cad::messages::interactive_required(action),
            ))
        } else {
            // polkit's details say why (e.g. polkit.dismissed: the password
            // prompt was cancelled); they hold no secret.
            tracing::info!(action, uid = caller.uid, interactive, challenge = result.is_challenge, details = ?result.details, "not authorized");
            Err(BusError::new(
                names::ACCESS_DENIED,
                orca_cad::messages::access_denied(action, orca_ca_proto::ADMIN_GROUP),
            ))
        }
    }
}
